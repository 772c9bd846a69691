"""The storage contract of the statistics rollups (``uow.stats``), on every storage.

Also the reads the rollups' rebuild and its callers need from the other repositories:
``employees.get(for_update=True)``, ``employees.get_many`` and ``for_employer`` of
trajectories and appointments.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onzecoach.employees._model import Employee
from onzecoach.employees._validation import EmployeeDetails, Gender
from onzecoach.employers._model import Employer
from onzecoach.ids import new_id
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.stats._model import (
    NO_DEPARTMENT,
    Counters,
    Level,
    StatsCell,
    StatsScope,
    ThemeCell,
)
from onzecoach.trajectories._model import Appointment, Trajectory

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
R = TypeVar("R")

ALL = StatsScope()


def in_transaction(storage: Storage, action: Callable[[UnitOfWork], R]) -> R:
    """Run ``action`` in a committed unit of work; return what it returned."""
    with storage.unit_of_work() as uow:
        result = action(uow)
        uow.commit()
    return result


def read(storage: Storage, action: Callable[[UnitOfWork], R]) -> R:
    """Run ``action`` in a unit of work that is rolled back; return what it returned."""
    with storage.unit_of_work() as uow:
        return action(uow)


def cells_of(
    employer_id: str,
    department_id: str,
    employee_id: str,
    month: int,
    counters: Counters,
    *,
    together: bool = True,
) -> list[StatsCell]:
    """One employee's change to a month, in its cells at every level, as the rollups write it.

    Without ``together``, not in the cell of every employer together: as if that cell were
    stale, until ``recount_all``.
    """
    cells = [
        StatsCell(employer_id, Level.EMPLOYER, "", "", month, counters),
        StatsCell(employer_id, Level.DEPARTMENT, department_id, "", month, counters),
        StatsCell(employer_id, Level.EMPLOYEE, department_id, employee_id, month, counters),
    ]
    if together:
        cells.append(StatsCell("", Level.ALL, "", "", month, counters))
    return cells


def themes_of(
    employer_id: str,
    department_id: str,
    month: int,
    theme: str,
    held: int,
    *,
    together: bool = True,
) -> list[ThemeCell]:
    """Held sessions of a theme at every level that keeps themes, as the rollups write them."""
    cells = [
        ThemeCell(employer_id, Level.EMPLOYER, "", month, theme, held),
        ThemeCell(employer_id, Level.DEPARTMENT, department_id, month, theme, held),
    ]
    if together:
        cells.append(ThemeCell("", Level.ALL, "", month, theme, held))
    return cells


def every_employer(month: int, counters: Counters) -> StatsCell:
    """A cell of every employer together, on its own."""
    return StatsCell("", Level.ALL, "", "", month, counters)


def recount_all(storage: Storage) -> None:
    in_transaction(storage, lambda uow: uow.stats.recount_all())


def add(
    storage: Storage, cells: Iterable[StatsCell] = (), themes: Iterable[ThemeCell] = ()
) -> None:
    """Add the changes in one committed call, in key order as the rollups hand them over."""
    in_transaction(
        storage,
        lambda uow: uow.stats.add(
            sorted(cells, key=lambda c: c.key), sorted(themes, key=lambda c: c.key)
        ),
    )


def held(n: int = 1, **others: int) -> Counters:
    """Counters of ``n`` held sessions, one person, and ``others``."""
    return Counters(**{"held": n, "live": n, "people": 1 if n > 0 else 0, **others})


def series(storage: Storage, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
    return read(storage, lambda uow: uow.stats.series(scope, first, last))


def breakdown(storage: Storage, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
    return read(storage, lambda uow: uow.stats.breakdown(scope, first, last))


def people(
    storage: Storage,
    scope: StatsScope,
    first: int,
    last: int,
    children: Iterable[str] | None = None,
) -> dict[str, int]:
    wanted = None if children is None else list(children)
    return read(storage, lambda uow: uow.stats.people(scope, first, last, wanted))


def themes(storage: Storage, scope: StatsScope, first: int, last: int) -> dict[str, int]:
    return read(storage, lambda uow: uow.stats.themes(scope, first, last))


# Adding ------------------------------------------------------------------------------


class TestAdd:
    def test_a_change_creates_its_cells_and_the_next_adds_to_them(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        add(storage, cells_of(owner, dept, person, 202603, held(2, planned=1)))
        add(storage, cells_of(owner, dept, person, 202603, Counters(planned=3, started=1)))
        expected = Counters(held=2, live=2, planned=4, started=1, people=1)
        for scope in (
            StatsScope(owner),
            StatsScope(owner, dept),
            StatsScope(owner, dept, person),
            ALL,
        ):
            assert series(storage, scope, 202601, 202612) == {202603: expected}

    def test_every_counter_round_trips(self, storage: Storage) -> None:
        owner = new_id()
        every = Counters(*range(1, 11))
        add(
            storage,
            [
                StatsCell(owner, Level.EMPLOYER, "", "", 202604, every),
                every_employer(202604, every),
            ],
        )
        assert series(storage, StatsScope(owner), 202604, 202604) == {202604: every}
        assert series(storage, ALL, 202604, 202604) == {202604: every}

    def test_a_key_twice_in_one_call_counts_twice(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        cells = cells_of(owner, dept, person, 202603, held(1))
        theme = themes_of(owner, dept, 202603, "Stress", 1)
        # Unsorted on purpose: repeated keys need not be next to each other.
        in_transaction(storage, lambda uow: uow.stats.add(cells + cells, theme + theme))
        assert series(storage, StatsScope(owner, dept, person), 202603, 202603) == {
            202603: Counters(held=2, live=2, people=2)
        }
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert series(storage, scope, 202603, 202603) == {
                202603: Counters(held=2, live=2, people=2)
            }
            assert themes(storage, scope, 202603, 202603) == {"Stress": 2}

    def test_negative_changes_subtract_and_a_cell_back_at_zero_reads_as_nothing(
        self, storage: Storage
    ) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, person, 202603, held(3)),
            themes_of(owner, dept, 202603, "Werkdruk", 3),
        )
        add(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-1, live=-1)),
            themes_of(owner, dept, 202603, "Werkdruk", -1),
        )
        assert series(storage, StatsScope(owner), 202603, 202603) == {
            202603: Counters(held=2, live=2, people=1)
        }
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202603, 202603) == {"Werkdruk": 2}
        add(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-2, live=-2, people=-1)),
            themes_of(owner, dept, 202603, "Werkdruk", -2),
        )
        with storage.unit_of_work() as uow:
            assert uow.stats.employee_held(owner, dept, person, [202603]) in ({202603: 0}, {})
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert series(storage, scope, 202601, 202612) == {}
            assert breakdown(storage, scope, 202601, 202612) == {}
            assert themes(storage, scope, 202601, 202612) == {}
        assert people(storage, StatsScope(owner), 202601, 202612) == {"": 0}

    def test_nothing_to_add_is_fine(self, storage: Storage) -> None:
        add(storage)
        assert series(storage, ALL, 202001, 203012) == {}

    def test_many_cells_in_one_call(self, storage: Storage) -> None:
        # More rows than any one statement of the SQL adapter takes.
        owner, dept = new_id(), new_id()
        staff = [new_id() for _ in range(450)]
        cells = [
            cell
            for person in staff
            for month in (202601, 202602)
            for cell in cells_of(owner, dept, person, month, held(1))
        ]
        add(storage, cells)
        expected = Counters(held=450, live=450, people=450)
        for scope in (ALL, StatsScope(owner)):
            assert series(storage, scope, 202601, 202612) == {
                202601: expected,
                202602: expected,
            }
        assert people(storage, StatsScope(owner, dept), 202601, 202612) == {"": 450}
        assert len(breakdown(storage, StatsScope(owner, dept), 202601, 202612)) == 450

    def test_leaving_without_commit_adds_nothing(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        add(storage, cells_of(owner, dept, person, 202603, held(1)))
        with storage.unit_of_work() as uow:
            uow.stats.add(
                cells_of(owner, dept, person, 202603, held(1))
                + cells_of(owner, dept, person, 202604, held(1)),
                themes_of(owner, dept, 202603, "Stress", 1),
            )
        for scope in (ALL, StatsScope(owner)):
            assert series(storage, scope, 202601, 202612) == {202603: held(1)}
            assert themes(storage, scope, 202601, 202612) == {}

    def test_two_transactions_adding_to_the_same_cells_lose_nothing(
        self, storage_factory: Callable[[], Storage]
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        owner, dept = new_id(), new_id()
        staff = [new_id(), new_id()]
        rounds = 5

        def add_one(storage: Storage, person: str) -> None:
            add(
                storage,
                cells_of(owner, dept, person, 202603, held(1)),
                themes_of(owner, dept, 202603, "Stress", 1),
            )

        for _ in range(rounds):
            outcomes = race(
                [functools.partial(add_one, s, p) for s, p in zip(storages, staff, strict=True)]
            )
            assert outcomes == [None, None]
        total = Counters(held=2 * rounds, live=2 * rounds, people=2 * rounds)
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert series(storages[1], scope, 202603, 202603) == {202603: total}
            assert themes(storages[1], scope, 202603, 202603) == {"Stress": 2 * rounds}


def race(actions: list[Callable[[], object]]) -> list[object]:
    """Start ``actions`` together, one thread each; what each returned or raised."""
    results: list[object] = [None] * len(actions)
    barrier = threading.Barrier(len(actions))

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = actions[index]()
        except BaseException as exc:  # pragma: no cover - reported by the assertion
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# Reading -----------------------------------------------------------------------------


def test_employee_held_reads_the_asked_months_of_one_employee(storage: Storage) -> None:
    owner, dept, other_dept = new_id(), new_id(), new_id()
    person, colleague = new_id(), new_id()
    add(
        storage,
        cells_of(owner, dept, person, 202602, held(2))
        + cells_of(owner, dept, person, 202603, Counters(planned=1))
        + cells_of(owner, dept, person, 202605, held(1))
        + cells_of(owner, other_dept, person, 202604, held(4))
        + cells_of(owner, dept, colleague, 202604, held(5)),
    )
    with storage.unit_of_work() as uow:
        stats = uow.stats
        assert stats.employee_held(owner, dept, person, [202602, 202603, 202604]) == {
            202602: 2,
            202603: 0,
        }
        assert stats.employee_held(owner, other_dept, person, {202604, 202605}) == {202604: 4}
        assert stats.employee_held(owner, dept, person, []) == {}
        assert stats.employee_held(new_id(), dept, person, [202602]) == {}


class TestSeries:
    def test_each_scope_reads_its_own_cells(self, storage: Storage) -> None:
        owner, dept, other_dept = new_id(), new_id(), new_id()
        anna, bert, carla = new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, anna, 202603, held(1))
            + cells_of(owner, dept, bert, 202603, held(2, cancelled=1))
            + cells_of(owner, other_dept, carla, 202604, Counters(no_show=1))
            + cells_of(owner, dept, anna, 202605, Counters(completed=1, completed_days=40)),
        )
        assert series(storage, StatsScope(owner), 202601, 202612) == {
            202603: Counters(held=3, live=3, cancelled=1, people=2),
            202604: Counters(no_show=1),
            202605: Counters(completed=1, completed_days=40),
        }
        assert series(storage, StatsScope(owner, dept), 202601, 202612) == {
            202603: Counters(held=3, live=3, cancelled=1, people=2),
            202605: Counters(completed=1, completed_days=40),
        }
        assert series(storage, StatsScope(owner, other_dept), 202601, 202612) == {
            202604: Counters(no_show=1)
        }
        assert series(storage, StatsScope(owner, dept, anna), 202601, 202612) == {
            202603: held(1),
            202605: Counters(completed=1, completed_days=40),
        }
        assert series(storage, StatsScope(owner, other_dept, anna), 202601, 202612) == {}
        assert series(storage, StatsScope(new_id()), 202601, 202612) == {}

    def test_every_employer_together_as_the_rollups_write_it(self, storage: Storage) -> None:
        first, second = new_id(), new_id()
        add(
            storage,
            cells_of(first, NO_DEPARTMENT, new_id(), 202603, held(1, started=1))
            + cells_of(second, new_id(), new_id(), 202603, held(2))
            + cells_of(second, new_id(), new_id(), 202607, Counters(planned=5)),
        )
        assert series(storage, ALL, 202601, 202612) == {
            202603: Counters(held=3, live=3, started=1, people=2),
            202607: Counters(planned=5),
        }

    def test_every_employer_together_reads_its_own_cells(self, storage: Storage) -> None:
        owner, dept = new_id(), new_id()
        # Employer cells without the cell of every employer together: not summed on reading.
        add(storage, cells_of(owner, dept, new_id(), 202603, held(2), together=False))
        assert series(storage, ALL, 202601, 202612) == {}
        add(storage, [every_employer(202604, Counters(cancelled=1, people=3))])
        assert series(storage, ALL, 202601, 202612) == {202604: Counters(cancelled=1, people=3)}
        # The breakdown and the people still come from the employers' cells.
        assert breakdown(storage, ALL, 202601, 202612) == {owner: held(2)}
        assert people(storage, ALL, 202601, 202612) == {"": 1}

    def test_the_range_includes_both_ends_and_nothing_beyond(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        months = (202511, 202512, 202601, 202606, 202607)
        add(
            storage,
            [c for m in months for c in cells_of(owner, dept, person, m, held(m % 100))],
        )
        for scope in (
            ALL,
            StatsScope(owner),
            StatsScope(owner, dept),
            StatsScope(owner, dept, person),
        ):
            assert set(series(storage, scope, 202512, 202606)) == {202512, 202601, 202606}
            assert set(series(storage, scope, 202601, 202601)) == {202601}
            assert series(storage, scope, 202602, 202605) == {}


class TestBreakdown:
    def test_children_sum_their_months_and_keep_the_largest_month_of_people(
        self, storage: Storage
    ) -> None:
        owner, other = new_id(), new_id()
        dept = new_id()
        anna, bert, carla = new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, anna, 202603, held(1))
            + cells_of(owner, dept, bert, 202603, held(1))
            + cells_of(owner, dept, anna, 202604, held(2, planned=1))
            + cells_of(owner, NO_DEPARTMENT, carla, 202604, Counters(started=1))
            + cells_of(other, new_id(), new_id(), 202603, held(1)),
        )
        assert breakdown(storage, ALL, 202601, 202612) == {
            owner: Counters(held=4, live=4, planned=1, started=1, people=2),
            other: held(1),
        }
        assert breakdown(storage, StatsScope(owner), 202601, 202612) == {
            dept: Counters(held=4, live=4, planned=1, people=2),
            NO_DEPARTMENT: Counters(started=1),
        }
        assert breakdown(storage, StatsScope(owner, dept), 202601, 202612) == {
            anna: Counters(held=3, live=3, planned=1, people=1),
            bert: held(1),
        }
        assert breakdown(storage, StatsScope(owner, dept), 202604, 202604) == {
            anna: held(2, planned=1)
        }
        assert breakdown(storage, StatsScope(owner, dept, anna), 202601, 202612) == {}

    def test_children_whose_counters_cancel_out_are_left_out(self, storage: Storage) -> None:
        owner, dept, moved_to = new_id(), new_id(), new_id()
        person, stays = new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, person, 202603, held(1))
            + cells_of(owner, moved_to, stays, 202603, held(1)),
        )
        # The appointment moves to the next month: one month down, the other up.
        add(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-1, live=-1, people=-1))
            + cells_of(owner, dept, person, 202604, held(1)),
        )
        assert breakdown(storage, StatsScope(owner, dept), 202603, 202603) == {}
        assert breakdown(storage, StatsScope(owner), 202603, 202603) == {moved_to: held(1)}
        assert breakdown(storage, StatsScope(owner), 202603, 202604) == {
            dept: held(1),
            moved_to: held(1),
        }


class TestPeople:
    def test_people_are_counted_once_whatever_their_months(self, storage: Storage) -> None:
        owner, other = new_id(), new_id()
        dept, second_dept = new_id(), new_id()
        anna, bert, carla, dirk = new_id(), new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, anna, 202603, held(1))
            + cells_of(owner, dept, anna, 202604, held(2))
            + cells_of(owner, dept, bert, 202604, held(1))
            # Planned but never held: no person.
            + cells_of(owner, dept, carla, 202604, Counters(planned=2))
            + cells_of(owner, second_dept, dirk, 202605, held(1))
            + cells_of(other, new_id(), new_id(), 202603, held(1)),
        )
        assert people(storage, ALL, 202601, 202612) == {"": 4}
        assert people(storage, StatsScope(owner), 202601, 202612) == {"": 3}
        assert people(storage, StatsScope(owner), 202603, 202604) == {"": 2}
        assert people(storage, StatsScope(owner), 202603, 202603) == {"": 1}
        assert people(storage, StatsScope(owner, dept), 202601, 202612) == {"": 2}
        assert people(storage, StatsScope(owner, second_dept), 202601, 202604) == {"": 0}
        assert people(storage, StatsScope(owner, dept, anna), 202601, 202612) == {"": 1}
        assert people(storage, StatsScope(owner, dept, carla), 202601, 202612) == {"": 0}
        assert people(storage, StatsScope(new_id()), 202601, 202612) == {"": 0}

    def test_an_employee_who_changed_department_is_one_person(self, storage: Storage) -> None:
        owner, before, after = new_id(), new_id(), new_id()
        person = new_id()
        add(
            storage,
            cells_of(owner, before, person, 202603, held(1))
            + cells_of(owner, after, person, 202605, held(1)),
        )
        assert people(storage, ALL, 202601, 202612) == {"": 1}
        assert people(storage, StatsScope(owner), 202601, 202612) == {"": 1}
        assert people(storage, StatsScope(owner, before), 202601, 202612) == {"": 1}
        assert people(storage, StatsScope(owner, after), 202601, 202612) == {"": 1}
        assert people(storage, StatsScope(owner), 202601, 202612, [before, after]) == {
            before: 1,
            after: 1,
        }
        assert people(storage, ALL, 202601, 202612, [owner]) == {owner: 1}

    def test_per_child_counts_only_the_asked_children_with_people(self, storage: Storage) -> None:
        owner, other, idle = new_id(), new_id(), new_id()
        dept, second_dept, quiet_dept = new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, new_id(), 202603, held(1))
            + cells_of(owner, dept, new_id(), 202604, held(1))
            + cells_of(owner, NO_DEPARTMENT, new_id(), 202603, held(3))
            + cells_of(owner, second_dept, new_id(), 202603, held(1))
            + cells_of(owner, quiet_dept, new_id(), 202603, Counters(planned=1))
            + cells_of(other, new_id(), new_id(), 202603, held(1))
            + cells_of(idle, new_id(), new_id(), 202603, Counters(cancelled=1)),
        )
        assert people(storage, ALL, 202601, 202612, [owner, other, idle, new_id()]) == {
            owner: 4,
            other: 1,
        }
        assert people(storage, ALL, 202601, 202612, [other]) == {other: 1}
        assert people(storage, ALL, 202601, 202612, []) == {}
        assert people(
            storage, StatsScope(owner), 202601, 202612, [dept, NO_DEPARTMENT, quiet_dept]
        ) == {dept: 2, NO_DEPARTMENT: 1}
        assert people(storage, StatsScope(owner), 202604, 202612, [dept, second_dept]) == {dept: 1}


def themed(storage: Storage, *changes: tuple[str, str, int, str, int]) -> None:
    """Add held sessions with a theme, (employer, department, month, theme, change) each,
    to the cells and the themes together, as the rollups do."""
    add(
        storage,
        [
            cell
            for owner, dept, month, _, n in changes
            for cell in cells_of(owner, dept, "anna", month, Counters(held=n, live=n))
        ],
        [
            cell
            for owner, dept, month, theme, n in changes
            for cell in themes_of(owner, dept, month, theme, n)
        ],
    )


class TestThemes:
    def test_themes_sum_over_the_range_per_scope(self, storage: Storage) -> None:
        owner, other, silent = new_id(), new_id(), new_id()
        dept, second_dept, quiet_dept = new_id(), new_id(), new_id()
        themed(
            storage,
            (owner, dept, 202603, "Stress", 2),
            (owner, dept, 202604, "Stress", 1),
            (owner, dept, 202603, "Loopbaan", 1),
            (owner, second_dept, 202603, "Werkdruk", 4),
            (owner, dept, 202701, "Stress", 9),
            (other, NO_DEPARTMENT, 202604, "Stress", 5),
        )
        # Sessions without a theme: an employer and a department without themes.
        add(
            storage,
            cells_of(silent, dept, "anna", 202603, held(1))
            + cells_of(owner, quiet_dept, "bert", 202603, held(1)),
        )
        assert themes(storage, ALL, 202601, 202612) == {"Stress": 8, "Loopbaan": 1, "Werkdruk": 4}
        assert themes(storage, ALL, 202604, 202701) == {"Stress": 15}
        assert themes(storage, StatsScope(owner), 202601, 202612) == {
            "Stress": 3,
            "Loopbaan": 1,
            "Werkdruk": 4,
        }
        assert themes(storage, StatsScope(owner), 202604, 202701) == {"Stress": 10}
        assert themes(storage, StatsScope(owner, dept), 202603, 202603) == {
            "Stress": 2,
            "Loopbaan": 1,
        }
        assert themes(storage, StatsScope(owner, second_dept), 202601, 202612) == {"Werkdruk": 4}
        assert themes(storage, StatsScope(other, NO_DEPARTMENT), 202601, 202612) == {"Stress": 5}
        assert themes(storage, StatsScope(owner, NO_DEPARTMENT), 202601, 202612) == {}
        assert themes(storage, StatsScope(owner, quiet_dept), 202601, 202612) == {}
        assert themes(storage, StatsScope(silent), 202601, 202612) == {}
        assert themes(storage, StatsScope(silent, dept), 202601, 202612) == {}
        # Themes are never kept per employee.
        assert themes(storage, StatsScope(owner, dept, "anna"), 202601, 202612) == {}
        assert themes(storage, StatsScope(owner), 202605, 202612) == {}
        assert themes(storage, ALL, 202605, 202612) == {}
        assert themes(storage, StatsScope(new_id()), 202601, 202612) == {}

    def test_every_employer_together_reads_its_own_theme_cells(self, storage: Storage) -> None:
        owner, dept = new_id(), new_id()
        add(storage, themes=themes_of(owner, dept, 202603, "Stress", 2, together=False))
        assert themes(storage, StatsScope(owner), 202601, 202612) == {"Stress": 2}
        assert themes(storage, StatsScope(owner, dept), 202601, 202612) == {"Stress": 2}
        assert themes(storage, ALL, 202601, 202612) == {}
        add(storage, themes=[ThemeCell("", Level.ALL, "", 202604, "Loopbaan", 3)])
        assert themes(storage, ALL, 202601, 202612) == {"Loopbaan": 3}
        assert themes(storage, StatsScope(owner), 202601, 202612) == {"Stress": 2}

    def test_themes_that_cancel_out_are_left_out(self, storage: Storage) -> None:
        owner, dept = new_id(), new_id()
        themed(storage, (owner, dept, 202603, "Stress", 1), (owner, dept, 202603, "Werkdruk", 1))
        themed(storage, (owner, dept, 202603, "Stress", -1))
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202603, 202603) == {"Werkdruk": 1}
        themed(storage, (owner, dept, 202603, "Werkdruk", -1))
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202603, 202603) == {}
        # Over a range: months that cancel each other out.
        themed(storage, (owner, dept, 202604, "Stress", 2), (owner, dept, 202605, "Stress", -2))
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202604, 202605) == {}
            assert themes(storage, scope, 202604, 202604) == {"Stress": 2}


def test_clear_deletes_only_the_employers_cells(storage: Storage) -> None:
    owner, other = new_id(), new_id()
    dept, person = new_id(), new_id()
    add(
        storage,
        cells_of(owner, dept, person, 202603, held(1))
        + cells_of(other, dept, new_id(), 202603, held(2)),
        themes_of(owner, dept, 202603, "Stress", 1) + themes_of(other, dept, 202603, "Stress", 2),
    )
    in_transaction(storage, lambda uow: uow.stats.clear(owner))
    for scope in (StatsScope(owner), StatsScope(owner, dept), StatsScope(owner, dept, person)):
        assert series(storage, scope, 202601, 202612) == {}
        assert themes(storage, scope, 202601, 202612) == {}
    with storage.unit_of_work() as uow:
        assert uow.stats.employee_held(owner, dept, person, [202603]) == {}
    assert series(storage, StatsScope(other), 202601, 202612) == {202603: held(2)}
    assert themes(storage, StatsScope(other, dept), 202601, 202612) == {"Stress": 2}
    assert breakdown(storage, ALL, 202601, 202612) == {other: held(2)}
    assert people(storage, ALL, 202601, 202612) == {"": 1}
    # The cells of every employer together are no employer's: they wait for recount_all.
    assert series(storage, ALL, 202601, 202612) == {202603: Counters(held=3, live=3, people=2)}
    assert themes(storage, ALL, 202601, 202612) == {"Stress": 3}
    recount_all(storage)
    assert series(storage, ALL, 202601, 202612) == {202603: held(2)}
    assert themes(storage, ALL, 202601, 202612) == {"Stress": 2}
    # A rebuild adds the cells again from nothing.
    add(storage, cells_of(owner, dept, person, 202603, held(1), together=False))
    recount_all(storage)
    assert series(storage, StatsScope(owner), 202601, 202612) == {202603: held(1)}
    assert series(storage, ALL, 202601, 202612) == {202603: Counters(held=3, live=3, people=2)}


class TestRecountAll:
    def test_every_employer_together_becomes_the_sums_of_the_employer_cells(
        self, storage: Storage
    ) -> None:
        first, second = new_id(), new_id()
        dept, second_dept = new_id(), new_id()
        add(
            storage,
            cells_of(first, NO_DEPARTMENT, new_id(), 202603, held(1, started=1), together=False)
            + cells_of(second, dept, new_id(), 202603, held(2), together=False)
            + cells_of(second, second_dept, new_id(), 202607, Counters(planned=5), together=False)
            # A month whose employer cells come back to zero.
            + cells_of(first, dept, "anna", 202605, held(1), together=False),
            themes_of(first, NO_DEPARTMENT, 202603, "Stress", 1, together=False)
            + themes_of(second, dept, 202603, "Stress", 2, together=False)
            + themes_of(second, second_dept, 202607, "Werkdruk", 1, together=False)
            + themes_of(first, dept, 202605, "Loopbaan", 1, together=False),
        )
        add(
            storage,
            cells_of(
                first, dept, "anna", 202605, Counters(held=-1, live=-1, people=-1), together=False
            ),
            themes_of(first, dept, 202605, "Loopbaan", -1, together=False),
        )
        recount_all(storage)
        # Every counter summed, people too; each employer once, not per department.
        assert series(storage, ALL, 202601, 202612) == {
            202603: Counters(held=3, live=3, started=1, people=2),
            202607: Counters(planned=5),
        }
        assert themes(storage, ALL, 202601, 202612) == {"Stress": 3, "Werkdruk": 1}
        assert themes(storage, ALL, 202607, 202612) == {"Werkdruk": 1}
        assert themes(storage, ALL, 202605, 202605) == {}
        # Nothing else changes.
        assert series(storage, StatsScope(second), 202601, 202612) == {
            202603: held(2),
            202607: Counters(planned=5),
        }
        assert themes(storage, StatsScope(first), 202601, 202612) == {"Stress": 1}
        assert breakdown(storage, ALL, 202601, 202612) == {
            first: held(1, started=1),
            second: Counters(held=2, live=2, planned=5, people=1),
        }
        # The rollups' next changes add to the recounted cells.
        add(
            storage,
            cells_of(first, dept, "anna", 202607, held(1)),
            themes_of(first, dept, 202607, "Werkdruk", 1),
        )
        assert series(storage, ALL, 202607, 202607) == {202607: held(1, planned=5)}
        assert themes(storage, ALL, 202607, 202607) == {"Werkdruk": 2}

    def test_stale_cells_of_every_employer_are_replaced(self, storage: Storage) -> None:
        owner, dept = new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, new_id(), 202603, held(2)),
            themes_of(owner, dept, 202603, "Stress", 2),
        )
        # Damage: a month no employer has, and wrong counts in one they have.
        add(
            storage,
            [
                every_employer(202603, Counters(held=5, cancelled=1)),
                every_employer(202608, Counters(no_show=4, people=1)),
            ],
            [
                ThemeCell("", Level.ALL, "", 202603, "Stress", 7),
                ThemeCell("", Level.ALL, "", 202603, "Loopbaan", 1),
                ThemeCell("", Level.ALL, "", 202608, "Werkdruk", 2),
            ],
        )
        assert series(storage, ALL, 202601, 202612) == {
            202603: Counters(held=7, live=2, cancelled=1, people=1),
            202608: Counters(no_show=4, people=1),
        }
        recount_all(storage)
        assert series(storage, ALL, 202601, 202612) == {202603: held(2)}
        assert themes(storage, ALL, 202601, 202612) == {"Stress": 2}
        # Recounting again changes nothing.
        recount_all(storage)
        assert series(storage, ALL, 202601, 202612) == {202603: held(2)}
        assert themes(storage, ALL, 202601, 202612) == {"Stress": 2}

    def test_without_employer_cells_every_employer_together_is_empty(
        self, storage: Storage
    ) -> None:
        recount_all(storage)
        assert series(storage, ALL, 200001, 209912) == {}
        add(
            storage,
            [every_employer(202603, held(3))],
            [ThemeCell("", Level.ALL, "", 202603, "Stress", 3)],
        )
        recount_all(storage)
        assert series(storage, ALL, 200001, 209912) == {}
        assert themes(storage, ALL, 200001, 209912) == {}
        # The same once the last employer is cleared.
        owner, dept = new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, new_id(), 202603, held(1)),
            themes_of(owner, dept, 202603, "Stress", 1),
        )
        in_transaction(storage, lambda uow: uow.stats.clear(owner))
        recount_all(storage)
        assert series(storage, ALL, 200001, 209912) == {}
        assert themes(storage, ALL, 200001, 209912) == {}

    def test_leaving_without_commit_recounts_nothing(self, storage: Storage) -> None:
        owner, dept = new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, new_id(), 202603, held(2), together=False),
            themes_of(owner, dept, 202603, "Stress", 2, together=False),
        )
        add(storage, [every_employer(202604, held(1))])
        with storage.unit_of_work() as uow:
            uow.stats.recount_all()
            assert uow.stats.series(ALL, 202601, 202612) == {202603: held(2)}
            assert uow.stats.themes(ALL, 202601, 202612) == {"Stress": 2}
        assert series(storage, ALL, 202601, 202612) == {202604: held(1)}
        assert themes(storage, ALL, 202601, 202612) == {}


# Against a plain aggregation -----------------------------------------------------------

EMPLOYERS = ("e0", "e1")
DEPARTMENTS = (NO_DEPARTMENT, "d1", "d2")
MONTHS = (202511, 202512, 202601, 202602)
THEMES = ("Stress", "Werkdruk")

counters = st.builds(
    Counters,
    *[st.integers(min_value=-1, max_value=3)] * 9,
    people=st.integers(min_value=0, max_value=2),
)
# (employer, employee, month, counters, theme of the held sessions): an employee stays in
# one department (its number's).
changes = st.tuples(
    st.sampled_from(range(len(EMPLOYERS))),
    st.integers(min_value=0, max_value=5),
    st.sampled_from(MONTHS),
    counters,
    st.sampled_from((None, *THEMES)),
)


def _own_key(scope: StatsScope) -> tuple[str, str, str]:
    """The (employer, department, employee) of the scope's own cells."""
    return (scope.employer_id or "", scope.department_id or "", scope.employee_id or "")


