"""The coaches' private notes on their sessions (sealed, as the SQL adapter keeps them)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import attrs

from onzecoach.booking import SessionNote

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["MemoryNotes", "NoteTables"]


@attrs.define
class NoteTables:
    """Notes by session id."""

    notes: dict[str, SessionNote] = attrs.Factory(dict)


class MemoryNotes:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> NoteTables:
        return self._uow.tables(NoteTables)

    def get(self, appointment_id: str) -> SessionNote | None:
        return self._tables.notes.get(appointment_id)

    def put(self, note: SessionNote) -> None:
        self._uow.put(self._tables.notes, note.appointment_id, note)

    def delete(self, appointment_id: str) -> None:
        if appointment_id in self._tables.notes:
            self._uow.discard(self._tables.notes, appointment_id)

    def noted(self, appointment_ids: Collection[str]) -> set[str]:
        return {i for i in appointment_ids if i in self._tables.notes}
