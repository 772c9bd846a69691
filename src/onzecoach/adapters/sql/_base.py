"""What every repository shares: its base class, the translation of errors, rows to entities."""

from __future__ import annotations

import contextlib
import enum
import functools
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final, TypeVar

import attrs
import cattrs
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.engine import Connection, CursorResult, Row

from onzecoach.adapters.sql._postgres import begin_before_write
from onzecoach.errors import Conflict, SlotTaken, StorageError

from ._types import UtcDateTime

__all__ = [
    "GuardedRepository",
    "Repository",
    "broken_unique",
    "fields_except",
    "row_values",
    "structure_row",
    "translate_errors",
]


def _is_unique_violation(exc: sa_exc.IntegrityError) -> bool:
    origin = exc.orig
    sqlstate = getattr(origin, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return getattr(origin, "sqlite_errorname", "") in {
        "SQLITE_CONSTRAINT_UNIQUE",
        "SQLITE_CONSTRAINT_PRIMARYKEY",
    }


def as_conflict(conflict: str | Conflict) -> Conflict:
    """The error a broken unique rule raises: a code, or a ``Conflict`` with its parameters."""
    return conflict if isinstance(conflict, Conflict) else Conflict(conflict)


@contextlib.contextmanager
def translate_errors(action: str, *, conflict: str | Conflict | None = None) -> Iterator[None]:
    """Turn SQLAlchemy's and the driver's errors into onzecoach's.

    A unique violation becomes ``Conflict(conflict)`` where the caller expects one;
    everything else a ``StorageError`` naming the driver's error class and first line,
    never the SQL parameters.
    """
    try:
        yield
    except sa_exc.IntegrityError as exc:
        if _is_coach_overlap(exc):
            raise SlotTaken("booking.slot_taken") from exc
        if conflict is not None and _is_unique_violation(exc):
            raise as_conflict(conflict) from exc
        raise StorageError(f"{action} failed: {type(exc.orig).__name__}") from exc
    except sa_exc.SQLAlchemyError as exc:
        if _is_crossed_booking(exc):
            raise SlotTaken("booking.slot_taken") from exc
        origin = getattr(exc, "orig", None) or exc
        first_line = (str(origin).strip().splitlines() or [""])[0]
        raise StorageError(f"{action} failed: {type(origin).__name__}: {first_line}") from exc


def _is_coach_overlap(exc: sa_exc.IntegrityError) -> bool:
    """Whether the database refused two overlapping sessions of one coach: PostgreSQL's
    exclusion constraint (SQLSTATE 23P01) or SQLite's trigger (see migration 0011)."""
    origin = exc.orig
    if getattr(origin, "sqlstate", None) == "23P01":
        return "coach_overlap" in str(origin)
    return "onzecoach_coach_overlap" in str(origin)


def _is_crossed_booking(exc: sa_exc.SQLAlchemyError) -> bool:
    """Whether PostgreSQL ended a deadlock of two sessions of one coach written at once:
    each insert waits for the other while it checks the exclusion constraint, and one of
    them is chosen to fail. The other is written, so this one's time was just taken."""
    origin = getattr(exc, "orig", None)
    return (
        getattr(origin, "sqlstate", None) == "40P01"
        and "exclusion constraint" in str(origin)
        and '"onzecoach_appointments"' in str(origin)
    )


# Rows to entities: one cattrs converter instead of a constructor call per table.

T = TypeVar("T")

_converter = cattrs.Converter()
# The driver hands these over already typed (UtcDateTime makes datetimes aware UTC).
_converter.register_structure_hook(datetime, lambda value, _: value)
_converter.register_structure_hook(date, lambda value, _: value)


def structure_row(row: Row[Any], kind: type[T], **overrides: Any) -> T:
    """The entity ``kind`` from a row; columns the entity lacks (search keys) are ignored."""
    return _converter.structure({**row._asdict(), **overrides}, kind)


def fields_except(kind: type[Any], *excluded: str) -> tuple[str, ...]:
    """The entity's field names but ``excluded``: the columns an update writes."""
    return tuple(f.name for f in attrs.fields(kind) if f.name not in excluded)


def row_values(entity: Any, names: Iterable[str]) -> dict[str, Any]:
    """The columns ``names`` of an entity, enums as their stored values."""
    values = {name: getattr(entity, name) for name in names}
    return {k: v.value if isinstance(v, enum.Enum) else v for k, v in values.items()}


class Repository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name

    def flush(self) -> None:
        """Write what this repository held back for the end of its transaction; the unit
        of work calls it before it commits. Nothing by default."""

    def discard(self) -> None:
        """Forget what this repository held back; the unit of work calls it when it rolls
        back. Nothing by default."""

    def _execute(
        self,
        statement: sa.Executable,
        action: str,
        parameters: dict[str, Any] | None = None,
        *,
        conflict: str | Conflict | None = None,
    ) -> CursorResult[Any]:
        # Hot writes pass a prebuilt statement and plain parameters: building a statement
        # with .values() per call costs more than SQLite's own work.
        with translate_errors(action, conflict=conflict):
            return self._connection.execute(statement, parameters)

    def _insert_rows(
        self, table: sa.Table, columns: Sequence[str], rows: list[tuple[Any, ...]], action: str
    ) -> None:
        """``INSERT`` ``rows`` (values in the order of ``columns``) with the driver's own
        executemany, or on PostgreSQL from ``COPY_FROM_ROWS`` rows on with ``COPY``, each
        value converted by its column type as SQLAlchemy would: for bulk writes, where
        SQLAlchemy's handling of each row's parameters would cost more than the
        database's work. Nothing for no rows.
        """
        with translate_errors(action):
            self._insert_untranslated(table, columns, rows)

    def _insert_untranslated(
        self, table: sa.Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """``_insert_rows`` with SQLAlchemy's errors left as they are."""
        if not rows:
            return
        statement, processors = _bulk_insert(self._connection.dialect, table, tuple(columns))
        if any(processors):
            columns_of_rows = zip(*rows, strict=True)
            values = [
                _processed(conversion, column)
                for conversion, column in zip(processors, columns_of_rows, strict=True)
            ]
            rows = list(zip(*values, strict=True))
        if self._dialect == "postgresql" and len(rows) >= COPY_FROM_ROWS:
            self._copy(table, tuple(columns), rows)
        elif self._dialect == "sqlite" and len(rows) > 1:
            self._insert_sqlite(table, tuple(columns), rows)
        else:
            self._connection.exec_driver_sql(statement, rows)

    def _insert_sqlite(
        self, table: sa.Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        """The rows in multi-row ``INSERT``s, as many rows to a statement as SQLite binds
        values: each statement is one step of SQLite's, for which sqlite3 lets go of the
        GIL. Its ``executemany`` lets go only around each row's step and waits for the GIL
        again after it, up to the switch interval (5 ms) while another thread runs Python:
        a thread checking the next batch beside it then made each row wait
        (docs/benchmarks.md). Alone, a multi-row statement is a little faster too."""
        dialect = self._connection.dialect
        per_statement = _rows_per_statement(self._connection, len(columns))
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            statement = _multi_row_insert(dialect, table, columns, len(part))
            self._connection.exec_driver_sql(statement, tuple(itertools.chain.from_iterable(part)))

    def _copy(self, table: sa.Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """The rows through psycopg's ``COPY ... FROM STDIN``, on this connection and in
        its transaction, each column's values formatted by one dumper (``_copy_types``);
        the driver's errors raised as SQLAlchemy's, as ``execute`` would.
        """
        dialect = self._connection.dialect
        statement = _copy_statement(dialect, table, columns)
        types = _copy_types(table, columns)
        driver: Any = self._connection.connection.driver_connection
        begin_before_write(self._connection, driver)  # COPY goes around SQLAlchemy's events
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                if types is not None:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as exc:
            raise sa_exc.DBAPIError.instance(
                statement, None, exc, dialect.loaded_dbapi.Error
            ) from exc


#: From how many rows a bulk insert on PostgreSQL goes through ``COPY`` instead of the
#: driver's executemany. Measured on an import batch's writes (employees and search
#: rows), COPY took as long for 2 rows and about half as long from 3 rows on.
COPY_FROM_ROWS = 3


_Processor = Callable[[Any], Any] | None
#: A column's converter, and whether equal values convert alike (so each once will do).
_Conversion = tuple[Callable[[Any], Any], bool] | None
#: Column types whose converter gives equal values equal results: text, dates, and UTC
#: times (two equal moments in other zones are one UTC time).
_SAME_FOR_EQUAL = (sa.String, sa.Date, UtcDateTime)


def _processed(conversion: _Conversion, column: Sequence[Any]) -> Sequence[Any]:
    """A column's values converted; a value that recurs (the batch's one time of writing,
    a common birth date) is converted once."""
    if conversion is None:
        return column
    process, same_for_equal = conversion
    if same_for_equal:
        distinct = dict.fromkeys(column)
        if len(distinct) < len(column):
            converted = {value: process(value) for value in distinct}
            return list(map(converted.__getitem__, column))
    return list(map(process, column))


@functools.lru_cache(maxsize=64)
def _bulk_insert(
    dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]
) -> tuple[str, tuple[_Conversion, ...]]:
    """The driver's INSERT text for ``columns`` of ``table``, and each column's converter."""
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    # Only names from the table's metadata, quoted, go into the text; values are bound.
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    return statement, tuple(_conversion(dialect, table.c[name].type) for name in columns)


def _conversion(dialect: sa.Dialect, kind: sa.types.TypeEngine[Any]) -> _Conversion:
    implementation = kind.dialect_impl(dialect)
    if dialect.name == "postgresql" and isinstance(implementation, sa.JSON):
        # As its text, which the server reads into the column's type: SQLAlchemy's own
        # processor wraps each value for psycopg, whose dumper then runs in Python per
        # value (0.3 s of the 100,000 audit entries of an import's COPY).
        serialise: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps
        return serialise, False
    process = implementation.bind_processor(dialect)
    if process is None:
        return None
    return process, isinstance(kind, _SAME_FOR_EQUAL)


#: Rows in one multi-row INSERT on SQLite at most, and the values it binds at most (as far
#: as the build allows: 32,766 by default since SQLite 3.32, 250,000 in Debian's). Each
#: statement is a wait for the GIL after it while another thread runs Python: fewer are
#: better, and a batch of the import's (2,000 employees) makes one statement per table.
_ROWS_PER_STATEMENT: Final = 10_000
_VALUES_PER_STATEMENT: Final = 100_000


def _rows_per_statement(connection: Connection, columns: int) -> int:
    driver: Any = connection.connection.driver_connection
    limit: int = min(_VALUES_PER_STATEMENT, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return max(1, min(_ROWS_PER_STATEMENT, limit // columns))


@functools.lru_cache(maxsize=128)
def _multi_row_insert(
    dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...], rows: int
) -> str:
    """``_bulk_insert``'s statement for ``rows`` rows at once (qmark: SQLite)."""
    statement, _ = _bulk_insert(dialect, table, columns)
    head, _, one = statement.partition(" VALUES ")
    return f"{head} VALUES {', '.join(itertools.repeat(one, rows))}"


@functools.lru_cache(maxsize=64)
def _copy_statement(dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]) -> str:
    """``COPY`` of ``columns`` of ``table`` from the client, in text format."""
    quote = dialect.identifier_preparer.quote
    return f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


#: The type that picks psycopg's dumper for a column's values in ``COPY``'s text format,
#: by the column's type: in the order checked (``UtcDateTime`` is no ``sa.DateTime``).
_COPY_DUMPERS: Final[tuple[tuple[type[sa.types.TypeEngine[Any]], str], ...]] = (
    (UtcDateTime, "timestamptz"),
    (sa.String, "text"),
    (sa.JSON, "text"),  # passed as its text (_conversion)
    (sa.Boolean, "bool"),
    (sa.Integer, "int8"),
    (sa.Date, "date"),
)


@functools.lru_cache(maxsize=64)
def _copy_types(table: sa.Table, columns: tuple[str, ...]) -> tuple[str, ...] | None:
    """The type of each column whose dumper formats its values for ``COPY``, or ``None``
    when a column's type is not among ``_COPY_DUMPERS`` (then psycopg picks a dumper by
    each value's Python type, as it does without).

    Told once per ``COPY``, the dumpers are not looked up again for every value: about a
    tenth of an import's client time on PostgreSQL (docs/benchmarks.md). The values must
    then be of the column's Python type, as ``_conversion`` leaves them. In the text
    format the server reads each value by its column's type, whatever type is named here.
    """
    names = []
    for name in columns:
        kind = table.c[name].type
        found = next((pg for sa_type, pg in _COPY_DUMPERS if isinstance(kind, sa_type)), None)
        if found is None:
            return None
        names.append(found)
    return tuple(names)


@functools.cache
def _unique_keys(table: sa.Table) -> dict[tuple[str, ...], str]:
    """The columns of each unique constraint and unique index of ``table``, to its name."""
    keys = {
        tuple(column.name for column in constraint.columns): str(constraint.name)
        for constraint in table.constraints
        if isinstance(constraint, sa.PrimaryKeyConstraint | sa.UniqueConstraint)
    }
    keys.update(
        (tuple(column.name for column in index.columns), str(index.name))
        for index in table.indexes
        if index.unique
    )
    return keys


_SQLITE_UNIQUE = "UNIQUE constraint failed: "


def broken_unique(table: sa.Table, error: sa_exc.IntegrityError) -> str | None:
    """The name of the unique constraint or index of ``table`` that a write broke, if any."""
    origin = error.orig
    diagnosis = getattr(origin, "diag", None)  # psycopg names the constraint
    if diagnosis is not None:
        return None if getattr(origin, "sqlstate", None) != "23505" else diagnosis.constraint_name
    # SQLite names its columns instead: "UNIQUE constraint failed: table.a, table.b".
    message = str(origin)
    if not message.startswith(_SQLITE_UNIQUE):
        return None
    columns = message.removeprefix(_SQLITE_UNIQUE).split(", ")
    key = tuple(column.removeprefix(f"{table.name}.") for column in columns)
    return _unique_keys(table).get(key)


class GuardedRepository(Repository):
    """A repository whose writes can break one of several unique rules, each with its own
    message: employees and trajectories."""

    def _write(
        self,
        statement: sa.Executable,
        action: str,
        parameters: dict[str, Any] | list[dict[str, Any]],
        *,
        table: sa.Table,
        conflicts: Mapping[str, str | Conflict],
    ) -> CursorResult[Any]:
        """Execute a write; a broken unique rule named in ``conflicts`` raises its message."""
        with translate_errors(action):
            try:
                return self._connection.execute(statement, parameters)
            except sa_exc.IntegrityError as exc:
                message = conflicts.get(broken_unique(table, exc) or "")
                if message is None:
                    raise
                raise as_conflict(message) from exc
