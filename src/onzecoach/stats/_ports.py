"""The statistics' rollups: cells of counters kept on every write, read by the dashboard."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from onzecoach.audit import AuditRepositories
from onzecoach.employees import EmployeeRepositories
from onzecoach.employers import EmployerRepositories
from onzecoach.events import UnitOfWork
from onzecoach.stats._model import Counters, StatsCell, StatsScope, ThemeCell
from onzecoach.trajectories import TrajectoryRepositories

__all__ = ["StatsRepositories", "StatsRepository", "StatsUnitOfWork"]


class StatsRepository(Protocol):
    """The statistics rollups: cells of counters per month at four levels.

    Cells are keyed by (employer, level, department, employee, month): an employee cell
    names all three, a department cell has employee ``""``, an employer cell department
    ``""`` too, and the cell of every employer together has employer ``""`` as well. Months
    are ``YYYYMM`` integers and ranges include both ends.
    """

    def add(self, cells: Sequence[StatsCell], themes: Sequence[ThemeCell]) -> None:
        """Add each change to its cell, creating cells that do not exist yet.

        The changes come in key order; writers that take row locks take them in that order.
        """
        ...

    def employee_themed(
        self, employer_id: str, employee_id: str, months: Collection[int]
    ) -> dict[tuple[str, int], int]:
        """The themed sessions in the employee's cells of ``months``, by (department, month),
        under every department the employee has cells in (missing cells left out)."""
        ...

    def series(self, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
        """The scope's own cells per month (months without a cell, or all zero, left out).

        An employee's cells under every department it counted in are summed per month.
        """
        ...

    def breakdown(self, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
        """The scope's children (``scope.child_level``) with their counters summed over the
        range (``people`` too, which then is no head count). Children whose counters are
        all zero are left out."""
        ...

    def month_people(self, scope: StatsScope, first: int, last: int) -> dict[int, dict[str, int]]:
        """``people`` of the scope's children per month: month -> child key -> people, with
        only the children and months where it is not zero."""
        ...

    def themes(self, scope: StatsScope, months: Collection[int]) -> dict[str, int]:
        """Held sessions per theme in those months (themes summing to zero left out).

        Every employer together, an employer and a department have themes; an employee none.
        """
        ...

    def clear(self, employer_id: str) -> None:
        """Delete every cell of the employer, before a rebuild.

        From here to the end of the transaction no other transaction may change cells, so
        that the rebuild reads raw data no writer is still adding to the cells.
        """
        ...

    def recount_all(self) -> None:
        """Make the cells of every employer together the sums of the employer cells."""
        ...


class StatsRepositories(Protocol):
    @property
    def stats(self) -> StatsRepository: ...


class StatsUnitOfWork(
    StatsRepositories,
    EmployeeRepositories,
    EmployerRepositories,
    TrajectoryRepositories,
    AuditRepositories,
    UnitOfWork,
    Protocol,
):
    """What the dashboard and the rollups' rebuild touch in one transaction."""
