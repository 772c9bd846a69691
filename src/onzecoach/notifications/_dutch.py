"""Dates as Dutch people read them, in Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from onzecoach.clock import amsterdam, require_utc

__all__ = ["MONTHS", "SHORT_MONTHS", "dutch_date", "dutch_datetime", "dutch_month"]

#: The months' names, January first; Dutch writes them in lower case.
MONTHS: Final[tuple[str, ...]] = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
#: Their usual abbreviations: "mrt", not the first three letters of "maart".
SHORT_MONTHS: Final[tuple[str, ...]] = (
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
)  # fmt: skip


def dutch_date(day: date) -> str:
    """``5 maart 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dutch_month(day: date, *, short: bool = False) -> str:
    """The month ``day`` falls in: ``maart 2026``, or ``mrt 2026`` when ``short``."""
    names = SHORT_MONTHS if short else MONTHS
    return f"{names[day.month - 1]} {day.year}"


def dutch_datetime(moment: datetime) -> str:
    """``5 maart 2026 om 14:30``, in Amsterdam time."""
    local = require_utc(moment).astimezone(amsterdam())
    return f"{dutch_date(local.date())} om {local:%H:%M}"
