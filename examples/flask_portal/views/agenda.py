"""What the PlanningsAgenda and the coach's workspace share: days, weeks, times in Dutch."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

import attrs

from flask_portal.app import portal
from onzecoach.clock import amsterdam
from onzecoach.notifications import dutch_date

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Timed(Protocol):
    @property
    def starts_at(self) -> datetime: ...


T = TypeVar("T", bound=Timed)


@attrs.frozen
class Week:
    """The week shown, and where the previous and next links go (``None``: no link)."""

    start: date
    previous: date | None
    following: date | None

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


def today() -> date:
    return portal().clock.now().astimezone(amsterdam()).date()


def day_arg(text: str) -> date | None:
    """A ``YYYY-MM-DD`` date from the URL, or ``None``."""
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def local(moment: datetime) -> datetime:
    return moment.astimezone(amsterdam())


def by_day(items: Iterable[T], start: date, days: int) -> list[tuple[date, list[T]]]:
    """``items`` by their local date, one entry per day from ``start`` (empty days too)."""
    grouped: dict[date, list[T]] = {start + timedelta(days=n): [] for n in range(days)}
    for item in items:
        grouped.setdefault(local(item.starts_at).date(), []).append(item)
    return sorted(grouped.items())


def day_name(day: date) -> str:
    """``maandag 2 maart 2026``."""
    return f"{WEEKDAYS[day.weekday()]} {dutch_date(day)}"


def clock_time(moment: datetime) -> str:
    """``14:30``, in Amsterdam time."""
    return f"{local(moment):%H:%M}"
