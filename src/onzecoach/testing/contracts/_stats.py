"""The storage contract of the statistics rollups: adding to cells, and reading them."""

from __future__ import annotations

from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.stats import COUNTER_FIELDS, NO_DEPARTMENT, Counters, StatsScope
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import in_transaction
from onzecoach.testing.contracts._stats_helpers import (
    ALL,
    add_cells,
    breakdown,
    cells_of,
    employee_themed,
    every_employer,
    held,
    month_people,
    series,
    themed_held,
    themes,
    themes_of,
)

__all__ = ["StatsCellTests"]


class StatsCellTests(StorageTests):
    """``uow.stats``: ``add``, ``series``, ``breakdown``, ``month_people``, ``employee_themed``."""

    def test_a_change_creates_its_cells_and_the_next_adds_to_them(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        add_cells(storage, cells_of(owner, dept, person, 202603, held(2, planned=1)))
        add_cells(storage, cells_of(owner, dept, person, 202603, Counters(planned=3, started=1)))
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
        add_cells(storage, cells_of(owner, dept, person, 202604, every))
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
        add_cells(storage, cells_of(owner, dept, person, 202604, Counters(themed=3)))
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
        add_cells(
            storage,
            cells_of(owner, dept, person, 202603, themed_held(3)),
            themes_of(owner, dept, 202603, "Werkdruk", 3),
        )
        add_cells(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-1, live=-1, themed=-1)),
            themes_of(owner, dept, 202603, "Werkdruk", -1),
        )
        assert series(storage, StatsScope(owner), 202603, 202603) == {202603: themed_held(2)}
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert themes(storage, scope, 202603, 202603) == {"Werkdruk": 2}
        add_cells(
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
        add_cells(storage)
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
        add_cells(storage, cells)
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
        add_cells(storage, cells_of(owner, dept, person, 202603, held(1)))
        with storage.unit_of_work() as uow:
            uow.stats.add(
                cells_of(owner, dept, person, 202603, held(1))
                + cells_of(owner, dept, person, 202604, held(1)),
                themes_of(owner, dept, 202603, "Stress", 1),
            )
        for scope in (ALL, StatsScope(owner)):
            assert series(storage, scope, 202601, 202612) == {202603: held(1)}
            assert themes(storage, scope, 202601, 202612) == {}

    def test_employee_themed_reads_the_asked_months_of_one_employee_in_every_department(
        self,
        storage: Storage,
    ) -> None:
        owner, other, dept, moved_to = new_id(), new_id(), new_id(), new_id()
        person, colleague = new_id(), new_id()
        add_cells(
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

    def test_each_scope_reads_its_own_cells(self, storage: Storage) -> None:
        owner, dept, other_dept = new_id(), new_id(), new_id()
        anna, bert, carla = new_id(), new_id(), new_id()
        add_cells(
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
        add_cells(
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
        add_cells(
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
        add_cells(
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
        add_cells(storage, cells_of(owner, dept, new_id(), 202603, held(2), together=False))
        assert series(storage, ALL, 202601, 202612) == {}
        add_cells(storage, [every_employer(202604, Counters(cancelled=1, people=3))])
        assert series(storage, ALL, 202601, 202612) == {202604: Counters(cancelled=1, people=3)}
        # The breakdown and the people still come from the employers' cells.
        assert breakdown(storage, ALL, 202601, 202612) == {owner: held(2)}
        assert month_people(storage, ALL, 202601, 202612) == {202603: {owner: 1}}

    def test_the_range_includes_both_ends_and_nothing_beyond(self, storage: Storage) -> None:
        owner, dept, person = new_id(), new_id(), new_id()
        months_ = (202511, 202512, 202601, 202606, 202607)
        add_cells(
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

    def test_children_sum_every_counter_over_the_range_people_too(self, storage: Storage) -> None:
        owner, other = new_id(), new_id()
        dept = new_id()
        anna, bert, carla = new_id(), new_id(), new_id()
        add_cells(
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
        add_cells(
            storage,
            cells_of(owner, dept, person, 202603, held(1))
            + cells_of(owner, moved_to, stays, 202603, held(1)),
        )
        # The appointment moves to the next month: one month down, the other up.
        add_cells(
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
        add_cells(storage, cells_of(owner, dept, person, 202603, Counters(people=1)))
        assert breakdown(storage, StatsScope(owner, dept), 202601, 202612) == {
            person: Counters(people=1)
        }
        assert breakdown(storage, StatsScope(owner), 202601, 202612) == {dept: Counters(people=1)}
        assert breakdown(storage, ALL, 202601, 202612) == {owner: Counters(people=1)}

    def test_each_scope_reads_its_childrens_people_per_month(self, storage: Storage) -> None:
        owner, other, idle = new_id(), new_id(), new_id()
        dept, second_dept, quiet_dept = new_id(), new_id(), new_id()
        anna, bert, carla, dirk, ella = new_id(), new_id(), new_id(), new_id(), new_id()
        add_cells(
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
        add_cells(storage, cells_of(owner, dept, person, 202603, themed_held(1)))
        add_cells(
            storage,
            cells_of(owner, dept, person, 202603, Counters(held=-1, live=-1, themed=-1, people=-1))
            + cells_of(owner, dept, person, 202604, themed_held(1)),
        )
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert list(month_people(storage, scope, 202601, 202612)) == [202604]
