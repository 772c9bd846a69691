"""The dashboard's figures recomputed from the raw appointments, trajectories and employees.

Written apart from ``onzecoach.stats`` on purpose: it filters and counts the raw entities the
plain way, so a test can hold the rollups against it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from zoneinfo import ZoneInfo

import attrs

from onzecoach.employees import Employee
from onzecoach.ports import Storage
from onzecoach.trajectories import Appointment, ClosedReason, Trajectory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@attrs.frozen
class Raw:
    employees: dict[str, Employee]
    trajectories: list[Trajectory]
    appointments: list[Appointment]

    @classmethod
    def read(cls, storage: Storage) -> Raw:
        with storage.unit_of_work() as uow:
            employers = [e.id for e in uow.employers.list()]
            trajectories = [t for e in employers for t in uow.trajectories.for_employer(e)]
            appointments = [a for e in employers for a in uow.appointments.for_employer(e)]
            employees = uow.employees.get_many({t.employee_id for t in trajectories})
        return cls(employees, trajectories, appointments)


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
    live_sessions: int
    online_sessions: int
    trajectories_started: int
    trajectories_completed: int
    average_trajectory_days: float | None
    themes: dict[str, int]
    people: int
    sessions_per_month: dict[str, int]


def figures(
    raw: Raw,
    start: date,
    end: date,
    *,
    employer_id: str | None = None,
    department_id: str | None = None,
    employee_id: str | None = None,
) -> Figures:
    """The figures of one scope over the months from ``start``'s to ``end``'s."""
    first, last = month_of(start), month_of(end)

    def inside(employee: str, month: str) -> bool:
        found = raw.employees[employee]
        return (
            first <= month <= last
            and (employer_id is None or found.employer_id == employer_id)
            and (department_id is None or (found.department_id or "") == department_id)
            and (employee_id is None or found.id == employee_id)
        )

    chosen = [a for a in raw.appointments if inside(a.employee_id, local_month(a))]
    held = [a for a in chosen if a.status == "held"]
    status = Counter(a.status.value for a in chosen)
    started = [t for t in raw.trajectories if inside(t.employee_id, month_of(t.start_date))]
    completed = [
        t
        for t in raw.trajectories
        if t.closed_reason is ClosedReason.COMPLETED
        and t.end_date is not None
        and inside(t.employee_id, month_of(t.end_date))
    ]
    days = [(t.end_date - t.start_date).days for t in completed if t.end_date]
    per_month: dict[str, int] = defaultdict(int)
    for a in held:
        per_month[local_month(a)] += 1
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
        live_sessions=sum(a.mode == "live" for a in held),
        online_sessions=sum(a.mode == "online" for a in held),
        trajectories_started=len(started),
        trajectories_completed=len(completed),
        average_trajectory_days=round(sum(days) / len(days), 1) if days else None,
        themes=dict(Counter(a.theme for a in held if a.theme)),
        people=len({a.employee_id for a in held}),
        sessions_per_month=series,
    )


def children(
    raw: Raw, *, employer_id: str | None = None, department_id: str | None = None
) -> set[str]:
    """The keys a breakdown could have: employers, departments or employees."""
    keys = set()
    for employee in raw.employees.values():
        if employer_id is None:
            keys.add(employee.employer_id)
        elif employee.employer_id == employer_id and department_id is None:
            keys.add(employee.department_id or "")
        elif (
            employee.employer_id == employer_id and (employee.department_id or "") == department_id
        ):
            keys.add(employee.id)
    return keys


def hidden_children(sizes: dict[str, int], minimum: int) -> set[str]:
    """Groups below ``minimum``, plus the smallest others while the hidden sum stays below it."""
    hidden = {key for key, size in sizes.items() if 0 < size < minimum}
    if hidden and sum(sizes[k] for k in hidden) < minimum:
        for _, key in sorted(
            (size, key) for key, size in sizes.items() if size and key not in hidden
        ):
            hidden.add(key)
            if sum(sizes[k] for k in hidden) >= minimum:
                break
    return hidden