def _plain_series(
    cells: list[StatsCell], scope: StatsScope, first: int, last: int
) -> dict[int, Counters]:
    found: dict[int, Counters] = {}
    for cell in cells:
        own = (cell.employer_id, cell.department_id, cell.employee_id)
        if cell.level == scope.level and own == _own_key(scope) and first <= cell.month <= last:
            found[cell.month] = found.get(cell.month, Counters()) + cell.counters
    return {month: c for month, c in found.items() if not c.is_zero()}


def _plain_breakdown(
    cells: list[StatsCell], scope: StatsScope, first: int, last: int
) -> dict[str, Counters]:
    child = scope.child_level
    sums: dict[str, Counters] = {}
    months: dict[tuple[str, int], int] = defaultdict(int)
    for cell in cells:
        if cell.level != child or not first <= cell.month <= last:
            continue
        if child is Level.EMPLOYER:
            key = cell.employer_id
        elif child is Level.DEPARTMENT:
            if cell.employer_id != scope.employer_id:
                continue
            key = cell.department_id
        else:
            if (cell.employer_id, cell.department_id) != (scope.employer_id, scope.department_id):
                continue
            key = cell.employee_id
        sums[key] = sums.get(key, Counters()) + cell.counters
        months[key, cell.month] += cell.counters.people
    return {
        key: attrs.evolve(total, people=max(n for (k, _), n in months.items() if k == key))
        for key, total in sums.items()
        if not attrs.evolve(total, people=0).is_zero()
    }


