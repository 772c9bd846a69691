"""Employees."""

from __future__ import annotations

import contextlib
import enum
import operator
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Row

from onzecoach.employees import Employee, display_name
from onzecoach.errors import Conflict, NotFound
from onzecoach.messages import ERASED_EMPLOYEE

from . import _tables as t
from ._base import (
    GuardedRepository,
    broken_unique,
    fields_except,
    row_values,
    structure_row,
    translate_errors,
)

__all__ = ["SqlEmployees"]

_EMPLOYEE_EXISTS = "employee.exists"
_EMPLOYEE_NUMBER = "uq_onzecoach_employees_employer_id_employee_number"
_NUMBERS_TAKEN = "employee.numbers_taken"
_EMPLOYEE_STATE = fields_except(Employee, "id", "created_at")
_EMPLOYEE_COLUMNS = ("id", "created_at", *_EMPLOYEE_STATE)


def _employee_rows(employees: Sequence[Employee]) -> list[tuple[Any, ...]]:
    """Each employee's values in the order of ``_EMPLOYEE_COLUMNS``, enums as stored; built
    a column at a time, which for a batch costs a fraction of a row at a time."""
    columns: list[list[Any]] = []
    for name in _EMPLOYEE_COLUMNS:
        column = list(map(operator.attrgetter(name), employees))
        if any(isinstance(value, enum.Enum) for value in column[:1]):
            column = [value.value if isinstance(value, enum.Enum) else value for value in column]
        columns.append(column)
    return list(zip(*columns, strict=True))


def _employee(row: Row[Any]) -> Employee:
    return structure_row(row, Employee)


_EMPLOYEE_CLASHES = sa.select(t.employees.c.id).where(
    sa.or_(
        t.employees.c.id == sa.bindparam("_id"),
        sa.and_(
            t.employees.c.employer_id == sa.bindparam("_employer_id"),
            t.employees.c.employee_number == sa.bindparam("_employee_number"),
        ),
    )
)
_NAMED_AT = sa.bindparam("last_named_at", type_=t.employees.c.last_named_at.type)
_SAVE_EMPLOYEE = (
    t.employees.update()
    .where(t.employees.c.id == sa.bindparam("_id"))
    .values(
        {
            **{name: sa.bindparam(name) for name in _EMPLOYEE_STATE},
            # The latest naming stands: a save of a row read before an import named it
            # keeps the import's time.
            "last_named_at": sa.case(
                (_NAMED_AT.is_(None), t.employees.c.last_named_at),
                (t.employees.c.last_named_at.is_(None), _NAMED_AT),
                (t.employees.c.last_named_at < _NAMED_AT, _NAMED_AT),
                else_=t.employees.c.last_named_at,
            ),
        }
    )
)

_GET_EMPLOYEE = t.employees.select().where(t.employees.c.id == sa.bindparam("_id"))
# PostgreSQL: SELECT ... FOR UPDATE. SQLite: its write lock, taken before it (``_sqlite``).
_LOCK_EMPLOYEE = _GET_EMPLOYEE.with_for_update()
_GET_EMPLOYEES = t.employees.select().where(
    t.employees.c.id.in_(sa.bindparam("_ids", expanding=True))
)
_GET_NAMES = sa.select(
    t.employees.c.id,
    t.employees.c.last_name,
    t.employees.c.name_infix,
    t.employees.c.initials,
    t.employees.c.given_name,
    t.employees.c.erased_at,
).where(t.employees.c.id.in_(sa.bindparam("_ids", expanding=True)))
# The unique key (employer, employee number) has an index that serves this.
_BY_NUMBER_IN = t.employees.select().where(
    t.employees.c.employer_id == sa.bindparam("_employer_id"),
    t.employees.c.employee_number.in_(sa.bindparam("_numbers", expanding=True)),
)
# PostgreSQL: the numbers as one array, each looked up on its own in the unique key's
# index, planned anew at each run (see ``by_numbers``). OFFSET 0 keeps the lookup from
# being flattened into a join the planner may answer by reading every employee of the
# employer: during a bulk import the table's statistics lag far behind its size, and a
# plan for a table thought small reads all of it (so did the IN list above, and the
# array joined, once the import had grown the table); LIMIT 1 made the name index look
# as good, since the first of its rows might match.
_numbers = (
    sa.func.unnest(sa.bindparam("_numbers", type_=postgresql.ARRAY(sa.String())))
    .table_valued("number")
    .render_derived(name="numbers")
)
_by_number = (
    t.employees.select()
    .where(
        t.employees.c.employer_id == sa.bindparam("_employer_id"),
        t.employees.c.employee_number == _numbers.c.number,
    )
    .offset(sa.literal_column("0"))
    .lateral("found")
)
_BY_NUMBER_EACH = sa.select(_by_number).select_from(_numbers).join(_by_number, sa.true())
_EMPLOYEES_BY_NUMBER = {"postgresql": _BY_NUMBER_EACH, "sqlite": _BY_NUMBER_IN}
#: Ids (or numbers) per IN list of ``get_many`` and ``by_numbers``: far below either
#: database's limit on parameters.
_IDS_PER_QUERY = 500

