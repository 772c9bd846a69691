"""Throttling: fixed-window rate limits, and the failed-try counts that slow logins down."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from onzecoach.mfa import ThrottleState

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["MemoryRateLimits", "MemoryThrottles", "ThrottlingTables"]


@attrs.define
class ThrottlingTables:
    """Rate-limit windows and throttle states, by key."""

    rate_limits: dict[str, tuple[datetime, int]] = attrs.Factory(dict)
    throttles: dict[str, ThrottleState] = attrs.Factory(dict)


class MemoryRateLimits:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> ThrottlingTables:
        return self._uow.tables(ThrottlingTables)

    def hit(self, key: str, *, now: datetime, window: timedelta) -> int:
        tables = self._tables
        started, count = tables.rate_limits.get(key, (now, 0))
        if now >= started + window:
            started, count = now, 0
        self._uow.put(tables.rate_limits, key, (started, count + 1))
        return count + 1

    def peek(self, key: str, *, now: datetime, window: timedelta) -> int:
        started, count = self._tables.rate_limits.get(key, (now, 0))
        return 0 if now >= started + window else count


class MemoryThrottles:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> ThrottlingTables:
        return self._uow.tables(ThrottlingTables)

    def get(self, key: str, *, for_update: bool = False) -> ThrottleState | None:
        return self._tables.throttles.get(key)

    def record_failure(self, key: str, *, now: datetime, window: timedelta) -> ThrottleState:
        old = self._tables.throttles.get(key)
        if old is None:
            state = ThrottleState(key, 1, now, now, 1)
        elif now >= old.window_start + window:
            state = ThrottleState(key, old.failures + 1, now, now, 1)
        else:
            state = ThrottleState(
                key, old.failures + 1, now, old.window_start, old.window_failures + 1
            )
        self._uow.put(self._tables.throttles, key, state)
        return state

    def clear(self, key: str) -> None:
        old = self._tables.throttles.get(key)
        if old is not None and old.failures:
            self._uow.put(self._tables.throttles, key, attrs.evolve(old, failures=0))

    def release(self, key: str, *, last_failure_at: datetime | None) -> None:
        old = self._tables.throttles.get(key)
        if old is not None:
            self._uow.put(
                self._tables.throttles,
                key,
                attrs.evolve(
                    old,
                    failures=max(old.failures - 1, 0),
                    window_failures=max(old.window_failures - 1, 0),
                    last_failure_at=last_failure_at or old.last_failure_at,
                ),
            )
