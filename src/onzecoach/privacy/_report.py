"""Retention (bewaartermijn): the rule that makes an employee due, and what a run reports.

An employee is due for erasure when

- they had trajectories, none is open, and the last one closed more than the employer's
  retention period ago ("last_trajectory_closed"); or
- they never had a trajectory, and were registered (or last named by an import, whichever
  is later) more than the period ago ("registered").

A period is whole months, added as the calendar does (31 January plus one month is the
last day of February). Exactly at the end of the period is not yet "more than" it.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from onzecoach.clock import optional_utc, utc

__all__ = [
    "CleanUp",
    "DueEmployee",
    "PurgeReport",
    "PurgeRun",
    "RetentionFacts",
    "RetentionReason",
    "add_months",
    "due",
]


class RetentionReason(enum.StrEnum):
    """Why an employee is due: from when their retention counts."""

    #: The last of their trajectories closed, and none is open.
    LAST_TRAJECTORY_CLOSED = "last_trajectory_closed"
    #: Without any trajectory: registered, or last named by an import.
    REGISTERED = "registered"


@attrs.frozen(kw_only=True)
class RetentionFacts:
    """What retention decides by, for one employee not erased: nothing personal."""

    employee_id: str
    employer_id: str
    #: Registered, or last named by an import, whichever is later.
    known_since: datetime = attrs.field(converter=utc)
    trajectories: int
    open_trajectories: int
    #: When the last of the trajectories closed; ``None`` without a closed one.
    last_closed_at: datetime | None = attrs.field(converter=optional_utc)


@attrs.frozen(kw_only=True)
class DueEmployee:
    """An employee past their retention period: who (by id), why, since when."""

    employee_id: str
    employer_id: str
    reason: RetentionReason
    #: From when the period counts: the last closing, or the registration or import.
    since: datetime = attrs.field(converter=utc)
    #: The employer's period, in months.
    period_months: int
    #: When the period ended: ``since`` plus the period.
    due_at: datetime = attrs.field(converter=utc)


@attrs.frozen(kw_only=True)
class CleanUp:
    """What a run's clean-up removed (or, in a dry run, would remove), by kind."""

    #: Audit entries older than ``Settings.audit_retention_months``, dropped.
    audit_entries: int = 0
    #: Expired one-time links (invitation, password reset, enrolment), deleted.
    links: int = 0
    #: Ended, expired or idle sessions, deleted.
    sessions: int = 0
    #: WebAuthn challenges used or expired, deleted.
    webauthn_challenges: int = 0
    #: Sent messages older than ``Settings.outbox_body_retention`` whose bodies were emptied
    #: (a dry run counts before any erasure, which empties its person's messages itself).
    outbox_bodies: int = 0

    @property
    def total(self) -> int:
        return (
            self.audit_entries
            + self.links
            + self.sessions
            + self.webauthn_challenges
            + self.outbox_bodies
        )


@attrs.frozen(kw_only=True)
class PurgeReport:
    """What ``portal.privacy.purge_due`` found and did; nothing personal (ids only)."""

    dry_run: bool
    #: When the run looked.
    at: datetime = attrs.field(converter=utc)
    #: The employees past their period, by employer and id; a dry run erases none.
    due: tuple[DueEmployee, ...]
    #: How many of them this run erased (0 in a dry run; fewer than ``due`` when one was
    #: no longer due when its turn came, or was erased meanwhile).
    erased: int
    cleaned: CleanUp

    def due_per_employer(self) -> dict[str, int]:
        """How many are due per employer id, in the order of ``due``."""
        counts: dict[str, int] = {}
        for item in self.due:
            counts[item.employer_id] = counts.get(item.employer_id, 0) + 1
        return counts


@attrs.frozen(kw_only=True)
class PurgeRun:
    """A past run, as its audit entry (``privacy.purged``) keeps it."""

    at: datetime = attrs.field(converter=utc)
    due: int
    erased: int
    cleaned: CleanUp

    @classmethod
    def from_details(cls, at: datetime, details: Mapping[str, Any]) -> PurgeRun:
        def count(name: str) -> int:
            value = details.get(name, 0)
            return value if isinstance(value, int) else 0

        return cls(
            at=at,
            due=count("due"),
            erased=count("erased"),
            cleaned=CleanUp(**{field.name: count(field.name) for field in attrs.fields(CleanUp)}),
        )


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months; a day the month lacks becomes its last."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def due(facts: RetentionFacts, *, period_months: int, now: datetime) -> DueEmployee | None:
    """The employee as due at ``now`` under a period of ``period_months``, or ``None``."""
    if facts.open_trajectories:
        return None
    if facts.trajectories:
        if facts.last_closed_at is None:  # pragma: no cover - closed ones have a time
            return None
        reason, since = RetentionReason.LAST_TRAJECTORY_CLOSED, facts.last_closed_at
    else:
        reason, since = RetentionReason.REGISTERED, facts.known_since
    due_at = add_months(since, period_months)
    if now <= due_at:
        return None
    return DueEmployee(
        employee_id=facts.employee_id,
        employer_id=facts.employer_id,
        reason=reason,
        since=since,
        period_months=period_months,
        due_at=due_at,
    )
