"""The statistics: counters per group and month, and the groups under each parent."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from onzecoach.stats import Counters, Level, StatsCell, StatsScope, ThemeCell

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["MemoryStats", "StatsTables"]

_Group = tuple[str, Level, str, str]
_ThemeGroup = tuple[str, Level, str]


@attrs.define
class StatsTables:
    """The statistics cells and theme counts, and the indexes over them."""

    #: (employer, level, department, employee) -> month -> counters.
    stats_cells: dict[_Group, dict[int, Counters]] = attrs.Factory(dict)
    #: (employer, level, department) -> month -> theme -> held sessions.
    stats_themes: dict[_ThemeGroup, dict[int, dict[str, int]]] = attrs.Factory(dict)
    #: The groups under a parent: () for employers, (employer,) for departments,
    #: (employer, department) for employees; an ordered set, as dict keys.
    stats_children: dict[tuple[str, ...], dict[_Group, None]] = attrs.Factory(dict)
    #: (employer, employee) -> the employee's groups, one per department it counted in.
    stats_employee_groups: dict[tuple[str, str], dict[_Group, None]] = attrs.Factory(dict)


def _parent(group: _Group) -> tuple[str, ...] | None:
    """The key under which a group is listed among its parent's children."""
    employer, level, department, _ = group
    if level is Level.ALL:
        return None
    if level is Level.EMPLOYER:
        return ()
    return (employer,) if level is Level.DEPARTMENT else (employer, department)


_ALL: _Group = ("", Level.ALL, "", "")


def _scope_group(scope: StatsScope) -> _Group:
    level = scope.level
    if level is Level.ALL:
        return _ALL
    department = "" if level is Level.EMPLOYER else scope.department_id or ""
    employee = scope.employee_id or "" if level is Level.EMPLOYEE else ""
    return (scope.employer_id or "", level, department, employee)


def _children_parent(scope: StatsScope) -> tuple[str, ...] | None:
    level = scope.level
    if level is Level.ALL:
        return ()
    if level is Level.EMPLOYER:
        return (scope.employer_id or "",)
    if level is Level.DEPARTMENT:
        return (scope.employer_id or "", scope.department_id or "")
    return None


def _child_key(group: _Group) -> str:
    employer, level, department, employee = group
    if level is Level.EMPLOYER:
        return employer
    return department if level is Level.DEPARTMENT else employee


