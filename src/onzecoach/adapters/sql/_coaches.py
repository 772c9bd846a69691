"""Coaches, and the busy times pulled from their own calendars."""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from onzecoach.calendars import BusyTime
from onzecoach.coaches import (
    Availability,
    CalendarLink,
    Coach,
    CoachBusyTime,
    Location,
    Mode,
    Profile,
)
from onzecoach.errors import NotFound

from . import _tables as t
from ._base import Repository

__all__ = ["SqlBusyTimes", "SqlCoaches"]

_NAME_KEY_LENGTH = 200
#: Busy times written per statement: well under the parameter limits of both databases.
_CHUNK = 500


def _profile_data(profile: Profile) -> dict[str, Any]:
    return profile.as_data()


def _profile(data: dict[str, Any]) -> Profile:
    return Profile(
        name=data["name"],
        bio=data["bio"],
        languages=data["languages"],
        specialisms=data["specialisms"],
        modes=data["modes"],
        locations=[Location(place["city"], place["postcode"]) for place in data["locations"]],
        video_url=data["video_url"],
        active=data["active"],
        employer_ids=data["employer_ids"],
    )


def _values(coach: Coach) -> dict[str, Any]:
    """The coach's row, but its id."""
    profile, link = coach.profile, coach.calendar
    return {
        "user_id": coach.user_id,
        "name": profile.name,
        "name_key": profile.name.casefold()[:_NAME_KEY_LENGTH],
        "active": profile.active,
        "offers_live": Mode.LIVE in profile.modes,
        "offers_online": Mode.ONLINE in profile.modes,
        "serves_all": not profile.employer_ids,
        "profile": _profile_data(profile),
        "availability": coach.availability.to_data(),
        "calendar_url": None if link is None else link.url,
        "calendar_username": None if link is None else link.username,
        "calendar_password_sealed": None if link is None else link.password_sealed,
        "calendar_linked_at": None if link is None else link.linked_at,
        "calendar_pulled_at": None if link is None else link.pulled_at,
        "calendar_synced_at": None if link is None else link.synced_at,
        "calendar_error": None if link is None else link.error,
        "feed_token_hash": coach.feed_token_hash,
        "created_at": coach.created_at,
        "updated_at": coach.updated_at,
    }


#: The columns kept as JSON, read as their text where a search caches whole coaches.
_JSON_COLUMNS = frozenset({"profile", "availability"})
_RAW_NAMES = tuple(column.name for column in t.coaches.c)
_RAW_COLUMNS = tuple(
    sa.cast(column, sa.Text).label(column.name) if column.name in _JSON_COLUMNS else column
    for column in t.coaches.c
)


@functools.lru_cache(maxsize=4096)
def _coach_of_raw(raw: tuple[Any, ...]) -> Coach:
    """The coach a row makes, the row read with its JSON as text: a pure function of the
    row, so a search that reads the same rows again builds no coach twice."""
    values = dict(zip(_RAW_NAMES, raw, strict=True))
    for name in _JSON_COLUMNS:
        values[name] = json.loads(values[name])
    return _coach(types.SimpleNamespace(**values))


