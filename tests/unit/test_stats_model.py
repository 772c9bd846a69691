"""The statistics' small parts: counters, months and what an appointment contributes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from onzecoach.stats import Counters, contribution
from onzecoach.stats._model import COUNTER_FIELDS, last_day, month_key, month_label, months
from onzecoach.trajectories import Appointment, AppointmentMode, AppointmentStatus

COUNTERS = st.builds(Counters, *(st.integers(-1000, 1000) for _ in COUNTER_FIELDS))


def test_values_are_the_fields_in_order() -> None:
    counters = Counters(*range(1, len(COUNTER_FIELDS) + 1))
    assert counters.values() == tuple(getattr(counters, name) for name in COUNTER_FIELDS)


@given(a=COUNTERS, b=COUNTERS)
def test_adding_and_subtracting_work_field_by_field(a: Counters, b: Counters) -> None:
    assert (a + b) - b == a
    assert (a + b).values() == tuple(x + y for x, y in zip(a.values(), b.values(), strict=True))
    assert (a - a).is_zero()


@given(first=st.dates(date(2000, 1, 1), date(2040, 1, 1)), span=st.integers(0, 400))
def test_months_lists_every_month_once_in_order(first: date, span: int) -> None:
    last = date.fromordinal(first.toordinal() + span)
    found = months(month_key(first), month_key(last))
    assert found == sorted(set(found))
    assert found[0] == month_key(first)
    assert found[-1] == month_key(last)
    assert all(month_label(m)[4] == "-" and 1 <= m % 100 <= 12 for m in found)
    assert last_day(found[-1]) >= last
    assert last_day(found[-1]).month == last.month


def test_a_held_session_counts_its_mode_and_theme_in_the_amsterdam_month() -> None:
    moment = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # 1 February in Amsterdam
    held = Appointment(
        id="a",
        trajectory_id="t",
        employer_id="e",
        employee_id="p",
        external_id="x",
        starts_at=moment,
        created_at=moment,
        updated_at=moment,
        status=AppointmentStatus.HELD,
        mode=AppointmentMode.ONLINE,
        theme="Werkdruk",
        department_id="d",
    )
    part = contribution(appointments=[held])
    assert part.months == {("d", 202602): Counters(held=1, online=1, themed=1)}
    assert part.themes == {("d", 202602, "Werkdruk"): 1}
