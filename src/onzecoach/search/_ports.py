"""The dossier search's index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from onzecoach.audit import AuditRepositories
from onzecoach.employees import Employee, EmployeeRepositories
from onzecoach.employers import EmployerRepositories
from onzecoach.events import UnitOfWork

__all__ = ["SearchIndexRepository", "SearchRepositories", "SearchUnitOfWork"]


class SearchIndexRepository(Protocol):
    """The dossier search's index, kept in the transaction of every employee write."""

    def index(self, employee: Employee) -> None:
        """Add the employee, or replace what the index holds for it."""
        ...

    def index_new(self, employees: Sequence[Employee]) -> None:
        """``index`` for employees the index holds nothing for yet: those just added.

        It skips reading (and locking) what is indexed, which ``index`` must do; for the
        bulk import, which indexes a batch of new employees at once.
        """
        ...

    def remove(self, employee_id: str) -> None: ...

    def clear(self, employer_id: str) -> None:
        """Drop everything the index holds for the employer: the start of a rebuild.

        Other writers of the index wait until this transaction ends (on PostgreSQL a
        table lock), so that none indexes an employee between the clear and the rebuild.
        On PostgreSQL it also locks the employer's employees, in id order: a transaction
        that indexes several known employees must lock them in that order as well.
        """
        ...

    def query(
        self, employer_id: str, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """The employees of ``employer_id`` matching every word, and how many match.

        A word matches when it starts a token of ``onzecoach.search.name_tokens``;
        ``words`` come from ``query_words`` (folded, longest first). The ids come in
        ``sort_key`` order, ``limit`` of them from ``offset``.
        """
        ...


class SearchRepositories(Protocol):
    @property
    def search(self) -> SearchIndexRepository: ...


class SearchUnitOfWork(
    SearchRepositories,
    EmployeeRepositories,
    EmployerRepositories,
    AuditRepositories,
    UnitOfWork,
    Protocol,
):
    """What the dossier search touches in one transaction."""
