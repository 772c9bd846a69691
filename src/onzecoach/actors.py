"""Who acts: a role and, for people, a user and an employer."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

__all__ = ["SERVICE_DESK", "Actor", "Role"]


class Role(enum.StrEnum):
    """What an actor may do; ``onzecoach.access`` says what each role sees.

    HR users see their own employer only; the service desk every employer; an
    integration (an outside booking system) the employers it serves, and only through the
    calls it makes. Coaches sign in like HR but see nothing of HR's or the service desk's
    operations.
    """

    HR = "hr"
    SERVICE_DESK = "service_desk"
    COACH = "coach"
    INTEGRATION = "integration"


def _frozen(ids: Iterable[str]) -> frozenset[str]:
    return frozenset(ids)


@attrs.frozen
class Actor:
    """The authenticated party of a call.

    An HR actor always has an ``employer_id``; the service desk has none and sees every
    employer. ``user_id`` is ``None`` for an operator acting outside a login (the CLI); an
    integration's ``user_id`` is its name, which the audit log records. ``employer_ids``
    are the employers an integration serves.
    """

    user_id: str | None
    employer_id: str | None
    role: Role
    employer_ids: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)

    def __attrs_post_init__(self) -> None:
        if self.role is Role.HR and self.employer_id is None:
            raise ValueError("an HR actor belongs to an employer")
        if self.employer_ids and self.role is not Role.INTEGRATION:
            raise ValueError("only an integration serves a set of employers")

    @classmethod
    def integration(cls, name: str, employer_ids: Iterable[str]) -> Actor:
        """An outside system (a booking system) acting for the employers it serves."""
        if not name:
            raise ValueError("an integration has a name, for the audit log")
        return cls(user_id=name, employer_id=None, role=Role.INTEGRATION, employer_ids=employer_ids)

    @property
    def is_service_desk(self) -> bool:
        return self.role is Role.SERVICE_DESK


#: The service desk acting without a personal login, as the CLI and scripts do.
SERVICE_DESK = Actor(user_id=None, employer_id=None, role=Role.SERVICE_DESK)