def _plain_people(cells: list[StatsCell], first: int, last: int) -> dict[tuple[str, str], int]:
    """Held sessions per (employer, employee) over the range."""
    held_: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for cell in cells:
        if cell.level is Level.EMPLOYEE and first <= cell.month <= last:
            held_[cell.employer_id, cell.department_id, cell.employee_id, cell.month] += (
                cell.counters.held
            )
    return {(e, p): 1 for (e, _, p, _), n in held_.items() if n > 0}


def _plain_themes(
    cells: list[ThemeCell], scope: StatsScope, first: int, last: int
) -> dict[str, int]:
    if scope.level is Level.EMPLOYEE:
        return {}
    employer, department, _ = _own_key(scope)
    found: dict[str, int] = defaultdict(int)
    for cell in cells:
        if (cell.employer_id, cell.level, cell.department_id) == (
            employer,
            scope.level,
            department,
        ) and first <= cell.month <= last:
            found[cell.theme] += cell.held
    return {theme: n for theme, n in found.items() if n}


def _recounted(
    cells: list[StatsCell], theme_cells: list[ThemeCell]
) -> tuple[list[StatsCell], list[ThemeCell]]:
    """What ``recount_all`` makes of the cells: every employer together the employers' sums."""
    return (
        [c for c in cells if c.level is not Level.ALL]
        + [every_employer(c.month, c.counters) for c in cells if c.level is Level.EMPLOYER],
        [c for c in theme_cells if c.level is not Level.ALL]
        + [
            ThemeCell("", Level.ALL, "", c.month, c.theme, c.held)
            for c in theme_cells
            if c.level is Level.EMPLOYER
        ],
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # Each batch with or without the cells of every employer together, which recount_all
    # then puts right.
    batches=st.lists(
        st.tuples(st.booleans(), st.lists(changes, max_size=8)), min_size=1, max_size=4
    ),
    first=st.sampled_from(MONTHS),
    span=st.integers(min_value=0, max_value=3),
)
def test_the_reads_agree_with_a_plain_aggregation(
    storage: Storage,
    batches: list[tuple[bool, list[tuple[int, int, int, Counters, str | None]]]],
    first: int,
    span: int,
) -> None:
    run = new_id()[:8]  # every example its own employers, cleared at the end
    owners = [f"{run}{name}" for name in EMPLOYERS]
    last = MONTHS[min(MONTHS.index(first) + span, len(MONTHS) - 1)]
    added: list[StatsCell] = []
    added_themes: list[ThemeCell] = []
    scopes = [ALL] + [
        scope
        for owner in owners
        for scope in (
            StatsScope(owner),
            *(StatsScope(owner, dept) for dept in DEPARTMENTS),
            *(StatsScope(owner, DEPARTMENTS[n % len(DEPARTMENTS)], f"p{n}") for n in range(6)),
        )
    ]

    def check(cells: list[StatsCell], theme_cells: list[ThemeCell]) -> None:
        with storage.unit_of_work() as uow:
            stats = uow.stats
            for scope in scopes:
                assert stats.series(scope, first, last) == _plain_series(
                    cells, scope, first, last
                ), scope
                assert stats.breakdown(scope, first, last) == _plain_breakdown(
                    cells, scope, first, last
                ), scope
                assert stats.themes(scope, first, last) == _plain_themes(
                    theme_cells, scope, first, last
                ), scope
            held_people = _plain_people(cells, first, last)
            assert stats.people(ALL, first, last) == {"": len(held_people)}
            assert stats.people(ALL, first, last, owners) == {
                owner: n for owner in owners if (n := sum(1 for e, _ in held_people if e == owner))
            }
            for owner in owners:
                assert stats.people(StatsScope(owner), first, last) == {
                    "": sum(1 for e, _ in held_people if e == owner)
                }

    try:
        for together, batch in batches:
            cells: list[StatsCell] = []
            theme_cells: list[ThemeCell] = []
            for which, number, month, change, theme in batch:
                dept = DEPARTMENTS[number % len(DEPARTMENTS)]
                cells += cells_of(
                    owners[which], dept, f"p{number}", month, change, together=together
                )
                if theme is not None and change.held:
                    theme_cells += themes_of(
                        owners[which], dept, month, theme, change.held, together=together
                    )
            add(storage, cells, theme_cells)
            added += cells
            added_themes += theme_cells
        # Every employer together reads the cells written for it (the earlier examples' are
        # recounted away), whether or not they are the employers' sums.
        check(added, added_themes)
        recount_all(storage)
        check(*_recounted(added, added_themes))
    finally:
        with storage.unit_of_work() as uow:
            for owner in owners:
                uow.stats.clear(owner)
            uow.stats.recount_all()
            uow.commit()


