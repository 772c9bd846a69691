"""The accounts' repositories: users, their one-time tokens, passwords and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from onzecoach.accounts._model import OneTimeToken, SessionRecord, TokenPurpose, User
from onzecoach.audit import AuditRepositories
from onzecoach.employers import EmployerRepositories
from onzecoach.events import UnitOfWork
from onzecoach.notifications import OutboxRepositories
from onzecoach.throttling import ThrottlingRepositories

__all__ = [
    "AccountRepositories",
    "AccountUnitOfWork",
    "PasswordHistoryRepository",
    "SessionRepository",
    "TokenRepository",
    "UserRepository",
]


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user; ``Conflict`` when the username (case-insensitive) is taken."""
        ...

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        """One user; ``for_update`` locks the account until the transaction ends."""
        ...

    def by_username(self, username: str) -> User | None:
        """The user with this username, compared case-insensitively (NFKC, casefold)."""
        ...

    def by_email(self, email: str) -> list[User]:
        """Users with this address, compared case-insensitively, oldest first."""
        ...

    def for_employer(self, employer_id: str) -> list[User]: ...

    def save(self, user: User) -> None:
        """Store the changed fields of a known user (status, email, password)."""
        ...


class TokenRepository(Protocol):
    def add(self, token: OneTimeToken) -> None: ...

    def find(self, token_hash: str, purpose: TokenPurpose) -> OneTimeToken | None:
        """The token with this hash and purpose, used or not."""
        ...

    def consume(self, token_id: str, *, now: datetime) -> bool:
        """Mark the token used if it is still usable at ``now``; ``False`` if it was not.

        Atomic: of two transactions consuming one token, exactly one gets ``True``.
        """
        ...

    def revoke_for_user(self, user_id: str, purpose: TokenPurpose, *, now: datetime) -> int:
        """Revoke the user's usable tokens of this purpose; return how many."""
        ...

    def delete_expired(self, *, now: datetime) -> int:
        """Delete every token that expired at or before ``now`` (used, revoked or not);
        how many. For retention: an expired link opens nothing anyway."""
        ...


class PasswordHistoryRepository(Protocol):
    def add(self, user_id: str, password_hash: str, *, at: datetime) -> None: ...

    def recent(self, user_id: str, limit: int) -> list[str]:
        """The user's newest ``limit`` password hashes, newest first."""
        ...


class SessionRepository(Protocol):
    def add(self, session: SessionRecord) -> None: ...

    def find(self, token_hash: str) -> SessionRecord | None: ...

    def touch(self, session_id: str, *, at: datetime) -> None:
        """Record use of the session at ``at``."""
        ...

    def end(self, session_id: str, *, at: datetime) -> None: ...

    def end_all(self, user_id: str, *, at: datetime) -> int:
        """End every open session of the user; return how many."""
        ...

    def delete_ended(self, *, now: datetime, idle_since: datetime) -> int:
        """Delete every session that can no longer be used: ended, expired at or before
        ``now``, or last seen at or before ``idle_since``; how many. For retention."""
        ...


class AccountRepositories(Protocol):
    @property
    def users(self) -> UserRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def password_history(self) -> PasswordHistoryRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...


class AccountUnitOfWork(
    AccountRepositories,
    ThrottlingRepositories,
    EmployerRepositories,
    OutboxRepositories,
    AuditRepositories,
    UnitOfWork,
    Protocol,
):
    """What the accounts' use cases touch in one transaction."""