def _coach(row: Any) -> Coach:
    link = None
    if row.calendar_url is not None:
        link = CalendarLink(
            url=row.calendar_url,
            username=row.calendar_username,
            password_sealed=row.calendar_password_sealed,
            linked_at=row.calendar_linked_at,
            pulled_at=row.calendar_pulled_at,
            synced_at=row.calendar_synced_at,
            error=row.calendar_error,
        )
    return Coach(
        id=row.id,
        user_id=row.user_id,
        profile=_profile(row.profile),
        availability=Availability.from_data(row.availability),
        calendar=link,
        feed_token_hash=row.feed_token_hash,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


_C = t.coaches.c
_B = t.coach_busy_times.c
_BUSY = (
    sa.select(_B.coach_id, _B.starts_at, _B.ends_at, _B.uid)
    .where(
        _B.coach_id.in_(sa.bindparam("_ids", expanding=True)),
        _B.starts_at < sa.bindparam("_end"),
        _B.ends_at > sa.bindparam("_start"),
    )
    .order_by(_B.coach_id, _B.starts_at, _B.ends_at, _B.uid)
)
_BY_NAME = (_C.name_key, _C.id)


class SqlCoaches(Repository):
    def add(self, coach: Coach) -> None:
        self._execute(
            t.coaches.insert(),
            "adding a coach",
            {"id": coach.id, **_values(coach)},
            conflict="coach.exists",
        )
        self._write_keys(coach)

    def get(self, coach_id: str, *, for_update: bool = False) -> Coach | None:
        query = t.coaches.select().where(_C.id == coach_id)
        if for_update:
            query = query.with_for_update()
        row = self._execute(query, "reading a coach").one_or_none()
        return None if row is None else _coach(row)

    def by_user(self, user_id: str) -> Coach | None:
        row = self._execute(
            t.coaches.select().where(_C.user_id == user_id), "reading a coach"
        ).one_or_none()
        return None if row is None else _coach(row)

    def by_feed_token(self, token_hash: str) -> Coach | None:
        row = self._execute(
            t.coaches.select().where(_C.feed_token_hash == token_hash), "reading a coach"
        ).one_or_none()
        return None if row is None else _coach(row)

    def save(self, coach: Coach) -> None:
        result = self._execute(
            t.coaches.update().where(_C.id == coach.id).values(_values(coach)),
            "updating a coach",
            conflict="coach.exists",
        )
        if result.rowcount != 1:
            raise NotFound("coach.not_found")
        for table in (t.coach_languages, t.coach_specialisms, t.coach_employers):
            self._execute(
                table.delete().where(table.c.coach_id == coach.id), "updating a coach's keys"
            )
        self._write_keys(coach)

    def bookable(
        self,
        employer_id: str,
        mode: Mode | None = None,
        language: str | None = None,
        specialism: str | None = None,
    ) -> list[Coach]:
        serves = sa.or_(
            _C.serves_all,
            sa.exists().where(
                t.coach_employers.c.coach_id == _C.id,
                t.coach_employers.c.employer_id == employer_id,
            ),
        )
        query = sa.select(*_RAW_COLUMNS).where(_C.active, serves)
        if mode is not None:
            query = query.where(_C.offers_live if mode is Mode.LIVE else _C.offers_online)
        if language is not None:
            query = query.where(
                sa.exists().where(
                    t.coach_languages.c.coach_id == _C.id,
                    t.coach_languages.c.language == language,
                )
            )
        if specialism is not None:
            query = query.where(
                sa.exists().where(
                    t.coach_specialisms.c.coach_id == _C.id,
                    t.coach_specialisms.c.specialism == specialism,
                )
            )
        rows = self._execute(query.order_by(*_BY_NAME), "finding bookable coaches")
        return [_coach_of_raw(tuple(row)) for row in rows]

    def with_calendar(self) -> list[Coach]:
        query = t.coaches.select().where(_C.calendar_url.is_not(None)).order_by(_C.id)
        return [_coach(row) for row in self._execute(query, "listing linked calendars")]

    def _write_keys(self, coach: Coach) -> None:
        """The rows a search for bookable coaches filters on: languages, specialisms and
        the employers served."""
        profile = coach.profile
        for table, column, values in (
            (t.coach_languages, "language", profile.languages),
            (t.coach_specialisms, "specialism", profile.specialisms),
            (t.coach_employers, "employer_id", profile.employer_ids),
        ):
            self._insert_rows(
                table,
                ("coach_id", column),
                [(coach.id, value) for value in dict.fromkeys(values)],
                "writing a coach's keys",
            )

    def list(self) -> list[Coach]:
        rows = self._execute(t.coaches.select().order_by(*_BY_NAME), "listing coaches")
        return [_coach(row) for row in rows]


class SqlBusyTimes(Repository):
    def replace(self, coach_id: str, busy: Sequence[BusyTime], *, pulled_at: datetime) -> None:
        table = t.coach_busy_times
        self._execute(table.delete().where(table.c.coach_id == coach_id), "clearing busy times")
        rows = [(coach_id, item.uid, item.starts_at, item.ends_at) for item in busy]
        for first in range(0, len(rows), _CHUNK):
            self._insert_rows(
                table,
                ("coach_id", "uid", "starts_at", "ends_at"),
                rows[first : first + _CHUNK],
                "storing busy times",
            )

    def overlapping(
        self, coach_ids: Collection[str], start: datetime, end: datetime
    ) -> list[CoachBusyTime]:
        ids = sorted(set(coach_ids))
        if not ids:
            return []
        rows = self._execute(
            _BUSY, "reading busy times", {"_ids": ids, "_start": start, "_end": end}
        )
        return [CoachBusyTime(row.coach_id, row.starts_at, row.ends_at, row.uid) for row in rows]
