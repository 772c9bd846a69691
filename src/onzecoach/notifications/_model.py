from __future__ import annotations

import enum
from datetime import datetime

import attrs

from onzecoach.clock import optional_utc, utc

__all__ = ["Channel", "OutboxMessage", "OutboxStatus", "QueuedMessage", "SmsMessage"]


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(enum.StrEnum):
    """pending -> sending -> sent; a failure goes back to pending, the last one to dead.

    ``suppressed`` is never sent: it is what a self-service request for an account that
    does not exist writes, so that such a request does the same work as a real one and
    nobody can tell the two apart; and what a booking invitation becomes when a resend
    replaces it before it went out.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    SUPPRESSED = "suppressed"


@attrs.frozen
class OutboxMessage:
    """A mail or SMS waiting to be sent, written in the transaction of the change that caused it.

    ``kind`` names the template (``"invitation"``) and ``reference`` the object it concerns,
    so a screen can tell whether, and when, that object's message went out. ``text`` and
    ``html`` are sealed (``Settings.sealer``, context ``outbox:<id>``): the body may carry a
    one-time link.
    """

    id: str
    channel: Channel
    recipient: str = attrs.field(repr=False)
    subject: str
    text: str = attrs.field(repr=False)
    html: str | None = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=utc)
    not_before: datetime = attrs.field(converter=utc)
    kind: str
    reference: str | None = None
    employer_id: str | None = None
    message_id: str | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    locked_until: datetime | None = attrs.field(default=None, converter=optional_utc)
    sent_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    last_error: str | None = None

    def view(self) -> QueuedMessage:
        return QueuedMessage(
            id=self.id,
            channel=self.channel,
            recipient=self.recipient,
            subject=self.subject,
            kind=self.kind,
            reference=self.reference,
            employer_id=self.employer_id,
            status=self.status,
            attempts=self.attempts,
            created_at=self.created_at,
            not_before=self.not_before,
            sent_at=self.sent_at,
            last_error=self.last_error,
        )


@attrs.frozen
class QueuedMessage:
    """An outbox message as the service desk sees it: where it goes and how it fares,
    never its body (which may carry a one-time link)."""

    id: str
    channel: Channel
    recipient: str
    subject: str
    kind: str
    reference: str | None
    employer_id: str | None
    status: OutboxStatus
    attempts: int
    created_at: datetime
    not_before: datetime
    sent_at: datetime | None
    last_error: str | None


@attrs.frozen
class SmsMessage:
    """One text message as an SMS adapter handed it over: ``to`` in E.164."""

    to: str
    text: str = attrs.field(repr=False)
