"""A coach's availability: its canonical form, its checks, and its data round trip."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onzecoach import ValidationError
from onzecoach.coaches import (
    FIRST_DATE,
    LAST_DATE,
    MAX_DATES,
    MAX_WINDOWS_PER_DAY,
    WEEKDAYS,
    Availability,
    Window,
    merged,
)

W = Window.of


# Windows ---------------------------------------------------------------------------------


def test_a_window_is_minutes_since_local_midnight() -> None:
    assert W("09:00", "17:30") == Window(540, 1050)
    assert W("9:00", "17:30:00") == Window(540, 1050)
    assert W(time(9), time(17, 30)) == Window(540, 1050)
    assert W("22:00", "24:00") == Window(1320, 1440)
    assert W("00:00", "00:15").as_data() == ["00:00", "00:15"]
    assert str(W("22:00", "24:00")) == "22:00-24:00"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("17:00", "09:00"),
        ("09:00", "09:00"),
        ("24:00", "24:00"),
        ("09:00", "24:01"),
        ("9", "10:00"),
        ("09:00", "10:00:30"),
        (time(9, 0, 30), time(10)),
        ("25:00", "26:00"),
    ],
)
def test_a_window_refuses_what_is_no_span_of_one_day(start: Any, end: Any) -> None:
    with pytest.raises(ValueError, match=r"window|clock time"):
        W(start, end)


def test_a_window_takes_whole_minutes_only() -> None:
    with pytest.raises(TypeError):
        Window(True, 60)
    with pytest.raises(TypeError):
        Window(1.5, 60)  # type: ignore[arg-type]


def test_merged_joins_overlapping_and_touching_windows_and_sorts_them() -> None:
    windows = [W("13:00", "17:00"), W("09:00", "10:30"), W("10:30", "12:00"), W("09:30", "10:00")]
    assert merged(windows) == (W("09:00", "12:00"), W("13:00", "17:00"))
    assert merged([W("09:00", "12:00"), W("10:00", "11:00")]) == (W("09:00", "12:00"),)
    assert merged([W("09:00", "11:00"), W("10:00", "12:00")]) == (W("09:00", "12:00"),)
    assert merged([W("09:00", "10:00"), W("10:01", "11:00")]) == (
        W("09:00", "10:00"),
        W("10:01", "11:00"),
    )
    assert merged([]) == ()


# The availability ------------------------------------------------------------------------

MONDAY = date(2026, 6, 1)


def test_an_availability_keeps_one_canonical_form() -> None:
    one = Availability(
        weekly={0: [W("10:30", "12:00"), W("09:00", "10:30")]},
        extra={MONDAY: [W("18:00", "19:00")], date(2026, 6, 2): []},
    )
    other = Availability(
        weekly=[[W("09:00", "12:00")], [], [], [], [], [], []],
        extra={MONDAY: [W("18:00", "19:00")]},
    )
    assert one == other
    assert hash(one) == hash(other)
    assert one.weekly[0] == (W("09:00", "12:00"),)
    assert dict(one.extra) == {MONDAY: (W("18:00", "19:00"),)}
    # The defaults the issue names.
    assert (one.session_minutes, one.buffer_minutes, one.notice) == (60, 0, timedelta(hours=24))
    assert (one.horizon_days, one.horizon, one.max_per_day) == (56, timedelta(days=56), None)


def test_a_days_windows_are_its_weekly_ones_unless_off_and_its_extra_ones() -> None:
    holiday, tuesday = MONDAY + timedelta(days=7), MONDAY + timedelta(days=1)
    availability = Availability(
        weekly={0: [W("09:00", "12:00")], 1: [W("09:00", "12:00")]},
        days_off={holiday, tuesday},
        extra={MONDAY: [W("11:00", "14:00")], holiday: [W("19:00", "21:00")]},
    )
    assert availability.windows_on(MONDAY) == (W("09:00", "14:00"),)
    assert availability.windows_on(holiday) == (W("19:00", "21:00"),)
    assert availability.windows_on(tuesday) == ()
    assert availability.windows_on(MONDAY + timedelta(days=14)) == (W("09:00", "12:00"),)
    assert availability.windows_on(MONDAY + timedelta(days=2)) == ()


@pytest.mark.parametrize(
    "values",
    [
        {"session_minutes": 14},
        {"session_minutes": 241},
        {"session_minutes": True},
        {"buffer_minutes": -1},
        {"buffer_minutes": 121},
        {"notice": timedelta(days=30, minutes=1)},
        {"notice": timedelta(seconds=30)},
        {"notice": timedelta(minutes=-1)},
        {"horizon_days": 0},
        {"horizon_days": 366},
        {"max_per_day": 0},
        {"max_per_day": 25},
        {"days_off": {date(1999, 12, 31)}},
        {"days_off": {datetime(2026, 6, 1)}},  # noqa: DTZ001 - a datetime is no date
        {"extra": {date(2100, 1, 1): [W("09:00", "10:00")]}},
        {"weekly": [[]] * 6},
        {"weekly": {7: []}},
        {"weekly": {0: [Window(start, start + 1) for start in range(0, 50, 2)]}},
        {"days_off": {FIRST_DATE + timedelta(days=n) for n in range(MAX_DATES + 1)}},
    ],
)
def test_an_availability_refuses_values_out_of_range(values: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Availability(**values)


def test_the_bounds_themselves_are_allowed() -> None:
    Availability(session_minutes=15, buffer_minutes=0, notice=timedelta(0), horizon_days=1)
    Availability(
        session_minutes=240,
        buffer_minutes=120,
        notice=timedelta(days=30),
        horizon_days=365,
        max_per_day=24,
        days_off={FIRST_DATE, LAST_DATE},
    )


# Checking a form -------------------------------------------------------------------------


def test_checked_reads_the_form_a_web_page_or_json_sends() -> None:
    availability = Availability.checked(
        {
            "weekly": {
                "monday": [["09:00", "12:00"], ["13:00", "17:00"]],
                "wednesday": ["9:00-12:00", ("11:30", "12:30")],
                "friday": [[time(8), "24:00"]],
                "sunday": [],
            },
            "days_off": ["2026-12-25", date(2026, 12, 26)],
            "extra": {"2026-12-27": [["10:00", "14:00"]], date(2026, 12, 28): []},
            "session_minutes": "45",
            "buffer_minutes": 15,
            "notice_minutes": " 120 ",
            "horizon_days": 28,
            "max_per_day": "",
        }
    )
    assert availability == Availability(
        weekly={
            0: [W("09:00", "12:00"), W("13:00", "17:00")],
            2: [W("09:00", "12:30")],
            4: [W("08:00", "24:00")],
        },
        days_off={date(2026, 12, 25), date(2026, 12, 26)},
        extra={date(2026, 12, 27): [W("10:00", "14:00")]},
        session_minutes=45,
        buffer_minutes=15,
        notice=timedelta(hours=2),
        horizon_days=28,
        max_per_day=None,
    )


def test_checked_gives_the_defaults_for_what_is_left_out() -> None:
    assert Availability.checked({}) == Availability()
    assert Availability.checked({"session_minutes": None, "max_per_day": None}) == Availability()
    assert Availability.checked({"max_per_day": "3"}).max_per_day == 3


def test_checked_names_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        Availability.checked(
            {
                "weekly": {
                    "monday": [["17:00", "09:00"]],
                    "tuesday": [["9 uur", "12:00"]],
                    "wednesday": "09:00-12:00",
                    "maandag": [],
                },
                "days_off": ["2026-02-30"],
                "extra": {"2026-12-27": [["10:00", "25:00"]], "morgen": []},
                "session_minutes": 10,
                "buffer_minutes": "een kwartier",
                "notice_minutes": 30 * 24 * 60 + 1,
                "horizon_days": 0,
                "max_per_day": 0,
                "colour": "blue",
            }
        )
    assert caught.value.code == "validation.invalid"
    assert caught.value.codes == {
        "colour": "unknown_field",
        "weekly.monday": "before_start",
        "weekly.tuesday": "invalid",
        "weekly.wednesday": "invalid",
        "weekly.maandag": "unknown_field",
        "days_off": "invalid",
        "extra.2026-12-27": "invalid",
        "extra": "invalid",
        "session_minutes": "out_of_range",
        "buffer_minutes": "out_of_range",
        "notice_minutes": "out_of_range",
        "horizon_days": "out_of_range",
        "max_per_day": "out_of_range",
    }
    errors = caught.value.errors
    assert errors["weekly.monday"] == "Een eindtijd moet na de begintijd liggen."
    assert errors["session_minutes"] == "Kies een gespreksduur van 15 tot en met 240 minuten."
    assert errors["max_per_day"] == (
        "Kies een maximum van 1 tot en met 24 gesprekken per dag, of laat het leeg."
    )


def test_checked_bounds_what_a_form_may_send() -> None:
    many_windows = [[f"{hour:02d}:00", f"{hour:02d}:30"] for hour in range(24)] + [
        ["23:40", "23:50"]
    ]
    many_dates = [(FIRST_DATE + timedelta(days=n)).isoformat() for n in range(MAX_DATES + 1)]
    with pytest.raises(ValidationError) as caught:
        Availability.checked(
            {
                "weekly": {"monday": many_windows},
                "days_off": many_dates,
                "extra": {day: [] for day in many_dates},
            }
        )
    assert caught.value.codes == {
        "weekly.monday": "too_long",
        "days_off": "too_long",
        "extra": "too_long",
    }
    assert caught.value.errors["weekly.monday"] == (
        f"Geef hoogstens {MAX_WINDOWS_PER_DAY} tijdvakken per dag."
    )
    with pytest.raises(ValidationError) as caught:
        Availability.checked({"days_off": ["1999-12-31"], "extra": {"2100-01-01": []}})
    assert caught.value.codes == {"days_off": "out_of_range", "extra": "out_of_range"}
    assert (
        caught.value.errors["days_off"] == "Kies vrije dagen van 01-01-2000 tot en met 31-12-2099."
    )


@pytest.mark.parametrize(
    "data",
    [None, [], "weekly", {"weekly": [[]] * 7}, {"days_off": "2026-12-25"}, {"extra": []}],
)
def test_checked_refuses_what_is_no_mapping_where_one_is_asked(data: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Availability.checked(data)
    assert set(caught.value.codes.values()) == {"invalid"}


# The data form ---------------------------------------------------------------------------


def test_to_data_is_the_documented_json() -> None:
    availability = Availability(
        weekly={0: [W("09:00", "12:00")], 6: [W("20:00", "24:00")]},
        days_off={date(2026, 12, 25)},
        extra={date(2026, 12, 27): [W("10:00", "14:00")]},
        session_minutes=45,
        notice=timedelta(hours=2),
        max_per_day=4,
    )
    assert availability.to_data() == {
        "weekly": {
            "monday": [["09:00", "12:00"]],
            **{name: [] for name in WEEKDAYS[1:6]},
            "sunday": [["20:00", "24:00"]],
        },
        "days_off": ["2026-12-25"],
        "extra": {"2026-12-27": [["10:00", "14:00"]]},
        "session_minutes": 45,
        "buffer_minutes": 0,
        "notice_minutes": 120,
        "horizon_days": 56,
        "max_per_day": 4,
    }


@pytest.mark.parametrize(
    "data",
    [
        {"days_off": ["20261225"]},
        {"extra": {"2026-12-27": [["10:00"]]}},
        {"session_minutes": 5},
        {"weekly": {"monday": [["12:00", "09:00"]]}},
    ],
)
def test_from_data_refuses_what_to_data_cannot_have_written(data: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Availability.from_data(data)


minutes = st.integers(0, 24 * 60)
windows = (
    st.tuples(minutes, minutes)
    .filter(lambda pair: pair[0] != pair[1])
    .map(lambda pair: Window(min(pair), max(pair)))
)
day_windows = st.lists(windows, max_size=5)
dates = st.dates(FIRST_DATE, LAST_DATE)
availabilities = st.builds(
    Availability,
    weekly=st.lists(day_windows, min_size=7, max_size=7),
    days_off=st.frozensets(dates, max_size=10),
    extra=st.dictionaries(dates, day_windows, max_size=10),
    session_minutes=st.integers(15, 240),
    buffer_minutes=st.integers(0, 120),
    notice=st.integers(0, 30 * 24 * 60).map(lambda n: timedelta(minutes=n)),
    horizon_days=st.integers(1, 365),
    max_per_day=st.none() | st.integers(1, 24),
)


@settings(max_examples=100)
@given(availability=availabilities)
def test_the_data_form_round_trips_through_json(availability: Availability) -> None:
    data = availability.to_data()
    assert json.loads(json.dumps(data)) == data
    assert Availability.from_data(data) == availability
    assert Availability.checked(data) == availability
    assert Availability.checked(json.loads(json.dumps(data))) == availability


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
clock_texts = st.sampled_from(["09:00", "24:00", "9:5", "17:00:00", "", "-", "12:00-13:00"])
near_forms = st.fixed_dictionaries(
    {},
    optional={
        "weekly": st.dictionaries(
            st.sampled_from([*WEEKDAYS, "maandag"]),
            json_values | st.lists(st.lists(clock_texts, max_size=3) | clock_texts, max_size=4),
        )
        | json_values,
        "days_off": st.lists(st.dates().map(date.isoformat) | st.dates() | json_values, max_size=4)
        | json_values,
        "extra": st.dictionaries(
            st.dates(FIRST_DATE, LAST_DATE).map(date.isoformat) | st.dates(FIRST_DATE, LAST_DATE),
            st.lists(st.lists(clock_texts, max_size=3), max_size=30),
            max_size=4,
        )
        | json_values,
        "session_minutes": json_values | st.integers(0, 300).map(str),
        "buffer_minutes": json_values,
        "notice_minutes": json_values,
        "horizon_days": json_values,
        "max_per_day": json_values,
        "colour": json_values,
    },
)


@settings(max_examples=300)
@given(data=near_forms | json_values)
def test_any_input_is_either_an_availability_or_a_validation_error(data: object) -> None:
    refused: ValidationError | None = None
    try:
        availability = Availability.checked(data)
    except ValidationError as error:
        refused = error
    if refused is None:
        assert Availability.checked(availability.to_data()) == availability
    else:
        assert all(refused.codes.values())


def test_a_date_written_twice_has_the_windows_of_both() -> None:
    day = date(2026, 12, 27)
    availability = Availability.checked(
        {"extra": {day.isoformat(): [["09:00", "10:00"]], day: [["10:00", "11:00"]]}}
    )
    assert dict(availability.extra) == {day: (W("09:00", "11:00"),)}
    halves = [[f"{hour:02d}:00", f"{hour:02d}:30"] for hour in range(24)]
    with pytest.raises(ValidationError) as caught:
        Availability.checked({"extra": {"2026-12-27": halves, day: [["23:40", "23:50"]]}})
    assert caught.value.codes == {"extra.2026-12-27": "too_long"}
