"""The audit log: who did what to which object, when. Written in the use case's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from onzecoach.actors import Actor, Role
from onzecoach.clock import utc

__all__ = ["AuditEntry", "audit_entry"]


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
