"""The slot grid against an independent oracle on every day of 2026 to 2030.

The oracle knows nothing of ``onzecoach.coaches`` but the drawn schedule. It walks UTC
instants five minutes apart, converts each to Europe/Amsterdam with its own ``zoneinfo``
instance, and so learns for every local date which wall times happen and when they first
happen (a wall time the clock skips never appears; one the clock shows twice keeps its
first instant). A grid slot starts at a wall time of a window's step, if the walk saw it;
it lasts the session in real time, ends by the first walked instant at or after the
window's end, and keeps the buffer after the slot before it. The drawn schedules use
five-minute times, lengths and buffers, so the walk sees every wall time they can name.
"""

from __future__ import annotations

import functools
import os
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from onzecoach.coaches import Availability, Window, grid

FIRST, LAST = date(2026, 1, 1), date(2030, 12, 31)
WALK_STEP = timedelta(minutes=5)
#: Its own zone object: nothing cached by the code under test is shared.
ZONE = ZoneInfo.no_cache("Europe/Amsterdam")

#: Examples per run: each checks all 1826 days. Few and the same every run, so the file
#: stays well within a minute; ONZECOACH_SLOTS_EXAMPLES=500 with ONZECOACH_SLOTS_RANDOM=1
#: searches wider.
EXAMPLES = int(os.environ.get("ONZECOACH_SLOTS_EXAMPLES", "100"))


class DayClock(NamedTuple):
    """What the walk saw of one local date."""

    #: Wall minute -> the first instant the clock showed it.
    first: dict[int, datetime]
    #: The wall minutes of ``first`` in walk order (which is ascending), then 1440 for the
    #: next midnight; ``instants`` are their first instants.
    walls: list[int]
    instants: list[datetime]

    def end_of(self, wall: int) -> datetime:
        """The first instant the clock shows ``wall`` or a later time of the day."""
        return self.instants[bisect_left(self.walls, wall)]


