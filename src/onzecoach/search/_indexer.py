"""Keeping the index: the handlers of the employees' events, in the writer's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onzecoach.employees import EmployeeChanged, EmployeeRemoved, EmployeesAdded
    from onzecoach.search._ports import SearchRepositories

__all__ = ["SearchIndexer"]


class SearchIndexer:
    """Indexes what the employees feature registers, changes and removes."""

    def on_added(self, uow: SearchRepositories, event: EmployeesAdded) -> None:
        uow.search.index_new(event.employees)

    def on_changed(self, uow: SearchRepositories, event: EmployeeChanged) -> None:
        uow.search.index(event.employee)

    def on_removed(self, uow: SearchRepositories, event: EmployeeRemoved) -> None:
        uow.search.remove(event.employee_id)