# What the rollups read from the other repositories -----------------------------------


def employer(storage: Storage) -> str:
    employer_id = new_id()
    in_transaction(
        storage,
        lambda uow: uow.employers.add(
            Employer(id=employer_id, name=f"Werkgever {employer_id}", created_at=T0)
        ),
    )
    return employer_id


def employee(employer_id: str, **changes: Any) -> Employee:
    details = EmployeeDetails(
        last_name="Berg",
        given_name="Anna",
        initials="A.M.",
        gender=Gender.FEMALE,
        birth_date=date(1985, 2, 28),
        email="anna.berg@example.nl",
        registration_type="OnzeCoach",
    )
    base = Employee.create(id=new_id(), employer_id=employer_id, details=details, now=T0)
    return attrs.evolve(base, **changes)


def trajectory(person: Employee) -> Trajectory:
    return Trajectory(
        id=new_id(),
        employer_id=person.employer_id,
        employee_id=person.id,
        number=1,
        type_code="ONC-IND-4",
        type_name="ONC - individuele coaching (4 gesprekken)",
        sessions=4,
        is_extension=False,
        start_date=date(2026, 3, 2),
        created_at=T0,
    )


def appointment(journey: Trajectory) -> Appointment:
    return Appointment(
        id=new_id(),
        trajectory_id=journey.id,
        employer_id=journey.employer_id,
        employee_id=journey.employee_id,
        external_id=new_id(),
        starts_at=T0 + timedelta(days=7),
        created_at=T0,
        updated_at=T0,
    )


