"""The storage contract of the statistics rollups (``uow.stats``), on every storage.

Also the reads the rollups' rebuild and its callers need from the other repositories:
``employees.get(for_update=True)``, ``employees.get_many``, ``for_employer`` of
trajectories and appointments, and the department those keep.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from typing import TypeVar

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onzecoach.employees._model import Employee
from onzecoach.employers._model import Department, Employer
from onzecoach.ids import new_id
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.stats._model import (
    COUNTER_FIELDS,
    NO_DEPARTMENT,
    Counters,
    Level,
    StatsCell,
    StatsScope,
    ThemeCell,
    months,
)
from onzecoach.trajectories._model import Appointment, Trajectory
from support import T0, appointment, employee, race, trajectory

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
    """Counters of ``n`` held sessions, one person, and ``others``.

    The storage sums whatever it is given: one person here need not be what the rollups
    would count.
    """
    return Counters(**{"held": n, "live": n, "people": 1 if n > 0 else 0, **others})


def themed_held(n: int = 1, **others: int) -> Counters:
    """Counters of ``n`` held sessions with a theme, one person, and ``others``."""
    return held(n, themed=n, **others)


def series(storage: Storage, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
    return read(storage, lambda uow: uow.stats.series(scope, first, last))


def breakdown(storage: Storage, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
    return read(storage, lambda uow: uow.stats.breakdown(scope, first, last))


def month_people(
    storage: Storage, scope: StatsScope, first: int, last: int
) -> dict[int, dict[str, int]]:
    return read(storage, lambda uow: uow.stats.month_people(scope, first, last))


def themes(storage: Storage, scope: StatsScope, first: int, last: int) -> dict[str, int]:
    """The themes of every month from ``first`` to ``last``."""
    return themes_in(storage, scope, months(first, last))


def themes_in(storage: Storage, scope: StatsScope, chosen: Iterable[int]) -> dict[str, int]:
    wanted = chosen if isinstance(chosen, Collection) else list(chosen)
    return read(storage, lambda uow: uow.stats.themes(scope, wanted))


def employee_themed(
    storage: Storage, employer_id: str, employee_id: str, chosen: Collection[int]
) -> dict[tuple[str, int], int]:
    return read(storage, lambda uow: uow.stats.employee_themed(employer_id, employee_id, chosen))


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
        owner, dept, person = new_id(), new_id(), new_id()
        every = Counters(*range(1, len(COUNTER_FIELDS) + 1))
        add(storage, cells_of(owner, dept, person, 202604, every))
        for scope in (
            ALL,
            StatsScope(owner),
            StatsScope(owner, dept),
            StatsScope(owner, dept, person),
        ):
            assert series(storage, scope, 202604, 202604) == {202604: every}
        assert breakdown(storage, StatsScope(owner, dept), 202604, 202604) == {person: every}

    def test_themed_round_trips_on_its_own(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        add(storage, cells_of(owner, dept, person, 202604, Counters(themed=3)))
        for scope in (
            ALL,
            StatsScope(owner),
            StatsScope(owner, dept),
            StatsScope(owner, dept, person),
        ):
            assert series(storage, scope, 202601, 202612) == {202604: Counters(themed=3)}
        assert breakdown(storage, StatsScope(owner), 202601, 202612) == {dept: Counters(themed=3)}
        assert employee_themed(storage, owner, person, [202604]) == {(dept, 202604): 3}

    def test_a_key_twice_in_one_call_counts_twice(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        cells = cells_of(owner, dept, person, 202603, themed_held(1))
        theme = themes_of(owner, dept, 202603, "Stress", 1)
        # Unsorted on purpose: repeated keys need not be next to each other.
        in_transaction(storage, lambda uow: uow.stats.add(cells + cells, theme + theme))
        for scope in (
            ALL,
            StatsScope(owner),
            StatsScope(owner, dept),
            StatsScope(owner, dept, person),
        ):
            assert series(storage, scope, 202603, 202603) == {
                202603: Counters(held=2, live=2, themed=2, people=2)
            }
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202603, 202603) == {"Stress": 2}

    def test_negative_changes_subtract_and_a_cell_back_at_zero_reads_as_nothing(
        self, storage: Storage
    ) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, person, 202603, themed_held(3)),
            themes_of(owner, dept, 202603, "Werkdruk", 3),
        )
        add(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-1, live=-1, themed=-1)),
            themes_of(owner, dept, 202603, "Werkdruk", -1),
        )
        assert series(storage, StatsScope(owner), 202603, 202603) == {202603: themed_held(2)}
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202603, 202603) == {"Werkdruk": 2}
        add(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-2, live=-2, themed=-2, people=-1)),
            themes_of(owner, dept, 202603, "Werkdruk", -2),
        )
        # The cell is there, at zero, or gone: either reads as no themed session.
        assert employee_themed(storage, owner, person, [202603]) in ({(dept, 202603): 0}, {})
        for scope in (
            ALL,
            StatsScope(owner),
            StatsScope(owner, dept),
            StatsScope(owner, dept, person),
        ):
            assert series(storage, scope, 202601, 202612) == {}
            assert breakdown(storage, scope, 202601, 202612) == {}
            assert month_people(storage, scope, 202601, 202612) == {}
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202601, 202612) == {}

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
            for cell in cells_of(owner, dept, person, month, themed_held(1))
        ]
        add(storage, cells)
        expected = Counters(held=450, live=450, themed=450, people=450)
        for scope in (ALL, StatsScope(owner)):
            assert series(storage, scope, 202601, 202612) == {
                202601: expected,
                202602: expected,
            }
        every_one = dict.fromkeys(staff, 1)
        assert month_people(storage, StatsScope(owner, dept), 202601, 202612) == {
            202601: every_one,
            202602: every_one,
        }
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
                cells_of(owner, dept, person, 202603, themed_held(1)),
                themes_of(owner, dept, 202603, "Stress", 1),
            )

        for _ in range(rounds):
            outcomes = race(
                [functools.partial(add_one, s, p) for s, p in zip(storages, staff, strict=True)]
            )
            assert outcomes == [None, None]
        total = Counters(held=2 * rounds, live=2 * rounds, themed=2 * rounds, people=2 * rounds)
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert series(storages[1], scope, 202603, 202603) == {202603: total}
            assert themes(storages[1], scope, 202603, 202603) == {"Stress": 2 * rounds}


# Reading -----------------------------------------------------------------------------


def test_employee_themed_reads_the_asked_months_of_one_employee_in_every_department(
    storage: Storage,
) -> None:
    owner, other, dept, moved_to = new_id(), new_id(), new_id(), new_id()
    person, colleague = new_id(), new_id()
    add(
        storage,
        cells_of(owner, dept, person, 202602, themed_held(2))
        + cells_of(owner, dept, person, 202603, Counters(planned=1))
        + cells_of(owner, dept, person, 202605, themed_held(1))
        # The employee moved: the same month in two departments, and one only in the new.
        + cells_of(owner, moved_to, person, 202602, themed_held(1))
        + cells_of(owner, moved_to, person, 202604, themed_held(4))
        + cells_of(owner, NO_DEPARTMENT, person, 202606, Counters(themed=1))
        + cells_of(owner, dept, colleague, 202604, themed_held(5))
        + cells_of(other, dept, person, 202604, themed_held(6)),
    )
    assert employee_themed(storage, owner, person, [202602, 202603, 202604]) == {
        (dept, 202602): 2,
        (moved_to, 202602): 1,
        # A cell without themed sessions reads as 0; a month without a cell not at all.
        (dept, 202603): 0,
        (moved_to, 202604): 4,
    }
    assert employee_themed(storage, owner, person, {202605, 202606, 202607}) == {
        (dept, 202605): 1,
        (NO_DEPARTMENT, 202606): 1,
    }
    assert employee_themed(storage, owner, person, []) == {}
    assert employee_themed(storage, owner, colleague, (202604,)) == {(dept, 202604): 5}
    assert employee_themed(storage, other, person, [202604]) == {(dept, 202604): 6}
    assert employee_themed(storage, new_id(), person, [202602]) == {}
    assert employee_themed(storage, owner, new_id(), [202602]) == {}


class TestSeries:
    def test_each_scope_reads_its_own_cells(self, storage: Storage) -> None:
        owner, dept, other_dept = new_id(), new_id(), new_id()
        anna, bert, carla = new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, anna, 202603, themed_held(1))
            + cells_of(owner, dept, bert, 202603, held(2, cancelled=1))
            + cells_of(owner, other_dept, carla, 202604, Counters(no_show=1))
            + cells_of(owner, dept, anna, 202605, Counters(completed=1, completed_days=40)),
        )
        assert series(storage, StatsScope(owner), 202601, 202612) == {
            202603: Counters(held=3, live=3, themed=1, cancelled=1, people=2),
            202604: Counters(no_show=1),
            202605: Counters(completed=1, completed_days=40),
        }
        assert series(storage, StatsScope(owner, dept), 202601, 202612) == {
            202603: Counters(held=3, live=3, themed=1, cancelled=1, people=2),
            202605: Counters(completed=1, completed_days=40),
        }
        assert series(storage, StatsScope(owner, other_dept), 202601, 202612) == {
            202604: Counters(no_show=1)
        }
        assert series(storage, StatsScope(owner, dept, anna), 202601, 202612) == {
            202603: themed_held(1),
            202605: Counters(completed=1, completed_days=40),
        }
        assert series(storage, StatsScope(owner, dept, new_id()), 202601, 202612) == {}
        assert series(storage, StatsScope(new_id()), 202601, 202612) == {}
        assert series(storage, StatsScope(new_id(), dept), 202601, 202612) == {}

    def test_an_employee_is_its_cells_in_every_department_summed_per_month(
        self, storage: Storage
    ) -> None:
        owner, before, after = new_id(), new_id(), new_id()
        person, colleague = new_id(), new_id()
        add(
            storage,
            cells_of(owner, before, person, 202602, held(1, started=1))
            # The month it moved: cells under both departments.
            + cells_of(owner, before, person, 202603, held(1))
            + cells_of(owner, after, person, 202603, themed_held(2, planned=1))
            + cells_of(owner, after, person, 202604, Counters(completed=1, completed_days=50))
            + cells_of(owner, after, colleague, 202603, held(7))
            + cells_of(new_id(), after, person, 202603, held(9)),
        )
        expected = {
            202602: held(1, started=1),
            202603: Counters(held=3, live=3, themed=2, planned=1, people=2),
            202604: Counters(completed=1, completed_days=50),
        }
        # Whichever department the scope names, or none.
        for department in (before, after, NO_DEPARTMENT, new_id()):
            assert series(storage, StatsScope(owner, department, person), 202601, 202612) == (
                expected
            )
        assert series(storage, StatsScope(owner, after, person), 202603, 202603) == {
            202603: expected[202603]
        }
        # The departments' own cells stay apart.
        assert series(storage, StatsScope(owner, before), 202601, 202612) == {
            202602: held(1, started=1),
            202603: held(1),
        }

    def test_an_employees_months_that_cancel_out_over_its_departments_are_left_out(
        self, storage: Storage
    ) -> None:
        owner, before, after, person = new_id(), new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, before, person, 202603, held(1))
            + cells_of(owner, after, person, 202603, Counters(held=-1, live=-1, people=-1))
            + cells_of(owner, after, person, 202604, held(1)),
        )
        assert series(storage, StatsScope(owner, after, person), 202601, 202612) == {
            202604: held(1)
        }

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
        assert month_people(storage, ALL, 202601, 202612) == {202603: {owner: 1}}

    def test_the_range_includes_both_ends_and_nothing_beyond(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        months_ = (202511, 202512, 202601, 202606, 202607)
        add(
            storage,
            [c for m in months_ for c in cells_of(owner, dept, person, m, held(m % 100))],
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
    def test_children_sum_every_counter_over_the_range_people_too(self, storage: Storage) -> None:
        owner, other = new_id(), new_id()
        dept = new_id()
        anna, bert, carla = new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, anna, 202603, themed_held(1))
            + cells_of(owner, dept, bert, 202603, themed_held(1))
            + cells_of(owner, dept, anna, 202604, themed_held(2, planned=1))
            + cells_of(owner, NO_DEPARTMENT, carla, 202604, Counters(started=1))
            + cells_of(other, new_id(), new_id(), 202603, held(1)),
        )
        # People summed over the months: anna counts twice, in March and in April.
        assert breakdown(storage, ALL, 202601, 202612) == {
            owner: Counters(held=4, live=4, themed=4, planned=1, started=1, people=3),
            other: held(1),
        }
        assert breakdown(storage, StatsScope(owner), 202601, 202612) == {
            dept: Counters(held=4, live=4, themed=4, planned=1, people=3),
            NO_DEPARTMENT: Counters(started=1),
        }
        assert breakdown(storage, StatsScope(owner, dept), 202601, 202612) == {
            anna: Counters(held=3, live=3, themed=3, planned=1, people=2),
            bert: themed_held(1),
        }
        assert breakdown(storage, StatsScope(owner, dept), 202604, 202604) == {
            anna: themed_held(2, planned=1)
        }
        assert breakdown(storage, StatsScope(owner, dept), 202605, 202612) == {}
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
        assert breakdown(storage, ALL, 202603, 202603) == {owner: held(1)}

    def test_a_child_with_only_people_is_a_child(self, storage: Storage) -> None:
        # Every counter decides, people too: not zero is not nothing.
        owner, dept, person = new_id(), new_id(), new_id()
        add(storage, cells_of(owner, dept, person, 202603, Counters(people=1)))
        assert breakdown(storage, StatsScope(owner, dept), 202601, 202612) == {
            person: Counters(people=1)
        }
        assert breakdown(storage, StatsScope(owner), 202601, 202612) == {dept: Counters(people=1)}
        assert breakdown(storage, ALL, 202601, 202612) == {owner: Counters(people=1)}


class TestMonthPeople:
    def test_each_scope_reads_its_childrens_people_per_month(self, storage: Storage) -> None:
        owner, other, idle = new_id(), new_id(), new_id()
        dept, second_dept, quiet_dept = new_id(), new_id(), new_id()
        anna, bert, carla, dirk, ella = new_id(), new_id(), new_id(), new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, anna, 202603, themed_held(1))
            + cells_of(owner, dept, anna, 202604, themed_held(2))
            + cells_of(owner, dept, bert, 202604, themed_held(1))
            # Held, but no one with a themed session: no people.
            + cells_of(owner, dept, carla, 202604, held(2, people=0))
            + cells_of(owner, quiet_dept, new_id(), 202603, Counters(planned=1))
            + cells_of(owner, NO_DEPARTMENT, dirk, 202605, themed_held(1))
            + cells_of(owner, second_dept, new_id(), 202701, themed_held(1))
            + cells_of(other, dept, ella, 202603, themed_held(3, people=2))
            + cells_of(idle, new_id(), new_id(), 202603, Counters(cancelled=1)),
        )
        assert month_people(storage, ALL, 202601, 202612) == {
            202603: {owner: 1, other: 2},
            202604: {owner: 2},
            202605: {owner: 1},
        }
        assert month_people(storage, StatsScope(owner), 202601, 202612) == {
            202603: {dept: 1},
            202604: {dept: 2},
            202605: {NO_DEPARTMENT: 1},
        }
        assert month_people(storage, StatsScope(owner, dept), 202601, 202612) == {
            202603: {anna: 1},
            202604: {anna: 1, bert: 1},
        }
        assert month_people(storage, StatsScope(owner, NO_DEPARTMENT), 202601, 202612) == {
            202605: {dirk: 1}
        }
        assert month_people(storage, StatsScope(other, dept), 202601, 202612) == {202603: {ella: 2}}
        # Both ends of the range count, nothing beyond.
        assert month_people(storage, StatsScope(owner), 202604, 202605) == {
            202604: {dept: 2},
            202605: {NO_DEPARTMENT: 1},
        }
        assert month_people(storage, StatsScope(owner), 202606, 202612) == {}
        assert month_people(storage, StatsScope(owner, quiet_dept), 202601, 202612) == {}
        assert month_people(storage, StatsScope(idle), 202601, 202612) == {}
        assert month_people(storage, StatsScope(new_id()), 202601, 202612) == {}
        # An employee has no children.
        assert month_people(storage, StatsScope(owner, dept, anna), 202601, 202612) == {}

    def test_people_that_cancel_out_are_left_out(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        add(storage, cells_of(owner, dept, person, 202603, themed_held(1)))
        add(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-1, live=-1, themed=-1, people=-1))
            + cells_of(owner, dept, person, 202604, themed_held(1)),
        )
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert list(month_people(storage, scope, 202601, 202612)) == [202604]


def themed(storage: Storage, *changes: tuple[str, str, int, str, int]) -> None:
    """Add held sessions with a theme, (employer, department, month, theme, change) each,
    to the cells and the themes together, as the rollups do."""
    add(
        storage,
        [
            cell
            for owner, dept, month, _, n in changes
            for cell in cells_of(owner, dept, "anna", month, Counters(held=n, live=n, themed=n))
        ],
        [
            cell
            for owner, dept, month, theme, n in changes
            for cell in themes_of(owner, dept, month, theme, n)
        ],
    )


class TestThemes:
    def test_themes_sum_over_the_months_per_scope(self, storage: Storage) -> None:
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

    def test_only_the_months_asked_count(self, storage: Storage) -> None:
        owner, dept = new_id(), new_id()
        themed(
            storage,
            (owner, dept, 202603, "Stress", 1),
            (owner, dept, 202604, "Stress", 2),
            (owner, dept, 202604, "Werkdruk", 1),
            (owner, dept, 202605, "Stress", 4),
            (owner, dept, 202701, "Loopbaan", 8),
        )
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            # Months with gaps between them, in any order, a month twice, one without cells.
            assert themes_in(storage, scope, [202605, 202603]) == {"Stress": 5}
            assert themes_in(storage, scope, {202603, 202701, 202609}) == {
                "Stress": 1,
                "Loopbaan": 8,
            }
            assert themes_in(storage, scope, (202604, 202604)) == {"Stress": 2, "Werkdruk": 1}
            assert themes_in(storage, scope, [202606]) == {}
            assert themes_in(storage, scope, []) == {}
            assert themes_in(storage, scope, set()) == {}
            # More months than one of the SQL adapter's IN lists holds.
            assert themes_in(storage, scope, months(200001, 205012)) == {
                "Stress": 7,
                "Werkdruk": 1,
                "Loopbaan": 8,
            }
        assert themes_in(storage, StatsScope(owner, dept, "anna"), [202603]) == {}

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
        # Over several months: months that cancel each other out.
        themed(storage, (owner, dept, 202604, "Stress", 2), (owner, dept, 202605, "Stress", -2))
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202604, 202605) == {}
            assert themes(storage, scope, 202604, 202604) == {"Stress": 2}


# Rebuilding --------------------------------------------------------------------------


def test_clear_deletes_only_the_employers_cells(storage: Storage) -> None:
    owner, other = new_id(), new_id()
    dept, person = new_id(), new_id()
    add(
        storage,
        cells_of(owner, dept, person, 202603, themed_held(1))
        + cells_of(other, dept, new_id(), 202603, themed_held(2)),
        themes_of(owner, dept, 202603, "Stress", 1) + themes_of(other, dept, 202603, "Stress", 2),
    )
    in_transaction(storage, lambda uow: uow.stats.clear(owner))
    for scope in (StatsScope(owner), StatsScope(owner, dept), StatsScope(owner, dept, person)):
        assert series(storage, scope, 202601, 202612) == {}
        assert themes(storage, scope, 202601, 202612) == {}
        assert month_people(storage, scope, 202601, 202612) == {}
    assert employee_themed(storage, owner, person, [202603]) == {}
    assert series(storage, StatsScope(other), 202601, 202612) == {202603: themed_held(2)}
    assert themes(storage, StatsScope(other, dept), 202601, 202612) == {"Stress": 2}
    assert breakdown(storage, ALL, 202601, 202612) == {other: themed_held(2)}
    assert month_people(storage, ALL, 202601, 202612) == {202603: {other: 1}}
    # The cells of every employer together are no employer's: they wait for recount_all.
    assert series(storage, ALL, 202601, 202612) == {
        202603: Counters(held=3, live=3, themed=3, people=2)
    }
    assert themes(storage, ALL, 202601, 202612) == {"Stress": 3}
    recount_all(storage)
    assert series(storage, ALL, 202601, 202612) == {202603: themed_held(2)}
    assert themes(storage, ALL, 202601, 202612) == {"Stress": 2}
    # A rebuild adds the cells again from nothing.
    add(storage, cells_of(owner, dept, person, 202603, themed_held(1), together=False))
    recount_all(storage)
    assert series(storage, StatsScope(owner), 202601, 202612) == {202603: themed_held(1)}
    assert series(storage, ALL, 202601, 202612) == {
        202603: Counters(held=3, live=3, themed=3, people=2)
    }


class TestClearKeepsWritersOut:
    """From ``clear`` to the end of its transaction no other transaction changes cells.

    Each test gives the other transaction ``PATIENCE`` to get through where it should wait:
    a broken lock fails the test, a working one costs that long.
    """

    def test_a_writer_that_comes_after_the_clear_waits_for_its_transaction(
        self, storage_factory: Callable[[], Storage]
    ) -> None:
        clearing, writing = storage_factory(), storage_factory()
        owner, dept, person = new_id(), new_id(), new_id()
        add(clearing, cells_of(owner, dept, person, 202603, themed_held(1)))
        writer = Background(
            lambda: add(
                writing,
                cells_of(owner, dept, person, 202604, held(2)),
                themes_of(owner, dept, 202604, "Werkdruk", 2),
            )
        )
        with clearing.unit_of_work() as uow:
            uow.stats.clear(owner)
            writer.start()
            assert writer.still_waiting(), "a writer changed cells while a clear was under way"
            # What the rebuild sees: the employer's cells gone, the writer's not there.
            assert uow.stats.series(StatsScope(owner), 202601, 202612) == {}
            uow.commit()
        writer.finish()
        assert series(writing, StatsScope(owner), 202601, 202612) == {202604: held(2)}
        assert themes(writing, StatsScope(owner, dept), 202601, 202612) == {"Werkdruk": 2}

    def test_a_clear_waits_for_the_writers_under_way(
        self, storage_factory: Callable[[], Storage]
    ) -> None:
        clearing, writing = storage_factory(), storage_factory()
        owner, dept, person = new_id(), new_id(), new_id()
        with writing.unit_of_work() as uow:
            uow.stats.add(
                cells_of(owner, dept, person, 202603, themed_held(1)),
                themes_of(owner, dept, 202603, "Stress", 1),
            )
            clear = Background(lambda: in_transaction(clearing, lambda u: u.stats.clear(owner)))
            clear.start()
            assert clear.still_waiting(), "a clear went ahead of a writer under way"
            uow.commit()
        clear.finish()
        # The clear came after the writer: nothing of the employer is left.
        assert series(clearing, StatsScope(owner), 202601, 202612) == {}
        assert themes(clearing, StatsScope(owner), 202601, 202612) == {}


#: How long another transaction gets to go through where it has to wait.
PATIENCE = 0.3


class Background:
    """``action`` in a thread of its own, as another process's transaction."""

    def __init__(self, action: Callable[[], object]) -> None:
        self._action = action
        self._started = threading.Event()
        self._outcome: list[BaseException | None] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        assert self._started.wait(5)

    def still_waiting(self) -> bool:
        """Whether the action has not finished ``PATIENCE`` seconds after it started."""
        self._thread.join(PATIENCE)
        return self._thread.is_alive()

    def finish(self) -> None:
        """Wait for the action; it must have succeeded."""
        self._thread.join(30)
        assert not self._thread.is_alive(), "still waiting after the other transaction ended"
        assert self._outcome == [None]

    def _run(self) -> None:
        self._started.set()
        try:
            self._action()
        except BaseException as exc:  # pragma: no cover - reported by finish()
            self._outcome.append(exc)
        else:
            self._outcome.append(None)


