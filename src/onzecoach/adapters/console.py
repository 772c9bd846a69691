"""ConsoleMailer and ConsoleSms: the mail and SMS ports for local development.

Nothing leaves the machine: each message is printed, so a developer can follow the
invitation link or type the login code from the terminal. They print one-time links and
codes in full, which is the point here and the reason never to use them in production.
"""

from __future__ import annotations

import sys
import threading
from email.message import EmailMessage
from typing import TextIO

from onzecoach.notifications import SmsMessage

__all__ = ["ConsoleMailer", "ConsoleSms"]

_RULE = "-" * 72


class ConsoleMailer:
    """A ``Mailer`` that prints each mail (To, Subject, the plain-text part) to ``stream``.

    ``stream`` defaults to whatever ``sys.stdout`` is at the moment of sending, so that
    redirecting or capturing standard output after construction still works. Every sent
    message is also kept in ``sent``, oldest first.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.sent: list[EmailMessage] = []
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        rendering = _render_mail(message)
        # One lock around printing and recording keeps concurrent messages from interleaving.
        with self._lock:
            _write(self._stream, rendering)
            self.sent.append(message)

    def __repr__(self) -> str:
        return f"ConsoleMailer(sent={len(self.sent)})"


class ConsoleSms:
    """An ``SmsSender`` that prints each text message to ``stream``.

    ``stream`` defaults to ``sys.stdout`` at the moment of sending. Every sent message is
    also kept in ``sent`` (``.to``, ``.text``), oldest first.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.sent: list[SmsMessage] = []
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, to: str, text: str) -> None:
        rendering = "\n".join([_RULE, f"SMS to: {to}", "", text.rstrip("\n"), _RULE, ""])
        with self._lock:
            _write(self._stream, rendering)
            self.sent.append(SmsMessage(to=to, text=text))

    def __repr__(self) -> str:
        return f"ConsoleSms(sent={len(self.sent)})"


def _render_mail(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    if body is None:
        text = "(this mail has no plain-text part)"
    else:
        # get_content() returns str for text parts; anything else is shown as missing.
        content = body.get_content()
        text = content if isinstance(content, str) else "(this mail has no plain-text part)"
    attachments = [
        f"Attachment: {part.get_filename() or '(no name)'} ({part.get_content_type()}, "
        f"{len(part.get_payload(decode=True) or b'')} bytes)"
        for part in message.iter_attachments()
    ]
    lines = [
        _RULE,
        f"To: {message.get('To', '')}",
        f"Subject: {message.get('Subject', '')}",
        *attachments,
        "",
        text.rstrip("\n"),
        _RULE,
        "",
    ]
    return "\n".join(lines)


def _write(stream: TextIO | None, text: str) -> None:
    out = sys.stdout if stream is None else stream
    out.write(text)
    out.flush()
