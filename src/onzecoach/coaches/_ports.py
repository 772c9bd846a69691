"""The coaches' repositories: the coaches themselves, and the busy times pulled from their
own calendars."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from onzecoach.accounts import AccountUnitOfWork
from onzecoach.calendars import BusyTime
from onzecoach.coaches._model import Coach, CoachBusyTime, Mode

__all__ = ["BusyTimeRepository", "CoachRepositories", "CoachRepository", "CoachUnitOfWork"]


class CoachRepository(Protocol):
    def add(self, coach: Coach) -> None:
        """Store a new coach; ``Conflict`` (``coach.exists``) when the id or the user has one."""
        ...

    def get(self, coach_id: str, *, for_update: bool = False) -> Coach | None:
        """One coach; ``for_update`` locks it until the transaction ends."""
        ...

    def by_user(self, user_id: str) -> Coach | None:
        """The coach whose account is ``user_id``."""
        ...

    def by_feed_token(self, token_hash: str) -> Coach | None:
        """The coach whose private feed's token has this SHA-256."""
        ...

    def save(self, coach: Coach) -> None:
        """Store every field of a known coach; ``NotFound`` (``coach.not_found``) for none."""
        ...

    def bookable(
        self,
        employer_id: str,
        mode: Mode | None = None,
        language: str | None = None,
        specialism: str | None = None,
    ) -> list[Coach]:
        """The active coaches who serve ``employer_id`` (they name it, or name none) and,
        where given, offer ``mode``, speak ``language`` and have ``specialism``; by name."""
        ...

    def with_calendar(self) -> list[Coach]:
        """Every coach with a linked calendar, by id."""
        ...

    def list(self) -> list[Coach]:
        """Every coach, by name (then id)."""
        ...


class BusyTimeRepository(Protocol):
    def replace(self, coach_id: str, busy: Sequence[BusyTime], *, pulled_at: datetime) -> None:
        """Make ``busy`` the coach's busy times, in place of all they had."""
        ...

    def overlapping(
        self, coach_ids: Collection[str], start: datetime, end: datetime
    ) -> list[CoachBusyTime]:
        """The busy times of ``coach_ids`` that overlap ``[start, end)``, by coach and start."""
        ...


class CoachRepositories(Protocol):
    @property
    def coaches(self) -> CoachRepository: ...
    @property
    def busy_times(self) -> BusyTimeRepository: ...


class CoachUnitOfWork(CoachRepositories, AccountUnitOfWork, Protocol):
    """What the coaches' use cases touch in one transaction: the coaches, and the accounts,
    audit log and outbox of their invitations."""
