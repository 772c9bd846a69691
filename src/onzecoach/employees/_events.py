"""What the employees feature tells other features (the dossier search keeps its index)."""

from __future__ import annotations

import attrs

from onzecoach.employees._model import Employee
from onzecoach.events import Event

__all__ = ["EmployeeChanged", "EmployeeRemoved", "EmployeesAdded"]


@attrs.frozen
class EmployeesAdded(Event):
    """Employees were registered (one by the form, a batch by the import)."""

    employees: tuple[Employee, ...]


@attrs.frozen
class EmployeeChanged(Event):
    """A known employee's details changed; ``employee`` is as it is now."""

    employee: Employee


@attrs.frozen
class EmployeeRemoved(Event):
    """An employee was removed."""

    employer_id: str
    employee_id: str
