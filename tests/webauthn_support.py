"""What the WebAuthn tests share: an enrolled HR user, the ceremonies a second apart, and
the refusal's code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage

import pytest

from onzecoach import Portal, VerificationFailed
from onzecoach.accounts import Enrollment
from onzecoach.actors import SERVICE_DESK
from onzecoach.testing import FrozenClock, RecordingMailer

__all__ = ["PASSWORD", "ask", "begin", "body", "enroll", "refused"]

PASSWORD = "Koffie-Met-Melk-2026"


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def enroll(portal: Portal, mailer: RecordingMailer, username: str = "anna.hr") -> Enrollment:
    employer = portal.admin.create_employer(SERVICE_DESK, f"Werkgever {username}")
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email=f"{username}@example.nl", username=username
    )
    portal.outbox.dispatch_due()
    token = re.search(r"/registreren/(\S+)", body(mailer.sent[-1]))
    assert token
    return portal.accounts.register(token.group(1), PASSWORD)


def begin(portal: Portal, token: str) -> str:
    """``begin_webauthn`` a second later than the last: a person is never quicker."""
    assert isinstance(portal.clock, FrozenClock)
    portal.clock.advance(timedelta(seconds=1))
    return portal.mfa.begin_webauthn(token)


def ask(portal: Portal, token: str) -> str:
    """``webauthn_options`` a second later than the last."""
    assert isinstance(portal.clock, FrozenClock)
    portal.clock.advance(timedelta(seconds=1))
    return portal.auth.webauthn_options(token)


@contextmanager
def refused(reason: str) -> Iterator[None]:
    with pytest.raises(VerificationFailed) as info:
        yield
    assert info.value.code == f"webauthn.{reason}"
