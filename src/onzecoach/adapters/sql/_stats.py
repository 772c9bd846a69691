"""The statistics rollups in SQL: one row of counters per cell, one per theme and month.

Every read is one statement, built once here and bound per call, on a range of a primary
key (one employer's cells) or of the (level, month) index (every employer together; but
see the people counts). Every write is one INSERT ... ON CONFLICT DO UPDATE per table
(per 500 rows on SQLite) that adds to the stored counters.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from typing import Any, Final, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from onzecoach.stats._model import COUNTER_FIELDS, Counters, Level, StatsCell, StatsScope, ThemeCell

from . import _tables as t
from ._errors import translate_errors
from ._repositories import Repository

__all__ = ["SqlStats"]

#: Rows per INSERT on SQLite and keys per IN list: far below the databases' limits on
#: bound parameters, large enough that a rebuild takes few statements.
_CHUNK: Final = 500

_cell = t.stats_cells.c
_theme = t.stats_themes.c
_COUNTERS = [_cell[name] for name in COUNTER_FIELDS]
_IN_RANGE = _cell.month.between(sa.bindparam("_first"), sa.bindparam("_last"))
_THEMES_IN_RANGE = _theme.month.between(sa.bindparam("_first"), sa.bindparam("_last"))
_EMPLOYER = _cell.employer_id == sa.bindparam("_employer_id")
_THEMES_EMPLOYER = _theme.employer_id == sa.bindparam("_employer_id")
_DEPARTMENT = _cell.department_id == sa.bindparam("_department_id")
_EMPLOYEE = _cell.employee_id == sa.bindparam("_employee_id")
_CHILDREN: sa.BindParameter[Any] = sa.bindparam("_children", expanding=True)
#: A prebuilt SELECT, of whatever columns.
_Query = sa.Select[*tuple[Any, ...]]


def _level(column: sa.ColumnElement[int], level: Level) -> sa.ColumnElement[bool]:
    # A literal, not a parameter: PostgreSQL then plans for the level's share of the rows.
    return column == sa.literal_column(str(int(level)))


def _on_conflict_add(statement: postgresql.Insert | sqlite.Insert, table: sa.Table) -> sa.Insert:
    """``statement``, adding its rows' counters to the stored ones of the same key."""
    key = [column.name for column in table.primary_key]
    upsert: sa.Insert = statement.on_conflict_do_update(
        index_elements=key,
        set_={c.name: c + statement.excluded[c.name] for c in table.columns if c.name not in key},
    )
    return upsert