class MemoryStats:
    """The statistics cells in nested dictionaries; rollback restores the old counters."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> StatsTables:
        return self._uow.tables(StatsTables)

    def add(self, cells: Sequence[StatsCell], themes: Sequence[ThemeCell]) -> None:
        tables = self._tables
        for cell in cells:
            group: _Group = (cell.employer_id, cell.level, cell.department_id, cell.employee_id)
            by_month = tables.stats_cells.get(group)
            if by_month is None:
                by_month = {}
                self._uow.put(tables.stats_cells, group, by_month)
                parent = _parent(group)
                if parent is not None:
                    siblings = tables.stats_children.get(parent)
                    if siblings is None:
                        siblings = {}
                        self._uow.put(tables.stats_children, parent, siblings)
                    self._uow.put(siblings, group, None)
                if cell.level is Level.EMPLOYEE:
                    key = (cell.employer_id, cell.employee_id)
                    own = tables.stats_employee_groups.get(key)
                    if own is None:
                        own = {}
                        self._uow.put(tables.stats_employee_groups, key, own)
                    self._uow.put(own, group, None)
            old = by_month.get(cell.month)
            self._uow.put(
                by_month, cell.month, cell.counters if old is None else old + cell.counters
            )
        for theme in themes:
            theme_group: _ThemeGroup = (theme.employer_id, theme.level, theme.department_id)
            months = tables.stats_themes.get(theme_group)
            if months is None:
                months = {}
                self._uow.put(tables.stats_themes, theme_group, months)
            counts = months.get(theme.month)
            if counts is None:
                counts = {}
                self._uow.put(months, theme.month, counts)
            self._uow.put(counts, theme.theme, counts.get(theme.theme, 0) + theme.held)

    def employee_themed(
        self, employer_id: str, employee_id: str, months: Collection[int]
    ) -> dict[tuple[str, int], int]:
        tables = self._tables
        found = {}
        for group in tables.stats_employee_groups.get((employer_id, employee_id), {}):
            by_month = tables.stats_cells.get(group, {})
            for month in months:
                if month in by_month:
                    found[(group[2], month)] = by_month[month].themed
        return found

    def series(self, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
        found: dict[int, Counters] = {}
        for group in self._scope_groups(scope):
            for month, counters in self._in_range(group, first, last):
                found[month] = found[month] + counters if month in found else counters
        return {month: c for month, c in sorted(found.items()) if not c.is_zero()}

    def breakdown(self, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
        found: dict[str, Counters] = {}
        for group in self._child_groups(scope):
            total = sum((c for _, c in self._in_range(group, first, last)), Counters())
            if not total.is_zero():
                found[_child_key(group)] = total
        return found

    def month_people(self, scope: StatsScope, first: int, last: int) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = {}
        for group in self._child_groups(scope):
            for month, counters in self._in_range(group, first, last):
                if counters.people:
                    found.setdefault(month, {})[_child_key(group)] = counters.people
        return found

    def themes(self, scope: StatsScope, months: Collection[int]) -> dict[str, int]:
        employer, level, department, _ = _scope_group(scope)
        if level is Level.EMPLOYEE:
            return {}
        stored = self._tables.stats_themes.get((employer, level, department), {})
        counts: dict[str, int] = {}
        for month in set(months):
            for theme, held in stored.get(month, {}).items():
                counts[theme] = counts.get(theme, 0) + held
        return {theme: n for theme, n in counts.items() if n}

    def clear(self, employer_id: str) -> None:
        tables = self._tables
        for group in [g for g in tables.stats_cells if g[0] == employer_id]:
            self._uow.discard(tables.stats_cells, group)
            parent = _parent(group)
            siblings = None if parent is None else tables.stats_children.get(parent)
            if siblings is not None:
                self._uow.discard(siblings, group)
            own = tables.stats_employee_groups.get((group[0], group[3]))
            if own is not None:
                self._uow.discard(own, group)
        for theme_group in [g for g in tables.stats_themes if g[0] == employer_id]:
            self._uow.discard(tables.stats_themes, theme_group)

    def recount_all(self) -> None:
        tables = self._tables
        employers = list(tables.stats_children.get((), {}))
        totals: dict[int, Counters] = {}
        for group in employers:
            for month, counters in tables.stats_cells[group].items():
                totals[month] = totals[month] + counters if month in totals else counters
        self._uow.put(tables.stats_cells, _ALL, totals)
        themes: dict[int, dict[str, int]] = {}
        for employer, *_ in employers:
            for month, counts in tables.stats_themes.get(
                (employer, Level.EMPLOYER, ""), {}
            ).items():
                into = themes.setdefault(month, {})
                for theme, held in counts.items():
                    into[theme] = into.get(theme, 0) + held
        self._uow.put(tables.stats_themes, (_ALL[0], Level.ALL, ""), themes)

    def _scope_groups(self, scope: StatsScope) -> list[_Group]:
        tables = self._tables
        if scope.level is Level.EMPLOYEE:
            key = (scope.employer_id or "", scope.employee_id or "")
            return list(tables.stats_employee_groups.get(key, {}))
        group = _scope_group(scope)
        return [group] if group in tables.stats_cells else []

    def _child_groups(self, scope: StatsScope) -> list[_Group]:
        parent = _children_parent(scope)
        return [] if parent is None else list(self._tables.stats_children.get(parent, {}))

    def _in_range(self, group: _Group, first: int, last: int) -> Iterable[tuple[int, Counters]]:
        by_month = self._tables.stats_cells.get(group, {})
        if last - first < 100 * 3:
            # A few years: look the months up rather than walk every month of the group.
            year, month = divmod(first, 100)
            while year * 100 + month <= last:
                key = year * 100 + month
                if key in by_month:
                    yield key, by_month[key]
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        else:
            yield from ((m, c) for m, c in by_month.items() if first <= m <= last)
