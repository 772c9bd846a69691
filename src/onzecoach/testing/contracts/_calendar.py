"""The contract of the ``CoachCalendar`` port: what every calendar adapter does.

Its events are built with the icalendar library, as a coach's calendar app would store
them; it needs the ``calendar`` extra, imported when the tests run, not on import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import pytest

from onzecoach.calendars import BusyTime, CoachCalendar
from onzecoach.errors import CalendarError
from onzecoach.testing import event_ics
from onzecoach.testing.contracts._delivery import assert_shows_none

__all__ = ["CalendarContract", "CalendarFailure"]

#: How a calendar server fails, as ``failing_coach_calendar`` stages it.
CalendarFailure = Literal["refused", "unreachable"]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: A Monday; the clocks go forward on Sunday 29 March 2026.
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
WEEK = (MONDAY, MONDAY + timedelta(days=7))
UID = "afspraak-7f3a9c@portaal.example.nl"
SUMMARY = "Coachgesprek met Zoë Çelik: één uur, 90 € (ß, ø, 日本)"


def at(day: int, hour: int, minute: int = 0, *, month: int = 3) -> datetime:
    """A moment in 2026, UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def busy(uid: str, start: datetime, end: datetime) -> BusyTime:
    return BusyTime(uid=uid, starts_at=start, ends_at=end)


def recurring_series(uid: str) -> bytes:
    """Mondays 13:00-14:00 in Amsterdam from 16 March, six times, as a calendar app keeps
    them: one object with the rule, an exception date, a moved and a cancelled instance."""
    import icalendar  # noqa: PLC0415 - the calendar extra, needed when the suite runs

    def instance(start: datetime, **properties: Any) -> icalendar.Event:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(hours=1))
        event.add("summary", "Intervisie")
        for name, value in properties.items():
            event.add(name.replace("_", "-"), value)
        return event

    first = datetime(2026, 3, 16, 13, tzinfo=AMSTERDAM)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//onzecoach//contract//NL")
    calendar.add("version", "2.0")
    calendar.add_component(
        instance(
            first,
            rrule={"freq": "weekly", "count": 6},
            exdate=[datetime(2026, 3, 23, 13, tzinfo=AMSTERDAM)],
        )
    )
    # 6 April moved to 15:00; 13 April cancelled.
    calendar.add_component(
        instance(
            datetime(2026, 4, 6, 15, tzinfo=AMSTERDAM),
            recurrence_id=datetime(2026, 4, 6, 13, tzinfo=AMSTERDAM),
            sequence=1,
        )
    )
    calendar.add_component(
        instance(
            datetime(2026, 4, 13, 13, tzinfo=AMSTERDAM),
            recurrence_id=datetime(2026, 4, 13, 13, tzinfo=AMSTERDAM),
            status="CANCELLED",
            sequence=1,
        )
    )
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics


