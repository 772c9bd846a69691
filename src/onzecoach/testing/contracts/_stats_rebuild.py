"""The storage contract of the statistics rollups: themes, and the rebuild's clear and recount."""

from __future__ import annotations

from onzecoach.ids import new_id
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.stats import NO_DEPARTMENT, Counters, Level, StatsScope, ThemeCell
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
    months,
    recount_all,
    series,
    themed,
    themed_held,
    themes,
    themes_in,
    themes_of,
)

__all__ = ["StatsRebuildTests"]


class StatsRebuildTests(StorageTests):
    """``uow.stats``: ``themes``, ``clear`` and ``recount_all``."""

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
        add_cells(
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
        add_cells(storage, themes=themes_of(owner, dept, 202603, "Stress", 2, together=False))
        assert themes(storage, StatsScope(owner), 202601, 202612) == {"Stress": 2}
        assert themes(storage, StatsScope(owner, dept), 202601, 202612) == {"Stress": 2}
        assert themes(storage, ALL, 202601, 202612) == {}
        add_cells(storage, themes=[ThemeCell("", Level.ALL, "", 202604, "Loopbaan", 3)])
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

    def test_clear_deletes_only_the_employers_cells(self, storage: Storage) -> None:
        owner, other = new_id(), new_id()
        dept, person = new_id(), new_id()
        add_cells(
            storage,
            cells_of(owner, dept, person, 202603, themed_held(1))
            + cells_of(other, dept, new_id(), 202603, themed_held(2)),
            themes_of(owner, dept, 202603, "Stress", 1)
            + themes_of(other, dept, 202603, "Stress", 2),
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
        add_cells(storage, cells_of(owner, dept, person, 202603, themed_held(1), together=False))
        recount_all(storage)
        assert series(storage, StatsScope(owner), 202601, 202612) == {202603: themed_held(1)}
        assert series(storage, ALL, 202601, 202612) == {
            202603: Counters(held=3, live=3, themed=3, people=2)
        }

    def test_every_employer_together_becomes_the_sums_of_the_employer_cells(
        self, storage: Storage
    ) -> None:
        first, second = new_id(), new_id()
        dept, second_dept = new_id(), new_id()
        add_cells(
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
        add_cells(
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
        add_cells(
            storage,
            cells_of(first, dept, "anna", 202607, held(1)),
            themes_of(first, dept, 202607, "Werkdruk", 1),
        )
        assert series(storage, ALL, 202607, 202607) == {202607: held(1, planned=5)}
        assert themes(storage, ALL, 202607, 202607) == {"Werkdruk": 2}

    def test_stale_cells_of_every_employer_are_replaced(self, storage: Storage) -> None:
        owner, dept = new_id(), new_id()
        add_cells(
            storage,
            cells_of(owner, dept, new_id(), 202603, held(2)),
            themes_of(owner, dept, 202603, "Stress", 2),
        )
        # Damage: a month no employer has, and wrong counts in one they have.
        add_cells(
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
        add_cells(
            storage,
            [every_employer(202603, held(3))],
            [ThemeCell("", Level.ALL, "", 202603, "Stress", 3)],
        )
        recount_all(storage)
        assert series(storage, ALL, 200001, 209912) == {}
        assert themes(storage, ALL, 202001, 202912) == {}
        # The same once the last employer is cleared.
        owner, dept = new_id(), new_id()
        add_cells(
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
        add_cells(
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
        add_cells(
            storage,
            cells_of(owner, dept, new_id(), 202603, held(2), together=False),
            themes_of(owner, dept, 202603, "Stress", 2, together=False),
        )
        add_cells(storage, [every_employer(202604, held(1))])
        with storage.unit_of_work() as uow:
            uow.stats.recount_all()
            assert uow.stats.series(ALL, 202601, 202612) == {202603: held(2)}
            assert uow.stats.themes(ALL, [202603]) == {"Stress": 2}
        assert series(storage, ALL, 202601, 202612) == {202604: held(1)}
        assert themes(storage, ALL, 202601, 202612) == {}
