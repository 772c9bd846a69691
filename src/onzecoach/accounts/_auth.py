from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from onzecoach.accounts._model import AccountStatus, Session, User
from onzecoach.actors import Actor
from onzecoach.crypto import hash_token, new_token, token_matches
from onzecoach.errors import NotAuthenticated
from onzecoach.ids import new_id

if TYPE_CHECKING:
    from onzecoach.ports import Clock, Storage, UnitOfWork
    from onzecoach.settings import Settings

__all__ = ["AuthService"]

_EXPIRED = "Je sessie is verlopen of beëindigd. Log opnieuw in."
# Recording every request's time would make each page view a write; once a minute is
# precise enough for a 30-minute idle timeout.
_TOUCH_EVERY = timedelta(minutes=1)


class AuthService:
    """Sessions: who is signed in (``portal.auth``)."""

    def __init__(self, *, storage: Storage, clock: Clock, settings: Settings) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings

    def start_session(self, uow: UnitOfWork, user: User, *, now: datetime) -> str:
        """Open a session for ``user`` inside the caller's transaction; return its token."""
        secret = new_token()
        uow.sessions.add(
            Session(
                id=new_id(),
                user_id=user.id,
                token_hash=hash_token(secret),
                created_at=now,
                last_seen_at=now,
                expires_at=now + self._settings.session_lifetime,
            )
        )
        return secret

    def authenticate(self, session_token: str) -> Actor:
        """The actor behind a session token, or ``NotAuthenticated``.

        A session ends after ``Settings.session_idle_timeout`` without use and after
        ``Settings.session_lifetime`` in any case.
        """
        if not isinstance(session_token, str) or not session_token:
            raise NotAuthenticated(_EXPIRED)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            session = uow.sessions.find(hash_token(session_token))
            if (
                session is None
                or not token_matches(session_token, session.token_hash)
                or session.ended_at is not None
                or now >= session.expires_at
                or now - session.last_seen_at >= self._settings.session_idle_timeout
            ):
                raise NotAuthenticated(_EXPIRED)
            user = uow.users.get(session.user_id)
            if user is None or user.status is not AccountStatus.ACTIVE:
                raise NotAuthenticated(_EXPIRED)
            if now - session.last_seen_at >= _TOUCH_EVERY:
                uow.sessions.touch(session.id, at=now)
                uow.commit()
        return user.actor

    def logout(self, session_token: str) -> None:
        """End the session; an unknown or ended one is left as it is."""
        if not isinstance(session_token, str) or not session_token:
            return
        with self._storage.unit_of_work() as uow:
            session = uow.sessions.find(hash_token(session_token))
            if session is not None and token_matches(session_token, session.token_hash):
                uow.sessions.end(session.id, at=self._clock.now())
                uow.commit()