class CalendarContract:
    """What every ``CoachCalendar`` does; subclass it in a test module and provide the fixtures.

    ``coach_calendar``
        The ``CoachCalendar`` under test, on an empty calendar of its own.
    ``failing_coach_calendar``
        A callable: given a ``CalendarFailure``, a ``CoachCalendar`` whose server fails
        that way. ``"refused"``: it refuses the login (a wrong password, a 401 answer);
        ``"unreachable"``: nothing answers (no connection, or none in time). Call
        ``pytest.skip`` for a failure you cannot stage.
    ``secrets`` (optional)
        The credentials the calendars were opened with, which no error message and no repr
        may show. None by default.
    """

    @pytest.fixture
    def secrets(self) -> Sequence[str]:
        """The credentials the calendars were opened with; none unless a subclass says."""
        return ()

    # Writing and reading back ------------------------------------------------------------

    def test_a_put_event_is_busy_under_its_uid(self, coach_calendar: CoachCalendar) -> None:
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10), summary=SUMMARY))
        assert coach_calendar.busy(*WEEK) == [busy(UID, at(2, 9), at(2, 10))]

    def test_a_busy_time_holds_the_uid_and_the_times_and_nothing_else(
        self, coach_calendar: CoachCalendar
    ) -> None:
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10), summary=SUMMARY))
        [found] = coach_calendar.busy(*WEEK)
        assert [field.name for field in attrs.fields(BusyTime)] == ["uid", "starts_at", "ends_at"]
        assert found.starts_at.tzinfo is UTC
        assert found.ends_at.tzinfo is UTC
        assert_shows_none(repr(found), [SUMMARY, "Zoë"], "a busy time")

    def test_putting_the_same_event_twice_leaves_one(self, coach_calendar: CoachCalendar) -> None:
        ics = event_ics(UID, at(2, 9), at(2, 10))
        coach_calendar.put(UID, ics)
        coach_calendar.put(UID, ics)
        assert coach_calendar.busy(*WEEK) == [busy(UID, at(2, 9), at(2, 10))]

    def test_putting_a_changed_time_moves_the_event(self, coach_calendar: CoachCalendar) -> None:
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10)))
        coach_calendar.put(UID, event_ics(UID, at(3, 14), at(3, 15, 30), sequence=1))
        assert coach_calendar.busy(*WEEK) == [busy(UID, at(3, 14), at(3, 15, 30))]

    def test_events_keep_apart_by_uid(self, coach_calendar: CoachCalendar) -> None:
        other = "afspraak-0b1d2e@portaal.example.nl"
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10)))
        coach_calendar.put(other, event_ics(other, at(2, 9), at(2, 10)))
        found = coach_calendar.busy(*WEEK)
        assert sorted(found, key=lambda b: b.uid) == [
            busy(other, at(2, 9), at(2, 10)),
            busy(UID, at(2, 9), at(2, 10)),
        ]

    def test_a_uid_of_any_characters_is_kept_as_it_is(self, coach_calendar: CoachCalendar) -> None:
        # Resource names are made from UIDs; this one needs quoting in a URL.
        uid = "040000008200E00074C5B7101A82E008/ä b+c%2F@outlook.example"
        coach_calendar.put(uid, event_ics(uid, at(2, 9), at(2, 10)))
        assert coach_calendar.busy(*WEEK) == [busy(uid, at(2, 9), at(2, 10))]
        coach_calendar.delete(uid)
        assert coach_calendar.busy(*WEEK) == []

    # Deleting --------------------------------------------------------------------------

    def test_a_deleted_event_is_no_longer_busy(self, coach_calendar: CoachCalendar) -> None:
        other = "afspraak-0b1d2e@portaal.example.nl"
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10)))
        coach_calendar.put(other, event_ics(other, at(3, 9), at(3, 10)))
        coach_calendar.delete(UID)
        assert coach_calendar.busy(*WEEK) == [busy(other, at(3, 9), at(3, 10))]

    def test_deleting_what_is_not_there_is_fine(self, coach_calendar: CoachCalendar) -> None:
        coach_calendar.delete("nooit-geweest@portaal.example.nl")
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10)))
        coach_calendar.delete(UID)
        coach_calendar.delete(UID)
        assert coach_calendar.busy(*WEEK) == []

    def test_a_deleted_event_can_be_put_again(self, coach_calendar: CoachCalendar) -> None:
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10)))
        coach_calendar.delete(UID)
        coach_calendar.put(UID, event_ics(UID, at(4, 9), at(4, 10)))
        assert coach_calendar.busy(*WEEK) == [busy(UID, at(4, 9), at(4, 10))]

    # How events read as busy times --------------------------------------------------------

    def test_a_recurring_event_is_expanded_with_its_exceptions(
        self, coach_calendar: CoachCalendar
    ) -> None:
        uid = "intervisie@agenda.example.nl"
        coach_calendar.put(uid, recurring_series(uid))
        found = coach_calendar.busy(at(16, 0), at(14, 0, month=4))
        assert found == [
            busy(uid, at(16, 12), at(16, 13)),  # 13:00 winter time
            # 23 March: an exception date; from 29 March it is summer time
            busy(uid, at(30, 11), at(30, 12)),
            busy(uid, at(6, 13, month=4), at(6, 14, month=4)),  # moved to 15:00
            # 13 April: cancelled; 20 April: past the range
        ]

    def test_an_all_day_event_blocks_its_whole_day_in_amsterdam(
        self, coach_calendar: CoachCalendar
    ) -> None:
        winter, summer = "vrij@agenda.example.nl", "zomer@agenda.example.nl"
        coach_calendar.put(winter, event_ics(winter, date(2026, 3, 4), date(2026, 3, 5)))
        coach_calendar.put(summer, event_ics(summer, date(2026, 7, 1), date(2026, 7, 3)))
        assert coach_calendar.busy(*WEEK) == [busy(winter, at(3, 23), at(4, 23))]
        assert coach_calendar.busy(at(1, 0, month=7), at(2, 0, month=7)) == [
            busy(summer, at(30, 22, month=6), at(2, 22, month=7))
        ]
        # Half past midnight in Amsterdam is still the evening before in UTC.
        assert coach_calendar.busy(at(3, 23, 30), at(3, 23, 45)) == [
            busy(winter, at(3, 23), at(4, 23))
        ]
        assert coach_calendar.busy(at(3, 22), at(3, 23)) == []

    def test_an_all_day_event_without_an_end_takes_one_day(
        self, coach_calendar: CoachCalendar
    ) -> None:
        uid = "verjaardag@agenda.example.nl"
        coach_calendar.put(uid, event_ics(uid, date(2026, 3, 5)))
        assert coach_calendar.busy(*WEEK) == [busy(uid, at(4, 23), at(5, 23))]

    def test_times_in_other_zones_and_floating_times_are_placed_right(
        self, coach_calendar: CoachCalendar
    ) -> None:
        new_york, floating = "ny@agenda.example.nl", "zwevend@agenda.example.nl"
        lasting = "duur@agenda.example.nl"
        zone = ZoneInfo("America/New_York")
        coach_calendar.put(
            new_york,
            event_ics(
                new_york,
                datetime(2026, 3, 3, 10, tzinfo=zone),
                datetime(2026, 3, 3, 11, tzinfo=zone),
            ),
        )
        # A time without a zone is the coach's own wall-clock time.
        coach_calendar.put(
            floating,
            event_ics(floating, datetime(2026, 3, 4, 10), datetime(2026, 3, 4, 11)),  # noqa: DTZ001
        )
        coach_calendar.put(lasting, event_ics(lasting, at(5, 8), duration=timedelta(minutes=45)))
        assert coach_calendar.busy(*WEEK) == [
            busy(new_york, at(3, 15), at(3, 16)),
            busy(floating, at(4, 9), at(4, 10)),
            busy(lasting, at(5, 8), at(5, 8, 45)),
        ]

    def test_free_and_cancelled_events_do_not_block(self, coach_calendar: CoachCalendar) -> None:
        free, cancelled = "vrij-te-plannen@agenda.example.nl", "geannuleerd@agenda.example.nl"
        tentative = "onder-voorbehoud@agenda.example.nl"
        coach_calendar.put(free, event_ics(free, at(2, 9), at(2, 10), transp="TRANSPARENT"))
        coach_calendar.put(
            cancelled, event_ics(cancelled, at(2, 11), at(2, 12), status="CANCELLED")
        )
        coach_calendar.put(
            tentative, event_ics(tentative, at(2, 13), at(2, 14), status="TENTATIVE")
        )
        assert coach_calendar.busy(*WEEK) == [busy(tentative, at(2, 13), at(2, 14))]

    def test_busy_gives_what_overlaps_the_range_whole_and_in_order(
        self, coach_calendar: CoachCalendar
    ) -> None:
        events = {
            "voor@agenda.example.nl": (at(2, 8), at(2, 9)),  # ends as the range starts
            "over-begin@agenda.example.nl": (at(2, 8, 30), at(2, 9, 30)),
            "binnen-laat@agenda.example.nl": (at(2, 11), at(2, 11, 30)),
            "binnen@agenda.example.nl": (at(2, 10), at(2, 10, 15)),
            "over-eind@agenda.example.nl": (at(2, 11, 45), at(2, 13)),
            "na@agenda.example.nl": (at(2, 12), at(2, 13)),  # starts as the range ends
            "volgende-dag@agenda.example.nl": (at(3, 10), at(3, 11)),
        }
        for uid, (start, end) in events.items():
            coach_calendar.put(uid, event_ics(uid, start, end))
        found = coach_calendar.busy(at(2, 9), at(2, 12))
        assert found == [
            busy("over-begin@agenda.example.nl", at(2, 8, 30), at(2, 9, 30)),
            busy("binnen@agenda.example.nl", at(2, 10), at(2, 10, 15)),
            busy("binnen-laat@agenda.example.nl", at(2, 11), at(2, 11, 30)),
            busy("over-eind@agenda.example.nl", at(2, 11, 45), at(2, 13)),
        ]

    def test_the_range_may_be_given_in_any_zone(self, coach_calendar: CoachCalendar) -> None:
        coach_calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10)))
        start = datetime(2026, 3, 2, 10, 30, tzinfo=AMSTERDAM)  # 09:30 UTC
        assert coach_calendar.busy(start, start + timedelta(minutes=15)) == [
            busy(UID, at(2, 9), at(2, 10))
        ]

    # Bad arguments ---------------------------------------------------------------------

    def test_naive_or_empty_ranges_are_refused(self, coach_calendar: CoachCalendar) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            coach_calendar.busy(datetime(2026, 3, 2), datetime(2026, 3, 3))  # noqa: DTZ001
        with pytest.raises(ValueError, match="after"):
            coach_calendar.busy(at(2, 10), at(2, 10))

    def test_ics_of_another_uid_is_refused_and_nothing_written(
        self, coach_calendar: CoachCalendar
    ) -> None:
        with pytest.raises(ValueError, match="UID"):
            coach_calendar.put(
                UID, event_ics("iets-anders@portaal.example.nl", at(2, 9), at(2, 10))
            )
        with pytest.raises(ValueError, match="iCalendar"):
            coach_calendar.put(UID, b"dit is geen agenda")
        assert coach_calendar.busy(*WEEK) == []

    # Failures --------------------------------------------------------------------------

    @pytest.mark.parametrize("operation", ["busy", "put", "delete"])
    def test_a_refused_login_is_permanent(
        self,
        failing_coach_calendar: Callable[[CalendarFailure], CoachCalendar],
        operation: str,
    ) -> None:
        error = failure(failing_coach_calendar("refused"), operation)
        assert error.code == "calendar.refused"
        assert error.permanent, "a refused login must be permanent: no retry can help"
        assert not error.unreachable, "a server that answered was reached"

    @pytest.mark.parametrize("operation", ["busy", "put", "delete"])
    def test_a_server_out_of_reach_is_unreachable_and_worth_another_try(
        self,
        failing_coach_calendar: Callable[[CalendarFailure], CoachCalendar],
        operation: str,
    ) -> None:
        error = failure(failing_coach_calendar("unreachable"), operation)
        assert error.code == "calendar.unavailable"
        assert error.unreachable, "the outbox must know that the next call would wait as long"
        assert not error.permanent, "the server may be back later"

    @pytest.mark.parametrize("how", ["refused", "unreachable"])
    def test_no_error_shows_a_secret_or_the_event(
        self,
        failing_coach_calendar: Callable[[CalendarFailure], CoachCalendar],
        secrets: Sequence[str],
        how: CalendarFailure,
    ) -> None:
        failing = failing_coach_calendar(how)
        error = failure(failing, "put")
        for shown, what in ((str(error), "the error"), (repr(error), "the error's repr")):
            assert_shows_none(shown, [*secrets, SUMMARY, "Zoë"], what)
        assert_shows_none(repr(failing), secrets, "the calendar's repr")

    def test_the_repr_shows_no_secret(
        self, coach_calendar: CoachCalendar, secrets: Sequence[str]
    ) -> None:
        assert_shows_none(repr(coach_calendar), secrets, "the calendar's repr")


def failure(calendar: CoachCalendar, operation: str) -> CalendarError:
    """The ``CalendarError`` that ``operation`` on ``calendar`` raises."""
    calls: dict[str, Callable[[], object]] = {
        "busy": lambda: calendar.busy(*WEEK),
        "put": lambda: calendar.put(UID, event_ics(UID, at(2, 9), at(2, 10), summary=SUMMARY)),
        "delete": lambda: calendar.delete(UID),
    }
    call = calls[operation]
    with pytest.raises(CalendarError) as raised:
        call()
    return raised.value
