"""The real clock. Time in onzecoach is always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["AMSTERDAM", "SystemClock", "require_utc"]

#: Dates and times shown to people are in this zone.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class SystemClock:
    """The ``Clock`` port over the operating system's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)  # noqa: TID251 - the one place that reads the real clock

    def __repr__(self) -> str:
        return "SystemClock()"


def require_utc(moment: datetime, name: str = "datetime") -> datetime:
    """``moment`` converted to UTC; a naive datetime is a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")
    return moment.astimezone(UTC)