# PostgreSQL: whether the table holds pages the planner has never measured (``relpages``
# 0: never analyzed, or analyzed while empty). Until it has, the planner takes each row to
# be as wide as its columns allow (about 3 kB here, some 20 times the real width), thinks
# the table holds a twentieth of its rows, and costs the name index, which narrows to the
# employer alone, as low as the unique key: an import's number lookups were seen to read
# every employee of the employer for each number, 0.7 ms per number at 4,000 rows. The
# first bulk insert measures it (``add_many``), inside its own transaction, which counts its
# own rows: an ANALYZE that saw only other transactions' uncommitted rows would record an
# empty table of many pages, and every plan would take it for empty. From then on the
# planner scales its counts by the table's size as it grows. SKIP_LOCKED: while one
# writer's ANALYZE holds its lock (to that writer's commit), another writer goes on
# without measuring instead of waiting.
_UNMEASURED = sa.text(
    "SELECT relpages = 0 AND pg_relation_size(oid) > 0 FROM pg_class"
    " WHERE oid = CAST(:_table AS regclass)"
).bindparams(_table=t.employees.name)
_MEASURE = sa.text(f"ANALYZE (SKIP_LOCKED) {t.employees.name}")  # a name from the metadata

_DELETE_EMPLOYEE = t.employees.delete().where(t.employees.c.id == sa.bindparam("_id"))


