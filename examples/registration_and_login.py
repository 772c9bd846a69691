"""Registration and login on an SQLite file: from the invitation mail to logging out.

The HR contact follows the link in the invitation mail, chooses a password that the
policy accepts, sets up an authenticator app, keeps the backup codes, and then logs in with
password and app code. The mail is kept by a ``RecordingMailer`` so the script can read
the link; the ``FrozenClock`` gives the app and the portal the same time::

    python examples/registration_and_login.py [path/to/portal.db]
"""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pyotp

from onzecoach import NotAuthenticated, PasswordPolicyError, Portal, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.testing import FrozenClock, RecordingMailer


def registration_token(mail: EmailMessage) -> str:
    """The one-time token: the last path segment of the link in the mail's plain text."""
    body = mail.get_body(("plain",))
    found = re.search(r"/registreren/(\S+)", str(body.get_content())) if body else None
    if found is None:
        raise RuntimeError("the invitation mail holds no registration link")
    return found.group(1)


def main(database: Path) -> None:
    storage = SqlStorage(f"sqlite:///{database}")
    storage.upgrade()  # creates or migrates the schema; safe at every start
    mailer = RecordingMailer()
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    portal = Portal(
        storage=storage,
        mailer=mailer,
        clock=clock,
        settings=Settings(base_url="http://localhost:5000", secret_key=secrets.token_urlsafe(32)),
    )

    # The service desk invites the HR contact; the dispatcher mails the one-time link.
    employer = portal.admin.create_employer(SERVICE_DESK, f"Voorbeeld B.V. ({database.stem})")
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="hr@voorbeeld.nl", username="hr.voorbeeld"
    )
    portal.outbox.dispatch_due()
    token = registration_token(mailer.to("hr@voorbeeld.nl")[-1])
    print(f"1. Uitnodiging gelezen: {mailer.sent[-1]['Subject']}")

    # A weak password is refused with every rule it breaks; the link stays usable.
    try:
        portal.accounts.register(token, "voorbeeld")
    except PasswordPolicyError as error:
        print(f"2. Wachtwoord geweigerd: {', '.join(error.violations)}")
    enrollment = portal.accounts.register(token, "Zonnebloem-Lantaarn-2026")
    print(f"3. Geregistreerd als {enrollment.username}")

    # The authenticator app: the QR code's secret, and a first code to prove it works.
    setup = portal.mfa.begin_totp(enrollment.token)
    app = pyotp.TOTP(setup.secret)
    portal.mfa.confirm_totp(enrollment.token, app.at(clock.now()))
    backup_codes = portal.mfa.finish(enrollment.token)  # shown once; stored only as hashes
    print(f"4. App ingesteld; {len(backup_codes)} back-up codes, bijv. {backup_codes[0]}")

    # Log in a time step later: a code that was used once is not accepted again.
    clock.advance(timedelta(seconds=app.interval))
    challenge = portal.auth.login("hr.voorbeeld", "Zonnebloem-Lantaarn-2026")
    methods = ", ".join(method.value for method in challenge.methods)
    session = portal.auth.verify(challenge.token, app.at(clock.now()), method="totp")
    print(f"5. Ingelogd met wachtwoord en app (mogelijk: {methods})")

    # Every request turns the session token into an Actor; after logout it is refused.
    actor = portal.auth.authenticate(session.token)
    print(f"6. Sessie hoort bij rol {actor.role.value}, werkgever {employer.name}")
    portal.auth.logout(session.token)
    try:
        portal.auth.authenticate(session.token)
    except NotAuthenticated as error:
        print(f"7. Uitgelogd; de sessie geldt niet meer: {error}")
    storage.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(Path(folder) / "portal.db")
