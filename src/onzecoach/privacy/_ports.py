"""The privacy feature's ports: the list of erased employees, and what an erasure touches."""

from __future__ import annotations

from typing import Protocol

from onzecoach.accounts import AccountRepositories
from onzecoach.booking import BookingUnitOfWork
from onzecoach.employees import EmployeeRepository
from onzecoach.mfa import MfaRepositories
from onzecoach.privacy._model import ErasedEmployee
from onzecoach.privacy._report import RetentionFacts
from onzecoach.search import SearchRepositories

__all__ = ["ErasureRepository", "PrivacyRepositories", "PrivacyUnitOfWork", "RetentionUnitOfWork"]


class ErasureRepository(Protocol):
    def add(self, erased: ErasedEmployee) -> None:
        """Remember an erased employee; one already listed keeps its first time."""
        ...

    def get(self, employee_id: str) -> ErasedEmployee | None: ...

    def page(self, *, after: str | None, limit: int) -> list[ErasedEmployee]:
        """Up to ``limit`` erased employees by id, those after ``after``."""
        ...

    def retention_facts(self, *, after: str | None, limit: int) -> list[RetentionFacts]:
        """What retention decides by for up to ``limit`` employees not erased, of every
        employer, by id, those after ``after``: when each was registered or last named
        by an import, how many trajectories it has and how many are open, and when the
        last one closed."""
        ...


class PrivacyRepositories(Protocol):
    @property
    def erasures(self) -> ErasureRepository: ...


class PrivacyUnitOfWork(PrivacyRepositories, SearchRepositories, BookingUnitOfWork, Protocol):
    """What an erasure touches in one transaction: every table that holds the person."""

    @property
    def employees(self) -> EmployeeRepository: ...


class RetentionUnitOfWork(PrivacyUnitOfWork, AccountRepositories, MfaRepositories, Protocol):
    """What a retention run touches: an erasure's tables, and what its clean-up removes
    (links, sessions, WebAuthn challenges, the audit log and the outbox)."""
