"""Employees, each employee number unique within its employer."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import attrs

from onzecoach.employees import Employee
from onzecoach.errors import Conflict, NotFound

if TYPE_CHECKING:
    from datetime import datetime

    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["EmployeeTables", "MemoryEmployees"]


@attrs.define
class EmployeeTables:
    """Employees by id and by (employer, employee number)."""

    employees: dict[str, Employee] = attrs.Factory(dict)
    employee_by_number: dict[tuple[str, str], str] = attrs.Factory(dict)


class MemoryEmployees:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> EmployeeTables:
        return self._uow.tables(EmployeeTables)

    def add(self, employee: Employee) -> None:
        tables = self._tables
        if employee.id in tables.employees:
            raise Conflict("employee.exists")
        self._store(employee)

    def add_many(self, employees: Sequence[Employee]) -> None:
        if len(employees) == 1:
            self.add(employees[0])
            return
        # Every clash is looked for before anything is stored: all or none.
        tables = self._tables
        ids: set[str] = set()
        numbers: set[tuple[str, str]] = set()
        for employee in employees:
            if employee.id in tables.employees or employee.id in ids:
                raise Conflict("employee.exists")
            ids.add(employee.id)
            if employee.employee_number is not None:
                key = (employee.employer_id, employee.employee_number)
                if key in tables.employee_by_number or key in numbers:
                    raise Conflict("employee.number_taken", number=employee.employee_number)
                numbers.add(key)
        for employee in employees:
            self._store(employee)

    def get(self, employee_id: str, *, for_update: bool = False) -> Employee | None:
        # The unit of work's lock already excludes every other transaction.
        return self._tables.employees.get(employee_id)

    def get_many(self, employee_ids: Collection[str]) -> dict[str, Employee]:
        employees = self._tables.employees
        return {i: employees[i] for i in employee_ids if i in employees}

    def display_names(self, employee_ids: Collection[str]) -> dict[str, str]:
        return {i: e.display_name for i, e in self.get_many(employee_ids).items()}

    def save(self, employee: Employee) -> None:
        stored = self._tables.employees.get(employee.id)
        if stored is None:
            raise NotFound("employee.not_found")
        # As the SQL adapter: the latest naming stands.
        if stored.last_named_at is not None and (
            employee.last_named_at is None or employee.last_named_at < stored.last_named_at
        ):
            employee = attrs.evolve(employee, last_named_at=stored.last_named_at)
        self._store(employee)

    def mark_named(self, employee_ids: Collection[str], *, at: datetime) -> None:
        employees = self._tables.employees
        for employee_id in sorted(set(employee_ids)):
            found = employees.get(employee_id)
            if found is not None:
                self._uow.put(employees, employee_id, attrs.evolve(found, last_named_at=at))

    def by_numbers(self, employer_id: str, numbers: Collection[str]) -> dict[str, Employee]:
        tables = self._tables
        found: dict[str, Employee] = {}
        for number in numbers:
            employee_id = tables.employee_by_number.get((employer_id, number))
            if employee_id is not None:
                found[number] = tables.employees[employee_id]
        return found

    def for_employer(
        self, employer_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Employee]:
        found = [
            e
            for e in self._tables.employees.values()
            if e.employer_id == employer_id and not e.is_erased
        ]
        found.sort(key=lambda e: (e.last_name.casefold(), e.given_name.casefold(), e.id))
        return found[offset : offset + limit]

    def for_employer_by_id(
        self, employer_id: str, *, after: str | None, limit: int
    ) -> list[Employee]:
        found = sorted(
            (
                e
                for e in self._tables.employees.values()
                if e.employer_id == employer_id and (after is None or e.id > after)
            ),
            key=lambda e: e.id,
        )
        return found[:limit]

    def delete(self, employee_id: str) -> None:
        tables = self._tables
        employee = tables.employees.get(employee_id)
        if employee is None:
            raise NotFound("employee.not_found")
        if employee.employee_number is not None:
            key = (employee.employer_id, employee.employee_number)
            self._uow.discard(tables.employee_by_number, key)
        self._uow.discard(tables.employees, employee_id)

    def _store(self, employee: Employee) -> None:
        tables = self._tables
        old = tables.employees.get(employee.id)
        if employee.employee_number is not None:
            key = (employee.employer_id, employee.employee_number)
            holder = tables.employee_by_number.get(key)
            if holder is not None and holder != employee.id:
                raise Conflict("employee.number_taken", number=employee.employee_number)
        if old is not None and old.employee_number is not None:
            self._uow.discard(tables.employee_by_number, (old.employer_id, old.employee_number))
        if employee.employee_number is not None:
            key = (employee.employer_id, employee.employee_number)
            self._uow.put(tables.employee_by_number, key, employee.id)
        self._uow.put(tables.employees, employee.id, employee)
