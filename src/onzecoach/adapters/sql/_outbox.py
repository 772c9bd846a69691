"""The outbox of messages to send."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from onzecoach.errors import NotFound
from onzecoach.notifications import OutboxBacklog, OutboxMessage, OutboxStatus

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlOutbox"]

_UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.DEAD)
_OUTBOX_STATE = ("status", "attempts", "not_before", "locked_until", "sent_at", "last_error")
_FINISH_OUTBOX = (
    t.outbox.update()
    .where(
        t.outbox.c.id == sa.bindparam("_id"),
        t.outbox.c.status == OutboxStatus.SENDING.value,
        t.outbox.c.locked_until == sa.bindparam("_claimed_until", type_=t.UtcDateTime()),
    )
    .values({name: sa.bindparam(name) for name in _OUTBOX_STATE})
)
_SAVE_OUTBOX_STATE = (
    t.outbox.update()
    .where(t.outbox.c.id == sa.bindparam("_id"))
    .values({name: sa.bindparam(name) for name in _OUTBOX_STATE})
)

#: What ``empty`` writes: the state and everything that names or addresses a recipient.
_EMPTIED = ("recipient", "subject", "text", "html", "attachments", "last_error", "locked_until")
_EMPTY_OUTBOX = (
    t.outbox.update()
    .where(t.outbox.c.id == sa.bindparam("_id"))
    .values({**{name: sa.bindparam(name) for name in _EMPTIED}, "status": sa.bindparam("_status")})
)


def _outbox_message(row: Row[Any]) -> OutboxMessage:
    return structure_row(row, OutboxMessage)


class SqlOutbox(Repository):
    def add(self, message: OutboxMessage) -> None:
        self._execute(
            t.outbox.insert(),
            "queueing a message",
            {
                "id": message.id,
                "channel": message.channel.value,
                "recipient": message.recipient,
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
                "kind": message.kind,
                "reference": message.reference,
                "employer_id": message.employer_id,
                "message_id": message.message_id,
                "created_at": message.created_at,
                "attachments": message.attachments,
                **self._state(message),
            },
            conflict="outbox.message_exists",
        )

    def get(self, message_id: str) -> OutboxMessage | None:
        row = self._execute(
            t.outbox.select().where(t.outbox.c.id == message_id), "reading the outbox"
        ).one_or_none()
        return None if row is None else _outbox_message(row)

    def claim_due(self, *, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        c = t.outbox.c
        due = (
            sa.select(c.id)
            .where(
                # Matches the partial index: only unsent messages, in due order.
                c.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
                c.not_before <= now,
                sa.or_(c.status == OutboxStatus.PENDING.value, c.locked_until <= now),
            )
            .order_by(c.not_before, c.created_at, c.id)
            .limit(limit)
            # PostgreSQL: concurrent dispatchers pass over each other's rows instead of
            # waiting. SQLite takes its write lock before it (``_sqlite``): claims take turns.
            .with_for_update(skip_locked=True)
        )
        ids = [row.id for row in self._execute(due, "claiming due messages")]
        if not ids:
            return []
        rows = self._execute(
            t.outbox.update()
            .where(c.id.in_(ids))
            .values(
                status=OutboxStatus.SENDING.value,
                attempts=c.attempts + 1,
                locked_until=lease_until,
            )
            .returning(*t.outbox.c),
            "claiming due messages",
        )
        claimed = [_outbox_message(row) for row in rows]
        claimed.sort(key=lambda m: (m.not_before, m.created_at, m.id))
        return claimed

    def save(self, message: OutboxMessage) -> None:
        result = self._execute(
            _SAVE_OUTBOX_STATE, "updating a message", {"_id": message.id, **self._state(message)}
        )
        if result.rowcount != 1:
            raise NotFound("outbox.message_not_found")

    def finish(self, message: OutboxMessage, *, claimed_until: datetime) -> bool:
        result = self._execute(
            _FINISH_OUTBOX,
            "recording a delivery",
            {"_id": message.id, "_claimed_until": claimed_until, **self._state(message)},
        )
        return result.rowcount == 1

    def empty(self, message_ids: Collection[str]) -> int:
        ids = sorted(set(message_ids))
        found = 0
        for start in range(0, len(ids), 500):
            rows = self._execute(
                t.outbox.select().where(t.outbox.c.id.in_(ids[start : start + 500])),
                "reading the outbox",
            ).all()
            for row in rows:
                emptied = _outbox_message(row).emptied()
                self._execute(
                    _EMPTY_OUTBOX,
                    "emptying a message",
                    {
                        "_id": emptied.id,
                        "_status": emptied.status.value,
                        **{name: getattr(emptied, name) for name in _EMPTIED},
                    },
                )
                found += 1
        return found

    def empty_sent_bodies(self, *, sent_before: datetime) -> int:
        c = t.outbox.c
        result = self._execute(
            t.outbox.update()
            .where(
                c.status == OutboxStatus.SENT.value,
                c.sent_at < sent_before,
                sa.or_(c.text != "", c.html.is_not(None), c.attachments.is_not(None)),
            )
            .values(text="", html=None, attachments=None),
            "emptying the bodies of sent messages",
        )
        return result.rowcount

    def unsent_page(self, *, after: str | None, limit: int) -> list[OutboxMessage]:
        c = t.outbox.c
        query = t.outbox.select().where(c.status.in_([status.value for status in _UNSENT]))
        if after is not None:
            query = query.where(c.id > after)
        rows = self._execute(query.order_by(c.id).limit(limit), "reading the outbox")
        return [_outbox_message(row) for row in rows]

    def replace_bodies(
        self,
        message_id: str,
        *,
        old: tuple[str, str | None, str | None],
        new: tuple[str, str | None, str | None],
    ) -> bool:
        c = t.outbox.c
        unchanged = [
            column.is_(None) if value is None else column == value
            for column, value in zip((c.text, c.html, c.attachments), old, strict=True)
        ]
        text, html, attachments = new
        result = self._execute(
            t.outbox.update()
            .where(c.id == message_id, *unchanged)
            .values(text=text, html=html, attachments=attachments),
            "sealing a message again",
        )
        return result.rowcount == 1

    def list(
        self,
        *,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        reference: str | None = None,
        limit: int = 100,
    ) -> list[OutboxMessage]:
        c = t.outbox.c
        query = t.outbox.select().order_by(c.created_at.desc(), c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(c.status == status.value)
        if kind is not None:
            query = query.where(c.kind == kind)
        if reference is not None:
            query = query.where(c.reference == reference)
        return [_outbox_message(row) for row in self._execute(query, "listing the outbox")]

    def backlog(self, *, now: datetime) -> OutboxBacklog:
        c = t.outbox.c
        due = sa.and_(c.status == OutboxStatus.PENDING.value, c.not_before <= now)
        rows: Sequence[Any] = self._execute(
            sa.select(
                c.status,
                sa.func.count(),
                sa.func.sum(sa.case((due, 1), else_=0)),
                sa.type_coerce(
                    sa.func.min(sa.case((due, c.not_before), else_=None)), t.UtcDateTime()
                ),
            )
            # The dispatchers' partial index holds exactly these rows.
            .where(c.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]))
            .group_by(c.status),
            "counting the outbox's backlog",
        ).all()
        found: dict[str, tuple[int, int, datetime | None]] = {
            row[0]: (int(row[1]), int(row[2] or 0), row[3]) for row in rows
        }
        pending, due_count, oldest = found.get(OutboxStatus.PENDING.value, (0, 0, None))
        sending, _, _ = found.get(OutboxStatus.SENDING.value, (0, 0, None))
        return OutboxBacklog(pending=pending, due=due_count, sending=sending, oldest_due_at=oldest)

    @staticmethod
    def _state(message: OutboxMessage) -> dict[str, Any]:
        state = {name: getattr(message, name) for name in _OUTBOX_STATE}
        state["status"] = message.status.value
        return state
