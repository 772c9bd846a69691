"""SqlStorage itself: migrations, connection settings and error translation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from onzecoach import Conflict, Portal, StorageError
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.adapters.sql import _tables as tables
from onzecoach.adapters.sql._base import fields_except, row_values, translate_errors
from onzecoach.adapters.sql._storage import WAL_CHECKPOINT_PAGES, SqlUnitOfWork
from onzecoach.adapters.sql._tables import VERSION_TABLE, metadata
from onzecoach.employees import Employee
from onzecoach.employers import Department, Employer
from onzecoach.errors import SlotTaken
from onzecoach.ids import new_id
from onzecoach.notifications import Attachment, MailContent, OutboxMessage, new_email
from onzecoach.stats import Counters, Level, StatsCell, StatsScope, ThemeCell
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.trajectories import Appointment, AppointmentStatus, Trajectory
from support import appointment, employee, make_settings, trajectory

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


#: The newest migration: what ``upgrade()`` brings a database to.
HEAD = "0017"


@pytest.fixture
def sql_storage(empty_url: str) -> Iterator[SqlStorage]:
    storage = SqlStorage(empty_url)
    yield storage
    storage.close()


def snapshot(storage: SqlStorage) -> dict[str, object]:
    """Every table with its columns and indexes, and every row count."""
    with storage.engine.connect() as connection:
        inspector = sa.inspect(connection)
        tables = sorted(inspector.get_table_names())
        return {
            name: (
                [c["name"] for c in inspector.get_columns(name)],
                sorted(str(i["name"]) for i in inspector.get_indexes(name)),
                connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one(),
            )
            for name in tables
        }


def test_upgrade_goes_from_empty_to_head_and_again_changes_nothing(
    sql_storage: SqlStorage,
) -> None:
    assert sql_storage.schema_revision() is None
    assert snapshot(sql_storage) == {}
    sql_storage.upgrade()
    assert sql_storage.schema_revision() == HEAD
    first = snapshot(sql_storage)
    assert set(first) == {*metadata.tables, VERSION_TABLE}
    sql_storage.upgrade()
    assert snapshot(sql_storage) == first


def test_the_migrations_build_exactly_the_tables_the_code_uses(sql_storage: SqlStorage) -> None:
    sql_storage.upgrade()
    with sql_storage.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []


def test_an_applications_own_alembic_version_is_untouched(sql_storage: SqlStorage) -> None:
    with sql_storage.engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('app_0042')"))
    sql_storage.upgrade()
    with sql_storage.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    assert [tuple(r) for r in rows] == [("app_0042",)]


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout=7.5)
    try:
        with storage.engine.connect() as connection:

            def pragma(name: str) -> object:
                return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 7500
            assert pragma("wal_autocheckpoint") == WAL_CHECKPOINT_PAGES > 1000
    finally:
        storage.close()


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'p.db'}")
    storage.upgrade()
    orphan = sa.text(
        "INSERT INTO onzecoach_departments VALUES ('d', 'nobody', 'HR', 'hr', '2026-01-01')"
    )
    try:
        with (
            pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"),
            storage.engine.begin() as connection,
        ):
            connection.execute(orphan)
    finally:
        storage.close()


def test_in_memory_sqlite_is_one_database_for_every_thread() -> None:
    storage = SqlStorage("sqlite://")
    storage.upgrade()
    portal = Portal(storage=storage, mailer=RecordingMailer(), settings=make_settings())
    threads = [
        threading.Thread(target=portal.admin.create_employer, args=(SERVICE_DESK, f"Werkgever {i}"))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(portal.admin.employers(SERVICE_DESK)) == 8
    storage.close()


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "",
        "mysql://root@localhost/portal",
        "postgresql+psycopg2://u@localhost/db",
        "sqlite+aiosqlite:///portal.db",
        "postgresql+psycopg://u:hunter2@localhost:notaport/db",
    ],
)
def test_a_malformed_or_unsupported_url_is_a_storage_error(url: str) -> None:
    with pytest.raises(StorageError, match="expected sqlite:///") as raised:
        SqlStorage(url)
    assert "hunter2" not in str(raised.value)


def test_a_plain_postgresql_url_uses_psycopg() -> None:
    storage = SqlStorage("postgresql://u:hunter2@localhost/db")
    assert storage.url.drivername == "postgresql+psycopg"
    assert "hunter2" not in repr(storage)
    storage.close()


def test_an_unreachable_server_is_a_storage_error_without_the_password() -> None:
    storage = SqlStorage("postgresql+psycopg://u:hunter2@127.0.0.1:9/db", connect_timeout=2)
    portal = Portal(storage=storage, mailer=RecordingMailer(), settings=make_settings())
    with pytest.raises(StorageError, match="opening a transaction") as raised:
        portal.admin.employers(SERVICE_DESK)
    assert "hunter2" not in str(raised.value)
    with pytest.raises(StorageError):
        storage.upgrade()
    storage.close()


def test_a_sqlite_file_in_a_missing_folder_is_a_storage_error(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'missing' / 'portal.db'}")
    with pytest.raises(StorageError, match="OperationalError"):
        storage.upgrade()
    storage.close()


def test_a_schema_that_was_never_created_is_a_storage_error(empty_url: str) -> None:
    storage = SqlStorage(empty_url)
    portal = Portal(storage=storage, mailer=RecordingMailer(), settings=make_settings())
    with pytest.raises(StorageError, match="listing employers"):
        portal.admin.employers(SERVICE_DESK)
    storage.close()


@pytest.mark.postgres
def test_postgresql_refuses_a_theme_too_long_for_its_column_rather_than_cut_it(
    postgres_schema_url: str,
) -> None:
    # The statistics go to PostgreSQL as arrays; a cast to varchar(100)[] would cut.
    storage = SqlStorage(postgres_schema_url)
    storage.upgrade()
    theme = ThemeCell("e", Level.EMPLOYER, "", 202603, "x" * 101, 1)
    try:
        with (
            pytest.raises(StorageError, match="adding to the statistics"),
            storage.unit_of_work() as uow,
        ):
            uow.stats.add([], [theme])
        with storage.unit_of_work() as uow:
            assert uow.stats.themes(StatsScope("e"), [202603]) == {}
    finally:
        storage.close()


def test_the_statistics_reach_the_database_in_one_statement_per_table_and_chunk(
    empty_url: str,
) -> None:
    storage = SqlStorage(empty_url)
    storage.upgrade()
    statements: list[str] = []
    sa.event.listen(
        storage.engine,
        "before_cursor_execute",
        lambda *args: statements.append(args[2]) if "stats" in args[2] else None,
    )
    cells = [
        StatsCell("e", Level.EMPLOYEE, "d", f"p{n:04d}", 202603, Counters(held=1, people=1))
        for n in range(1200)
    ]
    themes = [ThemeCell("e", Level.EMPLOYER, "", 202603, "Stress", 1)] * 2
    try:
        with storage.unit_of_work() as uow:
            uow.stats.add(cells, themes)
            uow.commit()
        # SQLite takes at most 500 rows a statement; PostgreSQL every row at once.
        assert len(statements) == (4 if storage.dialect == "sqlite" else 2)
        statements.clear()
        with storage.unit_of_work() as uow:
            uow.stats.add([], [])
            people = uow.stats.month_people(StatsScope("e", "d"), 202603, 202603)
            assert people == {202603: {cell.employee_id: 1 for cell in cells}}
            assert uow.stats.themes(StatsScope("e"), [202603]) == {"Stress": 2}
        assert len(statements) == 2
    finally:
        storage.close()


#: The appointments' columns that revision 0011 added: a row of an older schema lacks them.
_SINCE_0011 = ("coach_id", "ends_at", "location")


def add_before_0015(uow: SqlUnitOfWork, person: Employee) -> None:
    """An employee as a schema before revision 0015 stores it: without ``erased_at`` (nor
    revision 0016's ``last_named_at``)."""
    uow._require_connection().execute(
        tables.employees.insert(),
        [row_values(person, fields_except(Employee, "erased_at", "last_named_at"))],
    )


def test_upgrading_0005_gives_trajectories_and_appointments_their_employees_department(
    sql_storage: SqlStorage,
) -> None:
    sql_storage.upgrade("0005")
    assert sql_storage.schema_revision() == "0005"
    owner = Employer(id=new_id(), name="Werkgever", created_at=START)
    dept = Department(id=new_id(), employer_id=owner.id, name="Zorg", created_at=START)
    placed = employee(owner.id, department_id=dept.id)
    unplaced = employee(owner.id)
    journeys = [trajectory(placed), trajectory(unplaced)]
    visits = [appointment(journeys[0]), appointment(journeys[0]), appointment(journeys[1])]
    with sql_storage.unit_of_work() as uow:
        uow.employers.add(owner)
        uow.departments.add(dept)
        uow.commit()
    # The rows as 0005 knows them: employees not erased, the rest without a department.
    with sql_storage.engine.begin() as connection:
        connection.execute(
            tables.employees.insert(),
            [
                row_values(row, fields_except(type(row), "erased_at", "last_named_at"))
                for row in (placed, unplaced)
            ],
        )
        for table, rows in ((tables.trajectories, journeys), (tables.appointments, visits)):
            connection.execute(
                table.insert(),
                [
                    row_values(row, fields_except(type(row), "department_id", *_SINCE_0011))
                    for row in rows
                ],
            )
    sql_storage.upgrade()
    assert sql_storage.schema_revision() == HEAD
    with sql_storage.unit_of_work() as uow:
        assert {t.id: t.department_id for t in uow.trajectories.for_employer(owner.id)} == {
            journeys[0].id: dept.id,
            journeys[1].id: None,
        }
        assert {a.id: a.department_id for a in uow.appointments.for_employer(owner.id)} == {
            visits[0].id: dept.id,
            visits[1].id: dept.id,
            visits[2].id: None,
        }
        # The rest of the rows as they were.
        assert uow.trajectories.get(journeys[0].id) == attrs.evolve(
            journeys[0], department_id=dept.id
        )
        assert uow.appointments.for_trajectory(journeys[1].id) == [visits[2]]


def test_upgrading_0006_lets_an_extension_run_beside_its_trajectory(
    sql_storage: SqlStorage,
) -> None:
    sql_storage.upgrade("0006")
    owner = Employer(id=new_id(), name="Werkgever", created_at=START)
    person = employee(owner.id)
    running = trajectory(person)
    with sql_storage.unit_of_work() as uow:
        uow.employers.add(owner)
        add_before_0015(uow, person)
        uow.trajectories.add(running, booking_token_hash="a" * 64)
        uow.commit()
    extension = attrs.evolve(
        trajectory(person, 2), sessions=1, is_extension=True, parent_id=running.id
    )
    # 0006 holds one open trajectory per employee, whatever it extends.
    with pytest.raises(Conflict), sql_storage.unit_of_work() as uow:
        uow.trajectories.add(extension)
    sql_storage.upgrade()
    assert sql_storage.schema_revision() == HEAD
    with sql_storage.unit_of_work() as uow:
        uow.trajectories.add(extension)
        uow.commit()
    with sql_storage.unit_of_work() as uow:
        assert uow.trajectories.open_for_employee(person.id) == [running, extension]
        assert uow.trajectories.by_booking_token("a" * 64) == running
    second = attrs.evolve(extension, id=new_id(), number=3)
    with pytest.raises(Conflict, match="lopend traject"), sql_storage.unit_of_work() as uow:
        uow.trajectories.add(second)
    # The database itself refuses a second open extension, behind the adapter's check.
    row = {
        "id": second.id,
        "booking_token_hash": None,
        **row_values(second, fields_except(Trajectory, "id")),
    }
    with pytest.raises(sa.exc.IntegrityError), sql_storage.engine.begin() as connection:
        connection.execute(tables.trajectories.insert(), [row])


def test_upgrading_0007_counts_the_extensions_started_before(sql_storage: SqlStorage) -> None:
    sql_storage.upgrade("0007")
    owner = Employer(id=new_id(), name="Werkgever", created_at=START)
    dept = Department(id=new_id(), employer_id=owner.id, name="Zorg", created_at=START)
    person = employee(owner.id, department_id=dept.id)
    first = attrs.evolve(trajectory(person), department_id=dept.id)
    extension = attrs.evolve(
        trajectory(person, 2),
        sessions=1,
        is_extension=True,
        parent_id=first.id,
        department_id=dept.id,
    )
    with sql_storage.unit_of_work() as uow:
        uow.employers.add(owner)
        uow.departments.add(dept)
        add_before_0015(uow, person)
        uow.commit()
    month = extension.start_date.year * 100 + extension.start_date.month
    keys = [
        (owner.id, Level.EMPLOYEE, dept.id, person.id),
        (owner.id, Level.DEPARTMENT, dept.id, ""),
        (owner.id, Level.EMPLOYER, "", ""),
        ("", Level.ALL, "", ""),
    ]
    with sql_storage.engine.begin() as connection:
        for journey in (first, extension):
            connection.execute(
                tables.trajectories.insert(),
                [{"id": journey.id, **row_values(journey, fields_except(Trajectory, "id"))}],
            )
        # The cells as 0007 keeps them: both starts counted, no column for extensions.
        connection.execute(
            sa.text(
                "INSERT INTO onzecoach_stats_cells "
                "(employer_id, level, department_id, employee_id, month, started) "
                "VALUES (:employer, :level, :department, :employee, :month, 2)"
            ),
            [
                {"employer": e, "level": int(lv), "department": d, "employee": p, "month": month}
                for e, lv, d, p in keys
            ],
        )
    sql_storage.upgrade()
    assert sql_storage.schema_revision() == HEAD
    with sql_storage.engine.connect() as connection:
        counted = connection.execute(
            sa.select(tables.stats_cells.c.level, tables.stats_cells.c.extensions)
        ).all()
    assert sorted(counted) == sorted((int(level), 1) for _, level, _, _ in keys)


def test_upgrading_0008_lets_queued_mails_carry_attachments(sql_storage: SqlStorage) -> None:
    sql_storage.upgrade("0008")
    settings = make_settings()
    content = MailContent(subject="Onderwerp", greeting="Beste Anna,", paragraphs=["Tekst."])
    waiting = new_email(settings, to="anna@example.nl", content=content, kind="t", now=START)
    # The row as 0008 keeps it: no column for attachments.
    with sql_storage.engine.begin() as connection:
        connection.execute(
            tables.outbox.insert(),
            [row_values(waiting, fields_except(OutboxMessage, "attachments"))],
        )
    sql_storage.upgrade()
    assert sql_storage.schema_revision() == HEAD
    invite = Attachment("afspraak.ics", "text/calendar; method=REQUEST", b"BEGIN:VCALENDAR")
    with_invite = new_email(
        settings, to="bram@example.nl", content=content, kind="t", now=START, attachments=[invite]
    )
    with sql_storage.unit_of_work() as uow:
        assert uow.outbox.get(waiting.id) == waiting
        assert waiting.attachments is None
        uow.outbox.add(with_invite)
        uow.commit()
    mailer = RecordingMailer()
    portal = Portal(storage=sql_storage, mailer=mailer, clock=FrozenClock(START), settings=settings)
    assert portal.outbox.dispatch_due() == 2
    sent = {message["To"]: list(message.iter_attachments()) for message in mailer.sent}
    assert sent["anna@example.nl"] == []
    [part] = sent["bram@example.nl"]
    assert (part.get_filename(), part.get_payload(decode=True)) == (
        "afspraak.ics",
        b"BEGIN:VCALENDAR",
    )


def test_upgrading_0011_maps_free_text_themes_and_keeps_the_rest(sql_storage: SqlStorage) -> None:
    sql_storage.upgrade("0011")
    owner = Employer(id=new_id(), name="Werkgever", created_at=START)
    person = employee(owner.id)
    journey = trajectory(person)
    themes = ["Werkdruk", "  balans WERK-privé ", "werkdruk", "Burn-out", None]
    visits = [appointment(journey, status=AppointmentStatus.HELD, theme=theme) for theme in themes]
    with sql_storage.unit_of_work() as uow:
        uow.employers.add(owner)
        add_before_0015(uow, person)
        uow.trajectories.add(journey)
        uow.commit()
    # The rows as 0011 keeps them: free-text themes, and theme cells per text.
    cells = [
        ("Werkdruk", 2),
        ("werkdruk", 1),
        ("Balans werk-privé", 1),
        ("Burn-out", 4),
    ]
    with sql_storage.engine.begin() as connection:
        connection.execute(
            tables.appointments.insert(),
            [{"id": v.id, **row_values(v, fields_except(Appointment, "id"))} for v in visits],
        )
        connection.execute(
            tables.stats_themes.insert(),
            [
                {
                    "employer_id": owner.id,
                    "level": int(Level.EMPLOYER),
                    "department_id": "",
                    "month": 202603,
                    "theme": theme,
                    "held": held,
                }
                for theme, held in cells
            ],
        )
    sql_storage.upgrade()
    assert sql_storage.schema_revision() == HEAD
    with sql_storage.unit_of_work() as uow:
        stored = {a.id: a.theme for a in uow.appointments.for_employer(owner.id)}
        assert [stored[v.id] for v in visits] == [
            "werkdruk",
            "balans-werk-prive",
            "werkdruk",
            "Burn-out",
            None,
        ]
        assert uow.stats.themes(StatsScope(owner.id), [202603]) == {
            "werkdruk": 3,
            "balans-werk-prive": 1,
            "Burn-out": 4,
        }
        assert uow.employer_settings.get(owner.id) is None
    with sql_storage.engine.connect() as connection:
        assert connection.execute(sa.select(tables.stats_cells.c.late_cancelled)).all() == []
    # The dashboard names a code by the catalogue, a kept free text as it is.
    with sql_storage.unit_of_work() as uow:
        uow.stats.add(
            [
                StatsCell(
                    owner.id, Level.EMPLOYER, "", "", 202603, Counters(held=8, themed=8, people=3)
                )
            ],
            [],
        )
        uow.commit()
    portal = Portal(storage=sql_storage, mailer=RecordingMailer(), settings=make_settings())
    board = portal.stats.dashboard(
        SERVICE_DESK, employer_id=owner.id, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert board.themes == {"Burn-out": 4, "Werkdruk": 3, "Balans werk-privé": 1}


def test_a_recount_waits_for_the_writers_of_cells_under_way(empty_url: str) -> None:
    # As clear does, on which the storage contract tests it: recount_all may run in a
    # transaction without a clear (a rebuild of no employer). Going ahead of a writer under
    # way, it would miss the writer's employer cells, or collide with its new cell of
    # every employer together when the writer commits between the recount's statements.
    recounting, writing = SqlStorage(empty_url), SqlStorage(empty_url)
    recounting.upgrade()
    change = [
        StatsCell("", Level.ALL, "", "", 202603, Counters(held=1)),
        StatsCell("e", Level.EMPLOYER, "", "", 202603, Counters(held=1)),
    ]
    outcome: list[BaseException | None] = []

    def recount() -> None:
        try:
            with recounting.unit_of_work() as uow:
                uow.stats.recount_all()
                uow.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            outcome.append(exc)
        else:
            outcome.append(None)

    recounter = threading.Thread(target=recount, daemon=True)
    try:
        with writing.unit_of_work() as uow:
            uow.stats.add(change, [])
            recounter.start()
            recounter.join(0.3)
            assert recounter.is_alive(), "a recount went ahead of a writer under way"
            uow.commit()
        recounter.join(30)
        assert outcome == [None]
        with recounting.unit_of_work() as uow:
            assert uow.stats.series(StatsScope(), 202603, 202603) == {202603: Counters(held=1)}
    finally:
        recounting.close()
        writing.close()


# PostgreSQL: code point order whatever the database's locale -----------------------


@pytest.mark.postgres
def test_postgresql_compares_search_keys_in_the_c_collation(postgres_schema_url: str) -> None:
    # Python's order is code point order; so is the "C" collation, and an index serves
    # only the collation it was built with. A schema comparison does not see collations.
    storage = SqlStorage(postgres_schema_url)
    try:
        storage.upgrade()
        with storage.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT table_name, column_name, collation_name"
                    " FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                    " AND table_name LIKE 'onzecoach_search_%' AND data_type <> 'integer'"
                )
            )
            collations = {(row.table_name, row.column_name): row.collation_name for row in rows}
    finally:
        storage.close()
    assert collations == {
        ("onzecoach_search_tokens", "employer_id"): None,
        ("onzecoach_search_tokens", "token"): "C",
        ("onzecoach_search_tokens", "sort_key"): "C",
        ("onzecoach_search_tokens", "employee_id"): None,
        ("onzecoach_search_prefixes", "employer_id"): None,
        ("onzecoach_search_prefixes", "prefix"): "C",
        ("onzecoach_search_prefixes", "sort_key"): "C",
        ("onzecoach_search_prefixes", "employee_id"): None,
        ("onzecoach_search_prefix_counts", "employer_id"): None,
        ("onzecoach_search_prefix_counts", "prefix"): "C",
    }


