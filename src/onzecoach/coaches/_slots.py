"""The slot grid: where in a coach's availability a session can start.

The rules, for one local date and each of its merged windows in turn:

- a window starts a slot at its start and steps by the session's length plus the buffer,
  in wall-clock time, while the wall time lies before the window's end; bookings never
  shift this grid;
- a wall time that does not exist that day (the spring-forward gap) is skipped; a wall
  time that happens twice (the autumn hour) means its first occurrence, offered once;
- a slot lasts ``session_minutes`` of real time, and ends no later than its window's end
  (the end as a local time, its first occurrence; an end inside the spring-forward gap is
  the instant the clock jumps);
- a slot that would start before the previous slot of the date ended plus the buffer
  (in real time: it happens where the clock jumps forward inside a window) is left out,
  so the slots of a date never overlap and always keep the buffer between them.

``free_slots`` then keeps the slots that can be booked now: at least ``notice`` ahead, at
most ``horizon_days`` ahead, clear of every taken interval by the buffer on both sides,
on a date below ``max_per_day``. All instants are timezone-aware UTC.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

import attrs

from onzecoach.clock import amsterdam, require_utc, utc
from onzecoach.coaches._availability import MINUTES_PER_DAY, Availability

__all__ = ["Slot", "TakenTimes", "free_slots", "grid", "offered_slot"]

_DAY: Final = timedelta(days=1)
_MINUTE: Final = timedelta(minutes=1)


@attrs.frozen(order=True)
class Slot:
    """A session's time: from ``starts_at`` up to ``ends_at``, UTC; ordered by start."""

    starts_at: datetime = attrs.field(converter=utc)
    ends_at: datetime = attrs.field(converter=utc)

    def __attrs_post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError(f"a slot ends after it starts: {self!r}")


@attrs.frozen
class TakenTimes:
    """Intervals ``[start, end)`` a coach cannot be booked in (sessions, calendar busy
    times), merged and sorted so that a slot is checked against them by bisection.

    Build it once per coach with ``TakenTimes.of(...)`` when several calls share it;
    ``free_slots`` and ``offered_slot`` also take the plain pairs.
    """

    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]

    @classmethod
    def of(cls, intervals: Iterable[tuple[datetime, datetime]]) -> TakenTimes:
        """The union of ``intervals`` (aware datetimes; an empty or reversed one is none)."""
        pairs = sorted(
            (require_utc(start, "taken start"), require_utc(end, "taken end"))
            for start, end in intervals
        )
        starts: list[datetime] = []
        ends: list[datetime] = []
        for start, end in pairs:
            if end <= start:
                continue
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        return cls(tuple(starts), tuple(ends))

    def clear_of(self, start: datetime, end: datetime, margin: timedelta) -> bool:
        """Whether ``[start - margin, end + margin)`` meets no taken interval (touching is
        clear)."""
        low, high = start - margin, end + margin
        # The first interval that ends after ``low`` is the only one that can meet it.
        index = bisect_right(self.ends, low)
        return index == len(self.ends) or self.starts[index] >= high


def grid(availability: Availability, day: date) -> list[Slot]:
    """Every slot of the grid on a local date, before any filter, in order."""
    return [Slot(start, end) for start, end in _day_grid(availability, day)]


def free_slots(
    availability: Availability,
    *,
    now: datetime,
    start: datetime,
    end: datetime,
    taken: TakenTimes | Iterable[tuple[datetime, datetime]] = (),
    booked_per_day: Mapping[date, int] | None = None,
) -> list[Slot]:
    """The slots that can be booked at ``now`` and start in ``[start, end)``, in order.

    A slot is offered when ``now + notice <= starts_at <= now + horizon``, when
    ``[starts_at - buffer, ends_at + buffer)`` meets no ``taken`` interval, and when its
    local date has fewer than ``max_per_day`` sessions in ``booked_per_day`` (local date
    -> the coach's sessions that date).
    """
    now = require_utc(now, "now")
    low = max(require_utc(start, "start"), now + availability.notice)
    high = require_utc(end, "end")
    latest = now + availability.horizon
    if low >= high or low > latest:
        return []
    busy = taken if isinstance(taken, TakenTimes) else TakenTimes.of(taken)
    booked = booked_per_day or {}
    margin = availability.buffer_minutes * _MINUTE
    zone = amsterdam()
    day, last = low.astimezone(zone).date(), min(high, latest).astimezone(zone).date()
    found: list[Slot] = []
    while day <= last:
        if not _is_full(availability, booked, day):
            found += [
                Slot(slot_start, slot_end)
                for slot_start, slot_end in _day_grid(availability, day)
                if low <= slot_start < high
                and slot_start <= latest
                and busy.clear_of(slot_start, slot_end, margin)
            ]
        day += _DAY
    return found


