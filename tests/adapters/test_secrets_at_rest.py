"""After the account and login flows, the raw database holds none of the secrets used."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.notifications import Attachment, MailContent, new_email
from onzecoach.testing import FakeCalendarConnector, FrozenClock, RecordingMailer, RecordingSms
from support import make_settings

PASSWORDS = ["Koffie-Met-Melk-2026", "Wandelpad-1-Zonnig!", "Wandelpad-2-Zonnig!"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStorage]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'p.db'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
    storage = SqlStorage(url)
    storage.upgrade()
    yield storage
    storage.close()


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def everything_stored(storage: SqlStorage) -> str:
    """Every value of every row of every table, as one text."""
    parts: list[str] = []
    with storage.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_no_token_password_or_link_is_stored_in_clear(sql_storage: SqlStorage) -> None:
    mailer, sms, clock = (
        RecordingMailer(),
        RecordingSms(),
        FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)),
    )
    portal = Portal(
        storage=sql_storage, mailer=mailer, sms=sms, clock=clock, settings=make_settings()
    )
    secrets: list[str] = []

    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    portal.admin.invite_user(SERVICE_DESK, employer.id, email="anna@example.nl", username="anna.hr")
    portal.accounts.remind_username("niemand@example.nl")
    portal.accounts.request_password_reset("niemand")
    # Queued, not yet sent: the bodies wait in the outbox.
    queued = everything_stored(sql_storage)
    portal.outbox.dispatch_due()
    invitation = mailer.sent[0]
    link = re.search(r"https://\S+/registreren/(\S+)", plain_text(invitation))
    assert link
    secrets += [link.group(0), link.group(1)]

    enrollment = portal.accounts.register(link.group(1), PASSWORDS[0])
    secrets += [enrollment.token, PASSWORDS[0]]
    # Second factors: an SMS code, an app secret, the backup codes.
    portal.mfa.begin_sms(enrollment.token, "0612345678")
    sms_code = re.search(r"code is (\S+)\.", sms.sent[-1].text)
    assert sms_code
    secrets.append(sms_code.group(1))
    portal.mfa.confirm_sms(enrollment.token, sms_code.group(1))
    setup = portal.mfa.begin_totp(enrollment.token)
    secrets.append(setup.secret)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(clock.now()))
    backup_codes = portal.mfa.finish(enrollment.token)
    secrets += [*backup_codes, *(code.replace("-", "") for code in backup_codes)]
    # A login: its challenge, the SMS code it sends, the session it opens.
    clock.advance(timedelta(minutes=1))
    challenge = portal.auth.login("anna.hr", PASSWORDS[0])
    portal.auth.send_sms(challenge.token)
    login_code = re.search(r"code is (\S+)\.", sms.sent[-1].text)
    assert login_code
    session = portal.auth.verify(challenge.token, login_code.group(1), method="sms")
    secrets += [challenge.token, login_code.group(1), session.token]
    portal.accounts.request_password_reset("anna.hr")
    before_send = everything_stored(sql_storage)
    portal.outbox.dispatch_due()
    reset = re.search(
        r"https://\S+/wachtwoord-herstellen/(\S+)",
        plain_text(mailer.sent[-1]),
    )
    assert reset
    secrets += [reset.group(0), reset.group(1)]
    portal.accounts.reset_password(reset.group(1), PASSWORDS[1])
    secrets.append(PASSWORDS[1])

    stored = "\n".join([queued, before_send, everything_stored(sql_storage)])
    assert "anna.hr" in stored  # the dump does see the data; only secrets are absent
    for secret in secrets:
        assert secret not in stored, "a secret is stored in clear"


def test_an_attachment_is_stored_sealed_not_in_clear(sql_storage: SqlStorage) -> None:
    settings = make_settings()
    now = datetime(2026, 3, 2, tzinfo=UTC)
    # A calendar invitation names a person and the time of their session.
    invite = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Coachgesprek Anna van den Berg\r\n"
        b"DTSTART:20260303T093000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = new_email(
        settings,
        to="anna@example.nl",
        content=MailContent(subject="Je afspraak", greeting="Beste Anna,", paragraphs=["x"]),
        kind="booking",
        now=now,
        attachments=[Attachment("coachgesprek-anna.ics", "text/calendar", invite)],
    )
    with sql_storage.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()

    stored = everything_stored(sql_storage)
    assert "anna@example.nl" in stored  # the dump does see the row
    for clear in (
        "Coachgesprek Anna van den Berg",
        "VCALENDAR",
        "coachgesprek-anna.ics",
        base64.b64encode(invite).decode(),
        base64.b64encode(invite).decode()[:40],
    ):
        assert clear not in stored, "an attachment is stored in clear"


def test_a_coachs_calendar_password_and_feed_token_are_not_stored_in_clear(
    sql_storage: SqlStorage,
) -> None:
    portal = Portal(
        storage=sql_storage,
        mailer=RecordingMailer(),
        clock=FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)),
        settings=make_settings(),
        calendars=FakeCalendarConnector(),
    )
    coach = portal.coaches.invite(
        SERVICE_DESK,
        email="bas@example.nl",
        username="coach.bas",
        name="Bas Mulder",
        video_url="https://video.example.nl/bas",
    )
    password = "Agenda-Wachtwoord-Geheim-7"
    portal.coaches.link_calendar(
        SERVICE_DESK, coach.id, "https://agenda.example.nl/bas/werk/", "bas", password
    )
    feed = portal.coaches.rotate_feed(SERVICE_DESK, coach.id)
    token = feed.rsplit("/", 1)[1]
    stored = everything_stored(sql_storage)
    assert "agenda.example.nl/bas/werk" in stored  # the dump does see the link
    for secret in (password, feed, token):
        assert secret not in stored, "a secret is stored in clear"
