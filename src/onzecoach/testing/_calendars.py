"""The fake of the coach's calendar, and the small ICS builder its users need.

They read and write iCalendar data as the CalDAV adapter does, through
``onzecoach.adapters.calendar_data``, which needs the ``calendar`` extra; it is imported
on first use, so that importing ``onzecoach.testing`` stays light.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime
from typing import NamedTuple

from onzecoach.calendars import BusyTime, CalendarAccount
from onzecoach.errors import CalendarError

__all__ = ["FakeCalendar", "FakeCalendarConnector", "FakeEvent", "event_ics"]

#: When the events ``event_ics`` makes were stamped: fixed, so the bytes are too.
_STAMP = datetime(2026, 1, 1, tzinfo=UTC)


class FakeEvent(NamedTuple):
    """An event a ``FakeCalendar`` holds: its first instance's times (UTC) and its data."""

    starts_at: datetime
    ends_at: datetime
    ics: bytes


class FakeCalendar:
    """An in-memory ``CoachCalendar`` that reads its events as the CalDAV adapter does.

    ``events`` maps each UID to a ``FakeEvent``. Set ``down`` to make every call raise an
    unreachable ``CalendarError`` (as a server that does not answer), ``refused`` for a
    permanent ``calendar.refused`` one (a wrong password), or ``fail_with`` to raise that
    error instead; set them back to get the calendar working again.
    """

    def __init__(self) -> None:
        self.events: dict[str, FakeEvent] = {}
        self.down = False
        self.refused = False
        self.fail_with: Exception | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FakeCalendar(events={len(self.events)}, down={self.down})"

    def busy(self, start: datetime, end: datetime) -> list[BusyTime]:
        from onzecoach.adapters.calendar_data import (  # noqa: PLC0415 - the calendar extra
            busy_times,
            check_range,
            merge_busy,
        )

        start, end = check_range(start, end)
        with self._lock:
            self._fail_if_told()
            stored = [event.ics for event in self.events.values()]
        return merge_busy(busy_times(ics, start, end) for ics in stored)

    def put(self, uid: str, ics: bytes) -> None:
        from onzecoach.adapters.calendar_data import check_event  # noqa: PLC0415 - as above

        starts_at, ends_at = check_event(uid, ics)
        with self._lock:
            self._fail_if_told()
            self.events[uid] = FakeEvent(starts_at, ends_at, bytes(ics))

    def delete(self, uid: str) -> None:
        if not uid:
            raise ValueError("uid must be a non-empty string")
        with self._lock:
            self._fail_if_told()
            self.events.pop(uid, None)

    def close(self) -> None:
        """Nothing to release: the connector hands out this calendar again."""

    def add_busy(
        self, starts_at: datetime | date, ends_at: datetime | date, *, uid: str | None = None
    ) -> str:
        """Put an event from ``starts_at`` to ``ends_at``, as the coach would; its UID.

        Dates make an all-day event (``ends_at`` the day after the last).
        """
        uid = uid or f"{uuid.uuid4()}@agenda.example.nl"
        self.put(uid, event_ics(uid, starts_at, ends_at))
        return uid

    def _fail_if_told(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        if self.refused:
            raise CalendarError("the fake calendar refuses the login", code="calendar.refused")
        if self.down:
            raise CalendarError("the fake calendar does not answer", unreachable=True)


class FakeCalendarConnector:
    """A ``CalendarConnector`` that hands out one ``FakeCalendar`` per account URL.

    ``calendar(url)`` gives the one an account with that URL opens, to fill or break before
    the code under test opens it; ``opened`` lists the accounts opened, in order.
    """

    def __init__(self) -> None:
        self.calendars: dict[str, FakeCalendar] = {}
        self.opened: list[CalendarAccount] = []
        self._lock = threading.Lock()

    def open(self, account: CalendarAccount) -> FakeCalendar:
        with self._lock:
            self.opened.append(account)
        return self.calendar(account.url)

    def calendar(self, url: str) -> FakeCalendar:
        with self._lock:
            return self.calendars.setdefault(url, FakeCalendar())


def event_ics(
    uid: str,
    starts_at: datetime | date,
    ends_at: datetime | date | None = None,
    *,
    summary: str = "Bezet",
    **properties: object,
) -> bytes:
    """A VCALENDAR with one VEVENT, for tests: what a coach's calendar app would store.

    ``properties`` are added as they are, with ``_`` in a name read as ``-``:
    ``transp="TRANSPARENT"``, ``status="CANCELLED"``, ``rrule={"freq": "weekly",
    "count": 4}``, ``exdate=[...]``, ``duration=timedelta(...)`` (instead of ``ends_at``).
    Times in a ``zoneinfo`` zone get their VTIMEZONE; naive times stay floating.
    """
    import icalendar  # noqa: PLC0415 - the calendar extra

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//onzecoach//testing//NL")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", _STAMP)
    event.add("dtstart", starts_at)
    if ends_at is not None:
        event.add("dtend", ends_at)
    event.add("summary", summary)
    for name, value in properties.items():
        event.add(name.replace("_", "-"), value)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics
