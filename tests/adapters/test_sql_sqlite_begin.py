"""SQLite's write lock is taken at a unit of work's first write or lock (``_sqlite``):
a unit of work that only reads keeps no writer waiting, one that writes or locks keeps
every other writer out until it ends, and reads before its first write never leave it
with a snapshot it cannot write from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onzecoach import StorageError
from onzecoach.adapters.sql import SqlStorage, SqlUnitOfWork
from onzecoach.adapters.sql._sqlite import begin_now
from onzecoach.employers import Employer
from onzecoach.ids import new_id
from onzecoach.testing.contracts._builders import race
from support import T0

#: Seconds a writer waits for the write lock: short, so that a wait fails the test soon.
BUSY = 0.2


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SqlStorage]:
    made = SqlStorage(f"sqlite:///{tmp_path / 'begin.db'}", busy_timeout=BUSY)
    made.upgrade()
    yield made
    made.close()


def _add_employer(uow: SqlUnitOfWork, name: str = "W") -> str:
    employer_id = new_id()
    uow.employers.add(Employer(id=employer_id, name=f"{name} {employer_id}", created_at=T0))
    return employer_id


def _write_elsewhere(storage: SqlStorage) -> str:
    """An employer written and committed by another unit of work; its id."""
    with storage.unit_of_work() as other:
        employer_id = _add_employer(other, "elders")
        other.commit()
    return employer_id


def test_a_unit_of_work_that_only_reads_keeps_no_writer_waiting(storage: SqlStorage) -> None:
    with storage.unit_of_work() as reader:
        assert reader.employers.list() == []
        written = _write_elsewhere(storage)  # would wait BUSY seconds, then fail
        # Each read before the first write sees what is committed by then.
        assert [e.id for e in reader.employers.list()] == [written]


def test_reads_before_the_first_write_leave_no_snapshot_behind(storage: SqlStorage) -> None:
    """A transaction that began by reading could not write after another writer's
    commit (SQLITE_BUSY at once, whatever the timeout); reads on their own can."""
    with storage.unit_of_work() as uow:
        assert uow.employers.list() == []
        written = _write_elsewhere(storage)
        mine = _add_employer(uow)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert {e.id for e in uow.employers.list()} == {written, mine}


def test_the_first_write_keeps_every_other_writer_out(storage: SqlStorage) -> None:
    with storage.unit_of_work() as writer:
        mine = _add_employer(writer)
        with pytest.raises(StorageError, match="database is locked"):
            _write_elsewhere(storage)
        writer.commit()
    _write_elsewhere(storage)  # the lock went with the commit
    with storage.unit_of_work() as uow:
        assert uow.employers.get(mine) is not None


def test_a_locking_read_takes_the_write_lock(storage: SqlStorage) -> None:
    """SQLite's dialect writes no FOR UPDATE: the statement as built says it locks."""
    with storage.unit_of_work() as locker:
        assert locker.users.get(new_id(), for_update=True) is None
        with pytest.raises(StorageError, match="database is locked"):
            _write_elsewhere(storage)
    _write_elsewhere(storage)  # the lock went with the rollback


def test_a_plain_read_takes_no_lock_after_a_rollback(storage: SqlStorage) -> None:
    with storage.unit_of_work() as locker:
        locker.users.get(new_id(), for_update=True)
    for _ in range(3):  # the pool hands the same connections out again
        with storage.unit_of_work() as reader:
            reader.users.get(new_id())
            _write_elsewhere(storage)


@pytest.mark.parametrize("clear", ["stats", "search"])
def test_a_lock_of_its_own_on_postgresql_is_the_write_lock_on_sqlite(
    storage: SqlStorage, clear: str
) -> None:
    with storage.unit_of_work() as uow:
        employer_id = _add_employer(uow)
        uow.commit()
    with storage.unit_of_work() as rebuilder:
        if clear == "stats":
            rebuilder.stats.clear(employer_id)
        else:
            rebuilder.search.clear(employer_id)
        with pytest.raises(StorageError, match="database is locked"):
            _write_elsewhere(storage)


def test_begin_now_takes_the_write_lock_once(storage: SqlStorage) -> None:
    with storage.unit_of_work() as uow:
        connection = uow._require_connection()
        begin_now(connection)
        begin_now(connection)  # taken already: nothing more
        mine = _add_employer(uow)
        with pytest.raises(StorageError, match="database is locked"):
            _write_elsewhere(storage)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.employers.get(mine) is not None


def test_upgrades_at_once_take_turns(tmp_path: Path) -> None:
    """Each reads the version inside the write lock, after the one before it committed:
    the second finds the schema done instead of making its tables again."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = SqlStorage(url)
    first.upgrade("0001")  # the file exists, in WAL mode: what is left is the migrations
    first.close()
    storages = [SqlStorage(url) for _ in range(3)]
    outcomes = race([storage.upgrade for storage in storages])
    for storage in storages:
        storage.close()
    assert outcomes == [None, None, None]
    assert storages[0].schema_revision() == SqlStorage.head_revision()
    storages[0].close()


def test_a_write_lock_not_had_in_time_is_tried_again(storage: SqlStorage) -> None:
    """A BEGIN that timed out leaves the unit of work still to begin: its next write
    takes the lock then, and is no write outside a transaction."""
    with storage.unit_of_work() as waiting:
        connection = waiting._require_connection()
        with storage.unit_of_work() as holder:
            _add_employer(holder)
            with pytest.raises(StorageError, match="database is locked"):
                begin_now(connection)
            holder.commit()
        mine = _add_employer(waiting)
        with pytest.raises(StorageError, match="database is locked"):
            _write_elsewhere(storage)  # the write took the lock
        waiting.rollback()
    with storage.unit_of_work() as uow:
        assert uow.employers.get(mine) is None  # rolled back: it was in a transaction
