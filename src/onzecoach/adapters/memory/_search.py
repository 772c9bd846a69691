"""The dossier search: a ``PrefixIndex``, which is this feature's whole table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from onzecoach.adapters.memory._prefix_index import IndexEntry, PrefixIndex
from onzecoach.employees import Employee
from onzecoach.search import name_tokens, sort_key

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["MemorySearchIndex"]


def _index_entry(employee: Employee) -> IndexEntry:
    return IndexEntry(
        employee.employer_id,
        name_tokens(employee.last_name, employee.given_name, employee.employee_number),
        sort_key(employee.last_name, employee.name_infix, employee.given_name, employee.id),
    )


class MemorySearchIndex:
    """The dossier search over a ``PrefixIndex``; rollback puts the old entries back."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _index(self) -> PrefixIndex:
        return self._uow.tables(PrefixIndex)

    def index(self, employee: Employee) -> None:
        self._put(employee.id, _index_entry(employee))

    def index_new(self, employees: Sequence[Employee]) -> None:
        index = self._index
        entries = [(employee.id, _index_entry(employee)) for employee in employees]
        index.add_many(entries)

        def undo() -> None:
            for employee_id, _ in entries:
                index.put(employee_id, None)

        self._uow.on_rollback(undo)

    def remove(self, employee_id: str) -> None:
        self._put(employee_id, None)

    def clear(self, employer_id: str) -> None:
        index = self._index
        for employee_id in index.employees_of(employer_id):
            self._put(employee_id, None)

    def query(
        self, employer_id: str, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        return self._index.query(employer_id, words, limit=limit, offset=offset)

    def _put(self, employee_id: str, entry: IndexEntry | None) -> None:
        index = self._index
        previous = index.put(employee_id, entry)
        self._uow.on_rollback(lambda: index.put(employee_id, previous))
