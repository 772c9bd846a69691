"""The coaches' private notes on their sessions, sealed by the caller."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from onzecoach.booking import SessionNote

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlNotes"]

_NOTE = t.session_notes.select().where(t.session_notes.c.appointment_id == sa.bindparam("_id"))
_DELETE = t.session_notes.delete().where(t.session_notes.c.appointment_id == sa.bindparam("_id"))


class SqlNotes(Repository):
    def get(self, appointment_id: str) -> SessionNote | None:
        row = self._execute(_NOTE, "reading a note", {"_id": appointment_id}).first()
        return None if row is None else structure_row(row, SessionNote)

    def put(self, note: SessionNote) -> None:
        values = {
            "appointment_id": note.appointment_id,
            "coach_id": note.coach_id,
            "text": note.text,
            "updated_at": note.updated_at,
        }
        self._execute(_DELETE, "replacing a note", {"_id": note.appointment_id})
        self._execute(t.session_notes.insert(), "writing a note", values)

    def delete(self, appointment_id: str) -> None:
        self._execute(_DELETE, "removing a note", {"_id": appointment_id})

    def page(self, *, after: str | None, limit: int) -> list[SessionNote]:
        notes = t.session_notes
        query = notes.select().order_by(notes.c.appointment_id).limit(limit)
        if after is not None:
            query = query.where(notes.c.appointment_id > after)
        return [structure_row(row, SessionNote) for row in self._execute(query, "listing notes")]

    def replace_text(self, appointment_id: str, *, old: str, new: str) -> bool:
        notes = t.session_notes
        statement = (
            notes.update()
            .where(notes.c.appointment_id == appointment_id, notes.c.text == old)
            .values(text=new)
        )
        return self._execute(statement, "resealing a note").rowcount == 1

    def noted(self, appointment_ids: Collection[str]) -> set[str]:
        if not appointment_ids:
            return set()
        query = sa.select(t.session_notes.c.appointment_id).where(
            t.session_notes.c.appointment_id.in_(list(appointment_ids))
        )
        return {row[0] for row in self._execute(query, "listing notes")}
