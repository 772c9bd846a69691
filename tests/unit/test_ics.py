"""onzecoach.ics: what the calendar files say, read back with the icalendar library."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from typing import Any, Final
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onzecoach.ics import PRODID, CalendarEvent, calendar, session_event

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
COACH = Address("Jan de Vries", addr_spec="jan@coaching.example.nl")
ANNA = Address('Berg, van den; A.M. "Anna"', addr_spec="anna@example.nl")


def event(**changes: Any) -> CalendarEvent:
    values: dict[str, Any] = {
        "uid": "0190f3a2b4c5d6e7f8091a2b3c4d5e6f@onzecoach",
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "summary": "Coachgesprek met Jan de Vries",
        "now": NOW,
        "organizer": COACH,
        "attendees": [ANNA],
    }
    return session_event(**{**values, **changes})


def parsed(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def the_event(data: bytes) -> icalendar.Event:
    [found] = parsed(data).walk("VEVENT")
    assert isinstance(found, icalendar.Event)
    return found


_ESCAPE: Final = re.compile(r"\\([\\;,nN])")


def text(data: bytes, name: str) -> str:
    """A TEXT property of the calendar's one event, unfolded and unescaped as RFC 5545 says
    (3.1, 3.3.11). Read from the content lines: icalendar 7 reads an escaped ``\\\\N``
    (a backslash, then N) as a backslash and a line break."""
    lines = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
    [value] = [line.split(":", 1)[1] for line in lines if re.match(rf"{name}[:;]", line)]
    return _ESCAPE.sub(lambda found: "\n" if found[1] in "nN" else found[1], value)


# What is written -----------------------------------------------------------------------------


def test_a_request_carries_the_event_in_utc_with_its_uid_and_sequence() -> None:
    data = calendar([event(sequence=2)], method="REQUEST")
    cal = parsed(data)
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "REQUEST"
    found = the_event(data)
    assert str(found["UID"]) == "0190f3a2b4c5d6e7f8091a2b3c4d5e6f@onzecoach"
    assert found.decoded("DTSTART") == START
    assert found.decoded("DTEND") == START + timedelta(hours=1)
    assert found.decoded("DTSTAMP") == NOW
    assert found.decoded("DTSTART").utcoffset() == timedelta(0)
    assert found.decoded("SEQUENCE") == 2
    assert str(found["STATUS"]) == "CONFIRMED"
    # Written as UTC itself, not with a zone a client would have to know.
    assert b"DTSTART:20260302T093000Z\r\n" in data
    assert b"VTIMEZONE" not in data
    assert b"TZID" not in data


def test_a_time_in_amsterdam_is_written_as_the_same_moment_in_utc() -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    local = datetime(2026, 7, 1, 11, 0, tzinfo=amsterdam)  # summer: UTC+2
    found = the_event(
        calendar([event(starts_at=local, ends_at=local + timedelta(minutes=45))], method=None)
    )
    assert found.decoded("DTSTART") == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert found.decoded("DTEND") == datetime(2026, 7, 1, 9, 45, tzinfo=UTC)


def test_the_organizer_and_attendee_carry_their_names() -> None:
    found = the_event(calendar([event()], method="REQUEST"))
    organizer, attendee = found["ORGANIZER"], found["ATTENDEE"]
    assert str(organizer) == "mailto:jan@coaching.example.nl"
    assert organizer.params["CN"] == "Jan de Vries"
    assert str(attendee) == "mailto:anna@example.nl"
    # ; , and " in a name survive the parameter quoting.
    assert attendee.params["CN"] == 'Berg, van den; A.M. "Anna"'
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"


def test_optional_fields_are_written_only_when_given() -> None:
    bare = the_event(calendar([event(organizer=None, attendees=())], method=None))
    for name in ("DESCRIPTION", "LOCATION", "URL", "CLASS", "ORGANIZER", "ATTENDEE"):
        assert name not in bare
    written = calendar(
        [
            event(
                description="Het eerste gesprek.",
                location="Oudegracht 1, Utrecht",
                url="https://portaal.example.nl/plannen/afspraak?id=1;2",
                private=True,
            )
        ],
        method=None,
    )
    full = the_event(written)
    assert text(written, "DESCRIPTION") == "Het eerste gesprek."
    assert text(written, "LOCATION") == "Oudegracht 1, Utrecht"
    assert str(full["URL"]) == "https://portaal.example.nl/plannen/afspraak?id=1;2"
    assert str(full["CLASS"]) == "PRIVATE"


def test_a_calendar_for_caldav_has_no_method_and_a_named_one_its_name() -> None:
    cal = parsed(calendar([event()], method=None, name="OnzeCoach: sessies van één coach"))
    assert "METHOD" not in cal
    assert str(cal["NAME"]) == "OnzeCoach: sessies van één coach"
    assert str(cal["X-WR-CALNAME"]) == "OnzeCoach: sessies van één coach"


def test_the_same_event_renders_to_the_same_bytes() -> None:
    assert calendar([event()], method="REQUEST") == calendar([event()], method="REQUEST")


def test_lines_end_in_crlf() -> None:
    data = calendar([event(description="een\ntwee")], method="REQUEST")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


# Changes to an event ----------------------------------------------------------------------


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence() -> None:
    booked = event(sequence=1)
    later = NOW + timedelta(hours=5)
    found = the_event(calendar([booked.cancelled(now=later)], method="CANCEL"))
    assert str(found["UID"]) == booked.uid
    assert str(found["STATUS"]) == "CANCELLED"
    assert found.decoded("SEQUENCE") == 2
    assert found.decoded("DTSTAMP") == later
    assert found.decoded("DTSTART") == START


def test_a_moved_event_keeps_the_uid_and_raises_the_sequence() -> None:
    booked = event()
    moved = booked.moved(
        starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=1), now=NOW
    )
    found = the_event(calendar([moved], method="REQUEST"))
    assert (str(found["UID"]), found.decoded("SEQUENCE")) == (booked.uid, 1)
    assert found.decoded("DTSTART") == START + timedelta(days=1)


# Texts ---------------------------------------------------------------------------------------


def test_semicolons_commas_backslashes_and_newlines_are_escaped_and_read_back() -> None:
    summary = "Gesprek; met Anna, Bram\\Cees"
    description = "Regel één\nRegel twee; met, tekens\n\nNa een witregel"
    data = calendar([event(summary=summary, description=description)], method="REQUEST")
    assert b"SUMMARY:Gesprek\\; met Anna\\, Bram\\\\Cees\r\n" in data
    assert b"\\n" in data  # the line breaks, escaped
    found = the_event(data)
    assert str(found["SUMMARY"]) == summary  # as the library reads it, too
    assert text(data, "SUMMARY") == summary
    assert text(data, "DESCRIPTION") == description


def test_a_typed_backslash_before_n_stays_a_backslash_and_a_letter() -> None:
    summary = "Map C:\\Notes\\nieuw"  # a backslash before N and before n, no line break
    data = calendar([event(summary=summary, description="\\N")], method="REQUEST")
    assert b"SUMMARY:Map C:\\\\Notes\\\\nieuw\r\n" in data
    assert b"DESCRIPTION:\\\\N\r\n" in data
    assert text(data, "SUMMARY") == summary
    assert text(data, "DESCRIPTION") == "\\N"


def test_non_ascii_is_written_as_utf8_and_read_back() -> None:
    summary = "Coachgesprek: café Zoë, €15 🙂, 日本語"
    data = calendar([event(summary=summary)], method=None)
    assert summary.replace(",", "\\,").encode() in data.replace(b"\r\n ", b"")
    assert text(data, "SUMMARY") == summary


def test_every_kind_of_line_break_becomes_the_one_icalendar_knows() -> None:
    made = event(description="een\r\ntwee\rdrie\nvier")
    assert made.description == "een\ntwee\ndrie\nvier"
    assert text(calendar([made], method=None), "DESCRIPTION") == made.description


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character() -> None:
    description = "Één lange regel met tekens als é, ü en 🙂 " * 20
    data = calendar([event(description=description, location="x" * 300)], method="REQUEST")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(len(line) > 70 for line in lines)  # folded, not written short
    for line in lines:
        line.decode("utf-8")  # each folded line is whole UTF-8
    assert text(data, "DESCRIPTION") == description
    assert text(data, "LOCATION") == "x" * 300


#: Printable text: what a person types, line breaks and tabs included; no other control
#: character and no lone surrogate, which iCalendar cannot carry.
PRINTABLE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\n\t"),
    min_size=1,
    max_size=300,
)


@given(summary=PRINTABLE.filter(str.strip), description=PRINTABLE)
def test_any_printable_summary_and_description_round_trip(summary: str, description: str) -> None:
    data = calendar(
        [event(summary=summary, description=description, location=description)],
        method="REQUEST",
    )
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    assert text(data, "SUMMARY") == summary
    assert text(data, "DESCRIPTION") == description
    assert text(data, "LOCATION") == description


# What is refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": "Gesprek\x00"}, "summary holds a character"),
        ({"description": "een\x0btwee"}, "description holds a character"),
        ({"location": "\x1b[31mrood"}, "location holds a character"),
        ({"summary": "  "}, "summary must be text that is not empty"),
        ({"uid": ""}, "uid must be"),
        ({"uid": "a\nb"}, "uid must be"),
        ({"uid": "x" * 256}, "uid must be"),
        ({"url": "javascript:alert(1)"}, "url must be"),
        ({"url": "https://x.nl/a\nb"}, "url must be"),
        ({"sequence": -1}, "sequence must be"),
        ({"sequence": True}, "sequence must be"),
        ({"status": "confirmed"}, "status must be"),
        ({"ends_at": START}, "ends_at"),
        ({"starts_at": datetime(2026, 3, 2, 9, 30)}, "timezone-aware"),  # noqa: DTZ001
        ({"now": datetime(2026, 3, 2, 9, 30)}, "timezone-aware"),  # noqa: DTZ001
        ({"organizer": "geen adres"}, "not an email address"),
        ({"attendees": [Address("Anna\x07", addr_spec="anna@example.nl")]}, "printable"),
    ],
)
def test_what_icalendar_cannot_carry_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        event(**changes)


def test_one_address_for_the_attendees_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="sequence of addresses"):
        event(attendees="anna@example.nl")


@pytest.mark.parametrize(
    ("events", "method", "message"),
    [
        ([], None, "at least one event"),
        ([event(organizer=None)], "REQUEST", "organizer"),
        ([event(organizer=None).cancelled(now=NOW)], "CANCEL", "organizer"),
        ([event(attendees=())], "REQUEST", "attendee"),
        ([event()], "PUBLISH", "names no attendees"),
        ([event()], "CANCEL", "cancelled event"),
        ([event().cancelled(now=NOW)], "REQUEST", "method CANCEL"),
        ([event(), event(uid="another@onzecoach")], "REQUEST", "one event"),
        ([event()], "REPLY", "method must be"),
    ],
)
def test_an_itip_message_rfc_5546_does_not_allow_is_refused(
    events: list[CalendarEvent], method: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        calendar(events, method=method)


def test_a_calendar_without_a_method_may_hold_several_events() -> None:
    second = event(uid="another@onzecoach", organizer=None, attendees=())
    data = calendar([event(), second], method=None)
    assert [str(e["UID"]) for e in parsed(data).walk("VEVENT")] == [event().uid, second.uid]


def test_a_publish_shows_the_event_without_attendees() -> None:
    found = the_event(calendar([event(attendees=())], method="PUBLISH"))
    assert "ATTENDEE" not in found


def test_a_calendar_name_with_a_control_character_is_refused() -> None:
    with pytest.raises(ValueError, match="name holds a character"):
        calendar([event()], method=None, name="Sessies\x07")


def test_every_printable_ascii_character_survives_in_every_text_field() -> None:
    ascii_text = string.printable.replace("\r", "").replace("\x0b", "").replace("\x0c", "")
    data = calendar(
        [event(summary=ascii_text, description=ascii_text, location=ascii_text)],
        method=None,
    )
    for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
        assert text(data, name) == ascii_text
