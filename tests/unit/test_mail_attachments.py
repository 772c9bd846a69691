"""Attachments of queued mails: what may be attached, how it is sealed, how it is sent."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import attrs
import pytest

from onzecoach.crypto import Sealer
from onzecoach.errors import DecryptionFailed
from onzecoach.ics import calendar, session_event
from onzecoach.notifications import (
    Attachment,
    MailContent,
    OutboxMessage,
    compose_email,
    new_email,
    new_sms,
    outbox_context,
)
from support import NEW_SECRET_KEY, make_settings

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SETTINGS = make_settings()
CONTENT = MailContent(subject="Je afspraak", greeting="Beste Anna,", paragraphs=["Tot dan."])
INVITE = calendar(
    [
        session_event(
            uid="afspraak-1@onzecoach",
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=1),
            summary="Coachgesprek met Jan de Vries",
            now=NOW,
            organizer="jan@coaching.example.nl",
            attendees=["anna@example.nl"],
        )
    ],
    method="REQUEST",
)
ICS = Attachment("afspraak.ics", "text/calendar; method=REQUEST; charset=utf-8", INVITE)
PDF = Attachment("verslag.pdf", "application/pdf", b"%PDF-1.7\n\x00\xff binary")


def mail(*attachments: Attachment) -> OutboxMessage:
    return new_email(
        SETTINGS, to="anna@example.nl", content=CONTENT, kind="t", now=NOW, attachments=attachments
    )


def sent(message: OutboxMessage) -> EmailMessage:
    """The mail as it arrives: written out and read back."""
    wire = compose_email(message, SETTINGS, now=NOW).as_bytes()
    parsed = email.message_from_bytes(wire, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


# The value ---------------------------------------------------------------------------------


def test_an_attachment_shows_no_data_in_its_repr() -> None:
    assert "BEGIN:VCALENDAR" not in repr(ICS)
    assert "afspraak.ics" in repr(ICS)


def test_the_content_type_is_parsed_with_its_parameters() -> None:
    assert (ICS.maintype, ICS.subtype) == ("text", "calendar")
    assert dict(ICS.params) == {"method": "REQUEST", "charset": "utf-8"}
    assert dict(PDF.params) == {}
    quoted = Attachment("a.txt", 'Text/Plain; Name="a b.txt"', b"")
    assert (quoted.maintype, quoted.subtype, dict(quoted.params)) == (
        "text",
        "plain",
        {"name": "a b.txt"},
    )


@pytest.mark.parametrize(
    ("filename", "content_type", "message"),
    [
        ("", "text/plain", "filename"),
        ("../etc/passwd", "text/plain", "filename"),
        ("map\\bestand.txt", "text/plain", "filename"),
        ("a\nb.txt", "text/plain", "filename"),
        (" a.txt", "text/plain", "filename"),
        ("x" * 201, "text/plain", "filename"),
        ("a.txt", "text", "content_type"),
        ("a.txt", "", "content_type"),
        ("a.txt", "text/plain\r\nBcc: iemand@example.nl", "content_type"),
        ("a.txt", "text/plain; charset", "content_type"),
        ("a.txt", "multipart/mixed", "content_type"),
        ("a.txt", "message/rfc822", "content_type"),
    ],
)
def test_a_bad_file_name_or_content_type_is_refused(
    filename: str, content_type: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Attachment(filename, content_type, b"x")


def test_data_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="bytes"):
        Attachment("a.txt", "text/plain", "tekst")  # type: ignore[arg-type]


# Queued ---------------------------------------------------------------------------------------


def test_a_mail_without_attachments_stores_none() -> None:
    assert mail().attachments is None
    assert new_sms(SETTINGS, to="+31612345678", text="x", kind="t", now=NOW).attachments is None


def test_the_attachments_are_sealed_to_their_own_message() -> None:
    queued = mail(ICS, PDF)
    assert queued.attachments is not None
    assert b"VCALENDAR" not in queued.attachments.encode()
    assert "afspraak.ics" not in queued.attachments  # the names too
    assert "afspraak.ics" not in repr(queued)
    # Moved to another row, the sealed value does not open.
    other = attrs.evolve(mail(), attachments=queued.attachments)
    with pytest.raises(DecryptionFailed):
        compose_email(other, SETTINGS, now=NOW)


def test_the_service_desk_sees_that_a_mail_has_attachments_and_no_more() -> None:
    assert mail(ICS).view().has_attachments
    assert not mail().view().has_attachments


def test_too_many_bytes_together_are_refused() -> None:
    half = Attachment("a.bin", "application/octet-stream", b"\x00" * (2_700_000))
    mail(half)
    with pytest.raises(ValueError, match="at most"):
        mail(half, half)


def test_attachments_must_be_attachment_values() -> None:
    with pytest.raises(TypeError, match="Attachment"):
        mail(("a.txt", "text/plain", b"x"))  # type: ignore[arg-type]


# Sent -----------------------------------------------------------------------------------------


def test_the_mail_carries_its_bodies_and_then_each_attachment_intact() -> None:
    received = sent(mail(ICS, PDF))
    assert received.get_content_type() == "multipart/mixed"
    [alternative, *_] = received.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain = received.get_body(("plain",))
    assert plain is not None
    assert "Beste Anna," in plain.get_content()
    invite, pdf = received.iter_attachments()
    assert invite.get_filename() == "afspraak.ics"
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_param("charset") == "utf-8"
    assert invite.get_payload(decode=True) == INVITE
    assert pdf.get_filename() == "verslag.pdf"
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_payload(decode=True) == PDF.data


def test_a_mail_without_attachments_stays_multipart_alternative() -> None:
    received = sent(mail())
    assert received.get_content_type() == "multipart/alternative"
    assert list(received.iter_attachments()) == []


def test_a_non_ascii_file_name_arrives_as_it_was() -> None:
    named = Attachment("afspraak één.ics", "text/calendar; method=PUBLISH", b"x")
    [part] = sent(mail(named)).iter_attachments()
    assert part.get_filename() == "afspraak één.ics"
    assert part.get_param("method") == "PUBLISH"


def test_attachments_sealed_under_an_old_key_still_open() -> None:
    queued = mail(ICS)
    rotated = make_settings(secret_key=NEW_SECRET_KEY, old_secret_keys=(SETTINGS.secret_key,))
    [part] = compose_email(queued, rotated, now=NOW).iter_attachments()
    assert part.get_payload(decode=True) == INVITE
    sealer = Sealer(NEW_SECRET_KEY)
    assert queued.attachments is not None
    with pytest.raises(DecryptionFailed):
        sealer.open(queued.attachments, context=outbox_context(queued.id))
