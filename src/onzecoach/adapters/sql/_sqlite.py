"""How ``SqlStorage`` takes SQLite's write lock: at a unit of work's first write or lock.

SQLite has one writer at a time. A transaction that begins as a reader and then writes
fails at once (``SQLITE_BUSY``, whatever the busy timeout) when another writer committed
since it began, so every transaction that may write begins with ``BEGIN IMMEDIATE``: it
takes the write lock up front and queues for it instead. Taken by every unit of work,
that lock made readers queue too: under gunicorn, every request's reads waited for every
other request's, and SQLite's busy handler sleeps in steps of up to 100 ms while it waits
(docs/benchmarks.md: p99 110 to 140 ms at 4 users on 50,000 employees, 17 to 29 ms
without).

**The lock is taken before the first statement that needs it**, as a PostgreSQL unit of
work opens its transaction (``_postgres``): every statement but a plain ``SELECT`` (a
write, DDL, a ``PRAGMA``, ``WITH``) and every ``SELECT ... FOR UPDATE`` the repositories
build, which SQLite's dialect writes without the clause. Plain reads before it run on
their own, each in a snapshot of its own, as they do on PostgreSQL at READ COMMITTED, the
level the portal's code is written for: where a read decides a write, the repositories
lock (``get(..., for_update=True)``), and on SQLite that read then runs inside the write
lock. From the first such statement on, the unit of work is one transaction that holds
the write lock to its end, as before. Writers under WAL never block readers.

A repository that locks on PostgreSQL with a statement of its own (``LOCK TABLE``) calls
``begin_now`` on SQLite instead.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from onzecoach.adapters.sql._base import translate_errors
from onzecoach.adapters.sql._postgres import opens_transaction

__all__ = ["begin_now", "configure_sqlite_begin"]

#: Marks a connection whose transaction SQLAlchemy began and SQLite has not yet.
_PENDING: Final = "onzecoach_sqlite_begin_pending"
_BEGIN: Final = "BEGIN IMMEDIATE"


def _locks(context: Any) -> bool:
    """Whether the statement is a ``SELECT ... FOR UPDATE`` (or ``FOR SHARE``) as built:
    SQLite's dialect leaves the clause out of the SQL text."""
    element = getattr(getattr(context, "compiled", None), "statement", None)
    return getattr(element, "_for_update_arg", None) is not None


def begin_now(connection: Connection) -> None:
    """Take the write lock now, if this unit of work has not yet: for a repository that
    locks with a statement of its own on PostgreSQL. ``StorageError`` when the lock did
    not come within the busy timeout; the next write then tries again."""
    if connection.info.get(_PENDING):
        with translate_errors("taking the write lock"):
            connection.exec_driver_sql(_BEGIN)  # let through as it is (below)
        del connection.info[_PENDING]


def configure_sqlite_begin(engine: Engine) -> None:
    """Begin each transaction SQLAlchemy begins with ``BEGIN IMMEDIATE``, before its first
    statement that writes or locks, as the module says. The driver's connections must be
    in autocommit (``isolation_level = None``), so that it never begins on its own."""

    @event.listens_for(engine, "begin")
    def _pending(connection: Connection) -> None:
        connection.info[_PENDING] = True

    @event.listens_for(engine, "before_cursor_execute", named=True)
    def _begin_before_write(**kw: Any) -> None:
        connection: Connection = kw["conn"]
        if not connection.info.get(_PENDING) or kw["statement"] == _BEGIN:
            return
        if opens_transaction(kw["statement"]) or _locks(kw["context"]):
            kw["cursor"].execute(_BEGIN)
            # Only once begun: after a BEGIN that failed (busy), the next write tries
            # again instead of writing outside a transaction.
            del connection.info[_PENDING]

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(connection: Connection) -> None:
        connection.info.pop(_PENDING, None)

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # The pool may roll back without SQLAlchemy's rollback event.
        record.info.pop(_PENDING, None)
