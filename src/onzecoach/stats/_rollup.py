"""The rollups kept on write: what an appointment or trajectory adds to the statistics cells.

Every use case that changes an appointment, a trajectory or an employee's department calls
``Rollups.changed`` with the entities as they were and as they are, inside its own unit of
work. The difference of their contributions goes to four levels of cells (employee,
department, employer, and every employer together) in one write per table, so the dashboard
reads cells and never appointments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

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
from onzecoach.trajectories import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    ClosedReason,
    CoachingChanged,
    Trajectory,
)

if TYPE_CHECKING:
    from onzecoach.stats._ports import StatsRepositories

__all__ = ["Contribution", "Rollups", "appointment_month", "contribution"]

_STATUS_FIELD = {
    AppointmentStatus.HELD: "held",
    AppointmentStatus.PLANNED: "planned",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "no_show",
    AppointmentStatus.LATE_CANCELLED: "late_cancelled",
}


def appointment_month(appointment: Appointment) -> int:
    """The month an appointment counts in: that of its start in Europe/Amsterdam."""
    return month_key(appointment.starts_at.astimezone(amsterdam()).date())


@attrs.frozen
class Contribution:
    """What some appointments and trajectories of one employee add to the cells.

    ``months``: (department, month) -> counters (``people`` left at 0); ``themes``:
    (department, month, theme) -> held sessions. Each appointment and trajectory counts
    under its own ``department_id``: the department of its time.
    """

    months: dict[tuple[str, int], Counters]
    themes: dict[tuple[str, int, str], int]


def contribution(
    *,
    appointments: Iterable[Appointment] = (),
    trajectories: Iterable[Trajectory] = (),
) -> Contribution:
    """The contribution of one employee's ``appointments`` and ``trajectories``."""
    counts: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    themes: dict[tuple[str, int, str], int] = defaultdict(int)
    for appointment in appointments:
        department = appointment.department_id or NO_DEPARTMENT
        month = appointment_month(appointment)
        cell = counts[(department, month)]
        cell[_STATUS_FIELD[appointment.status]] += 1
        if appointment.status is AppointmentStatus.HELD:
            cell["online" if appointment.mode is AppointmentMode.ONLINE else "live"] += 1
            if appointment.theme:
                cell["themed"] += 1
                themes[(department, month, appointment.theme)] += 1
    for trajectory in trajectories:
        department = trajectory.department_id or NO_DEPARTMENT
        started = counts[(department, month_key(trajectory.start_date))]
        started["started"] += 1
        started["extensions"] += trajectory.is_extension
        if trajectory.closed_reason is ClosedReason.COMPLETED and trajectory.end_date is not None:
            cell = counts[(department, month_key(trajectory.end_date))]
            cell["completed"] += 1
            cell["completed_days"] += (trajectory.end_date - trajectory.start_date).days
    return Contribution(
        months={key: Counters(**cell) for key, cell in counts.items()},
        themes=dict(themes),
    )


_CellKey = tuple[str, Level, str, str, int]


class Rollups:
    """Writes the difference between two contributions to the cells of one employee.

    ``on_coaching_changed`` is the handler of the trajectories' ``CoachingChanged``: every
    change to a trajectory or appointment reaches the cells in its own transaction.
    """

    def on_coaching_changed(self, uow: StatsRepositories, event: CoachingChanged) -> None:
        self.changed(
            uow,
            employer_id=event.employer_id,
            employee_id=event.employee_id,
            before=contribution(
                trajectories=event.trajectories_before, appointments=event.appointments_before
            ),
            after=contribution(
                trajectories=event.trajectories_after, appointments=event.appointments_after
            ),
        )

    def changed(
        self,
        uow: StatsRepositories,
        *,
        employer_id: str,
        employee_id: str,
        before: Contribution,
        after: Contribution,
    ) -> None:
        """Move the cells from ``before`` to ``after`` inside ``uow``.

        The caller holds the employee's row lock, so the group sizes (``people``) it derives
        from the employee's themed sessions cannot race with another write for that
        employee.
        """
        deltas = _difference(before.months, after.months)
        theme_deltas = _difference(before.themes, after.themes)
        if not deltas and not theme_deltas:
            return
        themed_months = sorted({month for (_, month), c in deltas.items() if c.themed})
        current = (
            uow.stats.employee_themed(employer_id, employee_id, themed_months)
            if themed_months
            else {}
        )
        cells: dict[_CellKey, Counters] = {}

        def put(key: _CellKey, change: Counters) -> None:
            cells[key] = cells[key] + change if key in cells else change

        for (department, month), delta in deltas.items():
            joined = 0
            if delta.themed:
                had = current.get((department, month), 0)
                joined = int(had + delta.themed > 0) - int(had > 0)
            in_department = attrs.evolve(delta, people=joined) if joined else delta
            put((employer_id, Level.EMPLOYEE, department, employee_id, month), in_department)
            put((employer_id, Level.DEPARTMENT, department, "", month), in_department)
            put((employer_id, Level.EMPLOYER, "", "", month), delta)
            put(("", Level.ALL, "", "", month), delta)
        for month in themed_months:
            # Across departments the employee is one person, even if it moved that month.
            had = sum(n for (_, m), n in current.items() if m == month)
            change = sum(c.themed for (_, m), c in deltas.items() if m == month)
            joined = int(had + change > 0) - int(had > 0)
            if joined:
                put((employer_id, Level.EMPLOYER, "", "", month), Counters(people=joined))
                put(("", Level.ALL, "", "", month), Counters(people=joined))
        themes: dict[tuple[str, Level, str, int, str], int] = defaultdict(int)
        for (department, month, theme), held in theme_deltas.items():
            themes[(employer_id, Level.DEPARTMENT, department, month, theme)] += held
            themes[(employer_id, Level.EMPLOYER, "", month, theme)] += held
            themes[("", Level.ALL, "", month, theme)] += held
        uow.stats.add(
            [
                StatsCell(employer, level, department, employee, month, counters)
                for (employer, level, department, employee, month), counters in sorted(
                    cells.items()
                )
                if not counters.is_zero()
            ],
            [
                ThemeCell(employer, level, department, month, theme, held)
                for (employer, level, department, month, theme), held in sorted(themes.items())
                if held
            ],
        )


K = TypeVar("K")


@overload
def _difference(before: Mapping[K, Counters], after: Mapping[K, Counters]) -> dict[K, Counters]: ...
@overload
def _difference(before: Mapping[K, int], after: Mapping[K, int]) -> dict[K, int]: ...
def _difference(before: Mapping[K, Any], after: Mapping[K, Any]) -> dict[K, Any]:
    """``after - before`` per key, leaving out what did not change."""
    found: dict[K, Any] = dict(after)
    for key, value in before.items():
        found[key] = found[key] - value if key in found else _negative(value)
    return {key: value for key, value in found.items() if value}


def _negative(value: Any) -> Any:
    return Counters() - value if isinstance(value, Counters) else -value