def offered_slot(
    availability: Availability,
    starts_at: datetime,
    *,
    now: datetime,
    taken: TakenTimes | Iterable[tuple[datetime, datetime]] = (),
    booked_per_day: Mapping[date, int] | None = None,
) -> Slot | None:
    """The slot starting at ``starts_at`` if ``free_slots`` would offer it now, else ``None``.

    What a booking checks before it writes (``taken`` without the session being moved, when
    it reschedules one).
    """
    moment = require_utc(starts_at, "starts_at")
    found = free_slots(
        availability,
        now=now,
        start=moment,
        end=moment + _MINUTE,
        taken=taken,
        booked_per_day=booked_per_day,
    )
    return found[0] if found and found[0].starts_at == moment else None


def _is_full(availability: Availability, booked: Mapping[date, int], day: date) -> bool:
    limit = availability.max_per_day
    return limit is not None and booked.get(day, 0) >= limit


def _day_grid(availability: Availability, day: date) -> list[tuple[datetime, datetime]]:
    """The grid of a local date as ``(start, end)`` pairs, UTC, in order."""
    windows = availability.windows_on(day)
    if not windows:
        return []
    midnight, regular = _frame(day)
    session = availability.session_minutes * _MINUTE
    buffer = availability.buffer_minutes * _MINUTE
    step = availability.session_minutes + availability.buffer_minutes
    found: list[tuple[datetime, datetime]] = []
    ready: datetime | None = None  # the previous slot's end plus the buffer
    for window in windows:
        close = midnight + window.end * _MINUTE if regular else _close(day, window.end)
        for minute in range(window.start, window.end, step):
            start = midnight + minute * _MINUTE if regular else _instant(day, minute)
            if start is None:
                continue
            end = start + session
            if end > close:
                # Later wall times are later instants: none of them fits either.
                break
            if ready is not None and start < ready:
                continue
            found.append((start, end))
            ready = end + buffer
    return found


@functools.lru_cache(maxsize=4096)
def _frame(day: date) -> tuple[datetime, bool]:
    """A local date's midnight in UTC, and whether its clock runs without a jump, so that
    each wall time is midnight plus its minutes (every date of Europe/Amsterdam but the
    two a year when the clock changes)."""
    zone = amsterdam()
    midnight = datetime.combine(day, time(), tzinfo=zone)
    following = datetime.combine(day + _DAY, time(), tzinfo=zone)
    return midnight.astimezone(UTC), midnight.utcoffset() == following.utcoffset()


def _instant(day: date, minute: int) -> datetime | None:
    """The first instant the local clock shows ``minute`` on ``day``; ``None`` if it never
    does (the spring-forward gap)."""
    zone = amsterdam()
    wall = datetime.combine(day, time()) + minute * _MINUTE
    moment = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first occurrence
    return moment if moment.astimezone(zone).replace(tzinfo=None) == wall else None


def _close(day: date, minute: int) -> datetime:
    """The instant a window ending at ``minute`` ends: its first occurrence, or, inside the
    spring-forward gap, the jump, which is the first wall time after the gap."""
    for later in range(minute, minute + MINUTES_PER_DAY):
        moment = _instant(day, later)
        if moment is not None:
            return moment
    raise AssertionError(f"no local time on {day} from minute {minute}")  # pragma: no cover
