from __future__ import annotations

import enum
from datetime import datetime
from email.headerregistry import BaseHeader, ContentTypeHeader, HeaderRegistry
from types import MappingProxyType
from typing import Any, cast

import attrs

from onzecoach.clock import optional_utc, utc

__all__ = [
    "Attachment",
    "Channel",
    "OutboxMessage",
    "OutboxStatus",
    "QueuedMessage",
    "SmsMessage",
]

#: The longest file name an attachment may have, in characters.
FILENAME_MAX = 200


class Channel(enum.StrEnum):
    """How a message goes out: a mail, a text message, or a write to a coach's calendar
    (``recipient`` is the coach's id, ``subject`` the event's UID, the body its iCalendar
    text, empty to remove the event)."""

    EMAIL = "email"
    SMS = "sms"
    CALENDAR = "calendar"


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


def _check_filename(_: Any, attribute: attrs.Attribute[str], value: object) -> None:
    if not (
        isinstance(value, str)
        and 0 < len(value) <= FILENAME_MAX
        and value.isprintable()
        and value.strip() == value
        and not any(sep in value for sep in "/\\")
    ):
        raise ValueError(
            f"{attribute.name} must be a file name of 1 to {FILENAME_MAX} printable characters, "
            f"without a folder or surrounding spaces, got {value!r}"
        )


_HEADERS = HeaderRegistry()


def _content_type(value: str) -> ContentTypeHeader:
    """``value`` parsed as a MIME Content-Type header, or ``ValueError``."""
    header: BaseHeader = _HEADERS("content-type", value)
    # The registry makes a class of both; typeshed cannot say so.
    parsed = cast(ContentTypeHeader, header)
    if header.defects or parsed.maintype in {"multipart", "message"}:
        raise ValueError(
            f"content_type must be one MIME type with its parameters, such as "
            f"'text/calendar; method=REQUEST; charset=utf-8', got {value!r}"
        )
    return parsed


def _check_content_type(_: Any, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise ValueError(f"{attribute.name} must be one line of text, got {value!r}")
    _content_type(value)


def _check_data(_: Any, attribute: attrs.Attribute[bytes], value: object) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"{attribute.name} must be bytes, got {type(value).__name__}")


@attrs.frozen
class Attachment:
    """A file that goes with a mail, such as the ICS of a booked session.

    ``content_type`` is a MIME type and may carry parameters, which the mail's part carries
    as well: ``text/calendar; method=REQUEST; charset=utf-8`` is what makes a mail client
    offer the session as an invitation. A bad file name or content type is a programming
    error (``ValueError``): attachments are made by code, never typed by people.
    """

    filename: str = attrs.field(validator=_check_filename)
    content_type: str = attrs.field(validator=_check_content_type)
    data: bytes = attrs.field(repr=False, validator=_check_data)

    @property
    def maintype(self) -> str:
        """``text`` of ``text/calendar; method=REQUEST``, in lower case."""
        return _content_type(self.content_type).maintype

    @property
    def subtype(self) -> str:
        """``calendar`` of ``text/calendar; method=REQUEST``, in lower case."""
        return _content_type(self.content_type).subtype

    @property
    def params(self) -> MappingProxyType[str, str]:
        """The content type's parameters: ``{"method": "REQUEST"}`` (names in lower case)."""
        return MappingProxyType(dict(_content_type(self.content_type).params))


@attrs.frozen
class OutboxMessage:
    """A mail or SMS waiting to be sent, written in the transaction of the change that caused it.

    ``kind`` names the template (``"invitation"``) and ``reference`` the object it concerns,
    so a screen can tell whether, and when, that object's message went out. ``text`` and
    ``html`` are sealed (``Settings.sealer``, context ``outbox:<id>``): the body may carry a
    one-time link. ``attachments`` holds the message's attachments (``Attachment``),
    sealed together under the same context as one value, ``None`` when there are none: a
    calendar invitation names the person and the time of their session.
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
    attachments: str | None = attrs.field(default=None, repr=False)

    def emptied(self) -> OutboxMessage:
        """The message with nothing of its recipient left: address, subject, bodies,
        attachments and last error empty; one not sent yet never will be (suppressed)."""
        return attrs.evolve(
            self,
            recipient="",
            subject="",
            text="",
            html=None,
            attachments=None,
            last_error=None,
            locked_until=None,
            status=self.status if self.status is OutboxStatus.SENT else OutboxStatus.SUPPRESSED,
        )

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
            has_attachments=self.attachments is not None,
        )


@attrs.frozen
class OutboxBacklog:
    """What waits in the outbox: for a health check and for metrics."""

    #: Messages waiting to be sent, due or not.
    pending: int
    #: Of those, the ones due now.
    due: int
    #: Messages a dispatcher has claimed and is sending.
    sending: int
    #: When the longest-waiting due message became due; ``None`` when none is due.
    oldest_due_at: datetime | None = None


@attrs.frozen
class QueuedMessage:
    """An outbox message as the service desk sees it: where it goes and how it fares,
    never its body (which may carry a one-time link) nor its attachments, sealed as the
    body is: only whether it has any."""

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
    has_attachments: bool = False


@attrs.frozen
class SmsMessage:
    """One text message as an SMS adapter handed it over: ``to`` in E.164."""

    to: str
    text: str = attrs.field(repr=False)
