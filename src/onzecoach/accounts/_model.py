from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime

import attrs

from onzecoach.actors import Actor, Role
from onzecoach.clock import optional_utc, utc
from onzecoach.errors import FieldError
from onzecoach.results import Enrollment, OneTimeResult

__all__ = [
    "AccountStatus",
    "Enrollment",
    "Invitation",
    "OneTimeToken",
    "Session",
    "SessionRecord",
    "TokenPurpose",
    "User",
    "UserView",
    "check_username",
    "username_key",
]

USERNAME_MIN = 3
USERNAME_MAX = 64
_USERNAME = re.compile(r"^[\w.@+-]+$")


class AccountStatus(enum.StrEnum):
    """invited -> (register) enrolling -> (second factor set up) active; or disabled."""

    INVITED = "invited"
    ENROLLING = "enrolling"
    ACTIVE = "active"
    DISABLED = "disabled"


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a password
    ENROLLMENT = "enrollment"


@attrs.frozen
class User:
    """A person who signs in: an employer's HR contact, or the service desk."""

    id: str
    username: str
    email: str
    role: Role
    employer_id: str | None
    status: AccountStatus
    created_at: datetime = attrs.field(converter=utc)
    password_hash: str | None = attrs.field(default=None, repr=False)
    password_changed_at: datetime | None = attrs.field(default=None, converter=optional_utc)

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, employer_id=self.employer_id, role=self.role)

    def signed_in_as(self, actor: Actor) -> bool:
        """Whether ``actor`` is this user as its session made it: the same id, role and
        employer, and the account active. An actor made up with this user's id but
        another role or employer is not."""
        return (
            self.status is AccountStatus.ACTIVE
            and actor.user_id == self.id
            and actor.role is self.role
            and actor.employer_id == self.employer_id
        )

    def view(self) -> UserView:
        return UserView(
            id=self.id,
            username=self.username,
            email=self.email,
            role=self.role,
            employer_id=self.employer_id,
            status=self.status,
            created_at=self.created_at,
            password_changed_at=self.password_changed_at,
        )


@attrs.frozen
class UserView:
    """A user account as the portal shows it: no password hash, nothing secret."""

    id: str
    username: str
    email: str
    role: Role
    employer_id: str | None
    status: AccountStatus
    created_at: datetime
    password_changed_at: datetime | None = None


@attrs.frozen
class OneTimeToken:
    """A link's or step's token, stored only as its SHA-256.

    ``user_id`` is ``None`` for the stand-in that a request for an unknown account
    writes, so that such a request does what a real one does; it can never be redeemed.
    """

    id: str
    purpose: TokenPurpose
    user_id: str | None
    token_hash: str = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=utc)
    expires_at: datetime = attrs.field(converter=utc)
    used_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    revoked_at: datetime | None = attrs.field(default=None, converter=optional_utc)

    def usable_at(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


@attrs.frozen
class SessionRecord:
    """A stored session; the token itself lives only with the client."""

    id: str
    user_id: str
    token_hash: str = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=utc)
    last_seen_at: datetime = attrs.field(converter=utc)
    expires_at: datetime = attrs.field(converter=utc)
    ended_at: datetime | None = attrs.field(default=None, converter=optional_utc)


@attrs.frozen
class Session(OneTimeResult):
    """A signed-in session as ``portal.auth.verify`` hands it out, token included.

    Keep ``token`` in an HttpOnly cookie or the client's memory; the portal stores only
    its hash. ``portal.auth.authenticate(token)`` gives the ``Actor`` on every request.
    """

    token: str = attrs.field(repr=False)
    user_id: str
    actor: Actor
    expires_at: datetime


@attrs.frozen
class Invitation:
    """What ``invite_user`` reports; the link itself went only to the invitee's mailbox."""

    id: str
    user_id: str
    employer_id: str | None
    username: str
    email: str
    role: Role
    expires_at: datetime


@attrs.frozen
class LinkStatus:
    """A mailed link that can still be used: whose account it opens, and until when."""

    username: str
    expires_at: datetime


def username_key(username: str) -> str:
    """Usernames are unique regardless of case and Unicode form."""
    return unicodedata.normalize("NFKC", username).casefold()


def check_username(value: object) -> str | FieldError:
    if not isinstance(value, str):
        return FieldError.of("username", "invalid")
    username = unicodedata.normalize("NFKC", value).strip()
    if not username:
        return FieldError.of("username", "required")
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        return FieldError.of("username", "length", min_length=USERNAME_MIN, max_length=USERNAME_MAX)
    if not _USERNAME.fullmatch(username):
        return FieldError.of("username", "invalid_characters")
    return username
