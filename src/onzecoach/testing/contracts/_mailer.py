"""The contract of the ``Mailer`` port: what every mail adapter does."""

from __future__ import annotations

import secrets as _random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Literal

import pytest

from onzecoach import MailDeliveryError, Settings
from onzecoach.ics import calendar, session_event
from onzecoach.notifications import (
    Action,
    Attachment,
    MailContent,
    Mailer,
    compose_email,
    new_email,
)
from onzecoach.testing.contracts._delivery import assert_shows_none

__all__ = ["MailFailure", "MailerContract", "mailbox_of"]

#: How a mail server fails, as ``failing_mailer`` stages it.
MailFailure = Literal["refused", "busy", "unreachable", "partly_delivered"]

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ANNA = "anna@example.nl"
BRAM = "bram@example.nl"
#: The one-time link the mail carries: as good as a password while it is valid.
LINK = "https://portaal.example.nl/activeren/tok3n-Zq8pW4xRtL6m"
CONTENT = MailContent(
    subject="Welkom bij OnzeCoach: één klik en je account is actief",
    greeting="Beste Anna,",
    paragraphs=[
        "Je werkgever heeft een account voor je aangemaakt. Eén klik en je bent binnen.",
        "De link is 72 uur geldig.",
    ],
    action=Action("Account activeren", LINK),
    english=["Your employer created an account for you; the link is valid for 72 hours."],
)
#: A booking's calendar invitation, as a mail carries it.
INVITATION = Attachment(
    "afspraak.ics",
    "text/calendar; method=REQUEST; charset=utf-8",
    calendar(
        [
            session_event(
                uid="contract-afspraak@onzecoach",
                starts_at=NOW + timedelta(days=2),
                ends_at=NOW + timedelta(days=2, hours=1),
                summary="Coachgesprek met Jan de Vries; één uur",
                description="Oudegracht 1, Utrecht.\nTot dan!",
                now=NOW,
                organizer="jan@coaching.example.nl",
                attendees=[ANNA],
            )
        ],
        method="REQUEST",
    ),
)


