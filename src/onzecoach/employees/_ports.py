"""The employees' repository."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from onzecoach.audit import AuditRepositories
from onzecoach.employees._model import Employee
from onzecoach.employers import EmployerRepositories
from onzecoach.events import UnitOfWork
from onzecoach.notifications import OutboxRepositories
from onzecoach.tasks import TaskRepositories
from onzecoach.trajectories import TrajectoryRepositories

__all__ = ["EmployeeRepositories", "EmployeeRepository", "EmployeeUnitOfWork"]


class EmployeeRepository(Protocol):
    def add(self, employee: Employee) -> None:
        """Store a new employee; ``Conflict`` when the employer has that employee number."""
        ...

    def add_many(self, employees: Sequence[Employee]) -> None:
        """``add`` for each employee, all or none, as one statement where the storage can.

        ``Conflict`` when an id or an employer's employee number is taken, by a stored
        employee or by another of ``employees``; for more than one employee it need not
        say which, and the unit of work must then be rolled back (a database may have
        written some of them). For the bulk import, which writes a batch of rows at once.
        """
        ...

    def get(self, employee_id: str, *, for_update: bool = False) -> Employee | None:
        """One employee; ``for_update`` locks it until the transaction ends."""
        ...

    def get_many(self, employee_ids: Collection[str]) -> dict[str, Employee]:
        """The employees of those ids that exist, by id."""
        ...

    def display_names(self, employee_ids: Collection[str]) -> dict[str, str]:
        """``Employee.display_name`` of those ids that exist, by id: what a list of many
        employees shows, without reading the rest of each row."""
        ...

    def save(self, employee: Employee) -> None:
        """Store a known employee's new details; ``Conflict`` as for ``add``."""
        ...

    def mark_named(self, employee_ids: Collection[str], *, at: datetime) -> None:
        """Set ``last_named_at`` of those employees (unknown ids are skipped), nothing else
        of them: for the bulk import, which names them whether it changes them or not."""
        ...

    def by_numbers(self, employer_id: str, numbers: Collection[str]) -> dict[str, Employee]:
        """The employer's employees with those employee numbers, by number.

        Numbers nobody has are left out. For the bulk import, which matches a whole
        batch of rows in one call instead of one query per row.
        """
        ...

    def for_employer(
        self, employer_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Employee]:
        """The employer's employees by last name, given name and id."""
        ...

    def for_employer_by_id(
        self, employer_id: str, *, after: str | None, limit: int
    ) -> list[Employee]:
        """The employer's employees by id, the first ``limit`` after ``after``: for going
        through all of them (a rebuild) without sorting or skipping rows per page."""
        ...

    def delete(self, employee_id: str) -> None:
        """Remove an employee (one without trajectories); ``NotFound`` if unknown."""
        ...


class EmployeeRepositories(Protocol):
    @property
    def employees(self) -> EmployeeRepository: ...


class EmployeeUnitOfWork(
    EmployeeRepositories,
    EmployerRepositories,
    TrajectoryRepositories,
    TaskRepositories,
    OutboxRepositories,
    AuditRepositories,
    UnitOfWork,
    Protocol,
):
    """What the employees' use cases (the form, the dossier, the import) touch."""
