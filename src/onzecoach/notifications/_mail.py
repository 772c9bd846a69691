"""Mails: Dutch first, English second, as plain text and HTML in one multipart message."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

import attrs

from onzecoach.clock import require_utc
from onzecoach.ids import new_id
from onzecoach.notifications._model import Attachment, Channel, OutboxMessage

if TYPE_CHECKING:
    from onzecoach.crypto import Sealer
    from onzecoach.settings import Settings

__all__ = ["Action", "MailContent", "compose_email", "new_email", "new_sms", "outbox_context"]

#: The most bytes the attachments of one mail may hold together. The outbox keeps them,
#: sealed, in its row until the mail is sent, and mail servers refuse large messages (the
#: attachments grow by a third in base64 on the way).
ATTACHMENTS_MAX_BYTES = 5 * 1024 * 1024


@attrs.frozen
class Action:
    """The one button of a mail: a label and an absolute URL."""

    label: str
    url: str = attrs.field(repr=False)


@attrs.frozen
class MailContent:
    """What a mail says: Dutch first; ``english`` is a short summary after it."""

    subject: str
    greeting: str
    paragraphs: Sequence[str]
    action: Action | None = None
    closing: Sequence[str] = ()
    english: Sequence[str] = ()


def _text(content: MailContent, settings: Settings) -> str:
    lines = [content.greeting, ""]
    for paragraph in content.paragraphs:
        lines += [paragraph, ""]
    if content.action is not None:
        lines += [f"{content.action.label}:", content.action.url, ""]
    for paragraph in content.closing:
        lines += [paragraph, ""]
    lines += ["Met vriendelijke groet,", settings.mail_from_name, ""]
    if content.english:
        lines += ["-- English --", ""]
        for paragraph in content.english:
            lines += [paragraph, ""]
    lines += [
        "--",
        f"Vragen? Mail {settings.service_desk_email} of bel {settings.service_desk_phone}.",
        "Dit is een automatisch bericht; antwoorden op deze mail worden niet gelezen.",
    ]
    return "\n".join(lines) + "\n"


def _html(content: MailContent, settings: Settings) -> str:
    esc = html.escape
    parts = [
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">',
        f"<title>{esc(content.subject)}</title></head>",
        '<body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.5">',
        f"<p>{esc(content.greeting)}</p>",
    ]
    parts += [f"<p>{esc(paragraph)}</p>" for paragraph in content.paragraphs]
    if content.action is not None:
        url = esc(content.action.url, quote=True)
        parts.append(
            f'<p><a href="{url}" style="background:#e8641b;color:#fff;padding:10px 18px;'
            f'border-radius:4px;text-decoration:none">{esc(content.action.label)}</a></p>'
            f'<p style="font-size:90%">Werkt de knop niet? Kopieer dan deze link: {url}</p>'
        )
    parts += [f"<p>{esc(paragraph)}</p>" for paragraph in content.closing]
    parts.append(f"<p>Met vriendelijke groet,<br>{esc(settings.mail_from_name)}</p>")
    if content.english:
        parts.append('<hr><div lang="en">')
        parts += [f"<p>{esc(paragraph)}</p>" for paragraph in content.english]
        parts.append("</div>")
    parts.append(
        '<p style="font-size:85%;color:#666">'
        f"Vragen? Mail {esc(settings.service_desk_email)} "
        f"of bel {esc(settings.service_desk_phone)}."
        "<br>Dit is een automatisch bericht; antwoorden op deze mail worden niet gelezen.</p>"
        "</body></html>"
    )
    return "".join(parts)


def new_email(
    settings: Settings,
    *,
    to: str,
    content: MailContent,
    kind: str,
    now: datetime,
    not_before: datetime | None = None,
    reference: str | None = None,
    employer_id: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage:
    """An outbox row for one mail, rendered now so that what is sent is what was decided.

    The body is sealed with ``settings.secret_key``: it may hold a one-time link. So are
    the ``attachments``, which go with the mail in the order given (together at most
    ``ATTACHMENTS_MAX_BYTES``; more is a ``ValueError``).
    """
    now = require_utc(now, "now")
    message_id = new_id()
    context = outbox_context(message_id)
    sealed_attachments = _seal_attachments(attachments, settings.sealer, context=context)
    return OutboxMessage(
        id=message_id,
        channel=Channel.EMAIL,
        recipient=to,
        subject=content.subject,
        text=settings.sealer.seal(_text(content, settings), context=context),
        html=settings.sealer.seal(_html(content, settings), context=context),
        created_at=now,
        not_before=now if not_before is None else require_utc(not_before, "not_before"),
        kind=kind,
        reference=reference,
        employer_id=employer_id,
        # Fixed at enqueue time, so a retried message keeps its identity for receivers.
        message_id=make_msgid(domain=settings.mail_sender.domain),
        attachments=sealed_attachments,
    )


def new_sms(
    settings: Settings,
    *,
    to: str,
    text: str,
    kind: str,
    now: datetime,
    reference: str | None = None,
    employer_id: str | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """An outbox row for one text message to ``to`` (E.164); the text is sealed."""
    now = require_utc(now, "now")
    message_id = new_id()
    return OutboxMessage(
        id=message_id,
        channel=Channel.SMS,
        recipient=to,
        subject="",
        text=settings.sealer.seal(text, context=outbox_context(message_id)),
        html=None,
        created_at=now,
        not_before=now if not_before is None else require_utc(not_before, "not_before"),
        kind=kind,
        reference=reference,
        employer_id=employer_id,
    )


#: The outbox kinds of a calendar write: an event put (made or changed) or removed.
CALENDAR_PUT = "calendar.put"
CALENDAR_DELETE = "calendar.delete"


def new_calendar_write(
    settings: Settings,
    *,
    coach_id: str,
    uid: str,
    ics: bytes | None,
    now: datetime,
    reference: str | None = None,
    employer_id: str | None = None,
) -> OutboxMessage:
    """An outbox row that puts an event (``ics``, one VCALENDAR) in a coach's own calendar,
    or removes the event ``uid`` (``ics=None``). The body is sealed like a mail's: it
    names a person and the time of their session."""
    now = require_utc(now, "now")
    message_id = new_id()
    text = "" if ics is None else ics.decode("utf-8")
    return OutboxMessage(
        id=message_id,
        channel=Channel.CALENDAR,
        recipient=coach_id,
        subject=uid,
        text=settings.sealer.seal(text, context=outbox_context(message_id)),
        html=None,
        created_at=now,
        not_before=now,
        kind=CALENDAR_DELETE if ics is None else CALENDAR_PUT,
        reference=reference,
        employer_id=employer_id,
    )


def compose_email(message: OutboxMessage, settings: Settings, *, now: datetime) -> EmailMessage:
    """The RFC 5322 message for an outbox row, dated at the moment it is handed over."""
    mail = EmailMessage()
    mail["From"] = settings.mail_sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(require_utc(now, "now"))
    mail["Message-ID"] = message.message_id or make_msgid(domain=settings.mail_sender.domain)
    mail["Auto-Submitted"] = "auto-generated"
    mail["Content-Language"] = "nl"
    sealer, context = settings.sealer, outbox_context(message.id)
    mail.set_content(sealer.open(message.text, context=context))
    if message.html is not None:
        mail.add_alternative(sealer.open(message.html, context=context), subtype="html")
    if message.attachments is not None:
        for attachment in _open_attachments(message.attachments, sealer, context=context):
            mail.add_attachment(
                attachment.data,
                maintype=attachment.maintype,
                subtype=attachment.subtype,
                filename=attachment.filename,
                # The type's own parameters: text/calendar's method=REQUEST is what makes a
                # mail client show the attachment as an invitation.
                params=dict(attachment.params),
            )
    return mail


def outbox_context(message_id: str) -> str:
    """What a message's sealed body is bound to: its own row."""
    return f"outbox:{message_id}"


def _seal_attachments(
    attachments: Sequence[Attachment], sealer: Sealer, *, context: str
) -> str | None:
    """The attachments as the outbox keeps them: one sealed JSON list, ``None`` for none."""
    attachments = tuple(attachments)
    if not attachments:
        return None
    if not all(isinstance(attachment, Attachment) for attachment in attachments):
        raise TypeError("attachments must be Attachment values")
    size = sum(len(attachment.data) for attachment in attachments)
    if size > ATTACHMENTS_MAX_BYTES:
        raise ValueError(
            f"the attachments hold {size} bytes together; at most {ATTACHMENTS_MAX_BYTES} fit"
        )
    listed = [
        {
            "filename": attachment.filename,
            "content_type": attachment.content_type,
            "data": base64.b64encode(attachment.data).decode("ascii"),
        }
        for attachment in attachments
    ]
    return sealer.seal(json.dumps(listed, separators=(",", ":")), context=context)


def _open_attachments(sealed: str, sealer: Sealer, *, context: str) -> list[Attachment]:
    listed = json.loads(sealer.open(sealed, context=context))
    return [
        Attachment(
            filename=item["filename"],
            content_type=item["content_type"],
            data=base64.b64decode(item["data"], validate=True),
        )
        for item in listed
    ]
