"""`SqlStorage.backup` and `onzecoach db backup`: a whole, consistent copy of a SQLite
database taken while writers go on, which opens as a portal again."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.cli import EXIT_FAILED, EXIT_OK, cli
from onzecoach.errors import StorageError
from onzecoach.testing import FrozenClock, RecordingMailer
from support import make_settings

HEAD = "0017"


@pytest.fixture
def source(tmp_path: Path) -> SqlStorage:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'portal.db'}")
    storage.upgrade()
    return storage


def portal_on(storage: SqlStorage, clock: FrozenClock) -> Portal:
    return Portal(storage=storage, mailer=RecordingMailer(), clock=clock, settings=make_settings())


def names(storage: SqlStorage, clock: FrozenClock) -> set[str]:
    return {e.name for e in portal_on(storage, clock).admin.employers(SERVICE_DESK)}


WRITERS = 4


def test_a_backup_taken_under_steady_writes_is_whole_and_opens_again(
    source: SqlStorage, tmp_path: Path, clock: FrozenClock
) -> None:
    portal = portal_on(source, clock)
    for n in range(20):
        portal.admin.create_employer(SERVICE_DESK, f"Voor {n}")
    stop = threading.Event()
    # What each writer has committed, in order (appended once its transaction is done).
    written: list[list[str]] = [[] for _ in range(WRITERS)]

    def write(number: int) -> None:
        writer = portal_on(SqlStorage(str(source.url)), clock)
        mine = written[number]
        while not stop.is_set():
            name = f"Schrijver {number} {len(mine)}"
            writer.admin.create_employer(SERVICE_DESK, name)
            mine.append(name)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        while min(len(mine) for mine in written) < 10:  # every writer well under way
            stop.wait(0.01)
        committed = {name for mine in written for name in list(mine)}
        report = source.backup(tmp_path / "kopie.db")
        during = sum(len(mine) for mine in written)
        while sum(len(mine) for mine in written) < during + 20:  # and they go on after
            stop.wait(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert report.path == tmp_path / "kopie.db"
    assert report.revision == HEAD
    assert report.size == report.path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    with closing(sqlite3.connect(report.path)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    copy = SqlStorage(f"sqlite:///{report.path}")
    try:
        assert copy.schema_revision() == HEAD
        copied = names(copy, clock)
    finally:
        copy.close()
    # Every row committed before the copy began is in it; of each writer's rows a prefix
    # (whole transactions, in order); and not what came after.
    assert {f"Voor {n}" for n in range(20)} <= copied
    assert committed <= copied
    for number, mine in enumerate(written):
        kept = sorted(
            int(name.rsplit(" ", 1)[1])
            for name in copied
            if name.startswith(f"Schrijver {number} ")
        )
        assert kept == list(range(len(kept)))
        assert len(kept) <= len(mine)
    assert names(source, clock) > copied


def test_an_existing_file_is_kept_unless_overwrite_is_asked(
    source: SqlStorage, tmp_path: Path, clock: FrozenClock
) -> None:
    target = tmp_path / "kopie.db"
    target.write_bytes(b"een eerdere kopie")
    with pytest.raises(StorageError) as exists:
        source.backup(target)
    assert exists.value.code == "storage.misconfigured"
    assert target.read_bytes() == b"een eerdere kopie"
    portal_on(source, clock).admin.create_employer(SERVICE_DESK, "Acme")
    assert source.backup(target, overwrite=True).revision == HEAD
    restored = SqlStorage(f"sqlite:///{target}")
    try:
        assert names(restored, clock) == {"Acme"}
    finally:
        restored.close()


def test_only_a_sqlite_file_is_copied_this_way(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'p.db'}")
    storage.upgrade()
    with pytest.raises(StorageError) as folder:
        storage.backup(tmp_path / "geen-map" / "kopie.db")
    assert folder.value.code == "storage.misconfigured"
    memory = SqlStorage("sqlite://")
    with pytest.raises(StorageError) as in_memory:
        memory.backup(tmp_path / "kopie.db")
    assert "pg_dump" in str(in_memory.value)
    assert not (tmp_path / "kopie.db").exists()


def test_the_command_copies_and_refuses_to_overwrite(source: SqlStorage, tmp_path: Path) -> None:
    env = {"ONZECOACH_DATABASE_URL": str(source.url)}
    target = tmp_path / "kopie.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["db", "backup", str(target)], env=env, catch_exceptions=False)
    assert result.exit_code == EXIT_OK, result.output
    assert f"revision {HEAD}" in result.stdout
    again = runner.invoke(cli, ["db", "backup", str(target)], env=env, catch_exceptions=False)
    assert again.exit_code == EXIT_FAILED
    assert "exists already" in again.stderr
    forced = runner.invoke(
        cli, ["db", "backup", "--overwrite", str(target)], env=env, catch_exceptions=False
    )
    assert forced.exit_code == EXIT_OK, forced.output
