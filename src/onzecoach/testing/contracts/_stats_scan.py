"""The storage contract of the statistics rollups against a plain aggregation, by hypothesis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.stats import (
    COUNTER_FIELDS,
    NO_DEPARTMENT,
    Counters,
    Level,
    StatsCell,
    StatsScope,
    ThemeCell,
)
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._stats_helpers import (
    ALL,
    add_cells,
    cells_of,
    every_employer,
    recount_all,
    themes_of,
)

__all__ = ["StatsScanTests"]

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


class StatsScanTests(StorageTests):
    """``uow.stats``: every read against a plain aggregation of what was added."""

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
        self,
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
                    assert stats.themes(scope, chosen) == _plain_themes(
                        theme_cells, scope, chosen
                    ), scope
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
                add_cells(storage, cells, theme_cells)
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
