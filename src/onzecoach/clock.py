"""The real clock. Time in onzecoach is always timezone-aware UTC."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["Clock", "SystemClock", "amsterdam", "optional_utc", "require_utc", "utc"]


@functools.cache
def amsterdam() -> ZoneInfo:
    """The zone of every date and time shown to people (read on first use, not at import)."""
    return ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    """The door to the time of day: every use case asks it instead of the system."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The ``Clock`` port over the operating system's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)  # noqa: TID251 - the one place that reads the real clock

    def __repr__(self) -> str:
        return "SystemClock()"


def require_utc(moment: datetime, name: str = "datetime") -> datetime:
    """``moment`` converted to UTC; a naive datetime is a programming error."""
    if moment.tzinfo is UTC and type(moment) is datetime:
        return moment  # what astimezone(UTC) gives, without the call: most times are UTC
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")
    return moment.astimezone(UTC)


def utc(moment: datetime) -> datetime:
    """attrs converter: every datetime an entity holds is aware UTC."""
    return require_utc(moment)


def optional_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else require_utc(moment)
