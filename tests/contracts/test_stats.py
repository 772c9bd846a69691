"""The statistics dashboard on every storage: rollups against the raw data, privacy, scopes."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from onzecoach import Actor, Conflict, NotFound, Portal, QuotaExceeded, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.errors import StorageError, ValidationError
from onzecoach.stats import NO_DEPARTMENT, Dashboard, Level
from onzecoach.testing import RecordingMailer
from stats_oracle import Raw, children, expected_themes, figures
from support import BrokenStorage

FIGURES = (
    "held_sessions",
    "planned_sessions",
    "cancelled_sessions",
    "no_show_sessions",
    "late_cancelled_sessions",
    "live_sessions",
    "online_sessions",
    "trajectories_started",
    "trajectories_completed",
    "average_trajectory_days",
    "extensions_started",
)
#: Themes as a booking system may send them: by name, by code, in other case and accents.
THEMES = ("Werkdruk", "werkdruk", "Loopbaan", "CONFLICT", "balans werk-prive", "Re-integratie")


def person(n: int, department_id: str | None = None) -> dict[str, object]:
    return {
        "last_name": f"Jansen{chr(97 + n % 26)}",
        "given_name": "Piet" + "abcdefghijklmnopqrstuvwxyz"[n % 26] * (1 + n // 26),
        "initials": "P",
        "gender": "man",
        "birth_date": date(1980, 1, 1) + timedelta(days=n),
        "email": f"p{n}@example.nl",
        "department_id": department_id,
        "registration_type": "OnzeCoach",
    }


def hr_of(portal: Portal, name: str) -> Actor:
    employer = portal.admin.create_employer(SERVICE_DESK, f"{name} {uuid.uuid4().hex[:8]}")
    return Actor(user_id=f"hr-{employer.id[-8:]}", employer_id=employer.id, role=Role.HR)


def at(month: int, day: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def coached(
    portal: Portal,
    hr: Actor,
    department_id: str | None,
    n: int,
    *,
    held: int = 1,
    theme: str = "Werkdruk",
) -> str:
    """Register an employee and record ``held`` held sessions in March 2026."""
    employee = portal.employees.register(hr, person(n, department_id))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-5", start_date=date(2026, 3, 1)
    )
    for k in range(held):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id=f"{employee.id}-{k}",
            starts_at=at(3, 2 + k),
            status="held",
            mode="live",
            theme=theme,
        )
    return employee.id


def same_figures(dashboard: Dashboard | Any, expected: Any) -> None:
    for name in FIGURES:
        assert getattr(dashboard, name) == getattr(expected, name), name


# Must hold 1: the rollups equal the raw data after any sequence of writes --------------------

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["start", "record", "record", "record", "close", "move", "extend"]),
        st.integers(0, 5),  # which employee
        st.integers(0, 7),  # which appointment of the employee
        st.sampled_from(["planned", "held", "held", "cancelled", "no_show", "late_cancelled"]),
        st.sampled_from(["live", "online"]),
        st.sampled_from([None, *THEMES]),
        st.sampled_from([-3, -1, 0, 0, 0, 0, 1, 3]),  # month offset from March 2026
    ),
    min_size=1,
    max_size=25,
)


RANGES = st.lists(st.tuples(st.integers(-4, 4), st.integers(0, 8)), max_size=2)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS, ranges=RANGES, misses_count=st.booleans())
def test_the_dashboard_equals_the_figures_recomputed_from_raw_appointments(
    portal: Portal,
    actions: list[tuple[Any, ...]],
    ranges: list[tuple[int, int]],
    misses_count: bool,
) -> None:
    hr = hr_of(portal, "Acme")
    employer = hr.employer_id or ""
    # Whether no-shows and late cancellations use sessions decides when trajectories close.
    portal.admin.set_employer_policy(
        SERVICE_DESK,
        employer,
        late_cancellations_count=misses_count,
        no_shows_count=misses_count,
    )
    departments = [
        portal.admin.add_department(SERVICE_DESK, employer, f"Afdeling {i}").id for i in range(2)
    ]
    places = [departments[0], departments[0], departments[1], None, departments[1], None]
    employees = [portal.employees.register(hr, person(i, places[i])).id for i in range(6)]
    for action in actions:
        act(portal, hr, employees[action[1]], departments, action)
    check_every_scope(portal, hr, departments, employees, ranges)


def act(
    portal: Portal,
    hr: Actor,
    employee_id: str,
    departments: list[str],
    action: tuple[Any, ...],
) -> None:
    """One random write as the booking side or HR would do it; refusals are part of life."""
    kind, _, which, status, mode, theme, offset = action
    dossier = portal.employees.dossier(hr, employee_id)
    latest = dossier.trajectories[0] if dossier.trajectories else None
    try:
        if kind == "start":
            portal.trajectories.start(
                hr, employee_id, type_code="ONC-IND-4", start_date=date(2026, 2, 1 + which)
            )
        elif kind == "record" and latest is not None:
            month = 3 + offset
            portal.trajectories.record_appointment(
                SERVICE_DESK,
                latest.id,
                external_id=f"{employee_id}-{which}",
                starts_at=at(month if month > 0 else month + 12, 1 + which, 2026 - (month < 1)),
                status=status,
                mode=mode,
                theme=theme,
            )
        elif kind == "close" and latest is not None:
            portal.trajectories.close(hr, latest.id)
        elif kind == "move":
            target = [*departments, None][which % 3]
            portal.employees.update(hr, employee_id, {"department_id": target})
        elif kind == "extend" and latest is not None:
            task = portal.trajectories.request_extension(SERVICE_DESK, latest.id, note="meer")
            portal.tasks.approve(hr, task.id, start_date=date(2026, 3, 20))
    except (Conflict, QuotaExceeded):
        pass


def check_every_scope(
    portal: Portal,
    hr: Actor,
    departments: list[str],
    employees: list[str],
    ranges: list[tuple[int, int]],
) -> None:
    employer = hr.employer_id or ""
    raw = Raw.read(portal.storage)
    minimum = portal.settings.privacy_min_group
    for low, length in [(-1, 3), *ranges]:
        start = date(2026 + (2 + low) // 12, (2 + low) % 12 + 1, 1)
        end = start + timedelta(days=31 * length)
        scopes: list[dict[str, Any]] = [
            {},
            *({"department_id": d} for d in [*departments, NO_DEPARTMENT]),
            *({"employee_id": e} for e in employees),
        ]
        for scope in scopes:
            dashboard = portal.stats.dashboard(hr, start=start, end=end, page_size=100, **scope)
            expected = figures(raw, start, end, employer_id=employer, **scope)
            same_figures(dashboard, expected)
            assert dashboard.sessions_per_month == expected.sessions_per_month
            if "employee_id" in scope:
                assert dashboard.themes is None
                assert dashboard.rows == ()
                continue
            # Breakdown: one row per child with any activity, the same figures per row.
            parent = scope.get("department_id")
            keys = children(raw, employer_id=employer, department_id=parent)
            per_child = {
                key: figures(
                    raw,
                    start,
                    end,
                    employer_id=employer,
                    **(
                        {"department_id": key}
                        if parent is None
                        else {"department_id": parent, "employee_id": key}
                    ),
                )
                for key in keys
            }
            active = {k: f for k, f in per_child.items() if any(getattr(f, n) for n in FIGURES)}
            assert {row.key for row in dashboard.rows} == set(active)
            assert dashboard.total_rows == len(active)
            for row in dashboard.rows:
                same_figures(row, active[row.key])
            helds = [row.held_sessions for row in dashboard.rows]
            assert helds == sorted(helds, reverse=True)
            # Themes: only of the months with enough people, and for a department only
            # where the employer's total would not give a smaller department away.
            assert dashboard.themes == expected_themes(
                raw, start, end, minimum, employer_id=employer, department_id=parent
            )
            event(f"themes {'shown' if dashboard.themes else 'hidden or none'}")

    # The service desk's view of every employer agrees with the raw data as well.
    start, end = date(2025, 12, 1), date(2026, 6, 30)
    everything = portal.stats.dashboard(SERVICE_DESK, start=start, end=end, page_size=100)
    same_figures(everything, figures(raw, start, end))
    assert everything.themes == expected_themes(raw, start, end, minimum)
    desk = portal.stats.dashboard(SERVICE_DESK, start=start, end=end, employer_id=employer)
    same_figures(desk, figures(raw, start, end, employer_id=employer))
    assert everything.total_rows == sum(
        any(getattr(figures(raw, start, end, employer_id=e), n) for n in FIGURES)
        for e in children(raw)
    )

    # A rebuild from the raw data gives the same dashboard.
    before = portal.stats.dashboard(hr, start=start, end=end, page_size=100)
    portal.stats.rebuild(SERVICE_DESK, employer_id=employer)
    assert portal.stats.dashboard(hr, start=start, end=end, page_size=100) == before
    again = portal.stats.dashboard(SERVICE_DESK, start=start, end=end, page_size=100)
    same_figures(again, everything)
    assert (again.sessions_per_month, again.themes) == (
        everything.sessions_per_month,
        everything.themes,
    )


# Must hold 2: themes need a group of at least three, and never show per employee -----------


def test_themes_show_for_three_employees_not_for_two_and_never_per_employee(
    portal: Portal,
) -> None:
    hr = hr_of(portal, "Privacy")
    employer = hr.employer_id or ""
    small = portal.admin.add_department(SERVICE_DESK, employer, "Klein").id
    first = coached(portal, hr, small, 1, theme="re-integratie")
    coached(portal, hr, small, 2, held=2, theme="Werkdruk")
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}

    # Three sessions of one person are still one person.
    solo = hr_of(portal, "Solo")
    lone = portal.admin.add_department(SERVICE_DESK, solo.employer_id or "", "Alleen").id
    coached(portal, solo, lone, 9, held=3)
    assert portal.stats.dashboard(solo, department_id=lone, **march).themes is None
    assert portal.stats.dashboard(solo, **march).themes is None

    two = portal.stats.dashboard(hr, department_id=small, **march)
    assert two.held_sessions == 3
    assert two.themes is None
    assert two.themes_note is not None
    assert "minstens 3" in two.themes_note

    coached(portal, hr, small, 3, theme="Werkdruk")
    three = portal.stats.dashboard(hr, department_id=small, **march)
    assert three.themes == {"Werkdruk": 3, "Re-integratie": 1}
    assert three.themes_note is None
    # The breakdown by employee never shows a theme, whatever the group's size.
    assert three.row_level is Level.EMPLOYEE
    assert len(three.rows) == 3
    one = portal.stats.dashboard(hr, employee_id=first, **march)
    assert one.held_sessions == 1
    assert one.themes is None
    # The employer's own figure counts the same three people.
    assert portal.stats.dashboard(hr, **march).themes == {"Werkdruk": 3, "Re-integratie": 1}


def test_a_small_group_cannot_be_worked_out_by_subtraction(portal: Portal) -> None:
    hr = hr_of(portal, "Aftrekken")
    employer = hr.employer_id or ""
    big, medium, tiny = (
        portal.admin.add_department(SERVICE_DESK, employer, name).id
        for name in ("Groot", "Middel", "Mini")
    )
    n = 0
    for department, people in ((big, 5), (medium, 3), (tiny, 1)):
        for _ in range(people):
            n += 1
            coached(
                portal, hr, department, n, theme="Loopbaan" if department == tiny else "Werkdruk"
            )
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    themes = {
        name: portal.stats.dashboard(hr, department_id=department, **march).themes
        for name, department in (("Groot", big), ("Middel", medium), ("Mini", tiny))
    }
    # Mini (1 person) is hidden; hiding it alone would let "the employer's total minus the
    # others" reveal it, so the next smallest group, Middel, is hidden too.
    assert themes == {"Groot": {"Werkdruk": 5}, "Middel": None, "Mini": None}
    assert portal.stats.dashboard(hr, **march).themes == {"Werkdruk": 8, "Loopbaan": 1}


def test_privacy_minimum_is_a_setting(storage: Any, clock: Any, mailer: Any) -> None:
    from support import make_settings  # noqa: PLC0415

    portal = Portal(
        storage=storage, mailer=mailer, clock=clock, settings=make_settings(privacy_min_group=2)
    )
    hr = hr_of(portal, "Twee")
    department = portal.admin.add_department(SERVICE_DESK, hr.employer_id or "", "Duo").id
    coached(portal, hr, department, 1)
    coached(portal, hr, department, 2)
    dashboard = portal.stats.dashboard(
        hr, department_id=department, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert dashboard.themes == {"Werkdruk": 2}


# The dashboard's shape, scopes and tenancy -------------------------------------------------


def test_months_without_sessions_show_as_zero_and_the_range_is_whole_months(
    portal: Portal,
) -> None:
    hr = hr_of(portal, "Maanden")
    coached(portal, hr, None, 1, held=2)
    dashboard = portal.stats.dashboard(hr, start=date(2026, 1, 15), end=date(2026, 4, 2))
    assert dashboard.start == date(2026, 1, 1)
    assert dashboard.end == date(2026, 4, 30)
    assert dashboard.sessions_per_month == {
        "2026-01": 0,
        "2026-02": 0,
        "2026-03": 2,
        "2026-04": 0,
    }
    assert dashboard.trajectories_started == 1
    assert dashboard.live_sessions == 2
    assert dashboard.online_share == 0.0
    assert dashboard.rows[0].label == "Geen afdeling"
    assert dashboard.rows[0].key == NO_DEPARTMENT


def test_sessions_count_in_the_amsterdam_month(portal: Portal) -> None:
    hr = hr_of(portal, "Middernacht")
    employee = portal.employees.register(hr, person(1))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=date(2026, 3, 1)
    )
    # 31 March 22:30 UTC is 1 April 00:30 in Amsterdam (summer time).
    portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.id,
        external_id="late",
        starts_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
        status="held",
        mode="online",
    )
    dashboard = portal.stats.dashboard(hr, start=date(2026, 3, 1), end=date(2026, 4, 30))
    assert dashboard.sessions_per_month == {"2026-03": 0, "2026-04": 1}
    assert dashboard.online_share == 1.0


def test_completed_trajectories_and_their_average_duration(portal: Portal) -> None:
    hr = hr_of(portal, "Duur")
    durations = []
    for n in range(2):
        employee = portal.employees.register(hr, person(n))
        trajectory = portal.trajectories.start(
            hr, employee.id, type_code="ONC-IND-4", start_date=date(2026, 3, 1)
        )
        for k in range(4):
            portal.trajectories.record_appointment(
                SERVICE_DESK,
                trajectory.id,
                external_id=f"{n}-{k}",
                starts_at=at(3, 2 + k * (3 + n)),
                status="held",
                mode="live",
            )
        done = portal.trajectories.get(hr, trajectory.id)
        assert done.duration_days is not None
        durations.append(done.duration_days)
    dashboard = portal.stats.dashboard(hr, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert dashboard.trajectories_completed == 2
    assert dashboard.average_trajectory_days == round(sum(durations) / 2, 1)
    # A trajectory closed by hand has not been completed.
    employee = portal.employees.register(hr, person(9))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=date(2026, 3, 1)
    )
    portal.trajectories.close(hr, trajectory.id)
    again = portal.stats.dashboard(hr, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert again.trajectories_completed == 2
    assert again.trajectories_started == 3


def test_sessions_stay_with_the_department_of_their_time(portal: Portal) -> None:
    hr = hr_of(portal, "Verhuizing")
    employer = hr.employer_id or ""
    old, new = (portal.admin.add_department(SERVICE_DESK, employer, n).id for n in ("Oud", "Nieuw"))
    employee = coached(portal, hr, old, 1, held=2)
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 4, 30)}
    portal.employees.update(hr, employee, {"department_id": new})
    # Moving rewrites no history: else moving someone out would show what it discussed.
    before = portal.stats.dashboard(hr, department_id=old, **march)
    assert (before.held_sessions, before.trajectories_started) == (2, 1)
    assert portal.stats.dashboard(hr, department_id=new, **march).held_sessions == 0
    # A later session counts in the new department; a correction stays in the old one.
    trajectory = portal.employees.dossier(hr, employee).trajectories[0]
    portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.id,
        external_id="later",
        starts_at=at(4),
        status="held",
        mode="online",
    )
    portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.id,
        external_id=f"{employee}-0",
        starts_at=at(3, 2),
        status="cancelled",
        mode="live",
    )
    after_old = portal.stats.dashboard(hr, department_id=old, **march)
    assert (after_old.held_sessions, after_old.cancelled_sessions) == (1, 1)
    after_new = portal.stats.dashboard(hr, department_id=new, **march)
    assert (after_new.held_sessions, after_new.online_sessions) == (1, 1)
    assert [row.key for row in after_new.rows] == [employee]
    assert {row.key for row in portal.stats.dashboard(hr, **march).rows} == {old, new}
    # The employee's own figures are all of them, wherever they counted.
    own = portal.stats.dashboard(hr, employee_id=employee, **march)
    assert (own.held_sessions, own.cancelled_sessions) == (2, 1)


def test_a_month_too_small_to_show_cannot_be_read_off_two_ranges(portal: Portal) -> None:
    hr = hr_of(portal, "Verschil")
    department = portal.admin.add_department(SERVICE_DESK, hr.employer_id or "", "A").id
    ids = [coached(portal, hr, department, n) for n in range(3)]  # three people in March
    trajectory = portal.employees.dossier(hr, ids[0]).trajectories[0]
    portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.id,
        external_id="april",
        starts_at=at(4),
        status="held",
        mode="live",
        theme="Conflict",
    )
    wide = portal.stats.dashboard(
        hr, department_id=department, start=date(2026, 3, 1), end=date(2026, 4, 30)
    )
    narrow = portal.stats.dashboard(
        hr, department_id=department, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    # April had one person with a theme: it is left out of every range, so the two agree.
    assert wide.themes == narrow.themes == {"Werkdruk": 3}
    assert wide.themes_note is not None
    assert narrow.themes_note is None
    assert wide.held_sessions == 4


def test_the_group_is_the_people_with_a_theme(portal: Portal) -> None:
    hr = hr_of(portal, "Thema")
    employer = hr.employer_id or ""
    for n in range(3):
        employee = portal.employees.register(hr, person(n))
        trajectory = portal.trajectories.start(
            hr, employee.id, type_code="ONC-IND-4", start_date=date(2026, 3, 1)
        )
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id=f"s{n}",
            starts_at=at(3),
            status="held",
            mode="live",
            theme="Zelfvertrouwen" if n == 0 else None,
        )
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    dashboard = portal.stats.dashboard(hr, **march)
    # Three people had sessions, one of them with a theme: that theme is that person's.
    assert dashboard.held_sessions == 3
    assert dashboard.themes is None
    assert employer


def test_breakdown_sorts_and_pages(portal: Portal) -> None:
    hr = hr_of(portal, "Pagina")
    employer = hr.employer_id or ""
    names = ["Bravo", "alfa", "Charlie", "Delta", "Echo"]
    for n, name in enumerate(names):
        department = portal.admin.add_department(SERVICE_DESK, employer, name).id
        coached(portal, hr, department, n, held=n % 3 + 1)
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    first = portal.stats.dashboard(hr, page=1, page_size=2, **march)
    second = portal.stats.dashboard(hr, page=2, page_size=2, **march)
    last = portal.stats.dashboard(hr, page=3, page_size=2, **march)
    assert first.total_rows == 5
    assert first.pages == 3
    rows = [*first.rows, *second.rows, *last.rows]
    assert [r.held_sessions for r in rows] == [3, 2, 2, 1, 1]
    # Ties go by name, ignoring case.
    assert [r.label for r in rows] == ["Charlie", "alfa", "Echo", "Bravo", "Delta"]
    by_label = portal.stats.dashboard(hr, sort="label", page_size=5, **march)
    assert [r.label for r in by_label.rows] == ["alfa", "Bravo", "Charlie", "Delta", "Echo"]
    beyond = portal.stats.dashboard(hr, page=9, page_size=2, **march)
    assert beyond.rows == ()
    assert beyond.total_rows == 5


def test_each_employer_sees_only_its_own_and_the_service_desk_all(portal: Portal) -> None:
    one, other = hr_of(portal, "Een"), hr_of(portal, "Ander")
    department = portal.admin.add_department(SERVICE_DESK, one.employer_id or "", "Eigen").id
    employee = coached(portal, one, department, 1)
    coached(portal, other, None, 2, held=3)
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    assert portal.stats.dashboard(one, **march).held_sessions == 1
    assert portal.stats.dashboard(other, **march).held_sessions == 3
    for filters in (
        {"department_id": department},
        {"employee_id": employee},
        {"employer_id": one.employer_id},
        {"department_id": "nope"},
        {"employee_id": 7},
    ):
        with pytest.raises(NotFound):
            portal.stats.dashboard(other, **filters, **march)
    with pytest.raises(NotFound):
        portal.stats.export(other, format="csv", department_id=department, **march)
    # An employee named with another department is not found either.
    other_department = portal.admin.add_department(SERVICE_DESK, one.employer_id or "", "Anders").id
    with pytest.raises(NotFound):
        portal.stats.dashboard(one, employee_id=employee, department_id=other_department, **march)

    desk = portal.stats.dashboard(SERVICE_DESK, **march)
    assert desk.row_level is Level.EMPLOYER
    by_key = {row.key: row for row in desk.rows}
    assert by_key[one.employer_id or ""].held_sessions == 1
    assert by_key[other.employer_id or ""].held_sessions == 3
    assert desk.held_sessions >= 4
    drilled = portal.stats.dashboard(SERVICE_DESK, department_id=department, **march)
    assert drilled.held_sessions == 1
    assert drilled.employer_id == one.employer_id


@pytest.mark.parametrize(
    ("filters", "fields"),
    [
        ({"start": "2026-03-01", "end": date(2026, 3, 1)}, {"start"}),
        ({"start": date(2026, 3, 1), "end": None}, {"end"}),
        ({"start": date(2026, 3, 1), "end": date(2026, 2, 1)}, {"end"}),
        ({"start": date(2000, 1, 1), "end": date(2026, 2, 1)}, {"end"}),
        ({"start": datetime(2026, 3, 1, tzinfo=UTC), "end": date(2026, 3, 1)}, {"start"}),
        (
            {"start": date(2026, 3, 1), "end": date(2026, 3, 1), "page": 0, "page_size": 500},
            {"page", "page_size"},
        ),
        ({"start": date(2026, 3, 1), "end": date(2026, 3, 1), "sort": "theme"}, {"sort"}),
        ({"start": date(2026, 3, 1), "end": date(2026, 3, 1), "page": True}, {"page"}),
    ],
)
def test_bad_filters_name_their_fields(
    portal: Portal, filters: dict[str, Any], fields: set[str]
) -> None:
    hr = hr_of(portal, "Fout")
    with pytest.raises(ValidationError) as caught:
        portal.stats.dashboard(hr, **filters)
    assert set(caught.value.errors) == fields


def test_only_the_service_desk_rebuilds(portal: Portal) -> None:
    hr = hr_of(portal, "Herstel")
    with pytest.raises(NotFound):
        portal.stats.rebuild(hr)
    with pytest.raises(NotFound):
        portal.stats.rebuild(SERVICE_DESK, employer_id="nope")


def test_a_rebuild_repairs_damaged_rollups(portal: Portal) -> None:
    hr = hr_of(portal, "Schade")
    employer = hr.employer_id or ""
    department = portal.admin.add_department(SERVICE_DESK, employer, "A").id
    for n in range(3):
        coached(portal, hr, department, n, held=n + 1)
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    good = portal.stats.dashboard(hr, **march)
    with portal.storage.unit_of_work() as uow:
        uow.stats.clear(employer)
        uow.commit()
    assert portal.stats.dashboard(hr, **march).held_sessions == 0
    assert portal.stats.rebuild(SERVICE_DESK, employer_id=employer) == 1
    assert portal.stats.dashboard(hr, **march) == good


# Export -------------------------------------------------------------------------------------


def test_csv_export_has_dutch_headers_every_row_and_no_formulas(portal: Portal) -> None:
    hr = hr_of(portal, "Export")
    employer = hr.employer_id or ""
    for n in range(25):
        department = portal.admin.add_department(SERVICE_DESK, employer, f'=HYPERLINK("x") {n}').id
        coached(portal, hr, department, n)
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    data = portal.stats.export(hr, format="csv", **march)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Periode", "1 maart 2026 t/m 31 maart 2026"]
    assert rows[1] == ["Thema's", "Werkdruk: 25"]
    header = rows[3]
    assert header[:3] == ["Afdeling", "Gehouden gesprekken", "Geplande gesprekken"]
    assert header[-1] == "Gemiddelde duur traject (dagen)"
    body = rows[4:-1]
    # Every department, not one page of 20, and each name kept as text.
    assert len(body) == 25
    assert all(row[0].startswith("'=HYPERLINK") for row in body)
    assert rows[-1][0].startswith("Totaal")
    assert rows[-1][1] == "25"
    assert all(row[1] == "1" for row in body)


def test_xlsx_export_matches_the_dashboard(portal: Portal) -> None:
    hr = hr_of(portal, "Excel")
    employer = hr.employer_id or ""
    department = portal.admin.add_department(SERVICE_DESK, employer, "=1+1").id
    for n in range(3):
        coached(portal, hr, department, n, held=2)
    filters: dict[str, Any] = {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}
    dashboard = portal.stats.dashboard(hr, **filters)
    book = openpyxl.load_workbook(io.BytesIO(portal.stats.export(hr, format="xlsx", **filters)))
    assert book.sheetnames == ["Overzicht", "Per maand", "Thema's", "Uitsplitsing"]
    overview = {row[0]: row[1] for row in book["Overzicht"].iter_rows(values_only=True)}
    assert overview["Gehouden gesprekken"] == dashboard.held_sessions == 6
    assert overview["Trajecten gestart"] == 3
    months = list(book["Per maand"].iter_rows(values_only=True))
    assert months == [
        ("Maand", "Gehouden gesprekken"),
        ("2026-01", 0),
        ("2026-02", 0),
        ("2026-03", 6),
    ]
    themes = list(book["Thema's"].iter_rows(values_only=True))
    assert themes == [("Thema", "Gehouden gesprekken"), ("Werkdruk", 6)]
    breakdown = book["Uitsplitsing"]
    assert breakdown["A1"].value == "Afdeling"
    assert breakdown["A2"].value == "=1+1"
    assert breakdown["A2"].data_type == "s"


def test_export_refuses_an_unknown_format(portal: Portal) -> None:
    hr = hr_of(portal, "Formaat")
    with pytest.raises(ValidationError) as caught:
        portal.stats.export(
            hr,
            format="pdf",  # type: ignore[arg-type]
            start=date(2026, 3, 1),
            end=date(2026, 3, 1),
        )
    assert set(caught.value.errors) == {"format"}


# A use case and its rollups commit together or not at all -----------------------------------


def test_a_failing_rollup_write_leaves_the_appointment_and_trajectory_unwritten(
    portal: Portal,
) -> None:
    hr = hr_of(portal, "Heel")
    employee = portal.employees.register(hr, person(1))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=date(2026, 3, 1)
    )
    broken = Portal(
        storage=BrokenStorage(portal.storage, "stats", "add"),
        mailer=RecordingMailer(),
        clock=portal.clock,
        settings=portal.settings,
    )
    with pytest.raises(StorageError):
        broken.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id="x",
            starts_at=at(3),
            status="held",
            mode="live",
        )
    with pytest.raises(StorageError):
        broken.trajectories.start(
            hr,
            portal.employees.register(hr, person(2)).id,
            type_code="ONC-IND-4",
            start_date=date(2026, 3, 1),
        )
    assert portal.employees.dossier(hr, employee.id).trajectories[0].appointments == ()
    assert portal.trajectories.get(hr, trajectory.id).held == 0
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    dashboard = portal.stats.dashboard(hr, **march)
    assert (dashboard.held_sessions, dashboard.trajectories_started) == (0, 1)
