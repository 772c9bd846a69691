"""The dashboard's figures recomputed from the raw appointments, trajectories and employees.

Written apart from ``onzecoach.stats`` on purpose: it filters and counts the raw entities the
plain way, so a test can hold the rollups against it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date
from fractions import Fraction
from zoneinfo import ZoneInfo

import attrs

from onzecoach.catalogues import DEFAULT_THEMES
from onzecoach.ports import Storage
from onzecoach.trajectories import Appointment, ClosedReason, Trajectory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: A stored theme's code -> the name a dashboard shows (a free text shows as it is).
THEME_NAMES = {theme.code: theme.name for theme in DEFAULT_THEMES}


@attrs.frozen
class Raw:
    trajectories: list[Trajectory]
    appointments: list[Appointment]

    @classmethod
    def read(cls, storage: Storage) -> Raw:
        with storage.unit_of_work() as uow:
            employers = [e.id for e in uow.employers.list()]
            trajectories = [t for e in employers for t in uow.trajectories.for_employer(e)]
            appointments = [a for e in employers for a in uow.appointments.for_employer(e)]
        return cls(trajectories, appointments)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def local_month(appointment: Appointment) -> str:
    return month_of(appointment.starts_at.astimezone(AMSTERDAM).date())


@attrs.frozen
class Figures:
    held_sessions: int
    planned_sessions: int
    cancelled_sessions: int
    no_show_sessions: int
    late_cancelled_sessions: int
    live_sessions: int
    online_sessions: int
    trajectories_started: int
    trajectories_completed: int
    average_trajectory_days: float | None
    extensions_started: int
    sessions_per_month: dict[str, int]
    #: Per month: theme -> held sessions, and the employees with a themed session.
    themes_by_month: dict[str, Counter[str]]
    people_by_month: dict[str, int]


def department_of(entity: Appointment | Trajectory) -> str:
    return entity.department_id or ""


def figures(
    raw: Raw,
    start: date,
    end: date,
    *,
    employer_id: str | None = None,
    department_id: str | None = None,
    employee_id: str | None = None,
) -> Figures:
    """The figures of one scope over the months from ``start``'s to ``end``'s.

    Appointments and trajectories count under the department they carry (that of their
    time); without ``department_id`` an employee's figures are all of the employee's.
    """
    first, last = month_of(start), month_of(end)

    def inside(entity: Appointment | Trajectory, month: str) -> bool:
        return (
            first <= month <= last
            and (employer_id is None or entity.employer_id == employer_id)
            and (department_id is None or department_of(entity) == department_id)
            and (employee_id is None or entity.employee_id == employee_id)
        )

    chosen = [a for a in raw.appointments if inside(a, local_month(a))]
    held = [a for a in chosen if a.status == "held"]
    status = Counter(a.status.value for a in chosen)
    started = [t for t in raw.trajectories if inside(t, month_of(t.start_date))]
    completed = [
        t
        for t in raw.trajectories
        if t.closed_reason is ClosedReason.COMPLETED
        and t.end_date is not None
        and inside(t, month_of(t.end_date))
    ]
    days = [(t.end_date - t.start_date).days for t in completed if t.end_date]
    per_month: dict[str, int] = defaultdict(int)
    themes: dict[str, Counter[str]] = defaultdict(Counter)
    people: dict[str, set[str]] = defaultdict(set)
    for a in held:
        per_month[local_month(a)] += 1
        if a.theme:
            themes[local_month(a)][THEME_NAMES.get(a.theme, a.theme)] += 1
            people[local_month(a)].add(a.employee_id)
    year, month = start.year, start.month
    series = {}
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        series[key] = per_month.get(key, 0)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Figures(
        held_sessions=len(held),
        planned_sessions=status["planned"],
        cancelled_sessions=status["cancelled"],
        no_show_sessions=status["no_show"],
        late_cancelled_sessions=status["late_cancelled"],
        live_sessions=sum(a.mode == "live" for a in held),
        online_sessions=sum(a.mode == "online" for a in held),
        trajectories_started=len(started),
        trajectories_completed=len(completed),
        average_trajectory_days=(
            float(math.floor(Fraction(sum(days) * 10, len(days)) + Fraction(1, 2)) / 10)
            if days
            else None
        ),
        extensions_started=sum(t.is_extension for t in started),
        sessions_per_month=series,
        themes_by_month=dict(themes),
        people_by_month={m: len(ids) for m, ids in people.items()},
    )


def children(
    raw: Raw, *, employer_id: str | None = None, department_id: str | None = None
) -> set[str]:
    """The keys a breakdown could have: employers, departments or employees."""
    keys = set()
    entities: list[Appointment | Trajectory] = [*raw.trajectories, *raw.appointments]
    for entity in entities:
        if employer_id is None:
            keys.add(entity.employer_id)
        elif entity.employer_id != employer_id:
            continue
        elif department_id is None:
            keys.add(department_of(entity))
        elif department_of(entity) == department_id:
            keys.add(entity.employee_id)
    return keys


def hidden_children(sizes: dict[str, int], minimum: int) -> set[str]:
    """Groups below ``minimum``, plus the smallest others while the hidden sum stays below it."""
    hidden = {key for key, size in sizes.items() if 0 < size < minimum}
    if hidden and sum(sizes[k] for k in hidden) < minimum:
        shown = sorted((size, key) for key, size in sizes.items() if size and key not in hidden)
        for _, key in shown:
            hidden.add(key)
            if sum(sizes[k] for k in hidden) >= minimum:
                break
    return hidden


def expected_themes(
    raw: Raw,
    start: date,
    end: date,
    minimum: int,
    *,
    employer_id: str | None = None,
    department_id: str | None = None,
) -> dict[str, int] | None:
    """The themes a dashboard may show: those of the months with a large enough group.

    ``{}`` without any themed session, ``None`` when every month with one is hidden.
    """
    own = figures(raw, start, end, employer_id=employer_id, department_id=department_id)
    themed = {m for m, n in own.people_by_month.items() if n}
    shown = {m for m in themed if own.people_by_month[m] >= minimum}
    if department_id is not None:
        siblings = {
            key: figures(raw, start, end, employer_id=employer_id, department_id=key)
            for key in children(raw, employer_id=employer_id)
        }
        shown = {
            m
            for m in shown
            if department_id
            not in hidden_children(
                {key: f.people_by_month.get(m, 0) for key, f in siblings.items()}, minimum
            )
        }
    if not themed:
        return {}
    if not shown:
        return None
    total: Counter[str] = Counter()
    for m in shown:
        total += own.themes_by_month[m]
    return dict(total)
