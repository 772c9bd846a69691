from __future__ import annotations

import bisect
import math
import typing
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, Literal, TypedDict

import attrs

from onzecoach.access import EMPLOYER_STAFF, may_see, require_role
from onzecoach.actors import Actor
from onzecoach.audit import audit_entry
from onzecoach.employers import employers_to_repair
from onzecoach.errors import FieldError, NotFound, ValidationError
from onzecoach.ids import is_id
from onzecoach.stats._export import dashboard_csv, dashboard_xlsx
from onzecoach.stats._model import (
    NO_DEPARTMENT,
    Counters,
    Dashboard,
    DashboardRow,
    Level,
    StatsCell,
    StatsScope,
    ThemeCell,
    last_day,
    month_key,
    month_label,
    months,
)
from onzecoach.stats._rollup import contribution

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings
    from onzecoach.stats._ports import StatsUnitOfWork as UnitOfWork
    from onzecoach.trajectories import Appointment, Trajectory

__all__ = ["SORTS", "ExportFormat", "Sort", "StatsService"]

#: What the breakdown can be sorted by: its label (A-Z) or a count (largest first).
Sort = Literal[
    "label",
    "held_sessions",
    "planned_sessions",
    "cancelled_sessions",
    "no_show_sessions",
    "late_cancelled_sessions",
    "live_sessions",
    "online_sessions",
    "trajectories_started",
    "extensions_started",
    "trajectories_completed",
    "average_trajectory_days",
]
#: The formats of ``StatsService.export``.
ExportFormat = Literal["csv", "xlsx"]
#: ``Sort``'s values, in the order a screen offers them.
SORTS: tuple[Sort, ...] = typing.get_args(Sort)
_MAX_PAGE_SIZE = 100
_NO_DEPARTMENT_LABEL = "Geen afdeling"
_ALL_LABEL = "Alle werkgevers"
_EMPLOYEE_NOTE = "Thema's worden nooit per werknemer getoond."


@attrs.frozen
class _Request:
    scope: StatsScope
    first: int
    last: int
    page: int = 1
    #: ``None``: every row, for an export.
    page_size: int | None = None
    sort: Sort = "held_sessions"


