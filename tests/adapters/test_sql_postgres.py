"""How SqlStorage holds its PostgreSQL connections: a unit of work opens its transaction at
its first write or lock and keeps every guarantee of one, and the pool pings only a
connection that has been idle."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage, SqlUnitOfWork
from onzecoach.adapters.sql import _tables as t
from onzecoach.adapters.sql._base import COPY_FROM_ROWS
from onzecoach.adapters.sql._employees import _EMPLOYEES_BY_NUMBER
from onzecoach.adapters.sql._postgres import opens_transaction
from onzecoach.audit import audit_entry
from onzecoach.employees import Employee
from onzecoach.employers import Employer
from onzecoach.errors import StorageError
from onzecoach.ids import new_id
from onzecoach.testing.contracts._builders import employee, stored_employer
from tcp_proxy import TcpProxy

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


_POSTGRESQL = SqlStorage("postgresql+psycopg://nobody@127.0.0.1/none").engine.dialect


def _sql(statement: sa.ClauseElement) -> str:
    return str(statement.compile(dialect=_POSTGRESQL))


_employers = t.employers.c


@pytest.mark.parametrize(
    ("statement", "opens"),
    [
        (_sql(sa.select(t.employers)), False),
        (_sql(sa.select(sa.func.count()).select_from(t.employees)), False),
        (
            _sql(sa.union_all(sa.select(_employers.id), sa.select(_employers.name))),
            False,
        ),
        ("  select 1", False),
        (_sql(sa.select(t.employers).with_for_update()), True),
        (_sql(sa.select(t.employers).with_for_update(skip_locked=True)), True),
        (_sql(sa.select(t.employers).with_for_update(read=True)), True),
        (_sql(sa.select(t.employers).with_for_update(key_share=True)), True),
        (_sql(sa.select(t.employers).with_for_update(key_share=True, read=True)), True),
        (_sql(t.employers.insert()), True),
        (_sql(t.employers.update().values(name="x")), True),
        (_sql(t.employers.delete()), True),
        ("LOCK TABLE onzecoach_employers IN SHARE ROW EXCLUSIVE MODE", True),
        ("SELECT pg_advisory_xact_lock(42)", True),
        ("SELECT set_config('statement_timeout', '1s', true)", True),
        ("SELECT nextval('some_sequence')", True),
        ("WITH moved AS (DELETE FROM x RETURNING *) SELECT * FROM moved", True),
        ("CREATE TABLE x (id int)", True),
        ("", True),
    ],
)
def test_only_a_plain_select_runs_before_the_transaction(statement: str, opens: bool) -> None:
    assert opens_transaction(statement) is opens


@pytest.fixture
def storage(postgres_schema_url: str) -> Iterator[SqlStorage]:
    made = SqlStorage(postgres_schema_url, pool_size=1, max_overflow=0)
    made.upgrade()
    yield made
    made.close()


def _employer(name: str) -> Employer:
    return Employer(id=new_id(), name=name, created_at=NOW)


def _state(storage: SqlStorage, uow: SqlUnitOfWork) -> str:
    """What the server says the unit of work's connection is doing, asked from outside."""
    driver = uow._require_connection().connection.dbapi_connection
    assert driver is not None
    pid = driver.info.backend_pid
    with psycopg.connect(
        make_url(storage.url).set(drivername="postgresql").render_as_string(False),
        autocommit=True,
    ) as other:
        row = other.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.postgres
def test_a_unit_of_work_that_only_reads_holds_no_transaction_open(storage: SqlStorage) -> None:
    employer = _employer("Leesbaar B.V.")
    with storage.unit_of_work() as uow:
        uow.employers.add(employer)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.employers.get(employer.id) == employer
        assert uow.employers.list() == [employer]
        assert _state(storage, uow) == "idle"


@pytest.mark.postgres
def test_the_first_write_opens_one_transaction_that_commits_or_rolls_back_whole(
    storage: SqlStorage,
) -> None:
    first, second, third = (_employer(f"Werkgever {n} B.V.") for n in range(3))
    with storage.unit_of_work() as uow:
        assert uow.employers.list() == []
        uow.employers.add(first)
        assert _state(storage, uow) == "idle in transaction"
        uow.employers.add(second)
        # Its own writes are visible to the unit of work, not yet to anyone else.
        assert {e.id for e in uow.employers.list()} == {first.id, second.id}
        other = SqlStorage(storage.url)
        try:
            with other.unit_of_work() as elsewhere:
                assert elsewhere.employers.list() == []
        finally:
            other.close()
        # Left without commit(): both are undone.
    with storage.unit_of_work() as uow:
        assert uow.employers.list() == []
        uow.employers.add(third)
        uow.commit()
        # After a commit the unit of work goes on in a transaction of its own.
        uow.employers.add(first)
    with storage.unit_of_work() as uow:
        assert [e.id for e in uow.employers.list()] == [third.id]


