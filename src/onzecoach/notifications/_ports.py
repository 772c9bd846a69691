"""The outbox's ports: where messages wait, and the doors they leave by (mail and SMS)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from onzecoach.events import UnitOfWork
from onzecoach.notifications._model import OutboxBacklog, OutboxMessage, OutboxStatus

__all__ = [
    "CalendarWriting",
    "Mailer",
    "OutboxRepositories",
    "OutboxRepository",
    "OutboxUnitOfWork",
    "SmsSender",
]


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail system, or raise ``MailDeliveryError``.

        Envelope sender and recipients come from the message's From and To. Once any
        recipient has the message, a failure must be ``permanent``: a retry would send it
        to that recipient twice. A server that cannot be reached at all (no connection, a
        timeout, a dropped line) is ``unreachable``: the outbox then waits with the rest
        of its batch instead of waiting out the same timeout for every message.
        """
        ...


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> None:
        """Send ``text`` to ``to`` (E.164), or raise ``SmsDeliveryError``.

        ``permanent=True`` when trying again cannot help (the gateway refused the request);
        otherwise the outbox tries again later; ``unreachable=True`` when the gateway could
        not be reached at all. A gateway that timed out may have sent the message all the
        same, so a retry can deliver it twice: keep texts harmless to repeat. The text may
        hold a login code: it never belongs in an error message.
        """
        ...


class CalendarWriting(Protocol):
    """Writes an outbox message of the calendar channel to its coach's own calendar.

    The booking feature gives the outbox one; it raises ``CalendarError`` when the
    calendar is down (tried again later) or refuses for good.
    """

    def write(self, *, coach_id: str, uid: str, ics: bytes | None) -> None:
        """Put the event ``ics`` under ``uid`` in the coach's calendar, or remove it
        (``ics=None``; an event that is not there is no error)."""
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> None: ...

    def get(self, message_id: str) -> OutboxMessage | None: ...

    def claim_due(self, *, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        """Take up to ``limit`` messages that are due, oldest first, for sending.

        Due: pending with ``not_before <= now``, or sending with a lease that ran out
        (its dispatcher died). Claimed messages are returned as stored: status sending,
        ``attempts`` one higher, ``locked_until = lease_until``. Two dispatchers never
        claim the same message while its lease runs.
        """
        ...

    def save(self, message: OutboxMessage) -> None:
        """Store the state of a known message (status, attempts, times, last error); its
        recipient, subject, bodies and attachments stay as stored."""
        ...

    def finish(self, message: OutboxMessage, *, claimed_until: datetime) -> bool:
        """Store the outcome of a claim, only if the claim still holds.

        The claim holds while the message is ``sending`` with ``locked_until`` equal to
        ``claimed_until``: a dispatcher whose lease ran out, and whose message another
        dispatcher took over, records nothing (``False``).
        """
        ...

    def list(
        self,
        *,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        reference: str | None = None,
        limit: int = 100,
    ) -> list[OutboxMessage]:
        """Messages matching every given filter, newest first."""
        ...

    def backlog(self, *, now: datetime) -> OutboxBacklog:
        """How many messages are pending (and of those due at ``now``) and sending, and
        since when the oldest due one waits."""
        ...

    def unsent_page(self, *, after: str | None, limit: int) -> Sequence[OutboxMessage]:
        """Messages not sent yet (pending, sending or dead), by id, the first ``limit``
        after ``after``: for sealing their bodies again under a new key."""
        ...

    def replace_bodies(
        self,
        message_id: str,
        *,
        old: tuple[str, str | None, str | None],
        new: tuple[str, str | None, str | None],
    ) -> bool:
        """Set the sealed ``(text, html, attachments)`` to ``new`` if all three are still
        ``old``; ``False`` if not. Nothing else of the message is written."""
        ...

    def empty(self, message_ids: Collection[str]) -> int:
        """Store each of those messages as ``OutboxMessage.emptied`` makes it; how many
        there were. For an erasure (``portal.privacy``)."""
        ...

    def empty_sent_bodies(self, *, sent_before: datetime) -> int:
        """Empty the text, HTML and attachments of every message sent before
        ``sent_before`` that still has any; how many. Recipient, subject, kind, reference
        and times stay: that the mail went, and when. For retention."""
        ...


class OutboxRepositories(Protocol):
    @property
    def outbox(self) -> OutboxRepository: ...


class OutboxUnitOfWork(OutboxRepositories, UnitOfWork, Protocol):
    """What the outbox's use cases touch in one transaction."""
