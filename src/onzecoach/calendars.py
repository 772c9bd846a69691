"""The coach's own calendar: the port the portal reads busy times through and writes bookings to.

A coach may connect the calendar they already keep (CalDAV: Radicale, Nextcloud, iCloud,
Fastmail, ...). A worker pulls the coach's busy times into the database every few minutes,
so that the booking portal offers no slot the coach has filled elsewhere; a booking is
written into that calendar as an event, and a cancellation removes it, both through the
outbox, which tries again while the calendar is down.

Only *when* a coach is busy is read: a ``BusyTime`` has the event's UID and its times, never
its title, place, description or attendees. The UID lets the worker recognise the events the
portal wrote itself.

The adapters: ``onzecoach.adapters.caldav.CaldavConnector`` for CalDAV servers, and
``onzecoach.testing.FakeCalendarConnector`` for tests; ``onzecoach.testing.contracts.
CalendarContract`` is what both pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs

from onzecoach.clock import utc

__all__ = ["BusyTime", "CalendarAccount", "CalendarConnector", "CoachCalendar"]


@attrs.frozen
class BusyTime:
    """One stretch of time the coach is busy: one instance of an event in their calendar.

    ``uid`` is the event's UID (every instance of a recurring event shares it);
    ``starts_at`` and ``ends_at`` are timezone-aware UTC, ``starts_at`` before ``ends_at``.
    An all-day event fills whole days in Europe/Amsterdam, from midnight to midnight.
    """

    uid: str
    starts_at: datetime = attrs.field(converter=utc)
    ends_at: datetime = attrs.field(converter=utc)

    def __attrs_post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"a busy time ends after it starts: {self.starts_at.isoformat()} - "
                f"{self.ends_at.isoformat()}"
            )


@attrs.frozen
class CalendarAccount:
    """Where a coach's calendar is and how to log in to it.

    ``url`` is the address of the calendar itself (for CalDAV, the calendar collection, not
    the server or the account's home), ``username`` and ``password`` the login; for
    iCloud, Fastmail and the like, an app password rather than the account's own. The
    password never shows in the repr.
    """

    url: str
    username: str
    password: str = attrs.field(repr=False)


class CoachCalendar(Protocol):
    """One coach's calendar, opened with a ``CalendarConnector``.

    Every failure of the calendar server is a ``CalendarError``: ``permanent`` when the
    login is refused, there is no calendar at the URL, or the server refuses the event
    itself; ``unreachable`` when nothing answers. Bad arguments (naive datetimes, ICS data
    without an event of the given UID) are a ``ValueError``.
    """

    def busy(self, start: datetime, end: datetime) -> list[BusyTime]:
        """Every instance of an event that overlaps ``[start, end)``, ordered by start.

        ``start`` and ``end`` are timezone-aware. Recurring events are expanded into their
        instances (with their exceptions and moved instances); all-day events fill their
        whole days in Europe/Amsterdam, as do times without a time zone (floating times)
        theirs; events marked free (``TRANSP:TRANSPARENT``) and cancelled ones
        (``STATUS:CANCELLED``) are left out, as are events that take no time. An instance
        keeps its own times, also where it sticks out of the range.
        """
        ...

    def put(self, uid: str, ics: bytes) -> None:
        """Create the event ``uid``, or replace the one with that UID.

        ``ics`` is a VCALENDAR whose events all carry ``uid``; it is stored as it is.
        Putting the same event twice leaves one event: a retry is safe.
        """
        ...

    def delete(self, uid: str) -> None:
        """Remove the event ``uid``. Removing an event that is not there is fine."""
        ...

    def close(self) -> None:
        """Release the connections. The calendar is unusable afterwards."""
        ...


class CalendarConnector(Protocol):
    """Opens coaches' calendars."""

    def open(self, account: CalendarAccount) -> CoachCalendar:
        """The calendar of ``account``. Opening does no I/O: a bad URL or login shows at the
        first call, as a ``CalendarError`` with ``permanent`` set."""
        ...
