"""What the storage contract of the statistics rollups writes, and how it reads them back."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from onzecoach.ports import Storage
from onzecoach.stats import Counters, Level, StatsCell, StatsScope, ThemeCell, months
from onzecoach.testing.contracts._builders import in_transaction, read

__all__ = [
    "ALL",
    "add_cells",
    "breakdown",
    "cells_of",
    "employee_themed",
    "every_employer",
    "held",
    "month_people",
    "months",
    "recount_all",
    "series",
    "themed",
    "themed_held",
    "themes",
    "themes_in",
    "themes_of",
]

ALL = StatsScope()


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


def add_cells(
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


def themed(storage: Storage, *changes: tuple[str, str, int, str, int]) -> None:
    """Add held sessions with a theme, (employer, department, month, theme, change) each,
    to the cells and the themes together, as the rollups do."""
    add_cells(
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
