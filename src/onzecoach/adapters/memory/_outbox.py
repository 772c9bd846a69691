"""The outbox: queued mail and SMS, and the index of those still to send."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.errors import Conflict, NotFound
from onzecoach.notifications import OutboxBacklog, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["MemoryOutbox", "OutboxTables"]


@attrs.define
class OutboxTables:
    """The queued messages by id."""

    outbox: dict[str, OutboxMessage] = attrs.Factory(dict)
    #: Ids of messages not yet sent or dead: what ``claim_due`` looks through.
    unsent: dict[str, None] = attrs.Factory(dict)


_UNSENT = frozenset({OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.DEAD})


def _with_state(stored: OutboxMessage, message: OutboxMessage) -> OutboxMessage:
    """``stored`` with the state of ``message``: what ``save`` and ``finish`` write."""
    return attrs.evolve(
        stored,
        status=message.status,
        attempts=message.attempts,
        not_before=message.not_before,
        locked_until=message.locked_until,
        sent_at=message.sent_at,
        last_error=message.last_error,
    )


class MemoryOutbox:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> OutboxTables:
        return self._uow.tables(OutboxTables)

    def add(self, message: OutboxMessage) -> None:
        tables = self._tables
        if message.id in tables.outbox:
            raise Conflict("outbox.message_exists")
        self._store(message)

    def get(self, message_id: str) -> OutboxMessage | None:
        return self._tables.outbox.get(message_id)

    def claim_due(self, *, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        tables = self._tables
        due = [
            message
            for message in map(tables.outbox.__getitem__, tables.unsent)
            if (message.status is OutboxStatus.PENDING and message.not_before <= now)
            or (
                message.status is OutboxStatus.SENDING
                and message.locked_until is not None
                and message.locked_until <= now
            )
        ]
        due.sort(key=lambda m: (m.not_before, m.created_at, m.id))
        claimed = [
            attrs.evolve(
                message,
                status=OutboxStatus.SENDING,
                attempts=message.attempts + 1,
                locked_until=lease_until,
            )
            for message in due[:limit]
        ]
        for message in claimed:
            self._store(message)
        return claimed

    def save(self, message: OutboxMessage) -> None:
        stored = self._tables.outbox.get(message.id)
        if stored is None:
            raise NotFound("outbox.message_not_found")
        self._store(_with_state(stored, message))

    def finish(self, message: OutboxMessage, *, claimed_until: datetime) -> bool:
        stored = self._tables.outbox.get(message.id)
        if (
            stored is None
            or stored.status is not OutboxStatus.SENDING
            or stored.locked_until != claimed_until
        ):
            return False
        self._store(_with_state(stored, message))
        return True

    def unsent_page(self, *, after: str | None, limit: int) -> list[OutboxMessage]:
        found = sorted(
            (
                m
                for m in self._tables.outbox.values()
                if m.status in _UNSENT and (after is None or m.id > after)
            ),
            key=lambda m: m.id,
        )
        return found[:limit]

    def replace_bodies(
        self,
        message_id: str,
        *,
        old: tuple[str, str | None, str | None],
        new: tuple[str, str | None, str | None],
    ) -> bool:
        stored = self._tables.outbox.get(message_id)
        if stored is None or (stored.text, stored.html, stored.attachments) != old:
            return False
        text, html, attachments = new
        self._store(attrs.evolve(stored, text=text, html=html, attachments=attachments))
        return True

    def list(
        self,
        *,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        reference: str | None = None,
        limit: int = 100,
    ) -> list[OutboxMessage]:
        found = [
            m
            for m in self._tables.outbox.values()
            if (status is None or m.status == status)
            and (kind is None or m.kind == kind)
            and (reference is None or m.reference == reference)
        ]
        found.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        return found[:limit]

    def empty(self, message_ids: Collection[str]) -> int:
        found = 0
        for message_id in sorted(set(message_ids)):
            stored = self._tables.outbox.get(message_id)
            if stored is not None:
                found += 1
                self._store(stored.emptied())
        return found

    def empty_sent_bodies(self, *, sent_before: datetime) -> int:
        emptied = [
            attrs.evolve(m, text="", html=None, attachments=None)
            for m in self._tables.outbox.values()
            if m.status is OutboxStatus.SENT
            and m.sent_at is not None
            and m.sent_at < sent_before
            and (m.text or m.html is not None or m.attachments is not None)
        ]
        for message in emptied:
            self._store(message)
        return len(emptied)

    def backlog(self, *, now: datetime) -> OutboxBacklog:
        waiting = [
            m
            for m in self._tables.outbox.values()
            if m.status in {OutboxStatus.PENDING, OutboxStatus.SENDING}
        ]
        due = [
            m.not_before
            for m in waiting
            if m.status is OutboxStatus.PENDING and m.not_before <= now
        ]
        return OutboxBacklog(
            pending=sum(1 for m in waiting if m.status is OutboxStatus.PENDING),
            due=len(due),
            sending=sum(1 for m in waiting if m.status is OutboxStatus.SENDING),
            oldest_due_at=min(due, default=None),
        )

    def _store(self, message: OutboxMessage) -> None:
        tables = self._tables
        self._uow.put(tables.outbox, message.id, message)
        if message.status in {OutboxStatus.PENDING, OutboxStatus.SENDING}:
            self._uow.put(tables.unsent, message.id, None)
        else:
            self._uow.discard(tables.unsent, message.id)
