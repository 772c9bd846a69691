"""The ids of erased employees."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from onzecoach.adapters.memory._employees import EmployeeTables
from onzecoach.adapters.memory._trajectories import TrajectoryTables
from onzecoach.privacy import ErasedEmployee, RetentionFacts

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["ErasureTables", "MemoryErasures"]


@attrs.define
class ErasureTables:
    """Erased employees by id."""

    erased: dict[str, ErasedEmployee] = attrs.Factory(dict)


class MemoryErasures:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> ErasureTables:
        return self._uow.tables(ErasureTables)

    def add(self, erased: ErasedEmployee) -> None:
        if erased.employee_id not in self._tables.erased:
            self._uow.put(self._tables.erased, erased.employee_id, erased)

    def get(self, employee_id: str) -> ErasedEmployee | None:
        return self._tables.erased.get(employee_id)

    def page(self, *, after: str | None, limit: int) -> list[ErasedEmployee]:
        keys = sorted(k for k in self._tables.erased if after is None or k > after)
        return [self._tables.erased[k] for k in keys[:limit]]

    def retention_facts(self, *, after: str | None, limit: int) -> list[RetentionFacts]:
        employees = self._uow.tables(EmployeeTables).employees
        trajectories = self._uow.tables(TrajectoryTables)
        keys = sorted(
            key
            for key, employee in employees.items()
            if not employee.is_erased and (after is None or key > after)
        )
        found = []
        for key in keys[:limit]:
            employee = employees[key]
            own = [
                trajectories.trajectories[i]
                for i in trajectories.employee_trajectories.get(key, {})
            ]
            closed = [t.closed_at for t in own if t.closed_at is not None]
            found.append(
                RetentionFacts(
                    employee_id=key,
                    employer_id=employee.employer_id,
                    known_since=employee.known_since,
                    trajectories=len(own),
                    open_trajectories=len(own) - len(closed),
                    last_closed_at=max(closed, default=None),
                )
            )
        return found
