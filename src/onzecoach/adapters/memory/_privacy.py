"""The ids of erased employees."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from onzecoach.privacy import ErasedEmployee

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
