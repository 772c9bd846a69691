"""How the bulk import writes its batches: side by side where the storage's writers do
not wait for each other (PostgreSQL), one at a time elsewhere, and alone when a batch
names a stored employee."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import pytest

from import_support import (
    DUTCH,
    ROWS,
    SwappedStorage,
    as_file,
    csv_bytes,
    employees_of,
    hr_of,
)
from onzecoach import Portal
from onzecoach.errors import StorageError
from onzecoach.ports import Storage, UnitOfWork, WritesInParallel
from onzecoach.testing import RecordingMailer


@attrs.define
class _Writes:
    """Which units of work wrote employees, and which were open beside which."""

    lock: threading.Lock = attrs.Factory(threading.Lock)
    open: set[int] = attrs.Factory(set)
    #: For each unit of work: the units of work open beside it at some point.
    beside: dict[int, set[int]] = attrs.Factory(dict)
    wrote_employees: set[int] = attrs.Factory(set)
    updated: set[int] = attrs.Factory(set)
    #: Two parties: a batch's first write waits here for another batch's, or times out.
    meet: threading.Barrier | None = None
    met: bool = False

    def entered(self, number: int) -> None:
        with self.lock:
            for other in self.open:
                self.beside.setdefault(other, set()).add(number)
            self.beside.setdefault(number, set()).update(self.open)
            self.open.add(number)

    def left(self, number: int) -> None:
        with self.lock:
            self.open.discard(number)

    def wrote(self, number: int, *, update: bool) -> None:
        with self.lock:
            self.wrote_employees.add(number)
            if update:
                self.updated.add(number)
        if self.meet is not None and not self.met:
            try:
                self.meet.wait(timeout=5)
                self.met = True
            except threading.BrokenBarrierError:
                pass


@attrs.define
class _NotedEmployees:
    inner: Any
    writes: _Writes
    number: int

    def add_many(self, employees: Any) -> None:
        self.writes.wrote(self.number, update=False)
        self.inner.add_many(employees)

    def save(self, employee: Any) -> None:
        self.writes.wrote(self.number, update=True)
        self.inner.save(employee)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@attrs.define
class _NotingStorage:
    """A storage whose units of work note when they are open and what they write."""

    inner: Storage
    writes: _Writes
    counter: Iterator[int] = attrs.Factory(lambda: iter(range(1, 10**9)))

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        number = next(self.counter)
        with self.inner.unit_of_work() as uow:
            self.writes.entered(number)
            original = uow.employees
            uow.employees = _NotedEmployees(original, self.writes, number)  # type: ignore[misc]
            try:
                yield uow
            finally:
                uow.employees = original  # type: ignore[misc]
                self.writes.left(number)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _in_parallel(storage: Storage) -> bool:
    return isinstance(storage, WritesInParallel) and storage.writes_in_parallel


def _noting(portal: Portal, writes: _Writes) -> Portal:
    return Portal(
        storage=_NotingStorage(portal.storage, writes),  # type: ignore[arg-type]
        mailer=RecordingMailer(),
        clock=portal.clock,
        settings=portal.settings,
    )


def _rows(first: int, count: int) -> list[list[str]]:
    return [[str(n), "Berg", "", "Anna", "A", "v", "01-01-1980", f"{n}@x.nl", "", "", "", ""]
            for n in range(first, first + count)]  # fmt: skip


def test_batches_are_written_side_by_side_where_writers_do_not_wait(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    parallel = _in_parallel(portal.storage)
    # Each batch's first write waits for another batch's: only batches written side by
    # side meet (where they cannot, the wait times out once and the rest goes on).
    writes = _Writes(meet=threading.Barrier(2) if parallel else None)

    report = _noting(portal, writes).imports.employees(
        hr, as_file(csv_bytes(DUTCH, _rows(1, 8))), batch_size=2
    )

    assert (report.created, report.errors) == (8, ())
    assert [change.row for change in report.changes] == list(range(2, 10))  # file order
    assert writes.met is parallel
    writers = writes.wrote_employees
    assert len(writers) == 4
    side_by_side = {n for n in writers if writes.beside[n] & writers}
    assert bool(side_by_side) is parallel
    assert sorted(employees_of(portal, hr), key=int) == [str(n) for n in range(1, 9)]


def test_a_batch_that_names_a_stored_employee_is_written_alone(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS[1:2])))  # 1002 is stored
    writes = _Writes()
    renamed = [ROWS[1][0], "Janssen", *ROWS[1][2:]]
    # Batches of two: new, new, the one with 1002, new, new.
    rows = [*_rows(1, 4), renamed, _rows(5, 1)[0], *_rows(6, 4)]

    report = _noting(portal, writes).imports.employees(
        hr, as_file(csv_bytes(DUTCH, rows)), batch_size=2
    )

    assert (report.created, report.updated, report.errors) == (9, 1, ())
    (updating,) = writes.updated
    assert len(writes.wrote_employees) == 5
    assert writes.beside[updating] & writes.wrote_employees == set()
    assert employees_of(portal, hr)["1002"].last_name == "Janssen"


class _Stop(Exception):
    pass


def test_an_import_stopped_says_what_its_writers_went_on_with(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    rows = _rows(1, 6)

    def stop(done: int, total: int | None) -> None:
        raise _Stop

    with pytest.raises(_Stop) as stopped:
        portal.imports.employees(hr, as_file(csv_bytes(DUTCH, rows)), batch_size=2, progress=stop)

    stored = set(employees_of(portal, hr))
    notes = getattr(stopped.value, "__notes__", [])
    if _in_parallel(portal.storage):
        # The second batch was with a writer when the first one's progress stopped it.
        assert stored == {"1", "2", "3", "4"}
        assert notes == ["another batch of 2 rows was written: 2 created, 0 updated, 0 unchanged"]
    else:
        assert stored == {"1", "2"}
        assert notes == []
    again = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, rows)), batch_size=2)
    assert (again.created, again.unchanged) == (6 - len(stored), len(stored))


@attrs.define
class _LookupsFailing:
    """Employees whose ``nth`` look-up by numbers fails, as a database gone away would."""

    inner: Any
    nth: int
    calls: list[int]

    def by_numbers(self, employer_id: str, numbers: Any) -> Any:
        self.calls.append(len(numbers))
        if len(self.calls) == self.nth:
            raise StorageError("the database went away")
        return self.inner.by_numbers(employer_id, numbers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failed_look_up_of_the_next_batch_stops_the_import(portal: Portal) -> None:
    """The second batch's stored employees cannot be read: the import stops with that
    error, which says what became of the batch a writer had by then (where the look-up
    happens in the writer's unit of work, that batch goes row by row)."""
    hr = hr_of(portal, "Acme")
    calls: list[int] = []
    failing = SwappedStorage(
        portal.storage, "employees", lambda inner: _LookupsFailing(inner, 2, calls)
    ).portal(portal)

    with pytest.raises(StorageError) as stopped:
        failing.imports.employees(hr, as_file(csv_bytes(DUTCH, _rows(1, 6))), batch_size=2)

    assert getattr(stopped.value, "__notes__", []) == [
        "another batch of 2 rows was written: 2 created, 0 updated, 0 unchanged"
    ]
    assert set(employees_of(portal, hr)) == {"1", "2"}