def store(storage: Storage, *items: Employee | Trajectory | Appointment) -> None:
    with storage.unit_of_work() as uow:
        for item in items:
            if isinstance(item, Employee):
                uow.employees.add(item)
            elif isinstance(item, Trajectory):
                uow.trajectories.add(item)
            else:
                uow.appointments.add(item)
        uow.commit()


class TestRepositoryReads:
    def test_an_employee_read_for_update_is_the_employee(self, storage: Storage) -> None:
        person = employee(employer(storage))
        store(storage, person)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(person.id, for_update=True) == person
            assert uow.employees.get(new_id(), for_update=True) is None

    def test_an_employee_read_for_update_loses_no_update(
        self, storage_factory: Callable[[], Storage]
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        person = employee(employer(storages[0]), job_title="0")
        store(storages[0], person)
        rounds = 5

        def count_one(storage: Storage) -> None:
            with storage.unit_of_work() as uow:
                current = uow.employees.get(person.id, for_update=True)
                assert current is not None
                title = str(int(current.job_title or "0") + 1)
                uow.employees.save(attrs.evolve(current, job_title=title))
                uow.commit()

        for _ in range(rounds):
            assert race([functools.partial(count_one, s) for s in storages]) == [None, None]
        with storages[1].unit_of_work() as uow:
            stored = uow.employees.get(person.id)
            assert stored is not None
            assert stored.job_title == str(2 * rounds)

    def test_get_many_returns_the_employees_that_exist(self, storage: Storage) -> None:
        owner, other = employer(storage), employer(storage)
        staff = [employee(owner, last_name=f"Berg{i}") for i in range(3)]
        stranger = employee(other)
        store(storage, *staff, stranger)
        unknown = [new_id() for _ in range(1200)]
        with storage.unit_of_work() as uow:
            assert uow.employees.get_many([staff[0].id, stranger.id, staff[0].id, new_id()]) == {
                staff[0].id: staff[0],
                stranger.id: stranger,
            }
            assert uow.employees.get_many([]) == {}
            # More ids than one IN list of the SQL adapter holds.
            found = uow.employees.get_many([*unknown[:600], *(e.id for e in staff), *unknown])
            assert found == {e.id: e for e in staff}
            assert uow.employees.get_many({e.id for e in staff}) == {e.id: e for e in staff}

    def test_trajectories_and_appointments_of_an_employer(self, storage: Storage) -> None:
        owner, other, empty = employer(storage), employer(storage), employer(storage)
        anna, bert, carla = employee(owner), employee(owner), employee(other)
        journeys = [trajectory(anna), trajectory(bert), trajectory(carla)]
        visits = [appointment(journeys[0]), appointment(journeys[0]), appointment(journeys[2])]
        store(storage, anna, bert, carla, *journeys, *visits)
        with storage.unit_of_work() as uow:

            def ids(items: Iterable[Trajectory | Appointment]) -> list[str]:
                return sorted(item.id for item in items)

            assert ids(uow.trajectories.for_employer(owner)) == ids(journeys[:2])
            assert uow.trajectories.for_employer(other) == [journeys[2]]
            assert uow.trajectories.for_employer(empty) == []
            assert ids(uow.appointments.for_employer(owner)) == ids(visits[:2])
            assert uow.appointments.for_employer(other) == [visits[2]]
            assert uow.appointments.for_employer(empty) == []
