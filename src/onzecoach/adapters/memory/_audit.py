"""The audit log: one list, appended to in order."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import attrs

from onzecoach.audit import AuditEntry, redacted

if TYPE_CHECKING:
    from datetime import datetime

    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["AuditTables", "MemoryAudit"]


@attrs.define
class AuditTables:
    """The audit entries, oldest first."""

    audit: list[AuditEntry] = attrs.Factory(list)


class MemoryAudit:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> AuditTables:
        return self._uow.tables(AuditTables)

    def append(self, entry: AuditEntry) -> None:
        self._uow.append(self._tables.audit, entry)

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self.append(entry)

    def for_subject(self, subject_type: str, subject_id: str) -> list[AuditEntry]:
        return [
            attrs.evolve(e, seq=seq)
            for seq, e in enumerate(self._tables.audit, start=1)
            if e.subject_type == subject_type and e.subject_id == subject_id
        ]

    def for_employer(self, employer_id: str, *, limit: int = 100) -> list[AuditEntry]:
        found = [e for e in reversed(self._tables.audit) if e.employer_id == employer_id]
        return found[:limit]

    def redact(
        self, subject_type: str, subject_ids: Collection[str], *, keep: Collection[str] = ()
    ) -> int:
        ids = set(subject_ids)
        entries = self._tables.audit
        found = 0
        for index, entry in enumerate(entries):
            if entry.subject_type == subject_type and entry.subject_id in ids:
                found += 1
                self._replace(
                    entries, index, attrs.evolve(entry, details=redacted(entry.details, keep=keep))
                )
        return found

    def drop_before(self, at: datetime) -> int:
        entries = self._tables.audit
        kept = [e for e in entries if e.at >= at]
        dropped = len(entries) - len(kept)
        if dropped:
            old = list(entries)
            entries[:] = kept
            self._uow.on_rollback(lambda: entries.__setitem__(slice(None), old))
        return dropped

    def _replace(self, entries: list[AuditEntry], index: int, entry: AuditEntry) -> None:
        old = entries[index]
        entries[index] = entry
        self._uow.on_rollback(lambda: entries.__setitem__(index, old))