@pytest.mark.postgres
def test_a_bulk_write_through_copy_opens_the_transaction_too(storage: SqlStorage) -> None:
    entries = [
        audit_entry(
            SERVICE_DESK,
            "employer.created",
            at=NOW,
            employer_id=None,
            subject_type="employer",
            subject_id=str(n),
        )
        for n in range(COPY_FROM_ROWS)
    ]
    with storage.unit_of_work() as uow:
        uow.audit.append_many(entries)  # COPY, which goes around SQLAlchemy's events
        assert _state(storage, uow) == "idle in transaction"
        # Left without commit(): undone.
    with storage.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(t.audit_log)).scalar() == 0


@pytest.mark.postgres
def test_a_row_lock_is_held_until_the_unit_of_work_ends(storage: SqlStorage) -> None:
    employer = _employer("Vergrendeld B.V.")
    with storage.unit_of_work() as uow:
        uow.employers.add(employer)
        uow.commit()
    lock = sa.select(_employers.id).where(_employers.id == employer.id).with_for_update(nowait=True)
    other = SqlStorage(storage.url)
    try:
        with storage.unit_of_work() as uow:
            uow._require_connection().execute(lock)
            assert _state(storage, uow) == "idle in transaction"
            with (
                pytest.raises(sa.exc.OperationalError, match="could not obtain lock"),
                other.engine.begin() as connection,
            ):
                connection.execute(lock)
        with other.engine.begin() as connection:
            assert connection.execute(lock).scalar_one() == employer.id
    finally:
        other.close()


@pytest.mark.postgres
def test_a_connection_back_in_the_pool_is_transactional_again(storage: SqlStorage) -> None:
    employer = _employer("Teruggegeven B.V.")
    with storage.unit_of_work() as uow:
        uow.employers.list()
    # The pool holds one connection: the same one, outside a unit of work.
    with storage.engine.connect() as connection:
        driver = connection.connection.dbapi_connection
        assert driver is not None
        assert driver.autocommit is False
        connection.execute(
            t.employers.insert().values(
                id=employer.id, name=employer.name, name_key="teruggegeven b.v.", created_at=NOW
            )
        )
        # Closed without commit.
    with storage.unit_of_work() as uow:
        assert uow.employers.list() == []


@pytest.fixture
def proxy(postgres_schema_url: str) -> Iterator[TcpProxy]:
    url = make_url(postgres_schema_url)
    made = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    made.restore()
    yield made
    made.cut()


@contextlib.contextmanager
def _pooled_then_cut(proxy: TcpProxy, url: str, *, ping_after: float) -> Iterator[SqlStorage]:
    """A storage whose one pooled connection, used a moment ago, the proxy has just cut
    (the server's side is gone, and the proxy listens again)."""
    storage = SqlStorage(
        make_url(url).set(port=proxy.port), pool_size=1, max_overflow=0, ping_after=ping_after
    )
    try:
        storage.upgrade()
        with storage.unit_of_work() as uow:
            assert uow.employers.list() == []
        proxy.cut()
        proxy.restore()
        yield storage
    finally:
        storage.close()


@pytest.mark.postgres
def test_a_connection_idle_past_ping_after_is_pinged_and_replaced_unseen(
    postgres_schema_url: str, proxy: TcpProxy
) -> None:
    with _pooled_then_cut(proxy, postgres_schema_url, ping_after=0.2) as storage:
        time.sleep(0.3)
        with storage.unit_of_work() as uow:
            assert uow.employers.list() == []


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_not_pinged_and_fails_once(
    postgres_schema_url: str, proxy: TcpProxy
) -> None:
    with _pooled_then_cut(proxy, postgres_schema_url, ping_after=3600) as storage:
        # Like a request in flight when the server goes away: it fails, with our error.
        with pytest.raises(StorageError), storage.unit_of_work() as uow:
            uow.employers.list()
        # The pool dropped the broken connection: the next unit of work gets a new one.
        with storage.unit_of_work() as uow:
            assert uow.employers.list() == []


