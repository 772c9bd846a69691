"""Employers and their departments, each name unique (per employer, for departments), and
each employer's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from onzecoach.employers import Department, Employer, EmployerSettings, name_key
from onzecoach.errors import Conflict

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["EmployerTables", "MemoryDepartments", "MemoryEmployerSettings", "MemoryEmployers"]


@attrs.define
class EmployerTables:
    """Employers and departments, with their names as compared."""

    employers: dict[str, Employer] = attrs.Factory(dict)
    employer_by_name: dict[str, str] = attrs.Factory(dict)
    departments: dict[str, Department] = attrs.Factory(dict)
    department_by_name: dict[tuple[str, str], str] = attrs.Factory(dict)
    settings: dict[str, EmployerSettings] = attrs.Factory(dict)


class MemoryEmployers:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> EmployerTables:
        return self._uow.tables(EmployerTables)

    def add(self, employer: Employer) -> None:
        tables = self._tables
        key = name_key(employer.name)
        if key in tables.employer_by_name:
            raise Conflict("employer.name_taken", name=employer.name)
        self._uow.put(tables.employers, employer.id, employer)
        self._uow.put(tables.employer_by_name, key, employer.id)

    def get(self, employer_id: str, *, for_update: bool = False) -> Employer | None:
        return self._tables.employers.get(employer_id)

    def list(self) -> list[Employer]:
        return sorted(self._tables.employers.values(), key=lambda e: (name_key(e.name), e.id))


class MemoryDepartments:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> EmployerTables:
        return self._uow.tables(EmployerTables)

    def add(self, department: Department) -> None:
        tables = self._tables
        key = (department.employer_id, name_key(department.name))
        if key in tables.department_by_name:
            raise Conflict("department.name_taken", name=department.name)
        self._uow.put(tables.departments, department.id, department)
        self._uow.put(tables.department_by_name, key, department.id)

    def get(self, department_id: str) -> Department | None:
        return self._tables.departments.get(department_id)

    def for_employer(self, employer_id: str) -> list[Department]:
        return sorted(
            (d for d in self._tables.departments.values() if d.employer_id == employer_id),
            key=lambda d: (name_key(d.name), d.id),
        )


class MemoryEmployerSettings:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> EmployerTables:
        return self._uow.tables(EmployerTables)

    def get(self, employer_id: str) -> EmployerSettings | None:
        return self._tables.settings.get(employer_id)

    def save(self, settings: EmployerSettings) -> None:
        self._uow.put(self._tables.settings, settings.employer_id, settings)

    def any_passkey_login(self) -> bool:
        return any(s.passkey_login for s in self._tables.settings.values())
