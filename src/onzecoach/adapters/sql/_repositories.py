from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Row

from onzecoach.audit import AuditEntry
from onzecoach.employers import Department, Employer, name_key
from onzecoach.errors import NotFound
from onzecoach.notifications import OutboxMessage, OutboxStatus

from . import _tables as t
from ._errors import translate_errors
from ._rows import structure_row

__all__ = ["Repository", "SqlAudit", "SqlDepartments", "SqlEmployers", "SqlOutbox"]


class Repository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name

    def _execute(
        self,
        statement: sa.Executable,
        action: str,
        parameters: dict[str, Any] | None = None,
        *,
        conflict: str | None = None,
    ) -> CursorResult[Any]:
        # Hot writes pass a prebuilt statement and plain parameters: building a statement
        # with .values() per call costs more than SQLite's own work.
        with translate_errors(action, conflict=conflict):
            return self._connection.execute(statement, parameters)

    def _insert_rows(
        self, table: sa.Table, columns: Sequence[str], rows: list[tuple[Any, ...]], action: str
    ) -> None:
        """``INSERT`` ``rows`` (values in the order of ``columns``) with the driver's own
        executemany, each value converted by its column type as SQLAlchemy would: for
        bulk writes, where SQLAlchemy's handling of each row's parameters would cost more
        than the database's work. Nothing for no rows.
        """
        with translate_errors(action):
            self._insert_untranslated(table, columns, rows)

    def _insert_untranslated(
        self, table: sa.Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """``_insert_rows`` with SQLAlchemy's errors left as they are."""
        if not rows:
            return
        statement, processors = _bulk_insert(self._connection.dialect, table, tuple(columns))
        if any(processors):
            rows = [
                tuple(
                    value if process is None else process(value)
                    for process, value in zip(processors, row, strict=True)
                )
                for row in rows
            ]
        self._connection.exec_driver_sql(statement, rows)


_Processor = Callable[[Any], Any] | None


@functools.lru_cache(maxsize=64)
def _bulk_insert(
    dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]
) -> tuple[str, tuple[_Processor, ...]]:
    """The driver's INSERT text for ``columns`` of ``table``, and each column's converter."""
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    # Only names from the table's metadata, quoted, go into the text; values are bound.
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    processors = tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    )
    return statement, processors


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


def _audit_values(entry: AuditEntry) -> dict[str, Any]:
    """The columns of an entry, by name."""
    return {
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_role": None if entry.actor_role is None else entry.actor_role.value,
        "action": entry.action,
        "employer_id": entry.employer_id,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "details": dict(entry.details),
    }


def _employer(row: Row[Any]) -> Employer:
    return structure_row(row, Employer)


def _department(row: Row[Any]) -> Department:
    return structure_row(row, Department)


class SqlEmployers(Repository):
    def add(self, employer: Employer) -> None:
        self._execute(
            t.employers.insert(),
            "adding an employer",
            {
                "id": employer.id,
                "name": employer.name,
                "name_key": name_key(employer.name),
                "created_at": employer.created_at,
            },
            conflict=f"Er bestaat al een werkgever met de naam {employer.name!r}.",
        )

    def get(self, employer_id: str) -> Employer | None:
        row = self._execute(
            t.employers.select().where(t.employers.c.id == employer_id), "reading an employer"
        ).one_or_none()
        return None if row is None else _employer(row)

    def list(self) -> list[Employer]:
        rows = self._execute(
            t.employers.select().order_by(t.employers.c.name_key, t.employers.c.id),
            "listing employers",
        )
        return [_employer(row) for row in rows]


class SqlDepartments(Repository):
    def add(self, department: Department) -> None:
        self._execute(
            t.departments.insert(),
            "adding a department",
            {
                "id": department.id,
                "employer_id": department.employer_id,
                "name": department.name,
                "name_key": name_key(department.name),
                "created_at": department.created_at,
            },
            conflict=f"Deze werkgever heeft al een afdeling {department.name!r}.",
        )

    def get(self, department_id: str) -> Department | None:
        row = self._execute(
            t.departments.select().where(t.departments.c.id == department_id),
            "reading a department",
        ).one_or_none()
        return None if row is None else _department(row)

    def for_employer(self, employer_id: str) -> list[Department]:
        rows = self._execute(
            t.departments.select()
            .where(t.departments.c.employer_id == employer_id)
            .order_by(t.departments.c.name_key, t.departments.c.id),
            "listing departments",
        )
        return [_department(row) for row in rows]


def _audit_entry(row: Row[Any]) -> AuditEntry:
    return structure_row(row, AuditEntry)


class SqlAudit(Repository):
    def append(self, entry: AuditEntry) -> None:
        self._execute(t.audit_log.insert(), "writing the audit log", _audit_values(entry))

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        self._insert_rows(
            t.audit_log,
            _AUDIT_COLUMNS,
            [tuple(map(_audit_values(entry).__getitem__, _AUDIT_COLUMNS)) for entry in entries],
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
                **self._state(message),
            },
            conflict="Dit bericht staat al in de wachtrij.",
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
            # waiting. SQLite ignores it; its BEGIN IMMEDIATE already serialises claims.
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
            raise NotFound("Onbekend bericht in de wachtrij.")

    def finish(self, message: OutboxMessage, *, claimed_until: datetime) -> bool:
        result = self._execute(
            _FINISH_OUTBOX,
            "recording a delivery",
            {"_id": message.id, "_claimed_until": claimed_until, **self._state(message)},
        )
        return result.rowcount == 1

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
        old: tuple[str, str | None],
        new: tuple[str, str | None],
    ) -> bool:
        c = t.outbox.c
        html = c.html.is_(None) if old[1] is None else c.html == old[1]
        result = self._execute(
            t.outbox.update()
            .where(c.id == message_id, c.text == old[0], html)
            .values(text=new[0], html=new[1]),
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

    @staticmethod
    def _state(message: OutboxMessage) -> dict[str, Any]:
        state = {name: getattr(message, name) for name in _OUTBOX_STATE}
        state["status"] = message.status.value
        return state
