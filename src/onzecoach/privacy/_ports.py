"""The privacy feature's ports: the list of erased employees, and what an erasure touches."""

from __future__ import annotations

from typing import Protocol

from onzecoach.booking import BookingUnitOfWork
from onzecoach.employees import EmployeeRepository
from onzecoach.privacy._model import ErasedEmployee
from onzecoach.search import SearchRepositories

__all__ = ["ErasureRepository", "PrivacyRepositories", "PrivacyUnitOfWork"]


class ErasureRepository(Protocol):
    def add(self, erased: ErasedEmployee) -> None:
        """Remember an erased employee; one already listed keeps its first time."""
        ...

    def get(self, employee_id: str) -> ErasedEmployee | None: ...

    def page(self, *, after: str | None, limit: int) -> list[ErasedEmployee]:
        """Up to ``limit`` erased employees by id, those after ``after``."""
        ...


class PrivacyRepositories(Protocol):
    @property
    def erasures(self) -> ErasureRepository: ...


class PrivacyUnitOfWork(PrivacyRepositories, SearchRepositories, BookingUnitOfWork, Protocol):
    """What an erasure touches in one transaction: every table that holds the person."""

    @property
    def employees(self) -> EmployeeRepository: ...
