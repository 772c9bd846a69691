"""``onzecoach privacy erasures export``, ``privacy reapply --list`` and ``db restore``: a
SQLite backup from before an erasure, restored by the commands, holds nothing of the
person, whether the list comes from the database replaced or from the file kept outside."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from cli_support import Env, run
from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from onzecoach.errors import NotFound

MARKERS = ("Vermeulen", "Roosmarijn", "roosmarijn.vermeulen@example.nl", "PN-7788")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "portal.db"


def held(database: Path) -> str:
    """Every value of every table of the file, as text (the markers are not sealed)."""
    with closing(sqlite3.connect(database)) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            str(value)
            for table in tables
            for row in raw.execute(f'SELECT * FROM "{table}"')
            for value in row
        )


def enrol(portal: Portal) -> tuple[Actor, str, str]:
    """An employer with the person to erase and one who stays; the HR, and both ids."""
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    ids = []
    for last, given, email, number in (
        MARKERS,
        ("Blijft", "Anna", "anna.blijft@example.nl", "PN-1"),
    ):
        ids.append(
            portal.employees.register(
                hr,
                {
                    "last_name": last,
                    "given_name": given,
                    "initials": "R.",
                    "gender": "vrouw",
                    "birth_date": date(1979, 9, 9),
                    "email": email,
                    "employee_number": number,
                    "registration_type": "OnzeCoach",
                },
            ).id
        )
    return hr, ids[0], ids[1]


def test_db_restore_carries_the_replaced_databases_list_and_erases_again(
    portal: Portal, env: Env, database: Path, tmp_path: Path
) -> None:
    hr, gone, stays = enrol(portal)
    backup = tmp_path / "voor.db"
    assert run(env, "db", "backup", str(backup)).exit_code == EXIT_OK
    portal.privacy.erase(hr, gone, "Verzoek van de werknemer")
    assert [m for m in MARKERS if m in held(database)] == []

    keep = tmp_path / "vervangen.db"
    done = run(env, "db", "restore", str(backup), "--keep", str(keep))

    assert done.exit_code == EXIT_OK, done.output
    assert "erased again: 1 employee(s)" in done.stdout
    assert f"kept at {keep}" in done.stdout
    assert [m for m in MARKERS if m in held(database)] == []
    assert "anna.blijft@example.nl" in held(database)
    with pytest.raises(NotFound):
        portal.employees.dossier(hr, gone)
    assert portal.employees.dossier(hr, stays).employee.last_name == "Blijft"
    assert [e.employee_id for e in portal.privacy.erasures(SERVICE_DESK)] == [gone]
    assert "anna.blijft@example.nl" in held(keep)
    # The backup itself is untouched: it still holds the person, as backups do.
    assert "Vermeulen" in held(backup)


def test_a_lost_database_restored_with_the_list_file_holds_nothing_of_the_person(
    portal: Portal, env: Env, database: Path, tmp_path: Path
) -> None:
    hr, gone, _ = enrol(portal)
    backup = tmp_path / "voor.db"
    assert run(env, "db", "backup", str(backup)).exit_code == EXIT_OK
    portal.privacy.erase(hr, gone, "Verzoek")
    listed = tmp_path / "verwijderd.json"
    exported = run(env, "privacy", "erasures", "export", str(listed))
    assert exported.exit_code == EXIT_OK, exported.output
    assert f"Listed 1 erased employee(s) in {listed}." in exported.stdout
    document = json.loads(listed.read_text())
    assert [e["employee_id"] for e in document["erased"]] == [gone]
    assert not [m for m in MARKERS if m.casefold() in listed.read_text().casefold()]

    # The database is lost; the backup goes back in its place.
    portal.storage.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    without = run(env, "db", "restore", str(backup))
    assert without.exit_code == EXIT_OK, without.output
    assert "erased again: 0 employee(s)" in without.stdout
    assert "kept at" not in without.stdout
    assert "Vermeulen" in held(database)

    again = run(env, "privacy", "reapply", "--list", str(listed))
    assert again.exit_code == EXIT_OK, again.output
    assert "Erased again: 1 employee(s)." in again.stdout
    assert [m for m in MARKERS if m in held(database)] == []
    assert "anna.blijft@example.nl" in held(database)


def test_db_restore_with_the_list_file_erases_in_one_go(
    portal: Portal, env: Env, database: Path, tmp_path: Path
) -> None:
    hr, gone, _ = enrol(portal)
    backup = tmp_path / "voor.db"
    assert run(env, "db", "backup", str(backup)).exit_code == EXIT_OK
    portal.privacy.erase(hr, gone, "Verzoek")
    listed = tmp_path / "verwijderd.json"
    assert run(env, "privacy", "erasures", "export", str(listed)).exit_code == EXIT_OK
    portal.storage.close()
    database.unlink()
    done = run(env, "db", "restore", str(backup), "--list", str(listed))
    assert done.exit_code == EXIT_OK, done.output
    assert "erased again: 1 employee(s)" in done.stdout
    assert [m for m in MARKERS if m in held(database)] == []


def test_the_export_never_shrinks_the_list_and_says_when_the_database_lacks_some(
    portal: Portal, env: Env, database: Path, tmp_path: Path
) -> None:
    hr, gone, _ = enrol(portal)
    backup = tmp_path / "voor.db"
    assert run(env, "db", "backup", str(backup)).exit_code == EXIT_OK
    portal.privacy.erase(hr, gone, "Verzoek")
    listed = tmp_path / "verwijderd.json"
    assert run(env, "privacy", "erasures", "export", str(listed)).exit_code == EXIT_OK
    first = json.loads(listed.read_text())["erased"]
    # A restore made by hand, without the list: the database's list is the backup's.
    portal.storage.close()
    database.unlink()
    backup.rename(database)

    again = run(env, "privacy", "erasures", "export", str(listed))

    assert again.exit_code == EXIT_OK, again.output
    assert json.loads(listed.read_text())["erased"] == first
    assert "1 of them are in" in again.stderr
    assert "privacy reapply --list" in again.stderr
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_the_commands_refuse_what_they_cannot_use(
    portal: Portal, env: Env, database: Path, tmp_path: Path
) -> None:
    not_a_list = tmp_path / "lijst.json"
    not_a_list.write_text('{"iets": 1}')
    refused = run(env, "privacy", "reapply", "--list", str(not_a_list))
    assert refused.exit_code != EXIT_OK
    assert "Dit is geen lijst van verwijderde werknemers." in refused.stderr
    export = run(env, "privacy", "erasures", "export", str(not_a_list))
    assert export.exit_code != EXIT_OK
    assert not_a_list.read_text() == '{"iets": 1}'
    assert run(env, "privacy", "reapply", "--list", str(tmp_path / "nergens.json")).exit_code == (
        EXIT_USAGE
    )

    backup = tmp_path / "voor.db"
    assert run(env, "db", "backup", str(backup)).exit_code == EXIT_OK
    with closing(sqlite3.connect(database)) as raw:
        raw.execute("UPDATE onzecoach_alembic_version SET version_num = '9999'")
        raw.commit()
    newer = run(env, "db", "restore", str(backup))
    assert newer.exit_code == EXIT_FAILED
    assert "schema revision 9999" in newer.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".replaced")] == []

    postgres = {**env, "ONZECOACH_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"}
    elsewhere = run(postgres, "db", "restore", str(backup))
    assert elsewhere.exit_code == EXIT_FAILED
    assert "pg_restore" in elsewhere.stderr


def test_db_restore_over_an_older_database_asks_for_db_upgrade_first(
    env: Env, database: Path, tmp_path: Path
) -> None:
    source = SqlStorage(f"sqlite:///{tmp_path / 'bron.db'}")
    source.upgrade()
    backup = source.backup(tmp_path / "kopie.db").path
    source.close()
    older = SqlStorage(f"sqlite:///{database}")
    older.upgrade("0014")
    older.close()

    refused = run(env, "db", "restore", str(backup))

    assert refused.exit_code == EXIT_FAILED
    assert "schema revision 0014" in refused.stderr
    assert "db upgrade" in refused.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".replaced")] == []
    check = SqlStorage(f"sqlite:///{database}")
    try:
        assert check.schema_revision() == "0014"
    finally:
        check.close()
