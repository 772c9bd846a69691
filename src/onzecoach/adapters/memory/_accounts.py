"""Accounts: users, one-time tokens, password history and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.accounts import OneTimeToken, SessionRecord, TokenPurpose, User, username_key
from onzecoach.errors import Conflict, NotFound

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = [
    "AccountTables",
    "MemoryPasswordHistory",
    "MemorySessions",
    "MemoryTokens",
    "MemoryUsers",
]


@attrs.define
class AccountTables:
    """Users, tokens, password history and sessions, with their unique keys."""

    users: dict[str, User] = attrs.Factory(dict)
    user_by_name: dict[str, str] = attrs.Factory(dict)
    tokens: dict[str, OneTimeToken] = attrs.Factory(dict)
    token_by_hash: dict[str, str] = attrs.Factory(dict)
    password_history: dict[str, list[tuple[datetime, str]]] = attrs.Factory(dict)
    sessions: dict[str, SessionRecord] = attrs.Factory(dict)
    session_by_hash: dict[str, str] = attrs.Factory(dict)


class MemoryUsers:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> AccountTables:
        return self._uow.tables(AccountTables)

    def add(self, user: User) -> None:
        tables = self._tables
        key = username_key(user.username)
        if key in tables.user_by_name:
            raise Conflict("user.username_taken", username=user.username)
        self._uow.put(tables.users, user.id, user)
        self._uow.put(tables.user_by_name, key, user.id)

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        return self._tables.users.get(user_id)

    def by_username(self, username: str) -> User | None:
        tables = self._tables
        user_id = tables.user_by_name.get(username_key(username))
        return None if user_id is None else tables.users[user_id]

    def by_email(self, email: str) -> list[User]:
        wanted = email.casefold()
        found = [u for u in self._tables.users.values() if u.email.casefold() == wanted]
        return sorted(found, key=lambda u: (u.created_at, u.id))

    def for_employer(self, employer_id: str) -> list[User]:
        found = [u for u in self._tables.users.values() if u.employer_id == employer_id]
        return sorted(found, key=lambda u: (username_key(u.username), u.id))

    def save(self, user: User) -> None:
        tables = self._tables
        old = tables.users.get(user.id)
        if old is None:
            raise NotFound("user.not_found")
        if username_key(old.username) != username_key(user.username):
            raise ValueError("a username does not change")
        self._uow.put(tables.users, user.id, user)


class MemoryTokens:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> AccountTables:
        return self._uow.tables(AccountTables)

    def add(self, token: OneTimeToken) -> None:
        tables = self._tables
        if token.token_hash in tables.token_by_hash:
            raise Conflict("token.exists")
        self._uow.put(tables.tokens, token.id, token)
        self._uow.put(tables.token_by_hash, token.token_hash, token.id)

    def find(self, token_hash: str, purpose: TokenPurpose) -> OneTimeToken | None:
        tables = self._tables
        token_id = tables.token_by_hash.get(token_hash)
        token = None if token_id is None else tables.tokens[token_id]
        return token if token is not None and token.purpose is purpose else None

    def consume(self, token_id: str, *, now: datetime) -> bool:
        tables = self._tables
        token = tables.tokens.get(token_id)
        if token is None or not token.usable_at(now):
            return False
        self._uow.put(tables.tokens, token_id, attrs.evolve(token, used_at=now))
        return True

    def revoke_for_user(self, user_id: str, purpose: TokenPurpose, *, now: datetime) -> int:
        tables = self._tables
        revoked = [
            attrs.evolve(t, revoked_at=now)
            for t in tables.tokens.values()
            if t.user_id == user_id and t.purpose is purpose and t.usable_at(now)
        ]
        for token in revoked:
            self._uow.put(tables.tokens, token.id, token)
        return len(revoked)

    def delete_expired(self, *, now: datetime) -> int:
        tables = self._tables
        expired = [t for t in tables.tokens.values() if t.expires_at <= now]
        for token in expired:
            self._uow.discard(tables.tokens, token.id)
            self._uow.discard(tables.token_by_hash, token.token_hash)
        return len(expired)


class MemoryPasswordHistory:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> AccountTables:
        return self._uow.tables(AccountTables)

    def add(self, user_id: str, password_hash: str, *, at: datetime) -> None:
        tables = self._tables
        history = [*tables.password_history.get(user_id, []), (at, password_hash)]
        self._uow.put(tables.password_history, user_id, history)

    def recent(self, user_id: str, limit: int) -> list[str]:
        history = self._tables.password_history.get(user_id, [])
        return [h for _, h in reversed(history)][:limit]


class MemorySessions:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> AccountTables:
        return self._uow.tables(AccountTables)

    def add(self, session: SessionRecord) -> None:
        tables = self._tables
        if session.token_hash in tables.session_by_hash:
            raise Conflict("session.exists")
        self._uow.put(tables.sessions, session.id, session)
        self._uow.put(tables.session_by_hash, session.token_hash, session.id)

    def find(self, token_hash: str) -> SessionRecord | None:
        tables = self._tables
        session_id = tables.session_by_hash.get(token_hash)
        return None if session_id is None else tables.sessions[session_id]

    def touch(self, session_id: str, *, at: datetime) -> None:
        session = self._tables.sessions.get(session_id)
        if session is not None:
            self._store(attrs.evolve(session, last_seen_at=at))

    def end(self, session_id: str, *, at: datetime) -> None:
        session = self._tables.sessions.get(session_id)
        if session is not None and session.ended_at is None:
            self._store(attrs.evolve(session, ended_at=at))

    def end_all(self, user_id: str, *, at: datetime) -> int:
        still_open = [
            s for s in self._tables.sessions.values() if s.user_id == user_id and s.ended_at is None
        ]
        for session in still_open:
            self._store(attrs.evolve(session, ended_at=at))
        return len(still_open)

    def delete_ended(self, *, now: datetime, idle_since: datetime) -> int:
        tables = self._tables
        ended = [
            s
            for s in tables.sessions.values()
            if s.ended_at is not None or s.expires_at <= now or s.last_seen_at <= idle_since
        ]
        for session in ended:
            self._uow.discard(tables.sessions, session.id)
            self._uow.discard(tables.session_by_hash, session.token_hash)
        return len(ended)

    def _store(self, session: SessionRecord) -> None:
        self._uow.put(self._tables.sessions, session.id, session)
