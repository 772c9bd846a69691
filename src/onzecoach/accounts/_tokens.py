"""Issuing and redeeming one-time tokens, and the rate limit on account mails."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from onzecoach.accounts._model import OneTimeToken, TokenPurpose
from onzecoach.crypto import hash_token, new_token, token_matches
from onzecoach.errors import InvalidToken
from onzecoach.ids import new_id

if TYPE_CHECKING:
    from onzecoach.accounts._ports import AccountRepositories

__all__ = ["INVALID_LINK", "find_usable", "issue"]

#: The code of every answer to a link that cannot be used: one answer for every reason.
INVALID_LINK = "link.invalid"


def issue(
    uow: AccountRepositories,
    purpose: TokenPurpose,
    user_id: str | None,
    *,
    now: datetime,
    lifetime: timedelta,
) -> tuple[str, OneTimeToken]:
    """A new token: the secret for the link, and the row that stores only its hash."""
    secret = new_token()
    token = OneTimeToken(
        id=new_id(),
        purpose=purpose,
        user_id=user_id,
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=now + lifetime,
    )
    uow.tokens.add(token)
    return secret, token


def find_usable(
    uow: AccountRepositories, secret: object, purpose: TokenPurpose, *, now: datetime
) -> OneTimeToken:
    """The usable token behind ``secret``, or ``InvalidToken`` (one answer for every reason)."""
    if not isinstance(secret, str) or not secret:
        raise InvalidToken(INVALID_LINK)
    token = uow.tokens.find(hash_token(secret), purpose)
    if (
        token is None
        or token.user_id is None
        or not token_matches(secret, token.token_hash)
        or not token.usable_at(now)
    ):
        raise InvalidToken(INVALID_LINK)
    return token
