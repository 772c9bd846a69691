"""Bulk inserts go through COPY on PostgreSQL from a number of rows on, and through
multi-row INSERTs on SQLite: the same rows, the same conversions and the same ``Conflict``
codes as the driver's executemany.

Every test runs with COPY (from 2 rows on) and without it (executemany only), and with
multi-row statements of as many rows as SQLite binds and of a few rows each, on SQLite
(which never copies) and on PostgreSQL (which never writes multi-row statements).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from onzecoach import Conflict, Role
from onzecoach.adapters.sql import SqlStorage, _base
from onzecoach.adapters.sql._tables import Json
from onzecoach.adapters.sql._types import UtcDateTime
from onzecoach.audit import AuditEntry
from onzecoach.employees import Employee
from onzecoach.employers import Employer
from onzecoach.ids import new_id
from onzecoach.search._normalise import fold_words
from support import T0, employee

ROWS = 150  # above the threshold of COPY


@pytest.fixture(params=["copy", "executemany", "small statements"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(_base, "COPY_FROM_ROWS", 2 if request.param == "copy" else 10**9)
    if request.param == "small statements":
        # An employee row has 25 values: statements of 2 rows, and a last one of 1 (150).
        monkeypatch.setattr(_base, "_VALUES_PER_STATEMENT", 50)
    return str(request.param)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path, path: str) -> Iterator[SqlStorage]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bulk.db'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
    made = SqlStorage(url)
    made.upgrade()
    yield made
    made.close()


def _employer(storage: SqlStorage) -> str:
    employer_id = new_id()
    with storage.unit_of_work() as uow:
        uow.employers.add(Employer(id=employer_id, name=f"W {employer_id}", created_at=T0))
        uow.commit()
    return employer_id


def _staff(employer_id: str, count: int = ROWS) -> list[Employee]:
    """Employees with the values a text format must carry over intact."""
    odd = ["O'Neil", "tab\there", "back\\slash", 'quote "x"', "Ærø ß 名前", "new\nline", "\\N"]
    return [
        employee(
            employer_id,
            last_name=odd[number % len(odd)],
            name_infix=None if number % 2 else "van der",
            employee_number=None if number % 3 == 0 else f"P{number:05d}",
            birth_date=date(1960, 1, 1) + timedelta(days=number * 97),
            phone=None if number % 2 else "+31612345678",
            created_at=datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=UTC),
            updated_at=T0 + timedelta(microseconds=number),
        )
        for number in range(count)
    ]


def test_rows_read_back_as_they_were_written(storage: SqlStorage) -> None:
    employer_id = _employer(storage)
    staff = _staff(employer_id)
    entries = [
        AuditEntry(
            at=T0 + timedelta(seconds=number),
            actor_id=None if number % 2 else "hr",
            actor_role=None if number % 2 else Role.HR,
            action="employee.registered",
            employer_id=employer_id,
            subject_type="employee",
            subject_id=person.id,
            details={"rij": number, "naam": person.last_name, "lijst": [1, None, "a\tb"]},
        )
        for number, person in enumerate(staff)
    ]
    with storage.unit_of_work() as uow:
        uow.employees.add_many(staff)
        uow.search.index_new(staff)
        uow.audit.append_many(entries)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.employees.get_many([person.id for person in staff]) == {
            person.id: person for person in staff
        }
        assert [uow.audit.for_subject("employee", e.subject_id) for e in entries[:9]] == [
            [e] for e in entries[:9]
        ]
        named = {person.id for person in staff if person.last_name == "Ærø ß 名前"}
        found, total = uow.search.query(employer_id, fold_words("Ærø"), limit=100, offset=0)
        assert (set(found), total) == (named, len(named))


_KINDS = sa.Table(
    "copy_kinds",
    sa.MetaData(),
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("small", sa.SmallInteger()),
    sa.Column("big", sa.BigInteger()),
    sa.Column("flag", sa.Boolean()),
    sa.Column("day", sa.Date()),
    sa.Column("at", UtcDateTime()),
    sa.Column("name", sa.String(50)),
    sa.Column("body", sa.Text()),
    sa.Column("details", Json),
    sa.Column("amount", sa.Numeric(10, 2)),  # no dumper of its own for COPY: by value
)


def _kinds_row(number: int, *, amount: bool) -> tuple[object, ...]:
    odd = ["tab\there", "back\\slash", "new\nline", "\\N", "Ærø 名前", ""]
    missing = number % 5 == 4  # every nullable column empty
    values = (
        number,
        None if missing else -(2**15) + number,
        None if missing else 2**53 + number,
        None if missing else number % 2 == 0,
        None if missing else date(1, 1, 1) + timedelta(days=number * 7919),
        None if missing else datetime(2026, 3, 29, 0, 59, 59, number, tzinfo=UTC),
        None if missing else odd[number % len(odd)],
        None if missing else odd[-1 - number % len(odd)] * 3,
        {"rij": number, "tekst": odd[number % len(odd)], "lijst": [True, None, 1.5]},
    )
    return (*values, None if missing else Decimal(number) / 4) if amount else values


@pytest.mark.parametrize("amount", [False, True], ids=["dumpers by column", "by value"])
def test_every_column_type_reads_back_as_it_was_written(storage: SqlStorage, amount: bool) -> None:
    """COPY names each column's dumper when it knows every column's type, and leaves
    psycopg to pick one per value when it does not (the Numeric column): either way the
    values read back as executemany and SQLite's multi-row INSERTs write them."""
    columns = tuple(_KINDS.c.keys()) if amount else tuple(_KINDS.c.keys())[:-1]
    assert (_base._copy_types(_KINDS, columns) is None) == amount
    _KINDS.create(storage.engine)
    rows = [_kinds_row(number, amount=amount) for number in range(ROWS)]
    with storage.unit_of_work() as uow:
        _base.Repository(uow._require_connection())._insert_rows(
            _KINDS, columns, rows, "writing every kind"
        )
        uow.commit()
    query = sa.select(*(_KINDS.c[name] for name in columns)).order_by(_KINDS.c.id)
    with storage.engine.connect() as connection:
        assert [tuple(row) for row in connection.execute(query)] == rows


