"""Coaches, and the busy times pulled from their own calendars."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.calendars import BusyTime
from onzecoach.coaches import Coach, CoachBusyTime, Mode
from onzecoach.errors import Conflict, NotFound

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["CoachTables", "MemoryBusyTimes", "MemoryCoaches"]


@attrs.define
class CoachTables:
    """Coaches by id, with their unique keys; busy times by coach, in order."""

    coaches: dict[str, Coach] = attrs.Factory(dict)
    coach_by_user: dict[str, str] = attrs.Factory(dict)
    coach_by_feed: dict[str, str] = attrs.Factory(dict)
    busy: dict[str, tuple[CoachBusyTime, ...]] = attrs.Factory(dict)


def _by_name(coach: Coach) -> tuple[str, str]:
    # As the SQL storage keeps it: the casefolded name, cut to its column's length.
    return coach.profile.name.casefold()[:200], coach.id


class MemoryCoaches:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> CoachTables:
        return self._uow.tables(CoachTables)

    def add(self, coach: Coach) -> None:
        tables = self._tables
        if coach.id in tables.coaches or coach.user_id in tables.coach_by_user:
            raise Conflict("coach.exists")
        if coach.feed_token_hash is not None and coach.feed_token_hash in tables.coach_by_feed:
            raise Conflict("coach.exists")
        self._uow.put(tables.coaches, coach.id, coach)
        self._uow.put(tables.coach_by_user, coach.user_id, coach.id)
        if coach.feed_token_hash is not None:
            self._uow.put(tables.coach_by_feed, coach.feed_token_hash, coach.id)

    def get(self, coach_id: str, *, for_update: bool = False) -> Coach | None:
        return self._tables.coaches.get(coach_id)

    def by_user(self, user_id: str) -> Coach | None:
        tables = self._tables
        coach_id = tables.coach_by_user.get(user_id)
        return None if coach_id is None else tables.coaches[coach_id]

    def by_feed_token(self, token_hash: str) -> Coach | None:
        tables = self._tables
        coach_id = tables.coach_by_feed.get(token_hash)
        return None if coach_id is None else tables.coaches[coach_id]

    def save(self, coach: Coach) -> None:
        tables = self._tables
        old = tables.coaches.get(coach.id)
        if old is None:
            raise NotFound("coach.not_found")
        if old.user_id != coach.user_id:
            raise ValueError("a coach's account does not change")
        if old.feed_token_hash != coach.feed_token_hash:
            if coach.feed_token_hash is not None:
                if coach.feed_token_hash in tables.coach_by_feed:
                    raise Conflict("coach.exists")
                self._uow.put(tables.coach_by_feed, coach.feed_token_hash, coach.id)
            if old.feed_token_hash is not None:
                self._uow.discard(tables.coach_by_feed, old.feed_token_hash)
        self._uow.put(tables.coaches, coach.id, coach)

    def bookable(
        self,
        employer_id: str,
        mode: Mode | None = None,
        language: str | None = None,
        specialism: str | None = None,
    ) -> list[Coach]:
        found = [
            coach
            for coach in self._tables.coaches.values()
            if coach.profile.active
            and coach.profile.serves(employer_id)
            and (mode is None or mode in coach.profile.modes)
            and (language is None or language in coach.profile.languages)
            and (specialism is None or specialism in coach.profile.specialisms)
        ]
        return sorted(found, key=_by_name)

    def with_calendar(self) -> list[Coach]:
        found = [coach for coach in self._tables.coaches.values() if coach.calendar is not None]
        return sorted(found, key=lambda coach: coach.id)

    def list(self) -> list[Coach]:
        return sorted(self._tables.coaches.values(), key=_by_name)


class MemoryBusyTimes:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> CoachTables:
        return self._uow.tables(CoachTables)

    def replace(self, coach_id: str, busy: Sequence[BusyTime], *, pulled_at: datetime) -> None:
        rows = tuple(
            sorted(CoachBusyTime(coach_id, item.starts_at, item.ends_at, item.uid) for item in busy)
        )
        if rows:
            self._uow.put(self._tables.busy, coach_id, rows)
        else:
            self._uow.discard(self._tables.busy, coach_id)

    def overlapping(
        self, coach_ids: Collection[str], start: datetime, end: datetime
    ) -> list[CoachBusyTime]:
        busy = self._tables.busy
        return [
            row
            for coach_id in sorted(set(coach_ids))
            for row in busy.get(coach_id, ())
            if row.starts_at < end and row.ends_at > start
        ]
