"""The employers' repositories."""

from __future__ import annotations

from typing import Protocol

from onzecoach.employers._model import Department, Employer
from onzecoach.employers._policy import EmployerSettings
from onzecoach.events import UnitOfWork

__all__ = [
    "DepartmentRepository",
    "EmployerRepositories",
    "EmployerRepository",
    "EmployerSettingsRepository",
    "EmployerUnitOfWork",
]


class EmployerRepository(Protocol):
    def add(self, employer: Employer) -> None:
        """Store a new employer; ``Conflict`` when the name (case-insensitive) is taken."""
        ...

    def get(self, employer_id: str, *, for_update: bool = False) -> Employer | None:
        """The employer; ``for_update``: locked until the unit of work ends, so that a
        change that reads what belongs to the employer alone (its settings) and writes it
        back waits for another such change instead of undoing it."""
        ...

    def list(self) -> list[Employer]:
        """All employers, by name."""
        ...


class DepartmentRepository(Protocol):
    def add(self, department: Department) -> None:
        """Store a new department; ``Conflict`` when its employer has one by that name."""
        ...

    def get(self, department_id: str) -> Department | None: ...

    def for_employer(self, employer_id: str) -> list[Department]:
        """The employer's departments, by name."""
        ...


class EmployerSettingsRepository(Protocol):
    """Each employer's own settings (its overrides of the portal's defaults)."""

    def get(self, employer_id: str) -> EmployerSettings | None:
        """The employer's settings; ``None`` when none were ever saved."""
        ...

    def save(self, settings: EmployerSettings) -> None:
        """Store the employer's settings, replacing any saved before."""
        ...

    def any_passkey_login(self) -> bool:
        """Whether any employer has passkey sign-in switched on itself."""
        ...


class EmployerRepositories(Protocol):
    @property
    def employers(self) -> EmployerRepository: ...
    @property
    def departments(self) -> DepartmentRepository: ...
    @property
    def employer_settings(self) -> EmployerSettingsRepository: ...


class EmployerUnitOfWork(EmployerRepositories, UnitOfWork, Protocol):
    """A transaction over the employers and their departments."""