class TestRecountAll:
    def test_every_employer_together_becomes_the_sums_of_the_employer_cells(
        self, storage: Storage
    ) -> None:
        first, second = new_id(), new_id()
        dept, second_dept = new_id(), new_id()
        add(
            storage,
            cells_of(first, NO_DEPARTMENT, new_id(), 202603, held(1, started=1), together=False)
            + cells_of(second, dept, new_id(), 202603, themed_held(2), together=False)
            + cells_of(second, second_dept, new_id(), 202607, Counters(planned=5), together=False)
            # A month whose employer cells come back to zero.
            + cells_of(first, dept, "anna", 202605, themed_held(1), together=False),
            themes_of(first, NO_DEPARTMENT, 202603, "Stress", 1, together=False)
            + themes_of(second, dept, 202603, "Stress", 2, together=False)
            + themes_of(second, second_dept, 202607, "Werkdruk", 1, together=False)
            + themes_of(first, dept, 202605, "Loopbaan", 1, together=False),
        )
        add(
            storage,
            cells_of(
                first,
                dept,
                "anna",
                202605,
                Counters(held=-1, live=-1, themed=-1, people=-1),
                together=False,
            ),
            themes_of(first, dept, 202605, "Loopbaan", -1, together=False),
        )
        recount_all(storage)
        # Every counter summed, people too; each employer once, not per department.
        assert series(storage, ALL, 202601, 202612) == {
            202603: Counters(held=3, live=3, themed=2, started=1, people=2),
            202607: Counters(planned=5),
        }
        assert themes(storage, ALL, 202601, 202612) == {"Stress": 3, "Werkdruk": 1}
        assert themes(storage, ALL, 202607, 202612) == {"Werkdruk": 1}
        assert themes(storage, ALL, 202605, 202605) == {}
        # Nothing else changes.
        assert series(storage, StatsScope(second), 202601, 202612) == {
            202603: themed_held(2),
            202607: Counters(planned=5),
        }
        assert themes(storage, StatsScope(first), 202601, 202612) == {"Stress": 1}
        assert breakdown(storage, ALL, 202601, 202612) == {
            first: held(1, started=1),
            second: Counters(held=2, live=2, themed=2, planned=5, people=1),
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
        assert themes(storage, ALL, 202001, 202912) == {}
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
        assert themes(storage, ALL, 202001, 202912) == {}

    def test_a_recount_without_a_clear_in_its_transaction(self, storage: Storage) -> None:
        # As after a rebuild of no employer: recount_all on its own, twice in a row.
        owner, dept = new_id(), new_id()
        add(
            storage,
            cells_of(owner, dept, new_id(), 202603, held(2), together=False),
            themes_of(owner, dept, 202603, "Stress", 2, together=False),
        )

        def twice(uow: UnitOfWork) -> None:
            uow.stats.recount_all()
            uow.stats.recount_all()

        in_transaction(storage, twice)
        assert series(storage, ALL, 202601, 202612) == {202603: held(2)}
        assert themes(storage, ALL, 202601, 202612) == {"Stress": 2}

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
            assert uow.stats.themes(ALL, [202603]) == {"Stress": 2}
        assert series(storage, ALL, 202601, 202612) == {202604: held(1)}
        assert themes(storage, ALL, 202601, 202612) == {}


# Against a plain aggregation -----------------------------------------------------------

EMPLOYERS = ("e0", "e1")
DEPARTMENTS = (NO_DEPARTMENT, "d1", "d2")
MONTHS = (202511, 202512, 202601, 202602)
THEMES = ("Stress", "Werkdruk")
STAFF = 4

counters = st.builds(
    Counters,
    *[st.integers(min_value=-1, max_value=3)] * (len(COUNTER_FIELDS) - 1),
    people=st.integers(min_value=0, max_value=2),
)
# (employer, employee, department, month, counters, theme of the held sessions): an
# employee counts in any department, as one that moved between them does.
changes = st.tuples(
    st.sampled_from(range(len(EMPLOYERS))),
    st.integers(min_value=0, max_value=STAFF - 1),
    st.sampled_from(DEPARTMENTS),
    st.sampled_from(MONTHS),
    counters,
    st.sampled_from((None, *THEMES)),
)


def _own(cell: StatsCell, scope: StatsScope) -> bool:
    """Whether ``cell`` is one of the scope's own: an employee's in any department."""
    if cell.level != scope.level:
        return False
    key = (scope.employer_id or "", scope.department_id or "", scope.employee_id or "")
    if scope.level is Level.EMPLOYEE:
        return (cell.employer_id, cell.employee_id) == (key[0], key[2])
    return (cell.employer_id, cell.department_id, cell.employee_id) == key


def _child(cell: StatsCell, scope: StatsScope) -> str | None:
    """The key of ``cell`` among the scope's children, if it is one of them."""
    child = scope.child_level
    if child is None or cell.level != child:
        return None
    if child is Level.EMPLOYER:
        return cell.employer_id
    if cell.employer_id != scope.employer_id:
        return None
    if child is Level.DEPARTMENT:
        return cell.department_id
    return cell.employee_id if cell.department_id == scope.department_id else None


def _plain_series(
    cells: list[StatsCell], scope: StatsScope, first: int, last: int
) -> dict[int, Counters]:
    found: dict[int, Counters] = {}
    for cell in cells:
        if _own(cell, scope) and first <= cell.month <= last:
            found[cell.month] = found.get(cell.month, Counters()) + cell.counters
    return {month: c for month, c in found.items() if not c.is_zero()}


def _plain_breakdown(
    cells: list[StatsCell], scope: StatsScope, first: int, last: int
) -> dict[str, Counters]:
    sums: dict[str, Counters] = {}
    for cell in cells:
        key = _child(cell, scope)
        if key is not None and first <= cell.month <= last:
            sums[key] = sums.get(key, Counters()) + cell.counters
    return {key: total for key, total in sums.items() if not total.is_zero()}


def _plain_month_people(
    cells: list[StatsCell], scope: StatsScope, first: int, last: int
) -> dict[int, dict[str, int]]:
    people: dict[tuple[int, str], int] = defaultdict(int)
    for cell in cells:
        key = _child(cell, scope)
        if key is not None and first <= cell.month <= last:
            people[cell.month, key] += cell.counters.people
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for (month, key), n in people.items():
        if n:
            found[month][key] = n
    return dict(found)


def _plain_themes(
    cells: list[ThemeCell], scope: StatsScope, chosen: Iterable[int]
) -> dict[str, int]:
    if scope.level is Level.EMPLOYEE:
        return {}
    wanted = set(chosen)
    key = (scope.employer_id or "", scope.level, scope.department_id or "")
    found: dict[str, int] = defaultdict(int)
    for cell in cells:
        if (cell.employer_id, cell.level, cell.department_id) == key and cell.month in wanted:
            found[cell.theme] += cell.held
    return {theme: n for theme, n in found.items() if n}


def _plain_employee_themed(
    cells: list[StatsCell], employer_id: str, employee_id: str, chosen: Iterable[int]
) -> dict[tuple[str, int], int]:
    wanted = set(chosen)
    found: dict[tuple[str, int], int] = defaultdict(int)
    for cell in cells:
        if (
            cell.level is Level.EMPLOYEE
            and (cell.employer_id, cell.employee_id) == (employer_id, employee_id)
            and cell.month in wanted
        ):
            # Every cell written is there, whatever its counters came to.
            found[cell.department_id, cell.month] += cell.counters.themed
    return dict(found)


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
    # The months of the themes and of employee_themed: any, in any order, even none.
    chosen=st.lists(st.sampled_from(MONTHS), max_size=5),
)
def test_the_reads_agree_with_a_plain_aggregation(
    storage: Storage,
    batches: list[tuple[bool, list[tuple[int, int, str, int, Counters, str | None]]]],
    first: int,
    span: int,
    chosen: list[int],
) -> None:
    run = new_id()[-8:]  # every example its own employers, cleared at the end
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
            # An employee's scope names a department, which does not matter.
            *(StatsScope(owner, DEPARTMENTS[n % 2], f"p{n}") for n in range(STAFF)),
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
                assert stats.month_people(scope, first, last) == _plain_month_people(
                    cells, scope, first, last
                ), scope
                assert stats.themes(scope, chosen) == _plain_themes(theme_cells, scope, chosen), (
                    scope
                )
            for owner in owners:
                for n in range(STAFF):
                    assert stats.employee_themed(owner, f"p{n}", chosen) == (
                        _plain_employee_themed(cells, owner, f"p{n}", chosen)
                    )

    try:
        for together, batch in batches:
            cells: list[StatsCell] = []
            theme_cells: list[ThemeCell] = []
            for which, number, dept, month, change, theme in batch:
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