class _DriverError(Exception):
    def __init__(self, text: str, sqlstate: str) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (
            "while checking exclusion constraint on tuple (41,24)"
            ' in relation "onzecoach_appointments"',
            SlotTaken,
        ),
        ('while updating tuple (3,1) in relation "onzecoach_trajectories"', StorageError),
    ],
)
def test_two_sessions_of_one_coach_deadlocked_on_the_exclusion_constraint_are_slot_taken(
    context: str, expected: type[Exception]
) -> None:
    # PostgreSQL: two inserts of overlapping sessions can each wait for the other while they
    # check the exclusion constraint; the one it fails lost the slot.
    origin = _DriverError(f"deadlock detected\nDETAIL:  ...\nCONTEXT:  {context}", "40P01")
    with pytest.raises(expected), translate_errors("adding an appointment"):
        raise sa.exc.OperationalError("INSERT ...", {}, origin)


def test_postgresql_refuses_overlapping_sessions_with_btree_gist_in_public(
    postgres_schema_url: str,
) -> None:
    storage = SqlStorage(postgres_schema_url)
    try:
        storage.upgrade()
        with storage.engine.connect() as connection:
            where = connection.execute(
                sa.text(
                    "SELECT n.nspname FROM pg_extension e"
                    " JOIN pg_namespace n ON n.oid = e.extnamespace"
                    " WHERE e.extname = 'btree_gist'"
                )
            ).scalar_one()
            kind = connection.execute(
                sa.text(
                    "SELECT contype FROM pg_constraint"
                    " WHERE conname = 'ex_onzecoach_appointments_coach_overlap'"
                    " AND connamespace = current_schema()::regnamespace"
                )
            ).scalar_one()
        assert (where, kind) == ("public", "x")
    finally:
        storage.close()