class StatsService:
    """The statistics dashboard ("dashboard afspraken") over the rollups (``portal.stats``)."""

    def __init__(
        self, *, storage: Transactions[UnitOfWork], clock: Clock, settings: Settings
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings

    def dashboard(
        self,
        actor: Actor,
        *,
        start: date,
        end: date,
        employer_id: str | None = None,
        department_id: str | None = None,
        employee_id: str | None = None,
        page: int = 1,
        page_size: int = 20,
        sort: Sort = "held_sessions",
    ) -> Dashboard:
        """The dashboard for the months from ``start``'s through ``end``'s.

        Without filters an HR user sees its employer, broken down by department; with
        ``department_id`` (``NO_DEPARTMENT`` for employees without one) that department,
        broken down by employee; with ``employee_id`` one employee, without breakdown. The
        service desk sees every employer, broken down by employer, and may name any
        ``employer_id``. Another employer's ids answer ``NotFound``.
        """
        require_role(actor, *EMPLOYER_STAFF)
        first, last = self._checked(start, end, page, page_size, sort)
        with self._storage.unit_of_work() as uow:
            scope, label = _scope(uow, actor, employer_id, department_id, employee_id)
            request = _Request(scope, first, last, page, page_size, sort)
            return self._dashboard(uow, request, label)

    def export(
        self,
        actor: Actor,
        *,
        format: ExportFormat,
        start: date,
        end: date,
        employer_id: str | None = None,
        department_id: str | None = None,
        employee_id: str | None = None,
        sort: Sort = "held_sessions",
    ) -> bytes:
        """The dashboard with its whole breakdown (every page) as ``"csv"`` or ``"xlsx"``."""
        require_role(actor, *EMPLOYER_STAFF)
        wrong_format = [] if format in ("csv", "xlsx") else [FieldError.of("format", "invalid")]
        try:
            first, last = self._checked(start, end, 1, 1, sort)
        except ValidationError as error:
            raise ValidationError([*wrong_format, *error.details]) from None
        if wrong_format:
            raise ValidationError(wrong_format)
        with self._storage.unit_of_work() as uow:
            scope, label = _scope(uow, actor, employer_id, department_id, employee_id)
            dashboard = self._dashboard(uow, _Request(scope, first, last, sort=sort), label)
        return dashboard_csv(dashboard) if format == "csv" else dashboard_xlsx(dashboard)

    def rebuild(self, actor: Actor, *, employer_id: str | None = None) -> int:
        """Recompute the rollups of one employer (or all) from the raw appointments.

        For repair: the rollups are kept on every write, so a rebuild changes nothing unless
        they were damaged. Each employer is rebuilt in its own transaction, which also
        recounts the cells of every employer together. Returns the number of employers
        rebuilt.
        """
        employers = employers_to_repair(self._storage, actor, employer_id)
        for employer in employers:
            with self._storage.unit_of_work() as uow:
                uow.stats.clear(employer)
                cells, themes = _rebuilt(
                    uow,
                    employer,
                    uow.trajectories.for_employer(employer),
                    uow.appointments.for_employer(employer),
                )
                uow.stats.add(cells, themes)
                uow.stats.recount_all()
                uow.audit.append(
                    audit_entry(
                        actor,
                        "stats.rebuilt",
                        at=self._clock.now(),
                        employer_id=employer,
                        subject_type="employer",
                        subject_id=employer,
                    )
                )
                uow.commit()
        return len(employers)

    # Reading --------------------------------------------------------------------------------

    def _dashboard(self, uow: UnitOfWork, request: _Request, label: str) -> Dashboard:
        scope, first, last = request.scope, request.first, request.last
        series = uow.stats.series(scope, first, last)
        total = sum(series.values(), Counters())
        themes, note = self._scope_themes(uow, scope, first, last, series)
        rows, total_rows = self._rows(uow, request)
        figures = _figures(total)
        return Dashboard(
            start=date(first // 100, first % 100, 1),
            end=last_day(last),
            employer_id=scope.employer_id,
            department_id=scope.department_id,
            employee_id=scope.employee_id,
            label=label,
            sessions_per_month={
                month_label(m): series[m].held if m in series else 0 for m in months(first, last)
            },
            themes=themes,
            themes_note=note,
            row_level=scope.child_level,
            rows=rows,
            total_rows=total_rows,
            page=request.page,
            page_size=request.page_size or max(1, total_rows),
            sort=request.sort,
            **figures,
        )

    def _scope_themes(
        self, uow: UnitOfWork, scope: StatsScope, first: int, last: int, series: dict[int, Counters]
    ) -> tuple[dict[str, int] | None, str | None]:
        """The scope's themes over the months whose group is large enough, and a note.

        A month counts only when at least ``privacy_min_group`` employees had a themed
        session in it. Deciding month by month means no two ranges differ by a month that
        was too small to show. A department's month also stays out when showing it would
        let the employer's themes minus the other departments' reveal a smaller one.
        """
        if scope.level is Level.EMPLOYEE:
            return None, _EMPLOYEE_NOTE
        themed = {month for month, counters in series.items() if counters.themed}
        if not themed:
            return {}, None
        shown = {month for month in themed if series[month].people >= self._min_group}
        if scope.level is Level.DEPARTMENT and shown:
            parent = StatsScope(scope.employer_id)
            per_month = uow.stats.month_people(parent, min(shown), max(shown))
            shown = {
                month
                for month in shown
                if scope.department_id not in self._hidden(per_month.get(month, {}))
            }
        if not shown:
            return None, self._small_group_note
        found = _ordered(self._named(uow.stats.themes(scope, sorted(shown))))
        return found, None if shown == themed else self._partial_note

    def _rows(self, uow: UnitOfWork, request: _Request) -> tuple[tuple[DashboardRow, ...], int]:
        level = request.scope.child_level
        if level is None:
            return (), 0
        children = uow.stats.breakdown(request.scope, request.first, request.last)
        order, labels = _page(
            children,
            request.sort,
            request.page,
            request.page_size,
            lambda keys: _labels(uow, request.scope, level, keys),
        )
        # A department holds thousands of employees; only the page's rows are built.
        return tuple(_row(key, labels[key], children[key]) for key in order), len(children)

    def _hidden(self, sizes: Mapping[str, int]) -> set[str]:
        """The groups of one month whose themes stay hidden, given each group's size.

        A group below the threshold is hidden. If the hidden groups together are still
        below it, the total minus the shown groups would reveal them, so the smallest shown
        groups are hidden too until they are not.
        """
        hidden = {key for key, size in sizes.items() if 0 < size < self._min_group}
        if hidden and sum(sizes[key] for key in hidden) < self._min_group:
            candidates = sorted(
                (size, key) for key, size in sizes.items() if size > 0 and key not in hidden
            )
            for _, key in candidates:
                hidden.add(key)
                if sum(sizes[k] for k in hidden) >= self._min_group:
                    break
        return hidden

    def _named(self, themes: Mapping[str, int]) -> dict[str, int]:
        """The themes by their names in the catalogue; a free text from before the
        catalogue, or a code no longer in it, as it is."""
        found: dict[str, int] = defaultdict(int)
        for theme, held in themes.items():
            found[self._settings.theme_name(theme)] += held
        return dict(found)

    @property
    def _min_group(self) -> int:
        return self._settings.privacy_min_group

    @property
    def _small_group_note(self) -> str:
        return (
            f"Thema's worden alleen getoond over maanden waarin minstens {self._min_group} "
            "werknemers een gesprek met een thema hadden, zodat niemand herkenbaar is."
        )

    @property
    def _partial_note(self) -> str:
        return (
            f"Maanden met minder dan {self._min_group} werknemers met een thema tellen niet "
            "mee in de thema's, zodat niemand herkenbaar is."
        )

    def _checked(
        self, start: object, end: object, page: object, page_size: object, sort: object
    ) -> tuple[int, int]:
        problems: list[FieldError] = []
        for name, value in (("start", start), ("end", end)):
            if value is None:
                problems.append(FieldError.of(name, "required", key="period.required"))
            elif not isinstance(value, date) or isinstance(value, datetime):
                problems.append(FieldError.of(name, "invalid", key="period.invalid"))
        if isinstance(start, date) and isinstance(end, date) and not problems:
            if end < start:
                problems.append(FieldError.of("end", "before_start"))
            elif len(months(month_key(start), month_key(end))) > self._settings.stats_max_months:
                problems.append(
                    FieldError.of("end", "too_long", max_months=self._settings.stats_max_months)
                )
        if not _whole(page) or page < 1:  # type: ignore[operator]
            problems.append(FieldError.of("page", "invalid"))
        if not _whole(page_size) or not 1 <= page_size <= _MAX_PAGE_SIZE:  # type: ignore[operator]
            problems.append(FieldError.of("page_size", "invalid", max_page_size=_MAX_PAGE_SIZE))
        if sort not in SORTS:
            problems.append(FieldError.of("sort", "invalid"))
        if problems or not isinstance(start, date) or not isinstance(end, date):
            raise ValidationError(problems)
        return month_key(start), month_key(end)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _scope(
    uow: UnitOfWork,
    actor: Actor,
    employer_id: object,
    department_id: object,
    employee_id: object,
) -> tuple[StatsScope, str]:
    """The scope the filters name, and its label; ``NotFound`` for anything not the actor's."""
    employer = _named_employer(actor, employer_id, department_id)
    if employee_id is not None:
        employee = uow.employees.get(employee_id) if is_id(employee_id) else None
        if (
            employee is None
            or not may_see(actor, employee.employer_id)
            or employer not in (None, employee.employer_id)
            or department_id not in (None, employee.department_id or NO_DEPARTMENT)
        ):
            raise NotFound("employee.not_found")
        department_key = employee.department_id or NO_DEPARTMENT
        scope = StatsScope(employee.employer_id, department_key, employee.id)
        return scope, employee.display_name
    if department_id == NO_DEPARTMENT:
        found = uow.employers.get(employer) if employer is not None else None
        if found is None or not may_see(actor, found.id):
            raise NotFound("department.not_found")
        return StatsScope(found.id, NO_DEPARTMENT), _NO_DEPARTMENT_LABEL
    if department_id is not None:
        department = uow.departments.get(department_id) if is_id(department_id) else None
        if (
            department is None
            or not may_see(actor, department.employer_id)
            or employer not in (None, department.employer_id)
        ):
            raise NotFound("department.not_found")
        return StatsScope(department.employer_id, department.id), department.name
    if employer is not None:
        found = uow.employers.get(employer)
        if found is None or not may_see(actor, found.id):
            raise NotFound("employer.not_found")
        return StatsScope(found.id), found.name
    return StatsScope(), _ALL_LABEL


def _named_employer(actor: Actor, employer_id: object, department_id: object) -> str | None:
    """The employer the filters name (``None``: every one, for the service desk).

    An id that has not the form of one names nothing and is never looked up.
    """
    if actor.is_service_desk:
        employer = employer_id
    elif employer_id is None or employer_id == actor.employer_id:
        employer = actor.employer_id
    else:
        raise NotFound("employer.not_found")
    if employer is not None and not is_id(employer):
        raise NotFound("employer.not_found")
    if department_id not in (None, NO_DEPARTMENT) and not is_id(department_id):
        raise NotFound("department.not_found")
    return employer


def _labels(
    uow: UnitOfWork, scope: StatsScope, level: Level, children: Collection[str]
) -> dict[str, str]:
    names: dict[str, str]
    if level is Level.EMPLOYER:
        names = {e.id: e.name for e in uow.employers.list()}
    elif level is Level.DEPARTMENT:
        names = {d.id: d.name for d in uow.departments.for_employer(scope.employer_id or "")}
        names[NO_DEPARTMENT] = _NO_DEPARTMENT_LABEL
    else:
        names = uow.employees.display_names(children)
    return {key: names.get(key, key) for key in children}


class _Figures(TypedDict):
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


#: Each figure of a row, from its counters.
_FIGURE: Final[Mapping[str, Callable[[Counters], int | float | None]]] = {
    "held_sessions": lambda c: c.held,
    "planned_sessions": lambda c: c.planned,
    "cancelled_sessions": lambda c: c.cancelled,
    "no_show_sessions": lambda c: c.no_show,
    "late_cancelled_sessions": lambda c: c.late_cancelled,
    "live_sessions": lambda c: c.live,
    "online_sessions": lambda c: c.online,
    "trajectories_started": lambda c: c.started,
    "trajectories_completed": lambda c: c.completed,
    "average_trajectory_days": lambda c: _average(c.completed_days, c.completed),
    "extensions_started": lambda c: c.extensions,
}


def _figures(counters: Counters) -> _Figures:
    return typing.cast(_Figures, {name: figure(counters) for name, figure in _FIGURE.items()})


def _average(total: int, count: int) -> float | None:
    """``total / count`` to one decimal, halves rounded up (2.25 -> 2.3), exactly:
    floor(10 total / count + 1/2) in whole numbers."""
    if not count:
        return None
    return ((20 * total + count) // (2 * count)) / 10


def _row(key: str, label: str, counters: Counters) -> DashboardRow:
    return DashboardRow(key=key, label=label, **_figures(counters))


def _page(
    children: Mapping[str, Counters],
    sort: Sort,
    page: int,
    page_size: int | None,
    labels_of: Callable[[Collection[str]], dict[str, str]],
) -> tuple[list[str], dict[str, str]]:
    """The keys of one page of the rows in order (every row for ``page_size`` ``None``),
    and the labels of at least those keys.

    The order: by name (casefolded, then by key), or by a figure, most first (none last),
    then by name. Sorted by a figure, only the rows whose figure equals one of the page's
    need their names: the rows with a larger figure all come before the page, those with
    a smaller one after it. A department's breakdown holds thousands of employees, whose
    names would otherwise all be read and compared.
    """
    if sort == "label":
        labels = labels_of(children)
        order = sorted(children, key=lambda key: (labels[key].casefold(), key))
        return _cut(order, page, page_size), labels
    figure = _FIGURE[sort]
    # Where each row sorts: the largest figure first, none last.
    ranks: dict[str, float] = {}
    for key, counters in children.items():
        value = figure(counters)
        ranks[key] = math.inf if value is None else -value
    if page_size is None:
        labels = labels_of(ranks)
        return sorted(ranks, key=lambda key: (ranks[key], labels[key].casefold(), key)), labels
    ordered = sorted(ranks.values())
    start = (page - 1) * page_size
    if start >= len(ordered):
        return [], {}
    low, high = ordered[start], ordered[min(start + page_size, len(ordered)) - 1]
    # The rows that tie with the page's: the page is a slice of them.
    ties = {key: rank for key, rank in ranks.items() if low <= rank <= high}
    labels = labels_of(ties)
    order = sorted(ties, key=lambda key: (ties[key], labels[key].casefold(), key))
    start -= bisect.bisect_left(ordered, low)  # the rows before the ties
    return order[start : start + page_size], labels


def _cut(order: list[str], page: int, page_size: int | None) -> list[str]:
    if page_size is None:
        return order
    return order[(page - 1) * page_size : page * page_size]


def _ordered(themes: Mapping[str, int]) -> dict[str, int]:
    """Themes by held sessions, most first, then by name."""
    return dict(sorted(themes.items(), key=lambda item: (-item[1], item[0].casefold())))


def _rebuilt(
    uow: UnitOfWork,
    employer_id: str,
    trajectories: Collection[Trajectory],
    appointments: Collection[Appointment],
) -> tuple[list[StatsCell], list[ThemeCell]]:
    """Every cell of one employer (not those of every employer together), computed from its
    trajectories and appointments."""
    by_employee: dict[str, tuple[list[Trajectory], list[Appointment]]] = defaultdict(
        lambda: ([], [])
    )
    for trajectory in trajectories:
        by_employee[trajectory.employee_id][0].append(trajectory)
    for appointment in appointments:
        by_employee[appointment.employee_id][1].append(appointment)
    cells: dict[tuple[Level, str, str, int], Counters] = {}
    themes: dict[tuple[Level, str, int, str], int] = defaultdict(int)

    def put(key: tuple[Level, str, str, int], counters: Counters) -> None:
        cells[key] = cells[key] + counters if key in cells else counters

    for employee_id, (own_trajectories, own_appointments) in by_employee.items():
        part = contribution(trajectories=own_trajectories, appointments=own_appointments)
        themed_months: set[int] = set()
        for (department, month), counters in part.months.items():
            counted = attrs.evolve(counters, people=int(counters.themed > 0))
            put((Level.EMPLOYEE, department, employee_id, month), counted)
            put((Level.DEPARTMENT, department, "", month), counted)
            put((Level.EMPLOYER, "", "", month), counters)
            if counters.themed:
                themed_months.add(month)
        for month in themed_months:
            put((Level.EMPLOYER, "", "", month), Counters(people=1))
        for (department, month, theme), held in part.themes.items():
            themes[(Level.DEPARTMENT, department, month, theme)] += held
            themes[(Level.EMPLOYER, "", month, theme)] += held
    return (
        [
            StatsCell(employer_id, level, department, employee, month, counters)
            for (level, department, employee, month), counters in sorted(cells.items())
        ],
        [
            ThemeCell(employer_id, level, department, month, theme, held)
            for (level, department, month, theme), held in sorted(themes.items())
        ],
    )