def department(storage: Storage, employer_id: str) -> str:
    department_id = new_id()
    in_transaction(
        storage,
        lambda uow: uow.departments.add(
            Department(
                id=department_id,
                employer_id=employer_id,
                name=f"Afdeling {department_id}",
                created_at=T0,
            )
        ),
    )
    return department_id


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

    def test_trajectories_and_appointments_keep_the_department_of_their_time(
        self, storage: Storage
    ) -> None:
        owner = employer(storage)
        before, after = department(storage, owner), department(storage, owner)
        person = employee(owner, department_id=after)
        journey = attrs.evolve(trajectory(person), department_id=before)
        visit = attrs.evolve(appointment(journey), department_id=before)
        homeless = attrs.evolve(appointment(journey), department_id=None)
        store(storage, person, journey, visit, homeless)
        with storage.unit_of_work() as uow:
            assert uow.trajectories.get(journey.id) == journey
            assert uow.trajectories.for_employer(owner) == [journey]
            assert uow.appointments.by_external_id(owner, visit.external_id) == visit
            assert uow.appointments.by_external_id(owner, homeless.external_id) == homeless
            assert {a.id: a.department_id for a in uow.appointments.for_trajectory(journey.id)} == {
                visit.id: before,
                homeless.id: None,
            }
        # Saving writes the department too.
        with storage.unit_of_work() as uow:
            uow.trajectories.save(attrs.evolve(journey, department_id=None))
            uow.appointments.save(attrs.evolve(visit, department_id=after))
            uow.appointments.save(attrs.evolve(homeless, department_id=before))
            uow.commit()
        with storage.unit_of_work() as uow:
            stored = uow.trajectories.get(journey.id)
            assert stored is not None
            assert stored.department_id is None
            assert {a.id: a.department_id for a in uow.appointments.for_employer(owner)} == {
                visit.id: after,
                homeless.id: before,
            }
