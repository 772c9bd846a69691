"""The audit log."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Row

from onzecoach.audit import AuditEntry, redacted

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlAudit"]

_AUDIT_COLUMNS: Final = (
    "at",
    "actor_id",
    "actor_role",
    "action",
    "employer_id",
    "subject_type",
    "subject_id",
    "details",
)


_REDACT_ENTRY = (
    t.audit_log.update()
    .where(t.audit_log.c.id == sa.bindparam("_id"))
    .values(details=sa.bindparam("details"))
)


def _audit_row(entry: AuditEntry) -> tuple[Any, ...]:
    """The columns of an entry, in the order of ``_AUDIT_COLUMNS``."""
    role = entry.actor_role
    return (
        entry.at,
        entry.actor_id,
        None if role is None else role.value,
        entry.action,
        entry.employer_id,
        entry.subject_type,
        entry.subject_id,
        dict(entry.details),
    )


def _audit_values(entry: AuditEntry) -> dict[str, Any]:
    """The columns of an entry, by name."""
    return dict(zip(_AUDIT_COLUMNS, _audit_row(entry), strict=True))


def _audit_entry(row: Row[Any]) -> AuditEntry:
    return structure_row(row, AuditEntry, seq=row.id)


class SqlAudit(Repository):
    def append(self, entry: AuditEntry) -> None:
        self._execute(t.audit_log.insert(), "writing the audit log", _audit_values(entry))

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        self._insert_rows(
            t.audit_log,
            _AUDIT_COLUMNS,
            [_audit_row(entry) for entry in entries],
            "writing the audit log",
        )

    def for_subject(self, subject_type: str, subject_id: str) -> list[AuditEntry]:
        rows = self._execute(
            t.audit_log.select()
            .where(
                t.audit_log.c.subject_type == subject_type,
                t.audit_log.c.subject_id == subject_id,
            )
            .order_by(t.audit_log.c.id),
            "reading the audit log",
        )
        return [_audit_entry(row) for row in rows]

    def for_employer(self, employer_id: str, *, limit: int = 100) -> list[AuditEntry]:
        rows = self._execute(
            t.audit_log.select()
            .where(t.audit_log.c.employer_id == employer_id)
            .order_by(t.audit_log.c.id.desc())
            .limit(limit),
            "reading the audit log",
        )
        return [_audit_entry(row) for row in rows]

    def drop_before(self, at: datetime) -> int:
        result = self._execute(
            t.audit_log.delete().where(t.audit_log.c.at < at), "dropping old audit entries"
        )
        return result.rowcount

    def redact(
        self, subject_type: str, subject_ids: Collection[str], *, keep: Collection[str] = ()
    ) -> int:
        ids = sorted(set(subject_ids))
        if not ids:
            return 0
        c = t.audit_log.c
        rows = self._execute(
            sa.select(c.id, c.details)
            .where(c.subject_type == subject_type, c.subject_id.in_(ids))
            .order_by(c.id),
            "reading the audit log",
        ).all()
        for row in rows:
            self._execute(
                _REDACT_ENTRY,
                "redacting the audit log",
                {"_id": row.id, "details": redacted(row.details, keep=keep)},
            )
        return len(rows)