@pytest.mark.postgres
def test_an_import_looks_numbers_up_with_a_fresh_plan_each_batch(storage: SqlStorage) -> None:
    # The bulk import looks each batch's numbers up while its own inserts grow the table,
    # before any ANALYZE: a prepared statement's generic plan, made while the table was
    # small, read every employee of the employer per batch. The lookup stays unprepared;
    # the connection's other statements are prepared as before.
    owner = stored_employer(storage)
    found: list[int] = []
    with storage.unit_of_work() as uow:
        driver = uow._require_connection().connection.dbapi_connection
        assert driver is not None
        threshold = driver.prepare_threshold
        for batch in range(2 * (threshold or 5)):
            numbers = [f"P{batch:02d}{n:03d}" for n in range(50)]
            uow.employees.add_many([employee(owner, employee_number=number) for number in numbers])
            found.append(len(uow.employees.by_numbers(owner, [*numbers, "P-none"])))
            uow.employees.get(new_id())  # a statement like any other
        assert driver.prepare_threshold == threshold
        prepared = [
            str(row[0])
            for row in uow._require_connection().exec_driver_sql(
                "SELECT statement FROM pg_prepared_statements"
            )
        ]
    assert found == [50] * len(found)
    assert not [statement for statement in prepared if "unnest" in statement]
    assert [statement for statement in prepared if "onzecoach_employees" in statement]


def _indexes_read(plan: dict[str, Any]) -> set[str]:
    found = {str(plan["Index Name"])} if "Index Name" in plan else set()
    for child in plan.get("Plans", ()):
        found |= _indexes_read(child)
    return found


@pytest.mark.postgres
def test_the_first_bulk_insert_lets_the_planner_measure_the_employees_table(
    storage: SqlStorage,
) -> None:
    # Never measured, the planner takes each row to be as wide as its columns allow, and
    # the name index, which narrows to the employer alone, for as good as the unique key:
    # an import then read every employee of the employer for each number it looked up.
    owner = stored_employer(storage)
    with storage.unit_of_work() as uow:
        uow.employees.add_many([employee(owner, employee_number=f"P{n:05d}") for n in range(4000)])
        uow.commit()
    with storage.unit_of_work() as uow:
        connection = uow._require_connection()
        lookup = _EMPLOYEES_BY_NUMBER["postgresql"].compile(dialect=connection.dialect)
        plan = connection.exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) {lookup}", {"_employer_id": owner, "_numbers": ["Q1"]}
        ).scalar_one()
        assert uow.employees.by_numbers(owner, ["P00001", "Q1"]).keys() == {"P00001"}
    assert _indexes_read(plan[0]["Plan"]) == {"uq_onzecoach_employees_employer_id_employee_number"}


@pytest.mark.postgres
def test_two_writers_renaming_employees_in_crossed_order_both_commit(
    storage: SqlStorage, postgres_schema_url: str
) -> None:
    # Each rename changes the counts of its old and new prefixes. The first writer renames
    # towards "ber..." and then "jan...", the second towards "jan..." and then "ber...":
    # counts changed as each rename came would lock the count rows in crossed orders, and
    # PostgreSQL would end one writer as a deadlock.
    owner = stored_employer(storage)
    before = {
        name: employee(owner, last_name=name) for name in ("Bakker", "Visser", "Smit", "Mulder")
    }
    with storage.unit_of_work() as uow:
        uow.employees.add_many(list(before.values()))
        uow.search.index_new(list(before.values()))
        uow.commit()
    plans = [
        [(before["Bakker"], "Berg"), (before["Visser"], "Jansen")],
        [(before["Smit"], "Jansma"), (before["Mulder"], "Bergsma")],
    ]
    step = threading.Barrier(2, timeout=10)
    failed: list[BaseException] = []
    both = SqlStorage(postgres_schema_url)  # a connection for each writer

    def rename(plan: list[tuple[Employee, str]]) -> None:
        try:
            with both.unit_of_work() as uow:
                for person, name in plan:
                    renamed = attrs.evolve(person, last_name=name)
                    uow.employees.save(renamed)
                    uow.search.index(renamed)
                    with contextlib.suppress(threading.BrokenBarrierError):
                        step.wait()
                uow.commit()
        except BaseException as exc:
            failed.append(exc)
            step.abort()

    writers = [threading.Thread(target=rename, args=(plan,)) for plan in plans]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=30)
    both.close()
    assert failed == []
    with storage.unit_of_work() as uow:
        totals = {
            p: uow.search.query(owner, [p], limit=10, offset=0)[1]
            for p in ("ber", "jan", "bak", "smi")
        }
    assert totals == {"ber": 2, "jan": 2, "bak": 0, "smi": 0}
