"""The statistics rollups in SQL: one row of counters per cell, one per theme and month.

Every read is one statement, built once here and bound per call, on a range of a primary
key (one employer's cells), of the (level, month) index (every employer together) or of
the (employer, level, employee, month) index (an employee's cells in any department).
Every write is one INSERT ... ON CONFLICT DO UPDATE per table (per 500 rows on SQLite)
that adds to the stored counters.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any, Final, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from onzecoach.stats import COUNTER_FIELDS, Counters, Level, StatsCell, StatsScope, ThemeCell

from . import _tables as t
from ._base import Repository, translate_errors
from ._sqlite import begin_now

__all__ = ["SqlStats"]

#: Rows per INSERT on SQLite and keys per IN list: far below the databases' limits on
#: bound parameters, large enough that a rebuild takes few statements.
_CHUNK: Final = 500

_cell = t.stats_cells.c
_theme = t.stats_themes.c
_COUNTERS = [_cell[name] for name in COUNTER_FIELDS]
_IN_RANGE = _cell.month.between(sa.bindparam("_first"), sa.bindparam("_last"))
_EMPLOYER = _cell.employer_id == sa.bindparam("_employer_id")
_THEMES_EMPLOYER = _theme.employer_id == sa.bindparam("_employer_id")
_DEPARTMENT = _cell.department_id == sa.bindparam("_department_id")
_EMPLOYEE = _cell.employee_id == sa.bindparam("_employee_id")
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
    """Every counter summed per ``key``, people too; keys whose sums are all zero left out."""
    sums = [sa.func.sum(column) for column in _COUNTERS]
    return (
        sa.select(key, *sums)
        .group_by(key)
        # Children whose counters cancel out (a moved appointment) are no children.
        .having(sa.or_(*(total != 0 for total in sums)))
        .order_by(key)
    )


_MONTHS: sa.BindParameter[Any] = sa.bindparam("_months", expanding=True)
# An employee's cells, under every department it counted in.
_OF_EMPLOYEE = (_EMPLOYER, _level(_cell.level, Level.EMPLOYEE), _EMPLOYEE)

# The range around the months asked is for SQLite: without it, it reads every employee's
# cells along the primary key rather than look the months up in the employee's index.
_EMPLOYEE_THEMED = sa.select(_cell.department_id, _cell.month, _cell.themed).where(
    *_OF_EMPLOYEE, _IN_RANGE, _cell.month.in_(_MONTHS)
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
# An employee's: one range of the (employer, level, employee, month) index, summed per
# month over its departments.
_EMPLOYEE_SERIES = (
    sa.select(_cell.month, *(sa.func.sum(column) for column in _COUNTERS))
    .where(*_OF_EMPLOYEE, _IN_RANGE)
    .group_by(_cell.month)
    .order_by(_cell.month)
)

# By the scope's level: its children's cells, and the column that tells them apart.
_CHILDREN: dict[Level, tuple[sa.ColumnElement[str], tuple[sa.ColumnElement[bool], ...]]] = {
    Level.ALL: (_cell.employer_id, (_level(_cell.level, Level.EMPLOYER),)),
    Level.EMPLOYER: (_cell.department_id, (_EMPLOYER, _level(_cell.level, Level.DEPARTMENT))),
    Level.DEPARTMENT: (
        _cell.employee_id,
        (_EMPLOYER, _level(_cell.level, Level.EMPLOYEE), _DEPARTMENT),
    ),
}

# The children's rows, summed per child.
_BREAKDOWN: dict[Level, _Query] = {
    level: _summed(key).where(*where, _IN_RANGE) for level, (key, where) in _CHILDREN.items()
}


def _month_people(dialect: str) -> dict[Level, _Query]:
    """The children's people per month (one cell each, nothing to sum), per database.

    SQLite takes the (level, month) index for one employer's or department's children
    too, reading every employer's cells of the range, hundreds of times slower than its
    range of the primary key; ``month + 0`` keeps it on the key. PostgreSQL plans well.
    """

    def in_range(level: Level) -> sa.ColumnElement[bool]:
        month: sa.ColumnElement[int] = _cell.month
        if dialect == "sqlite" and level is not Level.ALL:
            month = month + sa.literal_column("0")
        return month.between(sa.bindparam("_first"), sa.bindparam("_last"))

    return {
        level: sa.select(_cell.month, key, _cell.people).where(
            *where, in_range(level), _cell.people != sa.literal_column("0")
        )
        for level, (key, where) in _CHILDREN.items()
    }


_MONTH_PEOPLE = {dialect: _month_people(dialect) for dialect in ("postgresql", "sqlite")}

# A scope's own themes: one range of the themes' primary key, then the months asked.
_THEMES = (
    sa.select(_theme.theme, sa.func.sum(_theme.held))
    .where(
        _THEMES_EMPLOYER,
        _theme.level == sa.bindparam("_level"),
        _theme.department_id == sa.bindparam("_department_id"),
        _theme.month.in_(_MONTHS),
    )
    .group_by(_theme.theme)
    .having(sa.func.sum(_theme.held) != 0)
    .order_by(_theme.theme)
)

_TOTAL_LEVELS = {Level.ALL, Level.EMPLOYER, Level.DEPARTMENT}

# PostgreSQL: no other transaction changes cells until this one ends. SHARE ROW EXCLUSIVE
# waits for the writers under way, keeps new ones (ROW EXCLUSIVE) out and lets readers
# be; two rebuilds take turns. SQLite takes its write lock there instead (``begin_now``).
_LOCK_CELLS = sa.text(
    f"LOCK TABLE {t.stats_cells.name}, {t.stats_themes.name} IN SHARE ROW EXCLUSIVE MODE"
)

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


def _chunks(months: Collection[int]) -> list[list[int]]:
    """The distinct months in IN lists of at most ``_CHUNK``; none for no months."""
    distinct = sorted(set(months))
    return [distinct[start : start + _CHUNK] for start in range(0, len(distinct), _CHUNK)]


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
    change to the cell updates a row instead of inserting one. ``clear`` and
    ``recount_all`` lock both tables against writers until their transaction ends.
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

    def employee_themed(
        self, employer_id: str, employee_id: str, months: Collection[int]
    ) -> dict[tuple[str, int], int]:
        found: dict[tuple[str, int], int] = {}
        for chunk in _chunks(months):
            rows = self._execute(
                _EMPLOYEE_THEMED,
                "reading the statistics",
                {
                    "_employer_id": employer_id,
                    "_employee_id": employee_id,
                    "_first": chunk[0],
                    "_last": chunk[-1],
                    "_months": chunk,
                },
            )
            for department, month, themed in _rows(rows):
                found[department, month] = themed
        return found

    def series(self, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
        level = scope.level
        if level is Level.EMPLOYEE:
            query, parameters = _EMPLOYEE_SERIES, _scope_parameters(scope, first, last)
        else:
            query = _SERIES
            parameters = {**_scope_parameters(scope, first, last), "_level": int(level)}
        rows = self._execute(query, "reading the statistics", parameters)
        return {month: Counters(*values) for month, *values in _rows(rows) if any(values)}

    def breakdown(self, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
        query = _BREAKDOWN.get(scope.level)
        if query is None:
            return {}  # an employee has no children
        rows = self._execute(query, "reading the statistics", _scope_parameters(scope, first, last))
        # A department's employees run into thousands: fetched at once, not row by row.
        return {row[0]: Counters(*row[1:]) for row in rows.all()}

    def month_people(self, scope: StatsScope, first: int, last: int) -> dict[int, dict[str, int]]:
        query = _MONTH_PEOPLE[self._dialect].get(scope.level)
        if query is None:
            return {}  # an employee has no children
        rows = self._execute(query, "reading the statistics", _scope_parameters(scope, first, last))
        found: dict[int, dict[str, int]] = defaultdict(dict)
        for month, key, people in _rows(rows):
            found[month][key] = people
        return dict(found)

    def themes(self, scope: StatsScope, months: Collection[int]) -> dict[str, int]:
        if scope.level not in _TOTAL_LEVELS:
            return {}  # themes are never kept per employee
        parameters: dict[str, Any] = {
            "_employer_id": scope.employer_id or "",
            "_level": int(scope.level),
            "_department_id": scope.department_id or "",
        }
        chunks = _chunks(months)
        if len(chunks) == 1:
            parameters["_months"] = chunks[0]
            return dict(_pairs(self._execute(_THEMES, "reading the themes", parameters)))
        # More months than one IN list holds: the chunks' sums, summed.
        found: dict[str, int] = defaultdict(int)
        for chunk in chunks:
            parameters["_months"] = chunk
            for theme, held in _pairs(self._execute(_THEMES, "reading the themes", parameters)):
                found[theme] += held
        return {theme: held for theme, held in sorted(found.items()) if held}

    def clear(self, employer_id: str) -> None:
        self._lock_cells()
        parameters = {"_employer_id": employer_id}
        self._execute(_CLEAR_CELLS, "clearing the statistics", parameters)
        self._execute(_CLEAR_THEMES, "clearing the statistics", parameters)

    def recount_all(self) -> None:
        # The same lock as clear's (again, if a clear took it already), so that a recount
        # on its own neither misses a writer's cells nor collides with its new month.
        self._lock_cells()
        for statement in (_CLEAR_ALL_CELLS, _CLEAR_ALL_THEMES, _RECOUNT_CELLS, _RECOUNT_THEMES):
            self._execute(statement, "recounting the statistics", {})

    def _lock_cells(self) -> None:
        """Keep every other writer of cells out until this transaction ends."""
        if self._dialect == "postgresql":
            self._execute(_LOCK_CELLS, "locking the statistics")
        else:
            begin_now(self._connection)  # the write lock keeps every other writer out

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
