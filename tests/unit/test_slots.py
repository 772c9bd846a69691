"""The slot grid and its filters, by example, and the filters against a plain reading of them.

The transition days of 2026 in Europe/Amsterdam: on 29 March the clock jumps from 02:00
(+01:00) to 03:00 (+02:00) at 01:00 UTC; on 25 October it goes back from 03:00 (+02:00)
to 02:00 (+01:00) at 01:00 UTC, so 02:00 to 03:00 happens twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onzecoach.clock import amsterdam
from onzecoach.coaches import (
    Availability,
    Slot,
    TakenTimes,
    Window,
    free_slots,
    grid,
    offered_slot,
)

W = Window.of
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)
MONDAY = date(2026, 6, 1)  # +02:00


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall time of an ordinary day (no clock change) as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=amsterdam()).astimezone(UTC)


def slots(*pairs: tuple[datetime, datetime]) -> list[Slot]:
    return [Slot(start, end) for start, end in pairs]


def on(day: date, *windows: Window, **terms: Any) -> Availability:
    return Availability(extra={day: list(windows)}, **terms)


# The grid on an ordinary day ---------------------------------------------------------------


def test_a_window_starts_a_slot_at_its_start_and_steps_by_length_plus_buffer() -> None:
    availability = on(MONDAY, W("09:00", "12:00"), session_minutes=45, buffer_minutes=15)
    assert grid(availability, MONDAY) == slots(
        (local(MONDAY, 9), local(MONDAY, 9, 45)),
        (local(MONDAY, 10), local(MONDAY, 10, 45)),
        (local(MONDAY, 11), local(MONDAY, 11, 45)),
    )


def test_a_slot_ends_by_its_windows_end() -> None:
    availability = on(MONDAY, W("09:00", "11:30"), W("22:30", "24:00"))
    assert grid(availability, MONDAY) == slots(
        (local(MONDAY, 9), local(MONDAY, 10)),
        (local(MONDAY, 10), local(MONDAY, 11)),
        (local(MONDAY, 22, 30), local(MONDAY, 23, 30)),
    )


def test_touching_windows_are_one_window_before_the_grid_is_laid() -> None:
    # Apart, 09:00-10:30 and 10:30-12:00 would give 09:00 and 10:30; as one, three slots.
    availability = Availability(weekly={0: [W("09:00", "10:30"), W("10:30", "12:00")]})
    assert [slot.starts_at for slot in grid(availability, MONDAY)] == [
        local(MONDAY, 9),
        local(MONDAY, 10),
        local(MONDAY, 11),
    ]
    overlapping = Availability(weekly={0: [W("09:00", "11:00"), W("10:30", "12:00")]})
    assert grid(overlapping, MONDAY) == grid(availability, MONDAY)


def test_an_extra_window_joins_the_weekly_ones_and_a_day_off_keeps_only_its_extras() -> None:
    holiday = MONDAY + timedelta(days=7)
    availability = Availability(
        weekly={0: [W("09:00", "11:00")]},
        days_off={holiday},
        extra={MONDAY: [W("11:00", "12:00")], holiday: [W("19:00", "20:00")]},
    )
    assert [slot.starts_at for slot in grid(availability, MONDAY)] == [
        local(MONDAY, 9),
        local(MONDAY, 10),
        local(MONDAY, 11),
    ]
    assert grid(availability, holiday) == slots((local(holiday, 19), local(holiday, 20)))
    assert grid(availability, MONDAY + timedelta(days=1)) == []
    assert len(grid(availability, MONDAY + timedelta(days=14))) == 2


def test_the_slots_of_a_date_keep_the_buffer_across_windows_too() -> None:
    availability = on(
        MONDAY, W("09:00", "10:00"), W("10:10", "11:30"), session_minutes=60, buffer_minutes=15
    )
    # 10:10 is before 10:00 + 15 minutes; the window's next step, 11:25, does not fit.
    assert grid(availability, MONDAY) == slots((local(MONDAY, 9), local(MONDAY, 10)))


# The grid on the days the clock changes ----------------------------------------------------


def test_spring_forward_skips_the_hour_that_does_not_exist() -> None:
    availability = on(SPRING, W("01:00", "05:00"))
    # 01:00 +01:00, (02:00 does not exist), 03:00 +02:00, 04:00 +02:00; the first lasts an
    # hour of real time, to 03:00 +02:00.
    assert grid(availability, SPRING) == slots(
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)),
        (utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)),
        (utc(2026, 3, 29, 2), utc(2026, 3, 29, 3)),
    )


def test_spring_forward_drops_a_slot_that_would_overlap_the_one_before() -> None:
    availability = on(SPRING, W("01:30", "06:00"), session_minutes=90)
    # 01:30 +01:00 lasts to 04:00 +02:00; the grid's 03:00 +02:00 would start inside it.
    assert grid(availability, SPRING) == slots(
        (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 2)),
        (utc(2026, 3, 29, 2, 30), utc(2026, 3, 29, 4)),
    )
    with_buffer = on(SPRING, W("01:30", "05:00"), session_minutes=45, buffer_minutes=15)
    # 01:30 +01:00 to 01:15 UTC; 03:30 +02:00 (01:30 UTC) keeps the buffer; 04:30 +02:00
    # would end after the window.
    assert grid(with_buffer, SPRING) == slots(
        (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 15)),
        (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 15)),
    )


def test_a_window_that_ends_in_the_gap_ends_when_the_clock_jumps() -> None:
    availability = on(SPRING, W("00:00", "02:30"))
    assert grid(availability, SPRING) == slots(
        (utc(2026, 3, 28, 23), utc(2026, 3, 29, 0)),
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)),
    )
    starting_in_the_gap = on(SPRING, W("02:30", "04:00"), session_minutes=30)
    assert grid(starting_in_the_gap, SPRING) == slots(
        (utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30)),
        (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2)),
    )


def test_autumn_offers_the_twice_shown_hour_once_at_its_first_occurrence() -> None:
    availability = on(AUTUMN, W("01:00", "05:00"))
    # 01:00 +02:00, 02:00 +02:00 (not 02:00 +01:00), 03:00 +01:00, 04:00 +01:00.
    assert grid(availability, AUTUMN) == slots(
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0)),
        (utc(2026, 10, 25, 0), utc(2026, 10, 25, 1)),
        (utc(2026, 10, 25, 2), utc(2026, 10, 25, 3)),
        (utc(2026, 10, 25, 3), utc(2026, 10, 25, 4)),
    )


def test_autumn_a_window_ends_at_the_first_occurrence_of_its_end() -> None:
    # 02:30 first happens at 00:30 UTC; 02:00 +02:00 would last to 01:00 UTC.
    assert grid(on(AUTUMN, W("01:00", "02:30")), AUTUMN) == slots(
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0)),
    )
    # Starting inside the hour shown twice: 02:30 +02:00, then 03:00 and 03:30 +01:00.
    assert grid(on(AUTUMN, W("02:30", "04:00"), session_minutes=30), AUTUMN) == slots(
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1)),
        (utc(2026, 10, 25, 2), utc(2026, 10, 25, 2, 30)),
        (utc(2026, 10, 25, 2, 30), utc(2026, 10, 25, 3)),
    )


def test_a_session_lasts_real_time_over_the_change() -> None:
    # Two real hours from 01:00 +01:00 end at 04:00 +02:00, the window's end; 03:00 +02:00
    # would start inside that session.
    spring = on(SPRING, W("01:00", "04:00"), session_minutes=120)
    assert grid(spring, SPRING) == slots((utc(2026, 3, 29, 0), utc(2026, 3, 29, 2)))
    autumn = on(AUTUMN, W("01:30", "04:00"), session_minutes=120)
    # 01:30 +02:00 (23:30 UTC) to 01:30 UTC = 02:30 +01:00; 03:30 +01:00 would end after 04:00.
    assert grid(autumn, AUTUMN) == slots((utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 1, 30)))


# The filters -------------------------------------------------------------------------------

WEEKDAYS_9_TO_12 = Availability(
    weekly={day: [W("09:00", "12:00")] for day in range(5)}, notice=timedelta(0)
)


def starts(found: Iterable[Slot]) -> list[datetime]:
    return [slot.starts_at for slot in found]


def test_free_slots_start_in_the_range_asked_for() -> None:
    now = local(MONDAY, 7)
    found = free_slots(WEEKDAYS_9_TO_12, now=now, start=local(MONDAY, 10), end=local(MONDAY, 11))
    assert starts(found) == [local(MONDAY, 10)]
    whole_week = free_slots(WEEKDAYS_9_TO_12, now=now, start=now, end=now + timedelta(days=7))
    assert len(whole_week) == 15
    assert whole_week == sorted(whole_week)


def test_notice_keeps_slots_that_start_too_soon() -> None:
    availability = Availability(
        weekly={day: [W("09:00", "12:00")] for day in range(7)}, notice=timedelta(hours=24)
    )
    now = local(MONDAY, 10)
    found = free_slots(availability, now=now, start=now, end=now + timedelta(days=2))
    # Exactly the notice ahead is soon enough.
    assert starts(found) == [
        local(MONDAY + timedelta(days=1), 10),
        local(MONDAY + timedelta(days=1), 11),
        local(MONDAY + timedelta(days=2), 9),
    ]


def test_the_horizon_keeps_slots_too_far_ahead() -> None:
    availability = Availability(
        weekly={day: [W("09:00", "12:00")] for day in range(7)},
        notice=timedelta(0),
        horizon_days=1,
    )
    now = local(MONDAY, 10)
    found = free_slots(availability, now=now, start=now, end=now + timedelta(days=30))
    assert starts(found) == [
        local(MONDAY, 10),
        local(MONDAY, 11),
        local(MONDAY + timedelta(days=1), 9),
        local(MONDAY + timedelta(days=1), 10),  # exactly the horizon ahead
    ]


def test_a_taken_interval_keeps_the_buffer_on_both_sides() -> None:
    availability = on(MONDAY, W("09:00", "13:00"), buffer_minutes=15, notice=timedelta(0))
    now = local(MONDAY, 7)

    def free(*taken: tuple[datetime, datetime]) -> list[datetime]:
        return starts(
            free_slots(availability, now=now, start=now, end=now + timedelta(days=1), taken=taken)
        )

    assert free() == [local(MONDAY, 9), local(MONDAY, 10, 15), local(MONDAY, 11, 30)]
    # A booked slot takes itself only.
    assert free((local(MONDAY, 10, 15), local(MONDAY, 11, 15))) == [
        local(MONDAY, 9),
        local(MONDAY, 11, 30),
    ]
    # A calendar entry from 11:15 to 11:20 is within the buffer of 10:15 and of 11:30.
    assert free((local(MONDAY, 11, 15), local(MONDAY, 11, 20))) == [local(MONDAY, 9)]
    # Touching a slot's buffer is fine: 08:30-08:45 before 09:00, 12:45-13:00 after 11:30.
    assert (
        free(
            (local(MONDAY, 8, 30), local(MONDAY, 8, 45)),
            (local(MONDAY, 12, 45), local(MONDAY, 13)),
        )
        == free()
    )


def test_touching_a_taken_interval_without_a_buffer_is_fine() -> None:
    availability = on(MONDAY, W("09:00", "12:00"), notice=timedelta(0))
    now = local(MONDAY, 7)
    found = free_slots(
        availability,
        now=now,
        start=now,
        end=now + timedelta(days=1),
        taken=[(local(MONDAY, 10), local(MONDAY, 11))],
    )
    assert starts(found) == [local(MONDAY, 9), local(MONDAY, 11)]


def test_a_date_with_max_per_day_sessions_offers_none() -> None:
    availability = Availability(
        weekly={0: [W("09:00", "12:00")], 1: [W("09:00", "12:00")]},
        notice=timedelta(0),
        max_per_day=2,
    )
    now = local(MONDAY, 7)
    tuesday = MONDAY + timedelta(days=1)

    def free(booked: dict[date, int]) -> list[datetime]:
        return starts(
            free_slots(
                availability,
                now=now,
                start=now,
                end=now + timedelta(days=2),
                booked_per_day=booked,
            )
        )

    assert len(free({})) == 6
    assert free({MONDAY: 2}) == [local(tuesday, 9), local(tuesday, 10), local(tuesday, 11)]
    assert len(free({MONDAY: 1, tuesday: 1})) == 6
    assert free({MONDAY: 3, tuesday: 2}) == []
    unlimited = Availability(weekly={0: [W("09:00", "12:00")]}, notice=timedelta(0))
    assert (
        len(
            free_slots(
                unlimited,
                now=now,
                start=now,
                end=now + timedelta(days=1),
                booked_per_day={MONDAY: 99},
            )
        )
        == 3
    )


def test_offered_slot_checks_one_chosen_start() -> None:
    now = local(MONDAY, 7)
    taken = TakenTimes.of([(local(MONDAY, 10), local(MONDAY, 11))])
    assert offered_slot(WEEKDAYS_9_TO_12, local(MONDAY, 9), now=now, taken=taken) == Slot(
        local(MONDAY, 9), local(MONDAY, 10)
    )
    assert offered_slot(WEEKDAYS_9_TO_12, local(MONDAY, 10), now=now, taken=taken) is None
    assert offered_slot(WEEKDAYS_9_TO_12, local(MONDAY, 9, 30), now=now) is None
    assert offered_slot(WEEKDAYS_9_TO_12, local(MONDAY, 9) + timedelta(seconds=1), now=now) is None
    assert offered_slot(WEEKDAYS_9_TO_12, local(MONDAY, 9), now=local(MONDAY, 9, 1)) is None
    assert (
        offered_slot(WEEKDAYS_9_TO_12, local(MONDAY, 9), now=now, booked_per_day={MONDAY: 1})
        is not None
    )


def test_taken_times_are_merged_and_need_aware_datetimes() -> None:
    taken = TakenTimes.of(
        [
            (utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)),
            (utc(2026, 6, 1, 8), utc(2026, 6, 1, 9)),
            (utc(2026, 6, 1, 9), utc(2026, 6, 1, 9, 30)),
            (utc(2026, 6, 1, 12), utc(2026, 6, 1, 12)),  # empty
        ]
    )
    assert taken == TakenTimes(
        (utc(2026, 6, 1, 8), utc(2026, 6, 1, 10)), (utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 11))
    )
    assert taken.clear_of(utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 10), timedelta(0))
    assert not taken.clear_of(utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 10), timedelta(minutes=1))
    with pytest.raises(ValueError, match="aware"):
        TakenTimes.of([(datetime(2026, 6, 1, 8), utc(2026, 6, 1, 9))])  # noqa: DTZ001
    naive = datetime(2026, 6, 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        free_slots(WEEKDAYS_9_TO_12, now=naive, start=utc(2026, 6, 1), end=utc(2026, 6, 2))


def test_a_slot_is_utc_ends_after_it_starts_and_orders_by_start() -> None:
    slot = Slot(local(MONDAY, 9).astimezone(amsterdam()), local(MONDAY, 10))
    assert slot.starts_at.tzinfo is UTC
    assert sorted([Slot(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)), slot]) == [
        slot,
        Slot(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)),
    ]
    with pytest.raises(ValueError, match="ends after"):
        Slot(utc(2026, 6, 1, 10), utc(2026, 6, 1, 10))


# The filters against a plain reading of them -------------------------------------------------

_T0 = utc(2026, 3, 20)
instants = st.integers(0, 60 * 24 * 20 // 5).map(lambda n: _T0 + timedelta(minutes=5 * n))


@st.composite
def intervals(draw: st.DrawFn) -> tuple[datetime, datetime]:
    start = draw(instants)
    return start, start + timedelta(minutes=5 * draw(st.integers(0, 48)))


@settings(max_examples=150, derandomize=True, deadline=None)
@given(data=st.data())
def test_free_slots_are_the_grid_slots_each_filter_lets_through(data: st.DataObject) -> None:
    buffer = data.draw(st.sampled_from([0, 10, 15, 30]), label="buffer")
    max_per_day = data.draw(st.none() | st.integers(1, 4), label="max_per_day")
    now = data.draw(instants, label="now")
    start, end = sorted(data.draw(st.tuples(instants, instants), label="span"))
    taken = data.draw(st.lists(intervals(), max_size=12), label="taken")
    booked = data.draw(
        st.dictionaries(st.dates(date(2026, 3, 19), date(2026, 4, 11)), st.integers(0, 5)),
        label="booked",
    )
    # Every day, the hours around both clock changes; 20 days from 20 March hold the spring one.
    availability = Availability(
        weekly={day: [W("00:30", "04:00"), W("09:00", "12:30")] for day in range(7)},
        session_minutes=50,
        buffer_minutes=buffer,
        notice=timedelta(minutes=data.draw(st.integers(0, 72 * 60), label="notice")),
        horizon_days=data.draw(st.integers(1, 20), label="horizon"),
        max_per_day=max_per_day,
    )
    margin = timedelta(minutes=buffer)
    expected = []
    day = date(2026, 3, 19)
    while day <= date(2026, 4, 11):
        if max_per_day is None or booked.get(day, 0) < max_per_day:
            expected += [
                slot
                for slot in grid(availability, day)
                if start <= slot.starts_at < end
                and now + availability.notice <= slot.starts_at <= now + availability.horizon
                and all(
                    not (slot.starts_at - margin < busy_end and busy_start < slot.ends_at + margin)
                    for busy_start, busy_end in taken
                    if busy_start < busy_end
                )
            ]
        day += timedelta(days=1)
    found = free_slots(
        availability, now=now, start=start, end=end, taken=taken, booked_per_day=booked
    )
    assert found == expected
    for slot in found:
        assert (
            offered_slot(availability, slot.starts_at, now=now, taken=taken, booked_per_day=booked)
            == slot
        )
