"""The rollups kept on write: what an appointment or trajectory adds to the statistics cells.

Every use case that changes an appointment, a trajectory or an employee's department calls
``Rollups.changed`` with the entities as they were and as they are, inside its own unit of
work. The difference of their contributions goes to four levels of cells (employee,
department, employer, and every employer together) in one write per table, so the dashboard
reads cells and never appointments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from onzecoach.clock import amsterdam
from onzecoach.stats._model import (
    NO_DEPARTMENT,
    Counters,
    Level,
    StatsCell,
    ThemeCell,
    month_key,
)
from onzecoach.trajectories._model import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    ClosedReason,
    Trajectory,
)

if TYPE_CHECKING:
    from onzecoach.ports import UnitOfWork

__all__ = ["Contribution", "Rollups", "appointment_month", "contribution"]

_STATUS_FIELD = {
    AppointmentStatus.HELD: "held",
    AppointmentStatus.PLANNED: "planned",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "no_show",
}


def appointment_month(appointment: Appointment) -> int:
    """The month an appointment counts in: that of its start in Europe/Amsterdam."""
    return month_key(appointment.starts_at.astimezone(amsterdam()).date())


@attrs.frozen
class Contribution:
    """What some appointments and trajectories of one employee add to the cells.

    ``months``: month -> counters (without ``people``); ``themes``: (month, theme) -> held.
    """

    department_id: str
    months: dict[int, Counters]
    themes: dict[tuple[int, str], int]


def contribution(
    department_id: str | None,
    *,
    appointments: Iterable[Appointment] = (),
    trajectories: Iterable[Trajectory] = (),
) -> Contribution:
    """The contribution of one employee's ``appointments`` and ``trajectories``."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    themes: dict[tuple[int, str], int] = defaultdict(int)
    for appointment in appointments:
        month = appointment_month(appointment)
        cell = counts[month]
        cell[_STATUS_FIELD[appointment.status]] += 1
        if appointment.status is AppointmentStatus.HELD:
            cell["online" if appointment.mode is AppointmentMode.ONLINE else "live"] += 1
            if appointment.theme:
                themes[(month, appointment.theme)] += 1
    for trajectory in trajectories:
        counts[month_key(trajectory.start_date)]["started"] += 1
        if trajectory.closed_reason is ClosedReason.COMPLETED and trajectory.end_date is not None:
            cell = counts[month_key(trajectory.end_date)]
            cell["completed"] += 1
            cell["completed_days"] += (trajectory.end_date - trajectory.start_date).days
    return Contribution(
        department_id=department_id or NO_DEPARTMENT,
        months={month: Counters(**cell) for month, cell in counts.items()},
        themes=dict(themes),
    )


class Rollups:
    """Writes the difference between two contributions to the cells of one employee."""

    def changed(
        self,
        uow: UnitOfWork,
        *,
        employer_id: str,
        employee_id: str,
        before: Contribution,
        after: Contribution,
    ) -> None:
        """Move the cells from ``before`` to ``after`` inside ``uow``.

        The caller holds the employee's row lock, so the group sizes (``people``) it derives
        from the employee's held sessions cannot race with another write for that employee.
        """
        deltas = _difference(before, after)
        if not deltas and before.themes == after.themes:
            return
        held_changes = [(dept, month) for (dept, month), c in deltas.items() if c.held]
        current: dict[tuple[str, int], int] = {}
        for dept in {dept for dept, _ in held_changes}:
            wanted = [month for d, month in held_changes if d == dept]
            for month, held in uow.stats.employee_held(
                employer_id, dept, employee_id, wanted
            ).items():
                current[(dept, month)] = held
        cells: dict[tuple[str, int, str, str, int], Counters] = {}
        for (dept, month), delta in deltas.items():
            people = 0
            if delta.held:
                held = current.get((dept, month), 0)
                people = int(held + delta.held > 0) - int(held > 0)
            change = attrs.evolve(delta, people=people) if people else delta
            for key in (
                (employer_id, Level.EMPLOYEE, dept, employee_id, month),
                (employer_id, Level.DEPARTMENT, dept, "", month),
                (employer_id, Level.EMPLOYER, "", "", month),
                ("", Level.ALL, "", "", month),
            ):
                cells[key] = cells[key] + change if key in cells else change
        theme_cells: dict[tuple[str, int, str, int, str], int] = defaultdict(int)
        for contribution_, sign in ((before, -1), (after, 1)):
            for (month, theme), held in contribution_.themes.items():
                dept = contribution_.department_id
                theme_cells[(employer_id, Level.DEPARTMENT, dept, month, theme)] += sign * held
                theme_cells[(employer_id, Level.EMPLOYER, "", month, theme)] += sign * held
                theme_cells[("", Level.ALL, "", month, theme)] += sign * held
        uow.stats.add(
            _cells(cells),
            [
                ThemeCell(e, Level(level), d, month, theme, held)
                for (e, level, d, month, theme), held in sorted(theme_cells.items())
                if held
            ],
        )


def _difference(before: Contribution, after: Contribution) -> dict[tuple[str, int], Counters]:
    sums: dict[tuple[str, int], list[int]] = {}
    for part, sign in ((before, -1), (after, 1)):
        for month, counters in part.months.items():
            key = (part.department_id, month)
            current = sums.get(key)
            if current is None:
                sums[key] = [sign * value for value in counters.values()]
            else:
                sums[key] = [a + sign * b for a, b in zip(current, counters.values(), strict=True)]
    return {key: Counters(*values) for key, values in sums.items() if any(values)}


def _cells(cells: dict[tuple[str, int, str, str, int], Counters]) -> Sequence[StatsCell]:
    """The changed cells in key order, so concurrent writers lock rows in the same order."""
    return [
        StatsCell(employer, Level(level), dept, employee, month, counters)
        for (employer, level, dept, employee, month), counters in sorted(cells.items())
        if not counters.is_zero()
    ]