def _adding_arrays(table: sa.Table) -> sa.Insert:
    """PostgreSQL: insert-or-add every row at once, each column bound as one array.

    One short statement whatever the number of rows, which psycopg and the server parse
    once. Strings go as text[], so that the columns' lengths still refuse a longer value
    instead of an explicit cast cutting it off.
    """

    def array(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
        kind = sa.Text() if isinstance(column.type, sa.String) else column.type
        return sa.func.unnest(sa.cast(sa.bindparam(column.name), postgresql.ARRAY(kind)))

    rows = sa.select(*(array(column) for column in table.columns))
    return _on_conflict_add(
        postgresql.insert(table).from_select([c.name for c in table.columns], rows), table
    )


_ADD_ARRAYS = {table: _adding_arrays(table) for table in (t.stats_cells, t.stats_themes)}


_SQLITE = sqlite.dialect()


@functools.lru_cache(maxsize=64)
def _adding_values(table: sa.Table, rows: int) -> str:
    """SQLite: insert-or-add ``rows`` rows, as SQL with positional parameters.

    The parameters are every row's columns in table order, one row after the other.
    Compiled once per number of rows: SQLAlchemy compiles a multi-row INSERT anew on
    every execution, which costs more than SQLite's work. The few sizes a rebuild's last
    chunk needs make way again for the everyday ones.
    """
    columns = [column.name for column in table.columns]
    names = tuple(f"{name}_{row}" for row in range(rows) for name in columns)
    statement = sqlite.insert(table).values(
        [{name: sa.bindparam(f"{name}_{row}") for name in columns} for row in range(rows)]
    )
    compiled = _on_conflict_add(statement, table).compile(dialect=_SQLITE)
    if tuple(compiled.positiontup or ()) != names:
        raise RuntimeError(f"unexpected parameter order in {table.name}'s upsert")
    return compiled.string


def _summed(key: sa.ColumnElement[str]) -> _Query:
    """Counters summed per ``key``, but people: the largest month's."""
    sums = [sa.func.sum(column) for column in _COUNTERS[:-1]]
    return (
        sa.select(key, *sums, sa.func.max(_cell.people))
        .group_by(key)
        # Children whose counters cancel out (a moved appointment) are no children.
        .having(sa.or_(*(total != 0 for total in sums)))
        .order_by(key)
    )


_EMPLOYEE_HELD = sa.select(_cell.month, _cell.held).where(
    _EMPLOYER,
    _level(_cell.level, Level.EMPLOYEE),
    _DEPARTMENT,
    _EMPLOYEE,
    _cell.month.in_(sa.bindparam("_months", expanding=True)),
)

# A scope's own cells (every employer's together have employer ""): one range of the key.
_SERIES = (
    sa.select(_cell.month, *_COUNTERS)
    .where(
        _EMPLOYER,
        _cell.level == sa.bindparam("_level"),
        _DEPARTMENT,
        _EMPLOYEE,
        _IN_RANGE,
    )
    .order_by(_cell.month)
)

# By the scope's level: its children's rows, summed per child.
_BREAKDOWN: dict[Level, _Query] = {
    Level.ALL: _summed(_cell.employer_id).where(_level(_cell.level, Level.EMPLOYER), _IN_RANGE),
    Level.EMPLOYER: _summed(_cell.department_id).where(
        _EMPLOYER, _level(_cell.level, Level.DEPARTMENT), _IN_RANGE
    ),
    Level.DEPARTMENT: _summed(_cell.employee_id).where(
        _EMPLOYER, _level(_cell.level, Level.EMPLOYEE), _DEPARTMENT, _IN_RANGE
    ),
}

# Employees with a held session, from the employee cells: each counted once per employer
# (and per child), whatever its months and departments. Built per database:
#
# SQLite reads the cells along the primary key, one employer's (or department's) range
# after another, which holds every column; the month is compared as ``month + 0`` so that
# it does not take the (level, month) index instead and look each cell of the range up in
# the table, four times slower. Every employer together is then the employers with cells
# in the range: a change to an employee's month changes its employer's month too.
#
# PostgreSQL takes the (level, month) index for every employer well by itself, and plans
# the trick above as one index probe per cell.
_EMPLOYERS_IN_RANGE = sa.select(_cell.employer_id).where(
    _level(_cell.level, Level.EMPLOYER), _IN_RANGE
)
_PEOPLE_CHILD = {
    Level.ALL: _cell.employer_id,
    Level.EMPLOYER: _cell.department_id,
    Level.DEPARTMENT: _cell.employee_id,
}


def _people_statements(
    dialect: str,
) -> tuple[dict[Level, _Query], dict[tuple[Level, bool], _Query]]:
    """The people counts of each scope, and per child (of the listed children or all)."""
    along_keys = dialect == "sqlite"
    month = _cell.month + sa.literal_column("0") if along_keys else _cell.month
    held = (
        _level(_cell.level, Level.EMPLOYEE),
        _cell.held > sa.literal_column("0"),
        month.between(sa.bindparam("_first"), sa.bindparam("_last")),
    )
    scopes: dict[Level, tuple[sa.ColumnElement[bool], ...]] = {
        Level.ALL: (_cell.employer_id.in_(_EMPLOYERS_IN_RANGE),) if along_keys else (),
        Level.EMPLOYER: (_EMPLOYER,),
        Level.DEPARTMENT: (_EMPLOYER, _DEPARTMENT),
        Level.EMPLOYEE: (_EMPLOYER, _DEPARTMENT, _EMPLOYEE),
    }

    def count(*where: sa.ColumnElement[bool], per: sa.ColumnElement[str] | None = None) -> _Query:
        columns = dict.fromkeys([_cell.employer_id if per is None else per, _cell.employee_id])
        found = sa.select(*columns).where(*where, *held).distinct().subquery()
        if per is None:
            return sa.select(sa.func.count()).select_from(found)
        key = found.c[per.name]
        return sa.select(key, sa.func.count()).group_by(key)

    per_child = {}
    for level, key in _PEOPLE_CHILD.items():
        per_child[level, False] = count(*scopes[level], per=key)
        # The employers named: their ranges, without looking for the employers in range.
        scope = scopes[level] if level is not Level.ALL else ()
        per_child[level, True] = count(*scope, key.in_(_CHILDREN), per=key)
    return {level: count(*scope) for level, scope in scopes.items()}, per_child


_PEOPLE = {dialect: _people_statements(dialect) for dialect in ("postgresql", "sqlite")}

# A scope's own themes: one range of the themes' primary key.
_THEMES = (
    sa.select(_theme.theme, sa.func.sum(_theme.held))
    .where(
        _THEMES_EMPLOYER,
        _theme.level == sa.bindparam("_level"),
        _theme.department_id == sa.bindparam("_department_id"),
        _THEMES_IN_RANGE,
    )
    .group_by(_theme.theme)
    .having(sa.func.sum(_theme.held) != 0)
    .order_by(_theme.theme)
)

_TOTAL_LEVELS = {Level.ALL, Level.EMPLOYER, Level.DEPARTMENT}

# The cells of every employer together, recounted from the employer cells.
_CLEAR_ALL_CELLS = t.stats_cells.delete().where(_level(_cell.level, Level.ALL))
_CLEAR_ALL_THEMES = t.stats_themes.delete().where(_level(_theme.level, Level.ALL))
_RECOUNT_CELLS = t.stats_cells.insert().from_select(
    [c.name for c in t.stats_cells.columns],
    sa.select(
        sa.literal(""),
        sa.literal(int(Level.ALL), sa.SmallInteger()),
        sa.literal(""),
        sa.literal(""),
        _cell.month,
        *(sa.func.sum(column) for column in _COUNTERS),
    )
    .where(_level(_cell.level, Level.EMPLOYER))
    .group_by(_cell.month),
)
_RECOUNT_THEMES = t.stats_themes.insert().from_select(
    [c.name for c in t.stats_themes.columns],
    sa.select(
        sa.literal(""),
        sa.literal(int(Level.ALL), sa.SmallInteger()),
        sa.literal(""),
        _theme.month,
        _theme.theme,
        sa.func.sum(_theme.held),
    )
    .where(_level(_theme.level, Level.EMPLOYER))
    .group_by(_theme.month, _theme.theme),
)

_CLEAR_CELLS = t.stats_cells.delete().where(_EMPLOYER)
_CLEAR_THEMES = t.stats_themes.delete().where(_THEMES_EMPLOYER)


def _rows(result: sa.CursorResult[Any]) -> Iterable[Sequence[Any]]:
    """The rows of a prebuilt query, typed as the sequences they are."""
    return cast("Iterable[Sequence[Any]]", result)


def _pairs(result: sa.CursorResult[Any]) -> Iterable[tuple[Any, Any]]:
    """The rows of a prebuilt query of two columns, for ``dict()``.

    An iterator, not the result: ``dict()`` takes anything with ``keys()`` for a mapping.
    """
    return cast("Iterable[tuple[Any, Any]]", iter(result))


def _scope_parameters(scope: StatsScope, first: int, last: int) -> dict[str, Any]:
    return {
        "_employer_id": scope.employer_id or "",
        "_department_id": scope.department_id or "",
        "_employee_id": scope.employee_id or "",
        "_first": first,
        "_last": last,
    }


class SqlStats(Repository):
    """``StatsRepository`` on ``onzecoach_stats_cells`` and ``onzecoach_stats_themes``.

    Cells whose counters return to zero stay: the readers pass over them, and the next
    change to the cell updates a row instead of inserting one.
    """

    def add(self, cells: Sequence[StatsCell], themes: Sequence[ThemeCell]) -> None:
        # PostgreSQL refuses an INSERT that changes one row twice: merge repeated keys
        # first, keeping the order of first appearance, which row locks are taken in.
        # The level goes to the driver as a plain int, not as the enum.
        counters: dict[tuple[str, int, str, str, int], Counters] = {}
        for cell in cells:
            key = (
                cell.employer_id,
                int(cell.level),
                cell.department_id,
                cell.employee_id,
                cell.month,
            )
            known = counters.get(key)
            counters[key] = cell.counters if known is None else known + cell.counters
        held: dict[tuple[str, int, str, int, str], int] = {}
        for theme in themes:
            key_ = (
                theme.employer_id,
                int(theme.level),
                theme.department_id,
                theme.month,
                theme.theme,
            )
            held[key_] = held.get(key_, 0) + theme.held
        self._add(t.stats_cells, [(*k, *c.values()) for k, c in counters.items()])
        self._add(t.stats_themes, [(*k, n) for k, n in held.items()])

    def employee_held(
        self, employer_id: str, department_id: str, employee_id: str, months: Collection[int]
    ) -> dict[int, int]:
        if not months:
            return {}
        rows = self._execute(
            _EMPLOYEE_HELD,
            "reading the statistics",
            {
                "_employer_id": employer_id,
                "_department_id": department_id,
                "_employee_id": employee_id,
                "_months": list(months),
            },
        )
        return dict(_pairs(rows))

    def series(self, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
        rows = self._execute(
            _SERIES,
            "reading the statistics",
            {**_scope_parameters(scope, first, last), "_level": int(scope.level)},
        )
        return {month: Counters(*values) for month, *values in _rows(rows) if any(values)}

    def breakdown(self, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
        query = _BREAKDOWN.get(scope.level)
        if query is None:
            return {}  # an employee has no children
        rows = self._execute(query, "reading the statistics", _scope_parameters(scope, first, last))
        return {key: Counters(*values) for key, *values in _rows(rows)}

    def people(
        self, scope: StatsScope, first: int, last: int, children: Collection[str] | None = None
    ) -> dict[str, int]:
        level = scope.level
        parameters = _scope_parameters(scope, first, last)
        if children is None:
            of_scope, _ = _PEOPLE[self._dialect]
            count = self._execute(of_scope[level], "counting people", parameters).scalar_one()
            return {"": count}
        if level not in _PEOPLE_CHILD or not children:
            return {}
        # A long list of children is most of them: one pass over the scope, then the pick.
        filtered = len(children) <= _CHUNK
        if filtered:
            parameters["_children"] = list(children)
        _, per_child = _PEOPLE[self._dialect]
        rows = self._execute(per_child[level, filtered], "counting people", parameters)
        wanted = None if filtered else set(children)
        return {
            key: count for key, count in _rows(rows) if count and (wanted is None or key in wanted)
        }

    def themes(self, scope: StatsScope, first: int, last: int) -> dict[str, int]:
        if scope.level not in _TOTAL_LEVELS:
            return {}  # themes are never kept per employee
        parameters = {**_scope_parameters(scope, first, last), "_level": int(scope.level)}
        return dict(_pairs(self._execute(_THEMES, "reading the themes", parameters)))

    def clear(self, employer_id: str) -> None:
        parameters = {"_employer_id": employer_id}
        self._execute(_CLEAR_CELLS, "clearing the statistics", parameters)
        self._execute(_CLEAR_THEMES, "clearing the statistics", parameters)

    def recount_all(self) -> None:
        for statement in (_CLEAR_ALL_CELLS, _CLEAR_ALL_THEMES, _RECOUNT_CELLS, _RECOUNT_THEMES):
            self._execute(statement, "recounting the statistics", {})

    def _add(self, table: sa.Table, rows: list[tuple[Any, ...]]) -> None:
        """Insert-or-add ``rows`` (columns in table order): one statement, or one per chunk."""
        if not rows:
            return
        if self._dialect == "postgresql":
            columns = zip(*rows, strict=True)
            self._execute(
                _ADD_ARRAYS[table],
                "adding to the statistics",
                {
                    column.name: list(values)
                    for column, values in zip(table.columns, columns, strict=True)
                },
            )
            return
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            # Ids, months and counts: plain str and int, which no bind processor changes.
            with translate_errors("adding to the statistics"):
                self._connection.exec_driver_sql(
                    _adding_values(table, len(chunk)),
                    tuple(value for row in chunk for value in row),
                )