@contextlib.contextmanager
def _planned_each_time(connection: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, statements run inside are not prepared, so the server plans each run
    for the table as it is then. The bulk import looks its numbers up batch after batch
    while its own inserts grow the table, before any ANALYZE: a prepared statement's
    generic plan, made while the table was small, costs every index alike there and was
    seen to keep one that reads all of the employer's employees for each number, making
    each batch slower than the one before. A fresh plan costs a fraction of a millisecond,
    once per ``_IDS_PER_QUERY`` numbers."""
    if connection.dialect.name != "postgresql":
        yield
        return
    driver: Any = connection.connection.driver_connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def _employees_by_name(collation: str | None) -> sa.Select[Any]:
    # The memory adapter sorts by ``str.casefold`` in code point order. lower() agrees for
    # ASCII names (all the tests use); beyond ASCII SQLite's lower() leaves letters as they
    # are and PostgreSQL's follows its locale, and neither folds "ß" to "ss". PostgreSQL
    # compares in "C" order, as Python does, not by the database's locale, which would
    # skip spaces and hyphens: "de Vries" and "Jansen-Smit" would sort differently.
    c = t.employees.c

    def key(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
        lowered = sa.func.lower(column)
        return lowered if collation is None else lowered.collate(collation)

    return (
        t.employees.select()
        .where(c.employer_id == sa.bindparam("_employer_id"), c.erased_at.is_(None))
        .order_by(key(c.last_name), key(c.given_name), c.id)
        .limit(sa.bindparam("_limit"))
        .offset(sa.bindparam("_offset"))
    )


# SQLite compares text by code point already.
_EMPLOYEES_BY_NAME = {"postgresql": _employees_by_name("C"), "sqlite": _employees_by_name(None)}


class SqlEmployees(GuardedRepository):
    def add(self, employee: Employee) -> None:
        # Complain in the memory adapter's order, whichever rule the database checks first;
        # the unique constraints below still decide between concurrent transactions.
        key = {
            "_id": employee.id,
            "_employer_id": employee.employer_id,
            "_employee_number": employee.employee_number,
        }
        clashes = self._execute(_EMPLOYEE_CLASHES, "adding an employee", key).scalars().all()
        if employee.id in clashes:
            raise Conflict(_EMPLOYEE_EXISTS)
        if clashes:
            raise _number_taken(employee)
        self._write(
            t.employees.insert(),
            "adding an employee",
            {"id": employee.id, "created_at": employee.created_at, **self._state(employee)},
            table=t.employees,
            conflicts={
                "pk_onzecoach_employees": _EMPLOYEE_EXISTS,
                _EMPLOYEE_NUMBER: _number_taken(employee),
            },
        )

    def add_many(self, employees: Sequence[Employee]) -> None:
        if len(employees) == 1:
            self.add(employees[0])  # which can say which rule it broke
            return
        if not employees:
            return
        # One statement (executemany, or COPY on PostgreSQL); the unique constraints
        # answer for clashes with stored rows and within the batch alike. A failed
        # statement may leave some of its rows: the Conflict makes the unit of work roll
        # back, as every Conflict does.
        with translate_errors("adding employees"):
            try:
                self._insert_untranslated(t.employees, _EMPLOYEE_COLUMNS, _employee_rows(employees))
                if self._dialect == "postgresql" and self._connection.execute(_UNMEASURED).scalar():
                    self._connection.execute(_MEASURE)
            except sa_exc.IntegrityError as exc:
                broken = broken_unique(t.employees, exc)
                if broken is None:
                    raise
                exists = broken == "pk_onzecoach_employees"
                raise Conflict(_EMPLOYEE_EXISTS if exists else _NUMBERS_TAKEN) from exc

    def get(self, employee_id: str, *, for_update: bool = False) -> Employee | None:
        row = self._execute(
            _LOCK_EMPLOYEE if for_update else _GET_EMPLOYEE,
            "reading an employee",
            {"_id": employee_id},
        ).one_or_none()
        return None if row is None else _employee(row)

    def get_many(self, employee_ids: Collection[str]) -> dict[str, Employee]:
        ids = list(dict.fromkeys(employee_ids))
        found: dict[str, Employee] = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            rows = self._execute(
                _GET_EMPLOYEES,
                "reading employees",
                {"_ids": ids[start : start + _IDS_PER_QUERY]},
            )
            found.update((row.id, _employee(row)) for row in rows)
        return found

    def display_names(self, employee_ids: Collection[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(employee_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            rows = self._execute(
                _GET_NAMES,
                "reading employees' names",
                {"_ids": ids[start : start + _IDS_PER_QUERY]},
            )
            found.update(
                (
                    row.id,
                    ERASED_EMPLOYEE
                    if row.erased_at is not None
                    else display_name(row.last_name, row.name_infix, row.initials, row.given_name),
                )
                for row in rows
            )
        return found

    def by_numbers(self, employer_id: str, numbers: Collection[str]) -> dict[str, Employee]:
        wanted = list(dict.fromkeys(numbers))
        found: dict[str, Employee] = {}
        if not wanted:
            return found
        with translate_errors("reading employees"), _planned_each_time(self._connection):
            for start in range(0, len(wanted), _IDS_PER_QUERY):
                rows = self._execute(
                    _EMPLOYEES_BY_NUMBER[self._dialect],
                    "reading employees",
                    {
                        "_employer_id": employer_id,
                        "_numbers": wanted[start : start + _IDS_PER_QUERY],
                    },
                )
                found.update((row.employee_number, _employee(row)) for row in rows)
        return found

    def mark_named(self, employee_ids: Collection[str], *, at: datetime) -> None:
        ids = sorted(set(employee_ids))
        c = t.employees.c
        for start in range(0, len(ids), _IDS_PER_QUERY):
            self._execute(
                t.employees.update()
                .where(c.id.in_(ids[start : start + _IDS_PER_QUERY]))
                .values(last_named_at=at),
                "marking employees named by an import",
            )

    def save(self, employee: Employee) -> None:
        result = self._write(
            _SAVE_EMPLOYEE,
            "updating an employee",
            {"_id": employee.id, **self._state(employee)},
            table=t.employees,
            conflicts={_EMPLOYEE_NUMBER: _number_taken(employee)},
        )
        if result.rowcount != 1:
            raise NotFound("employee.not_found")

    def for_employer(
        self, employer_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Employee]:
        rows = self._execute(
            _EMPLOYEES_BY_NAME[self._dialect],
            "listing employees",
            {"_employer_id": employer_id, "_limit": limit, "_offset": offset},
        )
        return [_employee(row) for row in rows]

    def for_employer_by_id(
        self, employer_id: str, *, after: str | None, limit: int
    ) -> list[Employee]:
        c = t.employees.c
        query = t.employees.select().where(c.employer_id == employer_id)
        if after is not None:
            query = query.where(c.id > after)
        rows = self._execute(query.order_by(c.id).limit(limit), "listing employees")
        return [_employee(row) for row in rows]

    def delete(self, employee_id: str) -> None:
        """Delete the employee's row; ``NotFound`` if there is none.

        Take the employee out of the search index first (``uow.search.remove``), as the
        service does: the index's rows have no foreign key to the employee (revision
        0017), so nothing else takes them away, and rows left behind would still count
        in the totals of a search. Rows that refer to the employee without a cascade (trajectories,
        appointments, tasks) make this fail with a ``StorageError``.
        """
        result = self._execute(_DELETE_EMPLOYEE, "deleting an employee", {"_id": employee_id})
        if result.rowcount != 1:
            raise NotFound("employee.not_found")

    @staticmethod
    def _state(employee: Employee) -> dict[str, Any]:
        return row_values(employee, _EMPLOYEE_STATE)


def _number_taken(employee: Employee) -> Conflict:
    return Conflict("employee.number_taken", number=employee.employee_number)
