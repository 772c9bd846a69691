"""Users, their one-time tokens, password history and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from onzecoach.accounts import OneTimeToken, SessionRecord, TokenPurpose, User, username_key
from onzecoach.errors import Conflict, NotFound

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlPasswordHistory", "SqlSessions", "SqlTokens", "SqlUsers"]


def _user(row: Row[Any]) -> User:
    return structure_row(row, User)


_SAVE_USER = (
    t.users.update()
    .where(t.users.c.id == sa.bindparam("_id"))
    .values(
        {
            name: sa.bindparam(name)
            for name in ("email", "email_key", "status", "password_hash", "password_changed_at")
        }
    )
)


class SqlUsers(Repository):
    def add(self, user: User) -> None:
        self._execute(
            t.users.insert(),
            "adding a user",
            {
                "id": user.id,
                "employer_id": user.employer_id,
                "username": user.username,
                "username_key": username_key(user.username),
                "role": user.role.value,
                "created_at": user.created_at,
                **self._state(user),
            },
            conflict=Conflict("user.username_taken", username=user.username),
        )

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        return self._one(t.users.c.id == user_id, for_update=for_update)

    def by_username(self, username: str) -> User | None:
        return self._one(t.users.c.username_key == username_key(username))

    def by_email(self, email: str) -> list[User]:
        rows = self._execute(
            t.users.select()
            .where(t.users.c.email_key == email.casefold())
            .order_by(t.users.c.created_at, t.users.c.id),
            "finding users by e-mail",
        )
        return [_user(row) for row in rows]

    def for_employer(self, employer_id: str) -> list[User]:
        rows = self._execute(
            t.users.select()
            .where(t.users.c.employer_id == employer_id)
            .order_by(t.users.c.username_key, t.users.c.id),
            "listing users",
        )
        return [_user(row) for row in rows]

    def save(self, user: User) -> None:
        result = self._execute(_SAVE_USER, "updating a user", {"_id": user.id, **self._state(user)})
        if result.rowcount != 1:
            raise NotFound("user.not_found")

    def _one(self, condition: sa.ColumnElement[bool], *, for_update: bool = False) -> User | None:
        query = t.users.select().where(condition)
        if for_update:
            query = query.with_for_update()
        row = self._execute(query, "reading a user").one_or_none()
        return None if row is None else _user(row)

    @staticmethod
    def _state(user: User) -> dict[str, Any]:
        return {
            "email": user.email,
            "email_key": user.email.casefold(),
            "status": user.status.value,
            "password_hash": user.password_hash,
            "password_changed_at": user.password_changed_at,
        }


def _token(row: Row[Any]) -> OneTimeToken:
    return structure_row(row, OneTimeToken)


_USABLE = sa.and_(
    t.tokens.c.used_at.is_(None),
    t.tokens.c.revoked_at.is_(None),
    t.tokens.c.expires_at > sa.bindparam("now", type_=t.UtcDateTime()),
)
_CONSUME = (
    t.tokens.update()
    .where(t.tokens.c.id == sa.bindparam("_id"), _USABLE)
    .values(used_at=sa.bindparam("now", type_=t.UtcDateTime()))
)
_REVOKE = (
    t.tokens.update()
    .where(
        t.tokens.c.user_id == sa.bindparam("_user_id"),
        t.tokens.c.purpose == sa.bindparam("_purpose"),
        _USABLE,
    )
    .values(revoked_at=sa.bindparam("now", type_=t.UtcDateTime()))
)


class SqlTokens(Repository):
    def add(self, token: OneTimeToken) -> None:
        self._execute(
            t.tokens.insert(),
            "storing a token",
            {
                "id": token.id,
                "purpose": token.purpose.value,
                "user_id": token.user_id,
                "token_hash": token.token_hash,
                "created_at": token.created_at,
                "expires_at": token.expires_at,
                "used_at": token.used_at,
                "revoked_at": token.revoked_at,
            },
            conflict="token.exists",
        )

    def find(self, token_hash: str, purpose: TokenPurpose) -> OneTimeToken | None:
        row = self._execute(
            t.tokens.select().where(
                t.tokens.c.token_hash == token_hash, t.tokens.c.purpose == purpose.value
            ),
            "reading a token",
        ).one_or_none()
        return None if row is None else _token(row)

    def consume(self, token_id: str, *, now: datetime) -> bool:
        # One conditional UPDATE: the database decides which of two racing redeemers wins.
        result = self._execute(_CONSUME, "using a token", {"_id": token_id, "now": now})
        return result.rowcount == 1

    def revoke_for_user(self, user_id: str, purpose: TokenPurpose, *, now: datetime) -> int:
        result = self._execute(
            _REVOKE,
            "revoking tokens",
            {"_user_id": user_id, "_purpose": purpose.value, "now": now},
        )
        return result.rowcount

    def delete_expired(self, *, now: datetime) -> int:
        result = self._execute(
            t.tokens.delete().where(t.tokens.c.expires_at <= now), "deleting expired links"
        )
        return result.rowcount


class SqlPasswordHistory(Repository):
    def add(self, user_id: str, password_hash: str, *, at: datetime) -> None:
        self._execute(
            t.password_history.insert(),
            "recording a password",
            {"user_id": user_id, "password_hash": password_hash, "created_at": at},
        )

    def recent(self, user_id: str, limit: int) -> list[str]:
        rows = self._execute(
            sa.select(t.password_history.c.password_hash)
            .where(t.password_history.c.user_id == user_id)
            .order_by(t.password_history.c.id.desc())
            .limit(limit),
            "reading password history",
        )
        return [row.password_hash for row in rows]


def _session(row: Row[Any]) -> SessionRecord:
    return structure_row(row, SessionRecord)


_AT = sa.bindparam("at", type_=t.UtcDateTime())
_TOUCH = t.sessions.update().where(t.sessions.c.id == sa.bindparam("_id")).values(last_seen_at=_AT)
_END = (
    t.sessions.update()
    .where(t.sessions.c.id == sa.bindparam("_id"), t.sessions.c.ended_at.is_(None))
    .values(ended_at=_AT)
)
_END_ALL = (
    t.sessions.update()
    .where(t.sessions.c.user_id == sa.bindparam("_user_id"), t.sessions.c.ended_at.is_(None))
    .values(ended_at=_AT)
)


class SqlSessions(Repository):
    def add(self, session: SessionRecord) -> None:
        self._execute(
            t.sessions.insert(),
            "starting a session",
            {
                "id": session.id,
                "user_id": session.user_id,
                "token_hash": session.token_hash,
                "created_at": session.created_at,
                "last_seen_at": session.last_seen_at,
                "expires_at": session.expires_at,
                "ended_at": session.ended_at,
            },
            conflict="session.exists",
        )

    def find(self, token_hash: str) -> SessionRecord | None:
        row = self._execute(
            t.sessions.select().where(t.sessions.c.token_hash == token_hash), "reading a session"
        ).one_or_none()
        return None if row is None else _session(row)

    def touch(self, session_id: str, *, at: datetime) -> None:
        self._execute(_TOUCH, "recording session use", {"_id": session_id, "at": at})

    def end(self, session_id: str, *, at: datetime) -> None:
        self._execute(_END, "ending a session", {"_id": session_id, "at": at})

    def end_all(self, user_id: str, *, at: datetime) -> int:
        result = self._execute(_END_ALL, "ending sessions", {"_user_id": user_id, "at": at})
        return result.rowcount

    def delete_ended(self, *, now: datetime, idle_since: datetime) -> int:
        c = t.sessions.c
        result = self._execute(
            t.sessions.delete().where(
                sa.or_(c.ended_at.is_not(None), c.expires_at <= now, c.last_seen_at <= idle_since)
            ),
            "deleting ended sessions",
        )
        return result.rowcount
