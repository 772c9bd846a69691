"""Must hold 6: a restore of a backup taken before an erasure, followed by ``reapply`` with
the list kept outside the database, holds none of the erased person's values: on SQLite
through ``SqlStorage.backup`` and ``SqlStorage.restore``, on PostgreSQL through
``pg_dump`` and ``pg_restore``."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from booking_support import add_coach, hr_of
from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.errors import NotFound, StorageError
from onzecoach.privacy import erasure_list_json, read_erasure_list
from onzecoach.testing import FrozenClock, RecordingMailer
from privacy_support import Person, dump, enrol
from support import make_settings


def portal_on(storage: SqlStorage, clock: FrozenClock, mailer: RecordingMailer) -> Portal:
    return Portal(storage=storage, mailer=mailer, clock=clock, settings=make_settings())


def two_people(portal: Portal, clock: FrozenClock, mailer: RecordingMailer) -> tuple[Person, ...]:
    hr = hr_of(portal)
    coach = add_coach(portal)
    return tuple(
        enrol(portal, clock, mailer, hr, coach, seed=seed, birth_date=born, number=n)
        for n, (seed, born) in enumerate(
            (("2b2c2d2e", date(1961, 2, 3)), ("3c3d3e3f", date(1962, 4, 5))), start=11
        )
    )


def left(person: Person, storage: SqlStorage) -> list[str]:
    held = dump(storage)
    return [m for m in person.markers if m in held]


def export_list(portal: Portal, clock: FrozenClock, path: Path) -> Path:
    """The list as ``onzecoach privacy erasures export`` writes it."""
    path.write_bytes(
        erasure_list_json(portal.privacy.erasures(SERVICE_DESK), exported_at=clock.now())
    )
    return path


def test_a_sqlite_backup_from_before_an_erasure_restored_and_reapplied_holds_nothing_of_the_person(
    tmp_path: Path, clock: FrozenClock
) -> None:
    mailer = RecordingMailer()
    storage = SqlStorage(f"sqlite:///{tmp_path / 'portal.db'}")
    storage.upgrade()
    portal = portal_on(storage, clock, mailer)
    gone, kept = two_people(portal, clock, mailer)
    backup = storage.backup(tmp_path / "voor-verwijderen.db").path

    portal.privacy.erase(SERVICE_DESK, gone.employee_id, "Verzoek")
    listed = export_list(portal, clock, tmp_path / "verwijderd.json")
    assert left(gone, storage) == []

    report = storage.restore(backup, keep=tmp_path / "vervangen.db")
    assert report.kept == tmp_path / "vervangen.db"
    # The backup is back, and its own list does not hold the erasure made after it.
    assert left(gone, storage) == list(gone.markers)
    assert portal.privacy.erasures(SERVICE_DESK) == []
    assert portal.privacy.reapply(SERVICE_DESK) == 0
    assert left(gone, storage) == list(gone.markers)

    assert portal.privacy.reapply(SERVICE_DESK, listed=read_erasure_list(listed.read_bytes())) == 1

    assert left(gone, storage) == []
    assert left(kept, storage) == list(kept.markers)
    assert [e.employee_id for e in portal.privacy.erasures(SERVICE_DESK)] == [gone.employee_id]
    with pytest.raises(NotFound):
        portal.employees.dossier(SERVICE_DESK, gone.employee_id)
    assert portal.privacy.reapply(SERVICE_DESK) == 0
    # What was replaced is kept whole beside it: the erased database.
    replaced = SqlStorage(f"sqlite:///{report.kept}")
    try:
        assert left(gone, replaced) == []
        assert left(kept, replaced) == list(kept.markers)
    finally:
        replaced.close()
    storage.close()


def _revision(path: Path, revision: str) -> None:
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("UPDATE onzecoach_alembic_version SET version_num = ?", (revision,))
        raw.commit()


def test_a_restore_refuses_a_newer_schema_or_a_file_that_is_no_backup_and_changes_nothing(
    tmp_path: Path, clock: FrozenClock
) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'portal.db'}")
    storage.upgrade()
    portal = portal_on(storage, clock, RecordingMailer())
    portal.admin.create_employer(SERVICE_DESK, "Voor")
    backup = storage.backup(tmp_path / "kopie.db").path
    portal.admin.create_employer(SERVICE_DESK, "Na")
    names = {"Voor", "Na"}

    newer = tmp_path / "nieuwer.db"
    shutil.copy(backup, newer)
    _revision(newer, "9999")
    junk = tmp_path / "geen-kopie.db"
    junk.write_bytes(b"dit is geen database" * 100)
    empty = tmp_path / "leeg.db"
    with closing(sqlite3.connect(empty)) as raw:
        raw.execute("CREATE TABLE iets (x)")
    for source, says in (
        (newer, "newer than this version"),
        (junk, "not a SQLite database"),
        (empty, "no onzecoach schema"),
        (tmp_path / "er-niet.db", "no backup at"),
    ):
        with pytest.raises(StorageError) as refused:
            storage.restore(source, keep=tmp_path / "vervangen.db")
        assert refused.value.code == "storage.misconfigured"
        assert says in str(refused.value)
        assert {e.name for e in portal.admin.employers(SERVICE_DESK)} == names
        assert not (tmp_path / "vervangen.db").exists()

    # A database that a newer version runs is not replaced by this one.
    storage.close()
    _revision(tmp_path / "portal.db", "9999")
    with pytest.raises(StorageError) as newer_database:
        storage.restore(backup, keep=tmp_path / "vervangen.db")
    assert "the database has schema revision 9999" in str(newer_database.value)
    assert not (tmp_path / "vervangen.db").exists()
    _revision(tmp_path / "portal.db", storage.head_revision())
    assert {e.name for e in portal.admin.employers(SERVICE_DESK)} == names

    # The copy of what is replaced never overwrites a file.
    (tmp_path / "bezet.db").write_bytes(b"iets anders")
    with pytest.raises(StorageError):
        storage.restore(backup, keep=tmp_path / "bezet.db")
    assert (tmp_path / "bezet.db").read_bytes() == b"iets anders"
    assert {e.name for e in portal.admin.employers(SERVICE_DESK)} == names

    # PostgreSQL restores with pg_restore; an in-memory database has nothing to replace.
    memory = SqlStorage("sqlite://")
    with pytest.raises(StorageError) as in_memory:
        memory.restore(backup, keep=tmp_path / "vervangen.db")
    assert "pg_restore" in str(in_memory.value)

    report = storage.restore(backup, keep=tmp_path / "vervangen.db")
    assert report.revision == storage.head_revision()
    assert {e.name for e in portal.admin.employers(SERVICE_DESK)} == {"Voor"}
    storage.close()


def test_an_older_backup_is_brought_up_to_this_version_after_the_restore(
    tmp_path: Path, clock: FrozenClock
) -> None:
    old = SqlStorage(f"sqlite:///{tmp_path / 'oud.db'}")
    old.upgrade("0014")
    with old.engine.begin() as connection:
        assert "onzecoach_erased_employees" not in sa.inspect(connection).get_table_names()
    old.close()
    storage = SqlStorage(f"sqlite:///{tmp_path / 'portal.db'}")
    storage.upgrade()
    report = storage.restore(tmp_path / "oud.db", keep=tmp_path / "vervangen.db")
    assert report.revision == "0014"
    assert storage.schema_revision() == storage.head_revision()
    portal = portal_on(storage, clock, RecordingMailer())
    assert portal.privacy.erasures(SERVICE_DESK) == []
    storage.close()


# PostgreSQL: pg_dump and pg_restore ---------------------------------------------------------


def _libpq(url: str) -> tuple[str, str]:
    """The server URL for the PostgreSQL tools, and the schema the test's URL searches."""
    parsed = make_url(url)
    schema = str(parsed.query["options"]).removeprefix("-csearch_path=")
    plain = parsed.set(drivername="postgresql", query={})
    return plain.render_as_string(hide_password=False), schema


