from __future__ import annotations

import enum
import operator
from datetime import date

import attrs

__all__ = [
    "COUNTER_FIELDS",
    "NO_DEPARTMENT",
    "Counters",
    "Dashboard",
    "DashboardRow",
    "Level",
    "StatsCell",
    "StatsScope",
    "ThemeCell",
    "last_day",
    "month_key",
    "month_label",
    "months",
]

#: The department key of employees without a department ("Geen afdeling").
NO_DEPARTMENT = ""


class Level(enum.IntEnum):
    """How fine a cell of the rollups is: every employer, one employer, one department or one
    employee. Each level's parent is the level one less."""

    ALL = -1
    EMPLOYER = 0
    DEPARTMENT = 1
    EMPLOYEE = 2


@attrs.frozen
class Counters:
    """What a rollup cell counts for one month.

    Sessions count by the month their start falls in (Europe/Amsterdam); ``live`` and
    ``online`` count held sessions, ``themed`` the held sessions with a theme. A trajectory
    counts as started in the month of its start date (an extension in ``extensions`` too)
    and as completed (every session held) in the month of its end date, adding its duration
    to ``completed_days``. ``people`` is
    the number of employees with a themed session in the cell's month: the group whose
    size decides whether that month's themes may be shown.
    """

    held: int = 0
    planned: int = 0
    cancelled: int = 0
    no_show: int = 0
    #: Cancelled after the employer's cancellation notice (te laat geannuleerd).
    late_cancelled: int = 0
    live: int = 0
    online: int = 0
    themed: int = 0
    started: int = 0
    completed: int = 0
    completed_days: int = 0
    extensions: int = 0
    people: int = 0

    def __add__(self, other: Counters) -> Counters:
        return Counters(*map(operator.add, self.values(), other.values()))

    def __sub__(self, other: Counters) -> Counters:
        return Counters(*map(operator.sub, self.values(), other.values()))

    def values(self) -> tuple[int, ...]:
        """The counters in field order (``COUNTER_FIELDS``)."""
        return (
            self.held,
            self.planned,
            self.cancelled,
            self.no_show,
            self.late_cancelled,
            self.live,
            self.online,
            self.themed,
            self.started,
            self.completed,
            self.completed_days,
            self.extensions,
            self.people,
        )

    def is_zero(self) -> bool:
        return not any(self.values())

    def __bool__(self) -> bool:
        return not self.is_zero()


#: The names of ``Counters``' fields, in order: the columns of a rollup cell.
COUNTER_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(Counters))


@attrs.frozen
class StatsCell:
    """A change to one rollup cell: add ``counters`` to the cell's month."""

    employer_id: str
    level: Level
    department_id: str
    employee_id: str
    month: int
    counters: Counters

    @property
    def key(self) -> tuple[str, int, str, str, int]:
        return (self.employer_id, self.level, self.department_id, self.employee_id, self.month)


@attrs.frozen
class ThemeCell:
    """A change to the held sessions of one theme in a month of every employer, one employer
    or one department.

    Themes are never kept per employee: what one person discusses is not the employer's.
    """

    employer_id: str
    level: Level
    department_id: str
    month: int
    theme: str
    held: int

    @property
    def key(self) -> tuple[str, int, str, int, str]:
        return (self.employer_id, self.level, self.department_id, self.month, self.theme)


@attrs.frozen
class StatsScope:
    """What a dashboard looks at: every employer, one employer, one department or one employee.

    ``department_id`` is ``NO_DEPARTMENT`` for employees without one. An employee's scope
    names the employee's department too, because the cells are kept under it.
    """

    employer_id: str | None = None
    department_id: str | None = None
    employee_id: str | None = None

    @property
    def level(self) -> Level:
        """The level of the scope's own cells."""
        if self.employee_id is not None:
            return Level.EMPLOYEE
        if self.department_id is not None:
            return Level.DEPARTMENT
        return Level.ALL if self.employer_id is None else Level.EMPLOYER

    @property
    def child_level(self) -> Level | None:
        """The level the breakdown's rows come from; ``None`` below an employee."""
        level = self.level
        return None if level is Level.EMPLOYEE else Level(level + 1)


def month_key(day: date) -> int:
    """The month of ``day`` as an integer ``YYYYMM``."""
    return day.year * 100 + day.month


def month_label(month: int) -> str:
    """``202603`` -> ``"2026-03"``."""
    return f"{month // 100:04d}-{month % 100:02d}"


def months(first: int, last: int) -> list[int]:
    """Every month from ``first`` to ``last`` inclusive, as ``YYYYMM`` integers."""
    found = []
    year, month = divmod(first, 100)
    while year * 100 + month <= last:
        found.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def last_day(month: int) -> date:
    """The last day of a ``YYYYMM`` month."""
    year, number = divmod(month, 100)
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@attrs.frozen
class DashboardRow:
    """One row of the breakdown: an employer, a department or an employee.

    Rows carry no themes: a department's themes are on its own dashboard, behind the same
    privacy rules, and an employee's are never shown.
    """

    key: str
    label: str
    held_sessions: int
    planned_sessions: int
    cancelled_sessions: int
    no_show_sessions: int
    late_cancelled_sessions: int
    live_sessions: int
    online_sessions: int
    trajectories_started: int
    #: Of the trajectories started, the extensions (ONC-VERL-1): their own trajectories.
    extensions_started: int
    trajectories_completed: int
    average_trajectory_days: float | None

    @property
    def online_share(self) -> float | None:
        """Online sessions as a fraction of held sessions by mode; ``None`` when there are none."""
        return _share(self.online_sessions, self.live_sessions + self.online_sessions)


@attrs.frozen
class Dashboard:
    """The statistics dashboard ("dashboard afspraken") for one scope and range of months.

    The range is whole months: ``start`` is the first day of the first month and ``end`` the
    last day of the last. ``rows`` is one page of the breakdown (``row_level`` says of what);
    ``total_rows`` counts them all.
    """

    start: date
    end: date
    employer_id: str | None
    department_id: str | None
    employee_id: str | None
    label: str
    held_sessions: int
    planned_sessions: int
    cancelled_sessions: int
    no_show_sessions: int
    late_cancelled_sessions: int
    live_sessions: int
    online_sessions: int
    sessions_per_month: dict[str, int]
    themes: dict[str, int] | None
    themes_note: str | None
    trajectories_started: int
    #: Of the trajectories started, the extensions (ONC-VERL-1): their own trajectories.
    extensions_started: int
    trajectories_completed: int
    average_trajectory_days: float | None
    row_level: Level | None
    rows: tuple[DashboardRow, ...]
    total_rows: int
    page: int
    page_size: int
    sort: str

    @property
    def online_share(self) -> float | None:
        """Online sessions as a fraction of held sessions by mode; ``None`` when there are none."""
        return _share(self.online_sessions, self.live_sessions + self.online_sessions)

    @property
    def pages(self) -> int:
        """How many pages the breakdown has (at least 1)."""
        return max(1, -(-self.total_rows // self.page_size))


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole
