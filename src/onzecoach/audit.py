"""The audit log: who did what to which object, when. Written in the use case's transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Protocol

import attrs

from onzecoach.actors import Actor, Role
from onzecoach.clock import utc

__all__ = [
    "REDACTED",
    "AuditEntry",
    "AuditRepositories",
    "AuditRepository",
    "audit_entry",
    "redacted",
]

#: What an erased person's values in the audit log become (``AuditRepository.redact``).
REDACTED: Final = "[verwijderd]"


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
    #: The entry's place in the log as read back (higher was written later); ``None`` on an
    #: entry not read from a storage. Not part of what the entry says: equality ignores it.
    seq: int | None = attrs.field(default=None, eq=False, repr=False)


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


def redacted(details: Mapping[str, Any], *, keep: Collection[str] = ()) -> dict[str, Any]:
    """``details`` with every value replaced by ``REDACTED``, but those under ``keep``.

    A mapping keeps its keys (which fields changed stays visible, not to what); every other
    value, a list included, becomes the marker.
    """

    def value(found: Any) -> Any:
        if isinstance(found, Mapping):
            return {str(key): value(inner) for key, inner in found.items()}
        return REDACTED

    return {key: found if key in keep else value(found) for key, found in details.items()}


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

    def redact(
        self, subject_type: str, subject_ids: Collection[str], *, keep: Collection[str] = ()
    ) -> int:
        """Replace the details of every entry about those objects by ``redacted(details,
        keep=keep)``; how many entries there were. The entries stay, in their order, with
        their time, actor, action and subject: for an erasure (``portal.privacy``)."""
        ...

    def drop_before(self, at: datetime) -> int:
        """Delete every entry written before ``at``; how many. For retention
        (``Settings.audit_retention_months``)."""
        ...


class AuditRepositories(Protocol):
    @property
    def audit(self) -> AuditRepository: ...
