"""Who may see what: tenancy and roles, in one place, denying by default.

Every feature asks here. A role this module does not know sees nothing; another
employer's object answers ``NotFound``, never ``PermissionDenied``, so that existence does
not leak. What each role sees:

- the service desk: every employer;
- HR: its own employer;
- an integration (an outside booking system): the employers it serves, and only through
  the calls it makes (recording appointments, requesting extensions);
- a coach: none of HR's or the service desk's data. A coach asking for an operation of
  theirs is answered ``NotFound`` (``access.not_found``), not ``PermissionDenied``: to a
  coach those operations do not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import attrs

from onzecoach.actors import Actor, Role
from onzecoach.errors import NotFound, PermissionDenied
from onzecoach.ids import is_id

__all__ = [
    "EMPLOYER_STAFF",
    "EVERY_EMPLOYER",
    "NO_EMPLOYER",
    "EmployerScope",
    "load",
    "load_visible",
    "may_see",
    "refuse_coach",
    "require_actor",
    "require_role",
    "require_service_desk",
    "scope_of",
    "visible",
]


class Owned(Protocol):
    """Anything that belongs to one employer."""

    @property
    def employer_id(self) -> str: ...


T = TypeVar("T", bound=Owned)
R = TypeVar("R")


@attrs.frozen
class EmployerScope:
    """The employers an actor sees: ``every`` of them, or exactly ``employer_ids``."""

    every: bool = False
    employer_ids: frozenset[str] = frozenset()

    def __contains__(self, employer_id: object) -> bool:
        return isinstance(employer_id, str) and (self.every or employer_id in self.employer_ids)

    @property
    def is_empty(self) -> bool:
        return not self.every and not self.employer_ids


#: The roles that work with an employer's people and coaching: its HR, and the service desk.
EMPLOYER_STAFF = (Role.HR, Role.SERVICE_DESK)

EVERY_EMPLOYER = EmployerScope(every=True)
NO_EMPLOYER = EmployerScope()


def require_actor(actor: object) -> Actor:
    """``actor`` itself; anything else is a programming error (``TypeError``)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"actor must be an onzecoach.Actor, got {type(actor).__name__}")
    return actor


def scope_of(actor: Actor) -> EmployerScope:
    """The employers whose data ``actor`` may see; nothing for a role not listed here."""
    actor = require_actor(actor)
    if actor.role is Role.SERVICE_DESK:
        return EVERY_EMPLOYER
    if actor.role is Role.HR and actor.employer_id is not None:
        return EmployerScope(employer_ids=frozenset({actor.employer_id}))
    if actor.role is Role.INTEGRATION:
        return EmployerScope(employer_ids=actor.employer_ids)
    return NO_EMPLOYER


def may_see(actor: Actor, employer_id: str | None) -> bool:
    """Whether ``actor`` may see the data of ``employer_id``."""
    return employer_id in scope_of(actor)


def require_role(actor: Actor, *roles: Role) -> Actor:
    """``actor`` if its role is one of ``roles``; ``PermissionDenied`` otherwise (a coach:
    ``NotFound``)."""
    actor = require_actor(actor)
    if actor.role not in roles:
        refuse_coach(actor)
        raise PermissionDenied("access.denied")
    return actor


def require_service_desk(actor: Actor) -> Actor:
    """``actor`` if it is the service desk; ``PermissionDenied`` otherwise (a coach:
    ``NotFound``)."""
    actor = require_actor(actor)
    if not actor.is_service_desk:
        refuse_coach(actor)
        raise PermissionDenied("access.service_desk_only")
    return actor


def refuse_coach(actor: Actor) -> Actor:
    """``actor`` unless it is a coach, who gets ``NotFound`` (``access.not_found``): for an
    operation of HR or the service desk that checks no role otherwise."""
    if require_actor(actor).role is Role.COACH:
        raise NotFound("access.not_found")
    return actor


def visible(actor: Actor, found: T | None, *, missing: str) -> T:
    """``found`` if ``actor`` may see it; ``NotFound(missing)`` if it is absent or not theirs."""
    if found is None or not may_see(actor, found.employer_id):
        raise NotFound(missing)
    return found


def load_visible(actor: Actor, key: object, get: Callable[[str], T | None], *, missing: str) -> T:
    """What ``get(key)`` finds, if ``actor`` may see it; else ``NotFound(missing)``.

    A key that is not an id names nothing: it answers ``NotFound`` without a lookup.
    """
    if scope_of(actor).is_empty or not is_id(key):
        raise NotFound(missing)
    return visible(actor, get(key), missing=missing)


def load(key: object, get: Callable[[str], R | None], *, missing: str) -> R:
    """What ``get(key)`` finds, for a caller whose access is checked otherwise."""
    found = get(key) if is_id(key) else None
    if found is None:
        raise NotFound(missing)
    return found
