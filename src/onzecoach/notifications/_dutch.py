"""Dates as Dutch people read them, in Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime

from onzecoach.clock import amsterdam, require_utc

__all__ = ["dutch_date", "dutch_datetime"]

_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def dutch_date(day: date) -> str:
    """``5 maart 2026``."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def dutch_datetime(moment: datetime) -> str:
    """``5 maart 2026 om 14:30``, in Amsterdam time."""
    local = require_utc(moment).astimezone(amsterdam())
    return f"{dutch_date(local.date())} om {local:%H:%M}"