@pytest.mark.postgres
def test_a_pg_dump_from_before_an_erasure_restored_and_reapplied_holds_nothing_of_the_person(
    postgres_schema_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if pg_dump is None or pg_restore is None:
        pytest.fail("pg_dump and pg_restore are needed (the postgresql-client package)")
    server, schema = _libpq(postgres_schema_url)
    mailer = RecordingMailer()
    storage = SqlStorage(postgres_schema_url)
    storage.upgrade()
    portal = portal_on(storage, clock, mailer)
    gone, kept = two_people(portal, clock, mailer)
    backup = tmp_path / "voor-verwijderen.dump"
    subprocess.run(
        [pg_dump, f"--dbname={server}", f"--schema={schema}", "-Fc", f"--file={backup}"],
        check=True,
        timeout=120,
    )

    portal.privacy.erase(SERVICE_DESK, gone.employee_id, "Verzoek")
    listed = export_list(portal, clock, tmp_path / "verwijderd.json")
    assert left(gone, storage) == []

    # The restore: the schema dropped and brought back from the dump.
    storage.engine.dispose()
    with storage.engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    storage.engine.dispose()
    subprocess.run(
        [pg_restore, f"--dbname={server}", "--exit-on-error", str(backup)],
        check=True,
        timeout=120,
    )
    assert left(gone, storage) == list(gone.markers)
    assert portal.privacy.erasures(SERVICE_DESK) == []

    assert portal.privacy.reapply(SERVICE_DESK, listed=read_erasure_list(listed.read_bytes())) == 1

    assert left(gone, storage) == []
    assert left(kept, storage) == list(kept.markers)
    with pytest.raises(NotFound):
        portal.employees.dossier(SERVICE_DESK, gone.employee_id)
    storage.close()