def a_mail(*to: str, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """The mail the outbox would hand over: multipart, Dutch, with a one-time link."""
    settings = Settings(base_url="https://portaal.example.nl", secret_key=_random.token_urlsafe(32))
    row = new_email(
        settings, to=to[0], content=CONTENT, kind="contract", now=NOW, attachments=attachments
    )
    message = compose_email(row, settings, now=NOW)
    message.replace_header("To", ", ".join(to))
    return message


def mailbox_of(messages: Sequence[EmailMessage], address: str) -> list[EmailMessage]:
    """The messages among ``messages`` whose To names ``address``, for a ``mailbox`` fixture
    over a mailer that keeps what it sends (``RecordingMailer.sent``)."""
    wanted = Address(addr_spec=address).addr_spec.casefold()
    return [
        message
        for message in messages
        if any(found.casefold() == wanted for _, found in getaddresses(message.get_all("To", [])))
    ]


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain and the HTML text, with the line ends SMTP puts on the wire made local."""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None, "no text/plain part"
    assert html is not None, "no text/html part"
    plain_text: str = plain.get_content()
    html_text: str = html.get_content()
    return plain_text.replace("\r\n", "\n"), html_text.replace("\r\n", "\n")


def assert_arrived_whole(received: EmailMessage, sent: EmailMessage) -> None:
    for header in ("Subject", "From", "To", "Date", "Message-ID"):
        assert received[header] == sent[header], header
    assert received.get_content_type() == "multipart/alternative"
    assert bodies(received) == bodies(sent)


class MailerContract:
    """What every ``Mailer`` does; subclass it in a test module and provide the fixtures.

    ``mailer``
        The ``Mailer`` under test, sending to a server (or a fake of one) that takes every
        message.
    ``mailbox``
        A callable: given an address, the messages that arrived for it so far, oldest
        first, as ``EmailMessage`` objects. It sees what ``mailer`` and every mailer of
        ``failing_mailer`` delivered.
    ``failing_mailer``
        A callable: given a ``MailFailure``, a ``Mailer`` whose server fails that way.
        ``"refused"``: it refuses every message for good (an SMTP 5xx answer);
        ``"busy"``: it refuses every message for now (a 4xx answer, greylisting, a full
        disk); ``"unreachable"``: nothing answers (no connection, or none in time);
        ``"partly_delivered"``: it takes the message for the first address in To and
        refuses the others for now. Call ``pytest.skip`` for a failure your server cannot
        have (an API that takes all recipients or none is never partly delivered).
    ``secrets`` (optional)
        The credentials the mailers were made with, which no error message and no repr may
        show. None by default.
    """

    @pytest.fixture
    def secrets(self) -> Sequence[str]:
        """The credentials the mailers were made with; none unless a subclass says."""
        return ()

    def test_a_mail_arrives_whole(
        self, mailer: Mailer, mailbox: Callable[[str], Sequence[EmailMessage]]
    ) -> None:
        sent = a_mail(ANNA)
        mailer.send(sent)
        [received] = mailbox(ANNA)
        assert_arrived_whole(received, sent)
        plain, html = bodies(received)
        assert "Eén klik en je bent binnen." in plain
        assert LINK in plain
        assert f'href="{LINK}"' in html

    def test_a_calendar_invitation_arrives_intact_and_as_an_invitation(
        self, mailer: Mailer, mailbox: Callable[[str], Sequence[EmailMessage]]
    ) -> None:
        sent = a_mail(ANNA, attachments=[INVITATION])
        mailer.send(sent)
        [received] = mailbox(ANNA)
        assert received["Message-ID"] == sent["Message-ID"]
        assert received.get_content_type() == "multipart/mixed"
        assert bodies(received) == bodies(sent)
        [part] = received.iter_attachments()
        assert part.get_filename() == "afspraak.ics"
        # The method parameter is what a mail client offers to add to the calendar.
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "REQUEST"
        assert part.get_param("charset") == "utf-8"
        assert part.get_payload(decode=True) == INVITATION.data, "the invitation changed"

    def test_every_address_in_to_gets_the_mail_once(
        self, mailer: Mailer, mailbox: Callable[[str], Sequence[EmailMessage]]
    ) -> None:
        sent = a_mail(ANNA, f"Bram Visser <{BRAM}>")
        mailer.send(sent)
        for address in (ANNA, BRAM):
            [received] = mailbox(address)
            assert_arrived_whole(received, sent)
        assert mailbox("cees@example.nl") == []

    def test_each_mail_arrives_as_its_own(
        self, mailer: Mailer, mailbox: Callable[[str], Sequence[EmailMessage]]
    ) -> None:
        sent = [a_mail(ANNA) for _ in range(3)]
        for message in sent:
            mailer.send(message)
        assert [m["Message-ID"] for m in mailbox(ANNA)] == [m["Message-ID"] for m in sent]

    def test_a_refusal_for_good_is_permanent(
        self,
        failing_mailer: Callable[[MailFailure], Mailer],
        mailbox: Callable[[str], Sequence[EmailMessage]],
    ) -> None:
        error = failure(failing_mailer("refused"), ANNA)
        assert error.permanent, "a refusal for good must be permanent: no retry can help"
        assert not error.unreachable, "a server that answered was reached"
        assert mailbox(ANNA) == []

    def test_a_refusal_for_now_is_worth_another_try(
        self,
        failing_mailer: Callable[[MailFailure], Mailer],
        mailbox: Callable[[str], Sequence[EmailMessage]],
    ) -> None:
        error = failure(failing_mailer("busy"), ANNA)
        assert not error.permanent, "a refusal for now is worth another try"
        assert not error.unreachable, "a server that answered was reached"
        assert mailbox(ANNA) == []

    def test_a_server_out_of_reach_is_unreachable_and_worth_another_try(
        self,
        failing_mailer: Callable[[MailFailure], Mailer],
        mailbox: Callable[[str], Sequence[EmailMessage]],
    ) -> None:
        error = failure(failing_mailer("unreachable"), ANNA)
        assert error.unreachable, "the outbox must know that the next mail would wait as long"
        assert not error.permanent, "the server may be back later"
        assert mailbox(ANNA) == []

    def test_a_mail_that_some_recipients_have_is_not_sent_again(
        self,
        failing_mailer: Callable[[MailFailure], Mailer],
        mailbox: Callable[[str], Sequence[EmailMessage]],
    ) -> None:
        error = failure(failing_mailer("partly_delivered"), ANNA, BRAM)
        # A retry would give Anna a second copy.
        assert error.permanent, "once any recipient has the mail, a failure must be permanent"
        assert len(mailbox(ANNA)) == 1
        assert mailbox(BRAM) == []

    @pytest.mark.parametrize("how", ["refused", "busy", "unreachable", "partly_delivered"])
    def test_no_error_shows_a_secret_or_the_link(
        self,
        failing_mailer: Callable[[MailFailure], Mailer],
        secrets: Sequence[str],
        how: MailFailure,
    ) -> None:
        failing = failing_mailer(how)
        error = failure(failing, ANNA, BRAM)
        for shown, what in ((str(error), "the error"), (repr(error), "the error's repr")):
            assert_shows_none(shown, [*secrets, LINK, "tok3n-Zq8pW4xRtL6m"], what)
        assert_shows_none(repr(failing), secrets, "the mailer's repr")

    def test_the_repr_shows_no_secret(self, mailer: Mailer, secrets: Sequence[str]) -> None:
        assert_shows_none(repr(mailer), secrets, "the mailer's repr")


def failure(mailer: Mailer, *to: str) -> MailDeliveryError:
    """The ``MailDeliveryError`` that sending a mail to ``to`` raises."""
    with pytest.raises(MailDeliveryError) as raised:
        mailer.send(a_mail(*to))
    return raised.value
