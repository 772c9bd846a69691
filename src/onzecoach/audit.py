"""The audit log: who did what to which object, when. Written in the use case's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import attrs

from onzecoach.actors import Actor, Role
from onzecoach.clock import utc

__all__ = ["AuditEntry", "AuditRepositories", "AuditRepository", "audit_entry"]


@attrs.frozen
class AuditEntry:
    """One audited change or read. ``details`` holds JSON values and never a secret.

    ``actor_role`` is ``None`` for someone not signed in (a self-service request).
    """

    at: datetime = attrs.field(converter=utc)
    actor_id: str | None
    actor_role: Role | None
    action: str
    employer_id: str | None
    subject_type: str
    subject_id: str
    details: Mapping[str, Any] = attrs.field(factory=dict)


def audit_entry(
    actor: Actor | None,
    action: str,
    *,
    at: datetime,
    employer_id: str | None,
    subject_type: str,
    subject_id: str,
    **details: Any,
) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor_id=None if actor is None else actor.user_id,
        actor_role=None if actor is None else actor.role,
        action=action,
        employer_id=employer_id,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )


class AuditRepository(Protocol):
    def append(self, entry: AuditEntry) -> None: ...

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        """``append`` for each entry in order, as one statement where the storage can."""
        ...

    def for_subject(self, subject_type: str, subject_id: str) -> list[AuditEntry]:
        """The entries about one object, oldest first."""
        ...

    def for_employer(self, employer_id: str, *, limit: int = 100) -> list[AuditEntry]:
        """The employer's newest entries, newest first."""
        ...


class AuditRepositories(Protocol):
    @property
    def audit(self) -> AuditRepository: ...