@functools.cache
def clocks() -> dict[date, DayClock]:
    found: dict[date, DayClock] = {}
    moment = datetime.combine(FIRST - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    stop = datetime.combine(LAST + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    while moment < stop:
        local = moment.astimezone(ZONE)
        day, wall = local.date(), local.hour * 60 + local.minute
        clock = found.setdefault(day, DayClock({}, [], []))
        if wall not in clock.first:
            clock.first[wall] = moment
            clock.walls.append(wall)
            clock.instants.append(moment)
        moment += WALK_STEP
    for day, clock in found.items():
        following = found.get(day + timedelta(days=1))
        if following is not None:
            clock.walls.append(24 * 60)
            clock.instants.append(following.first[0])
    return {day: clock for day, clock in found.items() if FIRST <= day <= LAST}


def transition_days() -> list[date]:
    """The dates whose clock jumps: a day not 24 hours long."""
    days = clocks()
    return [
        day
        for day, clock in days.items()
        if clock.instants[-1] - clock.first[0] != timedelta(hours=24)
    ]


def union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one, by marking the minutes they cover."""
    covered = bytearray(24 * 60 + 1)
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    runs: list[tuple[int, int]] = []
    minute = 0
    while minute < 24 * 60:
        if covered[minute]:
            end = covered.index(0, minute)
            runs.append((minute, end))
            minute = end
        else:
            minute += 1
    return runs


class Schedule(NamedTuple):
    weekly: Sequence[Sequence[tuple[int, int]]]
    days_off: frozenset[date]
    extra: dict[date, list[tuple[int, int]]]
    session: int
    buffer: int

    def spans_on(self, day: date) -> list[tuple[int, int]]:
        weekly = () if day in self.days_off else self.weekly[day.weekday()]
        return [*weekly, *self.extra.get(day, ())]

    def availability(self) -> Availability:
        return Availability(
            weekly=[[Window(*span) for span in spans] for spans in self.weekly],
            days_off=self.days_off,
            extra={day: [Window(*span) for span in spans] for day, spans in self.extra.items()},
            session_minutes=self.session,
            buffer_minutes=self.buffer,
        )


def oracle(
    schedule: Schedule, clock: DayClock, windows: list[tuple[int, int]]
) -> list[tuple[datetime, datetime]]:
    session, buffer = timedelta(minutes=schedule.session), timedelta(minutes=schedule.buffer)
    step = schedule.session + schedule.buffer
    candidates: list[tuple[datetime, datetime]] = []  # (start, the window's end instant)
    for first_wall, end_wall in windows:
        close = clock.end_of(end_wall)
        for wall in range(first_wall, end_wall, step):
            if wall in clock.first:
                candidates.append((clock.first[wall], close))
    kept: list[tuple[datetime, datetime]] = []
    for start, close in sorted(candidates):
        if start + session > close:
            continue
        if kept and start < kept[-1][1] + buffer:
            continue
        kept.append((start, start + session))
    return kept


# Drawing schedules ---------------------------------------------------------------------------

#: Wall times around the clock changes (01:00 to 04:00) and at the day's edges, drawn
#: often so that transition days meet windows that start, end or step inside the jump.
_EDGES = [0, 5, 60, 90, 115, 120, 125, 150, 175, 180, 185, 200, 210, 235, 240, 1435, 1440]
wall_times = st.one_of(st.sampled_from(_EDGES), st.integers(0, 288).map(lambda k: 5 * k))
spans = (
    st.tuples(wall_times, wall_times)
    .filter(lambda pair: pair[0] != pair[1])
    .map(lambda pair: (min(pair), max(pair)))
)


@functools.cache
def special_days() -> list[date]:
    """The transition days and the days either side of them."""
    return sorted(
        {day + timedelta(days=shift) for day in transition_days() for shift in (-1, 0, 1)}
    )


#: Deferred, so that the walk runs when a test draws, not when the file is collected.
days = st.deferred(lambda: st.one_of(st.sampled_from(special_days()), st.dates(FIRST, LAST)))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    return Schedule(
        weekly=draw(st.lists(st.lists(spans, max_size=3), min_size=7, max_size=7)),
        days_off=draw(st.frozensets(days, max_size=8)),
        extra=draw(st.dictionaries(days, st.lists(spans, min_size=1, max_size=3), max_size=8)),
        session=draw(st.integers(3, 48)) * 5,
        buffer=draw(st.sampled_from([0, 0, 5, 10, 15, 30, 45, 60, 120])),
    )


# The tests -----------------------------------------------------------------------------------


def test_the_walk_sees_the_clock_changes_of_each_year() -> None:
    changes = transition_days()
    assert len(changes) == 10
    assert date(2026, 3, 29) in changes
    assert date(2030, 10, 27) in changes
    # The spring gap: 02:00 to 02:55 never happen; the autumn hour happens twice.
    assert 125 not in clocks()[date(2026, 3, 29)].first
    autumn = clocks()[date(2026, 10, 25)]
    assert autumn.first[150] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def _shown(slots: Iterable[tuple[datetime, datetime]]) -> list[str]:
    return [
        f"{start.astimezone(ZONE):%H:%M%z}-{end.astimezone(ZONE):%H:%M%z}" for start, end in slots
    ]


# Shrinking would rerun five years per step for minutes on end; a failure names the first
# day that differs with its hours instead, which is the small example shrinking would find.
@settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("ONZECOACH_SLOTS_RANDOM") != "1",
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(schedule=schedules())
def test_the_grid_is_the_oracles_on_every_day_of_five_years(schedule: Schedule) -> None:
    availability = schedule.availability()
    weekly = [union(spans) for spans in schedule.weekly]
    for day, clock in clocks().items():
        if day in schedule.extra or day in schedule.days_off:
            windows = union(schedule.spans_on(day))
        else:
            windows = weekly[day.weekday()]
        expected = oracle(schedule, clock, windows)
        offered = grid(availability, day)
        got = [(slot.starts_at, slot.ends_at) for slot in offered]
        assert got == expected, (
            f"{day}: windows {windows}, session {schedule.session}, buffer {schedule.buffer}: "
            f"grid {_shown(got)}, oracle {_shown(expected)}"
        )
        # Each slot starts at a wall time inside the day's hours, and ends by the end of one.
        for slot in offered:
            local = slot.starts_at.astimezone(ZONE)
            wall = local.hour * 60 + local.minute
            assert local.date() == day
            assert any(
                start <= wall < end and slot.ends_at <= clock.end_of(end) for start, end in windows
            )
            assert any(start <= wall < end for start, end in schedule.spans_on(day))
