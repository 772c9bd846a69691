"""The calendar port's values, its error, the reading of iCalendar data and the fakes.

The behaviour both calendar adapters share is the contract's
(``tests/contracts/test_calendar_contract.py``, ``tests/adapters/test_caldav.py``); here
are the parts of each piece, and the overlap rule as an invariant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onzecoach import AdapterError, CalendarError
from onzecoach.adapters.calendar_data import busy_times, check_event
from onzecoach.calendars import BusyTime, CalendarAccount
from onzecoach.errors import _DeliveryError
from onzecoach.messages import ERRORS
from onzecoach.testing import FakeCalendar, FakeCalendarConnector, FakeEvent, event_ics

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
UID = "afspraak-1@portaal.example.nl"


# BusyTime and CalendarAccount ---------------------------------------------------------------


def test_a_busy_time_is_held_in_utc() -> None:
    found = BusyTime(UID, datetime(2026, 3, 2, 10, tzinfo=AMSTERDAM), T0 + HOUR)
    assert found.starts_at == T0
    assert found.starts_at.tzinfo is UTC


def test_a_busy_time_takes_time_and_aware_datetimes() -> None:
    with pytest.raises(ValueError, match="ends after it starts"):
        BusyTime(UID, T0, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        BusyTime(UID, datetime(2026, 3, 2, 9), T0 + HOUR)  # noqa: DTZ001


def test_an_accounts_repr_hides_the_password() -> None:
    account = CalendarAccount("https://agenda.example.nl/coach/werk/", "coach", "app-ww-9931")
    assert "app-ww-9931" not in repr(account)
    assert "coach" in repr(account)


# CalendarError --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "permanent"),
    [("calendar.unavailable", False), ("calendar.refused", True), ("calendar.rejected", True)],
)
def test_a_calendar_error_is_permanent_as_its_code_says(code: str, permanent: bool) -> None:
    error = CalendarError("detail", code=code)
    assert (error.code, error.permanent, error.unreachable) == (code, permanent, False)
    assert str(error) == f"{ERRORS[code]} (detail)"


def test_a_calendar_error_is_a_delivery_error_the_outbox_can_weigh() -> None:
    error = CalendarError("no answer", unreachable=True)
    assert isinstance(error, _DeliveryError)
    assert isinstance(error, AdapterError)
    assert (error.code, error.permanent, error.unreachable) == ("calendar.unavailable", False, True)
    assert CalendarError(code="calendar.refused", permanent=False).permanent is False
    with pytest.raises(ValueError, match="no code"):
        CalendarError(code="mail.delivery_failed")


# Reading iCalendar data ----------------------------------------------------------------------


def test_check_event_gives_the_first_instances_times() -> None:
    ics = event_ics(UID, T0, T0 + HOUR, rrule={"freq": "daily", "count": 3})
    assert check_event(UID, ics) == (T0, T0 + HOUR)
    assert check_event(UID, event_ics(UID, date(2026, 3, 4))) == (
        datetime(2026, 3, 3, 23, tzinfo=UTC),
        datetime(2026, 3, 4, 23, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("uid", "ics", "match"),
    [
        (UID, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "no VEVENT"),
        (UID, event_ics("ander@portaal.example.nl", T0, T0 + HOUR), "UID"),
        (UID, b"", "not iCalendar"),
        (UID, b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "one VCALENDAR"),
        ("", event_ics("x", T0, T0 + HOUR), "uid"),
        (f" {UID}", event_ics(UID, T0, T0 + HOUR), "uid"),
    ],
)
def test_check_event_refuses_what_is_not_that_event(uid: str, ics: bytes, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        check_event(uid, ics)


def test_events_of_two_uids_in_one_object_are_refused() -> None:
    both = icalendar.Calendar.from_ical(event_ics(UID, T0, T0 + HOUR))
    other = icalendar.Calendar.from_ical(event_ics("ander@portaal.example.nl", T0, T0 + HOUR))
    both.add_component(other.walk("VEVENT")[0])
    with pytest.raises(ValueError, match="UID"):
        check_event(UID, both.to_ical())


def test_a_series_with_a_broken_rule_is_skipped() -> None:
    broken = event_ics(UID, T0, T0 + HOUR, rrule={"freq": "weekly"}).replace(
        b"FREQ=WEEKLY", b"FREQ=WEEKLY;BYDAY=XX"
    )
    assert busy_times(broken, T0 - HOUR, T0 + 2 * HOUR) == []


def test_an_event_that_cannot_be_read_is_a_value_error() -> None:
    no_start = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    with pytest.raises(ValueError, match="cannot be read"):
        busy_times(no_start, T0, T0 + HOUR)
    with pytest.raises(ValueError, match="not iCalendar"):
        busy_times(b"geen agenda", T0, T0 + HOUR)


def test_a_time_in_the_hour_the_clocks_skip_is_read_as_the_wall_clock_says() -> None:
    # 02:30 on 29 March 2026 does not exist in Amsterdam; zoneinfo reads it as 01:30 UTC.
    ics = event_ics(UID, datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 4))  # noqa: DTZ001
    [found] = busy_times(ics, datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC))
    assert (found.starts_at, found.ends_at) == (
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 2, tzinfo=UTC),
    )


minutes = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60)
lengths = st.integers(min_value=1, max_value=24 * 60)


@given(event_at=minutes, event_for=lengths, range_at=minutes, range_for=lengths)
def test_an_event_is_busy_exactly_when_it_overlaps_the_range(
    event_at: int, event_for: int, range_at: int, range_for: int
) -> None:
    starts_at = T0 + timedelta(minutes=event_at)
    ends_at = starts_at + timedelta(minutes=event_for)
    start = T0 + timedelta(minutes=range_at)
    end = start + timedelta(minutes=range_for)

    found = busy_times(event_ics(UID, starts_at, ends_at), start, end)

    overlaps = starts_at < end and ends_at > start
    assert found == ([BusyTime(UID, starts_at, ends_at)] if overlaps else [])


@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_an_all_day_event_is_its_day_from_midnight_to_midnight_in_amsterdam(day: date) -> None:
    after = day + timedelta(days=1)
    [found] = busy_times(
        event_ics(UID, day, after),
        datetime(day.year, day.month, day.day, 12, tzinfo=AMSTERDAM),
        datetime(day.year, day.month, day.day, 13, tzinfo=AMSTERDAM),
    )
    assert found.starts_at == datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM)
    assert found.ends_at == datetime(after.year, after.month, after.day, tzinfo=AMSTERDAM)


# The fakes ------------------------------------------------------------------------------------


def test_the_fake_keeps_each_events_times_and_bytes() -> None:
    calendar = FakeCalendar()
    ics = event_ics(UID, T0, T0 + HOUR)
    calendar.put(UID, ics)
    assert calendar.events == {UID: FakeEvent(T0, T0 + HOUR, ics)}
    starts_at, ends_at, stored = calendar.events[UID]
    assert (starts_at, ends_at, stored) == (T0, T0 + HOUR, ics)


def test_the_fake_blocks_time_as_a_coach_would() -> None:
    calendar = FakeCalendar()
    uid = calendar.add_busy(T0, T0 + HOUR)
    day = calendar.add_busy(date(2026, 3, 3), date(2026, 3, 4), uid="vrije-dag")
    assert calendar.busy(T0, T0 + timedelta(days=2)) == [
        BusyTime(uid, T0, T0 + HOUR),
        BusyTime(day, datetime(2026, 3, 2, 23, tzinfo=UTC), datetime(2026, 3, 3, 23, tzinfo=UTC)),
    ]


def test_a_fake_that_is_down_raises_until_it_is_back() -> None:
    calendar = FakeCalendar()
    calendar.put(UID, event_ics(UID, T0, T0 + HOUR))
    calendar.down = True
    with pytest.raises(CalendarError) as raised:
        calendar.busy(T0, T0 + HOUR)
    assert raised.value.unreachable
    with pytest.raises(CalendarError):
        calendar.delete(UID)
    calendar.down = False
    assert calendar.busy(T0, T0 + HOUR) == [BusyTime(UID, T0, T0 + HOUR)]


def test_the_connector_hands_out_one_fake_per_url_and_records_who_opened() -> None:
    connector = FakeCalendarConnector()
    url = "https://agenda.example.nl/coach/werk/"
    seeded = connector.calendar(url)
    seeded.add_busy(T0, T0 + HOUR, uid=UID)
    anna = CalendarAccount(url, "anna", "ww-1")
    opened = connector.open(anna)
    assert opened is seeded
    assert (
        connector.open(CalendarAccount("https://elders.example.nl/b/", "b", "ww-2")) is not seeded
    )
    assert opened.busy(T0, T0 + HOUR) == [BusyTime(UID, T0, T0 + HOUR)]
    assert connector.opened[0] == anna
    opened.close()
    assert opened.busy(T0, T0 + HOUR) == [BusyTime(UID, T0, T0 + HOUR)]
