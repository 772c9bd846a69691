"""ConsoleMailer and ConsoleSms: what a developer sees in the terminal, and what is kept."""

from __future__ import annotations

import io
import sys
import threading
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from onzecoach.adapters.console import ConsoleMailer, ConsoleSms
from onzecoach.notifications import Action, Attachment, MailContent, compose_email, new_email
from onzecoach.testing import SmsMessage
from support import make_settings

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
SETTINGS = make_settings()
LINK = "https://portaal.example.nl/activeren/tok3n"


def an_invitation(to: str = "anna@example.nl") -> EmailMessage:
    content = MailContent(
        subject="Welkom bij OnzeCoach",
        greeting="Beste Anna,",
        paragraphs=["Je werkgever heeft een account voor je aangemaakt."],
        action=Action("Account activeren", LINK),
    )
    row = new_email(SETTINGS, to=to, content=content, kind="invitation", now=NOW)
    return compose_email(row, SETTINGS, now=NOW)


def test_the_mailer_prints_recipient_subject_and_plain_text() -> None:
    stream = io.StringIO()
    message = an_invitation()

    ConsoleMailer(stream).send(message)

    printed = stream.getvalue()
    assert "To: anna@example.nl" in printed
    assert "Subject: Welkom bij OnzeCoach" in printed
    assert "Beste Anna," in printed
    assert LINK in printed
    assert "<p>" not in printed  # the plain-text part, not the HTML one


def test_the_mailer_names_each_attachment_but_does_not_print_it() -> None:
    stream = io.StringIO()
    content = MailContent(subject="Je afspraak", greeting="Beste Anna,", paragraphs=["Tot dan."])
    invite = Attachment("afspraak.ics", "text/calendar; method=REQUEST", b"BEGIN:VCALENDAR\r\n")
    row = new_email(
        SETTINGS, to="anna@example.nl", content=content, kind="t", now=NOW, attachments=[invite]
    )

    ConsoleMailer(stream).send(compose_email(row, SETTINGS, now=NOW))

    printed = stream.getvalue()
    assert "Attachment: afspraak.ics (text/calendar, 17 bytes)" in printed
    assert "Beste Anna," in printed
    assert "BEGIN:VCALENDAR" not in printed


def test_the_mailer_keeps_what_it_sent_in_order() -> None:
    mailer = ConsoleMailer(io.StringIO())
    first, second = an_invitation("anna@example.nl"), an_invitation("bram@example.nl")

    mailer.send(first)
    mailer.send(second)

    assert mailer.sent == [first, second]


def test_a_mail_without_a_plain_text_part_still_shows_who_and_what() -> None:
    stream = io.StringIO()
    message = EmailMessage()
    message["To"] = "anna@example.nl"
    message["Subject"] = "Alleen HTML"
    message.set_content("<p>Hallo</p>", subtype="html")

    ConsoleMailer(stream).send(message)

    printed = stream.getvalue()
    assert "To: anna@example.nl" in printed
    assert "Subject: Alleen HTML" in printed
    assert "no plain-text part" in printed


def test_the_sms_sender_prints_recipient_and_text_and_keeps_them() -> None:
    stream = io.StringIO()
    sms = ConsoleSms(stream)

    sms.send("+31612345678", "Je OnzeCoach-code is 123456.")

    printed = stream.getvalue()
    assert "+31612345678" in printed
    assert "Je OnzeCoach-code is 123456." in printed
    assert sms.sent == [SmsMessage(to="+31612345678", text="Je OnzeCoach-code is 123456.")]


def test_standard_output_is_looked_up_when_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    mailer, sms = ConsoleMailer(), ConsoleSms()
    # Redirected after construction, as a test runner or a daemon might do.
    redirected = io.StringIO()
    monkeypatch.setattr(sys, "stdout", redirected)

    mailer.send(an_invitation())
    sms.send("+31612345678", "Je code is 654321.")

    printed = redirected.getvalue()
    assert "To: anna@example.nl" in printed
    assert "Je code is 654321." in printed


def test_concurrent_sends_are_all_kept_and_never_interleaved() -> None:
    stream = io.StringIO()
    sms = ConsoleSms(stream)
    texts = [f"Code {n:06d}" for n in range(200)]

    def send_all(part: list[str]) -> None:
        for text in part:
            sms.send("+31612345678", text)

    threads = [threading.Thread(target=send_all, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(m.text for m in sms.sent) == texts
    blocks = stream.getvalue().split("SMS to: ")[1:]
    assert len(blocks) == len(texts)
    for block in blocks:
        assert sum(text in block for text in texts) == 1
