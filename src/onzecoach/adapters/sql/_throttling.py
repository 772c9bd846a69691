"""Counts of attempts: rate limits, and the throttles of failed tries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from onzecoach.mfa import ThrottleState

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlRateLimits", "SqlThrottles"]


class SqlRateLimits(Repository):
    def hit(self, key: str, *, now: datetime, window: timedelta) -> int:
        c = t.rate_limits.c
        insert = (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(
            t.rate_limits
        )
        expired = c.window_start <= sa.bindparam("cutoff", now - window, type_=t.UtcDateTime())
        statement = insert.values(key=key, window_start=now, count=1).on_conflict_do_update(
            index_elements=[c.key],
            set_={
                "window_start": sa.case(
                    (expired, insert.excluded.window_start), else_=c.window_start
                ),
                "count": sa.case((expired, 1), else_=c.count + 1),
            },
        )
        count = self._execute(statement.returning(c.count), "counting a rate limit").scalar_one()
        return int(count)

    def peek(self, key: str, *, now: datetime, window: timedelta) -> int:
        c = t.rate_limits.c
        count = self._execute(
            sa.select(c.count).where(c.key == key, c.window_start > now - window),
            "reading a rate limit",
        ).scalar_one_or_none()
        return 0 if count is None else int(count)


def _throttle(row: Row[Any]) -> ThrottleState:
    return structure_row(row, ThrottleState)


def _record_failure(insert: Callable[[sa.Table], Any]) -> sa.Executable:
    """Insert the first failure of a key, or count one more; one statement either way."""
    c = t.throttles.c
    statement = insert(t.throttles)
    expired = c.window_start <= sa.bindparam("cutoff", type_=t.UtcDateTime())
    upsert: sa.Executable = statement.on_conflict_do_update(
        index_elements=[c.key],
        set_={
            "failures": c.failures + 1,
            "last_failure_at": statement.excluded.last_failure_at,
            "window_start": sa.case(
                (expired, statement.excluded.window_start), else_=c.window_start
            ),
            "window_failures": sa.case((expired, 1), else_=c.window_failures + 1),
        },
    ).returning(*t.throttles.c)
    return upsert


_RECORD_FAILURE = {
    "postgresql": _record_failure(postgresql.insert),
    "sqlite": _record_failure(sqlite.insert),
}
_CLEAR_THROTTLE = (
    t.throttles.update().where(t.throttles.c.key == sa.bindparam("_key")).values(failures=0)
)


_RELEASE_THROTTLE = (
    t.throttles.update()
    .where(t.throttles.c.key == sa.bindparam("_key"))
    .values(
        failures=sa.case((t.throttles.c.failures > 0, t.throttles.c.failures - 1), else_=0),
        window_failures=sa.case(
            (t.throttles.c.window_failures > 0, t.throttles.c.window_failures - 1), else_=0
        ),
        last_failure_at=sa.func.coalesce(
            sa.bindparam("_last_failure_at", type_=t.UtcDateTime()), t.throttles.c.last_failure_at
        ),
    )
)


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)
_LOCK_THROTTLE = {
    name: (
        statement := insert(t.throttles).values(
            key=sa.bindparam("key"),
            failures=0,
            last_failure_at=_NEVER,
            window_start=_NEVER,
            window_failures=0,
        )
    )
    .on_conflict_do_update(index_elements=[t.throttles.c.key], set_={"key": statement.excluded.key})
    .returning(*t.throttles.c)
    for name, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}


class SqlThrottles(Repository):
    def get(self, key: str, *, for_update: bool = False) -> ThrottleState | None:
        if for_update:
            # A row that does not exist cannot be locked: an upsert that changes nothing
            # makes it if need be, locks it and returns it, in one round trip, so that even
            # the very first tries of a key take turns.
            row = self._execute(
                _LOCK_THROTTLE[self._dialect], "locking a throttle", {"key": key}
            ).one_or_none()
        else:
            row = self._execute(
                t.throttles.select().where(t.throttles.c.key == key), "reading a throttle"
            ).one_or_none()
        if row is None or (row.failures == 0 and row.window_failures == 0):
            return None
        return _throttle(row)

    def record_failure(self, key: str, *, now: datetime, window: timedelta) -> ThrottleState:
        row = self._execute(
            _RECORD_FAILURE[self._dialect],
            "counting a failed try",
            {
                "key": key,
                "failures": 1,
                "last_failure_at": now,
                "window_start": now,
                "window_failures": 1,
                "cutoff": now - window,
            },
        ).one()
        return _throttle(row)

    def clear(self, key: str) -> None:
        self._execute(_CLEAR_THROTTLE, "clearing a throttle", {"_key": key})

    def release(self, key: str, *, last_failure_at: datetime | None) -> None:
        self._execute(
            _RELEASE_THROTTLE,
            "taking back a failed try",
            {"_key": key, "_last_failure_at": last_failure_at},
        )
