"""Dates and months written as Dutch people read them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from onzecoach.notifications import MONTHS, SHORT_MONTHS, dutch_date, dutch_datetime, dutch_month


def is_abbreviation(short: str, name: str) -> bool:
    """Whether ``short`` is made of letters of ``name``, in order, starting with its first."""
    rest = iter(name)
    return short[0] == name[0] and all(letter in rest for letter in short)


def test_twelve_months_each_with_its_abbreviation() -> None:
    assert len(MONTHS) == len(SHORT_MONTHS) == 12
    assert len(set(MONTHS)) == len(set(SHORT_MONTHS)) == 12
    for name, short in zip(MONTHS, SHORT_MONTHS, strict=True):
        assert name.islower()
        assert len(short) == 3
        assert is_abbreviation(short, name), (short, name)


@pytest.mark.parametrize(
    ("day", "long", "short"),
    [
        (date(2026, 1, 31), "januari 2026", "jan 2026"),
        (date(2026, 3, 1), "maart 2026", "mrt 2026"),
        (date(2025, 12, 15), "december 2025", "dec 2025"),
    ],
)
def test_a_month_is_written_out_or_abbreviated(day: date, long: str, short: str) -> None:
    assert dutch_month(day) == long
    assert dutch_month(day, short=True) == short


def test_a_date_and_a_moment_use_the_same_names() -> None:
    assert dutch_date(date(2026, 3, 5)) == "5 maart 2026"
    # 23:30 UTC on the last day of March is already April in Amsterdam (summer time).
    assert dutch_datetime(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "1 april 2026 om 01:30"
