"""Fakes for tests of applications that embed onzecoach, and the adapters' contract suites.

Use the fakes with ``onzecoach.adapters.memory.MemoryStorage`` for fast unit tests; the
real adapters have the same contracts. The calendar fakes (``FakeCalendarConnector``,
``FakeCalendar``, ``event_ics``) read iCalendar data and need the ``calendar`` extra when
used. ``onzecoach.testing.contracts`` ships those
contracts as pytest test classes for the author of an adapter to run; it needs ``pytest``
and ``hypothesis``, which this module itself never imports.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from email.message import EmailMessage

from onzecoach.clock import require_utc
from onzecoach.errors import VerificationFailed
from onzecoach.notifications import SmsMessage
from onzecoach.testing._calendars import FakeCalendar, FakeCalendarConnector, FakeEvent, event_ics

__all__ = [
    "FakeCalendar",
    "FakeCalendarConnector",
    "FakeEvent",
    "FakeYubikeyVerifier",
    "FrozenClock",
    "RecordingMailer",
    "RecordingSms",
    "SmsMessage",
    "event_ics",
    "otp_for",
]


class FrozenClock:
    """A clock that stands still until told to move."""

    def __init__(self, at: datetime) -> None:
        self._at = require_utc(at, "at")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a FrozenClock only moves forward")
        with self._lock:
            self._at += delta
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = require_utc(at, "at")

    def __repr__(self) -> str:
        return f"FrozenClock({self._at.isoformat()})"


class RecordingMailer:
    """A ``Mailer`` that keeps every message in ``sent``.

    ``fail_with`` makes every send raise that error (a ``MailDeliveryError``, say) until it
    is set back to ``None``.
    """

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.fail_with: Exception | None = None
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        with self._lock:
            if self.fail_with is not None:
                raise self.fail_with
            self.sent.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to ``address``, oldest first."""
        with self._lock:
            return [m for m in self.sent if m["To"] == address]


class RecordingSms:
    """An ``SmsSender`` that keeps every message in ``sent`` (``.to`` in E.164, ``.text``)."""

    def __init__(self) -> None:
        self.sent: list[SmsMessage] = []
        self.fail_with: Exception | None = None
        self._lock = threading.Lock()

    def send(self, to: str, text: str) -> None:
        with self._lock:
            if self.fail_with is not None:
                raise self.fail_with
            self.sent.append(SmsMessage(to=to, text=text))


def otp_for(public_id: str, counter: int) -> str:
    """A well-formed Yubico OTP for a key ``public_id`` (12 modhex characters)."""
    modhex = "cbdefghijklnrtuv"
    tail = "".join(modhex[(counter >> (4 * (i % 8))) & 15] for i in range(32))
    return public_id + tail


class FakeYubikeyVerifier:
    """A ``YubikeyVerifier`` that accepts every well-formed OTP once, like YubiCloud.

    An OTP in ``bad`` answers as BAD_OTP would.
    """

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.bad: set[str] = set()
        self._lock = threading.Lock()

    def verify(self, otp: str) -> None:
        with self._lock:
            if otp in self.bad:
                raise VerificationFailed("yubikey.malformed")
            if otp in self.seen:
                raise VerificationFailed("yubikey.replayed")
            self.seen.add(otp)
