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

    def page(self, *, after: str | None, limit: int) -> list[SessionNote]:
        keys = sorted(k for k in self._tables.notes if after is None or k > after)
        return [self._tables.notes[k] for k in keys[:limit]]

    def replace_text(self, appointment_id: str, *, old: str, new: str) -> bool:
        note = self._tables.notes.get(appointment_id)
        if note is None or note.text != old:
            return False
        self._uow.put(self._tables.notes, appointment_id, attrs.evolve(note, text=new))
        return True
