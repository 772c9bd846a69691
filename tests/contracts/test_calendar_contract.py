"""The fake calendar keeps the calendar contract, as the CalDAV adapter does against Radicale
(``tests/adapters/test_caldav.py``): tests that use the fake see what production would."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onzecoach import CalendarError
from onzecoach.testing import FakeCalendar
from onzecoach.testing.contracts import CalendarContract, CalendarFailure


class TestFakeCalendarContract(CalendarContract):
    @pytest.fixture
    def coach_calendar(self) -> FakeCalendar:
        return FakeCalendar()

    @pytest.fixture
    def failing_coach_calendar(self) -> Callable[[CalendarFailure], FakeCalendar]:
        def make(how: CalendarFailure) -> FakeCalendar:
            calendar = FakeCalendar()
            calendar.refused = how == "refused"
            calendar.down = how == "unreachable"
            return calendar

        return make


def test_fail_with_raises_the_error_it_is_given() -> None:
    calendar = FakeCalendar()
    calendar.fail_with = CalendarError("a 503 answer")
    with pytest.raises(CalendarError) as raised:
        calendar.delete("afspraak@portaal.example.nl")
    assert raised.value is calendar.fail_with
