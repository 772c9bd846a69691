"""Who acts: a role and, for people, a user and an employer."""

from __future__ import annotations

import enum

import attrs

__all__ = ["SERVICE_DESK", "Actor", "Role", "can_see"]


class Role(enum.StrEnum):
    """What a user may do. HR users see their own employer only."""

    HR = "hr"
    SERVICE_DESK = "service_desk"


@attrs.frozen
class Actor:
    """The authenticated party of a call.

    An HR actor always has an ``employer_id``; the service desk has none and sees every
    employer. ``user_id`` is ``None`` for an operator acting outside a login (the CLI).
    """

    user_id: str | None
    employer_id: str | None
    role: Role

    def __attrs_post_init__(self) -> None:
        if self.role is Role.HR and self.employer_id is None:
            raise ValueError("an HR actor belongs to an employer")

    @property
    def is_service_desk(self) -> bool:
        return self.role is Role.SERVICE_DESK


#: The service desk acting without a personal login, as the CLI and scripts do.
SERVICE_DESK = Actor(user_id=None, employer_id=None, role=Role.SERVICE_DESK)


def can_see(actor: Actor, employer_id: str | None) -> bool:
    """Whether ``actor`` may see the data of ``employer_id``: its own, or any for the desk."""
    return actor.is_service_desk or (employer_id is not None and actor.employer_id == employer_id)