@pytest.mark.parametrize("clash", ["id", "employee_number"])
def test_a_clash_within_one_batch_is_the_same_conflict(storage: SqlStorage, clash: str) -> None:
    employer_id = _employer(storage)
    staff = _staff(employer_id)
    staff[-1] = attrs.evolve(staff[-1], **{clash: getattr(staff[1], clash)})
    expected = "employee.exists" if clash == "id" else "employee.numbers_taken"
    with pytest.raises(Conflict) as raised, storage.unit_of_work() as uow:
        uow.employees.add_many(staff)
    assert raised.value.code == expected
    _nothing_stored(storage, staff)


@pytest.mark.parametrize("clash", ["id", "employee_number"])
def test_a_clash_with_a_stored_row_is_the_same_conflict(storage: SqlStorage, clash: str) -> None:
    employer_id = _employer(storage)
    stored = employee(employer_id, employee_number="P99999")
    with storage.unit_of_work() as uow:
        uow.employees.add(stored)
        uow.commit()
    staff = _staff(employer_id)
    staff[ROWS // 2] = attrs.evolve(staff[ROWS // 2], **{clash: getattr(stored, clash)})
    expected = "employee.exists" if clash == "id" else "employee.numbers_taken"
    with pytest.raises(Conflict) as raised, storage.unit_of_work() as uow:
        uow.employees.add_many(staff)
    assert raised.value.code == expected
    # The unit of work is usable for nothing else, and afterwards the database is as it was.
    _nothing_stored(storage, [person for person in staff if person.id != stored.id])
    with storage.unit_of_work() as uow:
        assert uow.employees.get(stored.id) == stored


def _nothing_stored(storage: SqlStorage, staff: list[Employee]) -> None:
    with storage.unit_of_work() as uow:
        assert uow.employees.get_many([person.id for person in staff]) == {}


def test_sqlite_writes_a_batch_in_one_statement_per_table(tmp_path: Path) -> None:
    """One step of SQLite's for each table's rows, which sqlite3 takes without the GIL:
    never a statement per row (executemany steps once per row, each step a wait for the
    GIL after it)."""
    storage = SqlStorage(f"sqlite:///{tmp_path / 'steps.db'}")
    storage.upgrade()
    employer_id = _employer(storage)
    staff = _staff(employer_id, 2000)  # an import's batch
    inserts: list[tuple[str, bool]] = []

    def noted(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT"):
            inserts.append((statement.split()[2].strip('"'), bool(args[-1])))

    sa.event.listen(storage.engine, "before_cursor_execute", noted)
    try:
        with storage.unit_of_work() as uow:
            uow.employees.add_many(staff)
            uow.search.index_new(staff)
            uow.commit()
    finally:
        sa.event.remove(storage.engine, "before_cursor_execute", noted)
        storage.close()
    # (table, executemany): the prefix counts' upsert, a row per distinct prefix (a few
    # dozen), stays an executemany of its own.
    assert sorted(inserts) == [
        ("onzecoach_employees", False),
        ("onzecoach_search_prefix_counts", True),
        ("onzecoach_search_prefixes", False),
        ("onzecoach_search_tokens", False),
    ]
