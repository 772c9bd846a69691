"""How a coach's iCalendar data reads as busy times: the one reading every calendar adapter shares.

``CaldavConnector`` and ``onzecoach.testing.FakeCalendar`` both hand the events they hold to
``busy_times``, so the fake answers as the real server does: recurring events expanded
(with their exceptions and moved instances), all-day events and floating times placed in
Europe/Amsterdam, free (``TRANSP:TRANSPARENT``) and cancelled events left out. Nothing but
the UID and the times leaves this module: titles, places and attendees are not read.

Needs the ``calendar`` extra (icalendar and recurring-ical-events).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import recurring_ical_events

from onzecoach.calendars import BusyTime
from onzecoach.clock import amsterdam, require_utc

__all__ = ["busy_times", "check_event", "check_range", "merge_busy"]

#: How far past the asked range events are expanded before the exact overlap test. The
#: expansion matches all-day events and floating times in whatever zone it is handed;
#: a day either way covers every zone's offset.
_MARGIN = timedelta(days=1)


def check_range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """``start`` and ``end`` in UTC; naive datetimes or an empty range are a ``ValueError``."""
    start, end = require_utc(start, "start"), require_utc(end, "end")
    if end <= start:
        raise ValueError(f"end ({end.isoformat()}) must come after start ({start.isoformat()})")
    return start, end


def check_event(uid: str, ics: bytes) -> tuple[datetime, datetime]:
    """The first instance's start and end (UTC) of the event ``uid`` that ``ics`` holds.

    Raises ``ValueError`` unless ``ics`` is a VCALENDAR with at least one VEVENT and every
    VEVENT carries ``uid``: what a calendar stores under a UID must be that event.
    """
    if not uid or uid != uid.strip():
        raise ValueError("uid must be a non-empty string without surrounding spaces")
    calendar = _parse(ics)
    events = [event for event in calendar.walk("VEVENT") if isinstance(event, icalendar.Event)]
    if not events:
        raise ValueError("ics holds no VEVENT")
    uids = {str(event.get("UID", "")) for event in events}
    if uids != {uid}:
        raise ValueError(f"every VEVENT in ics must have UID {uid!r}, found {sorted(uids)!r}")
    master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
    if "DTSTART" not in master:
        raise ValueError("the event in ics has no DTSTART")
    start = _moment(master.start)
    return start, max(start, _moment(master.end))


def busy_times(ics: bytes | str, start: datetime, end: datetime) -> list[BusyTime]:
    """The busy instances of the events in ``ics`` that overlap ``[start, end)``, by start.

    ``ics`` is one calendar object as a server stores it (a VCALENDAR with one event and
    its exceptions, or several). Raises ``ValueError`` for data that is not iCalendar or
    holds an event that cannot be read (no start, say); a series whose recurrence rule is
    broken is skipped.
    """
    start, end = check_range(start, end)
    calendar = _parse(ics)
    found: set[BusyTime] = set()
    window = ((start - _MARGIN).astimezone(amsterdam()), (end + _MARGIN).astimezone(amsterdam()))
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        for instance in query.between(*window):
            if _is_free(instance):
                continue
            starts_at = _moment(instance.start)
            ends_at = _moment(instance.end)
            if starts_at < end and ends_at > start and ends_at > starts_at:
                found.add(BusyTime(str(instance.get("UID", "")), starts_at, ends_at))
    except _UNREADABLE as exc:
        # An event without a start, or with a time that is no time: recurring-ical-events
        # and icalendar report those as any of these.
        raise ValueError(f"ics holds an event that cannot be read: {type(exc).__name__}") from exc
    return merge_busy([found])


_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def merge_busy(groups: Iterable[Iterable[BusyTime]]) -> list[BusyTime]:
    """The busy times of every group, each once, ordered by start, end and UID."""
    unique = {busy for group in groups for busy in group}
    return sorted(unique, key=lambda busy: (busy.starts_at, busy.ends_at, busy.uid))


def _parse(ics: bytes | str) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(ics)
    except (ValueError, IndexError, KeyError) as exc:
        # icalendar reports malformed content lines as any of these.
        raise ValueError(f"ics is not iCalendar data: {type(exc).__name__}") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise ValueError("ics must be one VCALENDAR")
    return calendar


def _is_free(event: icalendar.Event) -> bool:
    transparency = str(event.get("TRANSP", "OPAQUE")).upper()
    status = str(event.get("STATUS", "")).upper()
    return transparency == "TRANSPARENT" or status == "CANCELLED"


def _moment(value: date | datetime) -> datetime:
    """A DTSTART or DTEND as UTC: a date is its midnight, a floating time its wall-clock
    time, both in Europe/Amsterdam, where the coaches are."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=amsterdam())
        return value.astimezone(UTC)
    return datetime.combine(value, time(), tzinfo=amsterdam()).astimezone(UTC)
