"""How ``SqlStorage`` talks to PostgreSQL: fewer round trips, no risk taken for them.

A unit of work used to cost four round trips before its first row came back: the pool's
ping, ``BEGIN``, the statement and, at the end, ``ROLLBACK``. Two rules take three away.

**A transaction begins at the first statement that needs one.** A unit of work starts with
the connection in autocommit, and each plain ``SELECT`` runs on its own; the first
statement that writes or locks (anything but a ``SELECT`` without ``FOR UPDATE`` / ``FOR
SHARE`` and without an advisory lock) turns autocommit off, so that psycopg sends
``BEGIN`` with it, and from there on the unit of work is one transaction as before, ended
by ``commit()`` or rolled back. At READ COMMITTED, the level onzecoach runs at, every
statement of a transaction reads its own fresh snapshot anyway: a ``SELECT`` run before
the transaction sees exactly what it would have seen inside it, and the rows a unit of
work reads before it first writes are never locked by a plain ``SELECT`` either. A unit
of work that only reads thus never holds a transaction open on the server, and ends
without a ``ROLLBACK``.

**A connection is pinged only after it has been idle.** A connection the pool hands out
within ``ping_after`` seconds of its last use is used as it is; one that sat idle longer
is pinged first, and replaced if the server no longer answers on it. A server restart or
a failover takes longer than a second, so a connection from before it has been idle for
longer than that when it is next taken, and is replaced unseen. A connection taken while
the server goes away fails like the requests in flight at that moment, and the pool then
drops every connection older than the failure.
"""

from __future__ import annotations

import functools
import re
import time
from typing import Any, Final

import sqlalchemy.exc as sa_exc
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

__all__ = ["BEGIN_ON_WRITE", "begin_before_write", "configure_postgres", "opens_transaction"]

#: The execution option that marks a unit of work's connection: autocommit until it writes.
BEGIN_ON_WRITE: Final = "onzecoach_begin_on_write"
_IDLE_SINCE: Final = "onzecoach_idle_since"

_PLAIN_SELECT = re.compile(r"\s*\(?\s*SELECT\b", re.IGNORECASE)
# A row lock, an advisory lock, or a function that changes the session or a sequence.
_LOCKS_OR_CHANGES = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b"
    r"|\bpg_advisory|\bset_config\b|\b(?:nextval|setval)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)  # statements come from SQLAlchemy's cache: few, long
def opens_transaction(statement: str) -> bool:
    """Whether ``statement`` must run inside the unit of work's transaction.

    Only a plain ``SELECT`` may run before it: one that neither locks rows nor takes an
    advisory lock nor changes a setting or a sequence. Anything else (a write, ``WITH``,
    ``LOCK TABLE``, DDL) opens the transaction, so that a doubt costs a round trip and
    never atomicity.
    """
    return _PLAIN_SELECT.match(statement) is None or _LOCKS_OR_CHANGES.search(statement) is not None


def begin_before_write(connection: Connection, driver: Any) -> None:
    """Begin the transaction of a unit of work still reading in autocommit, before a
    statement that writes; anything else is left as it is. COPY, which goes around
    SQLAlchemy's events, calls this itself."""
    if driver.autocommit and connection.get_execution_options().get(BEGIN_ON_WRITE):
        # Allowed: in autocommit the connection is never inside a transaction. psycopg
        # sends BEGIN before the next statement, and SQLAlchemy's commit and rollback,
        # which it calls whatever the mode, end that transaction.
        driver.autocommit = False


def configure_postgres(engine: Engine, *, ping_after: float) -> None:
    """Begin on the first write (on connections marked ``BEGIN_ON_WRITE``) and ping
    connections idle for over ``ping_after`` seconds, as the module says."""

    @event.listens_for(engine, "before_cursor_execute", named=True)
    def _begin_on_write(**kw: Any) -> None:
        if opens_transaction(kw["statement"]):
            begin_before_write(kw["conn"], kw["cursor"].connection)

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(
        dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
    ) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since <= ping_after:
            return  # just connected, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool drops this connection and hands out a new one instead.
            raise sa_exc.DisconnectionError("the server no longer answers") from exc
