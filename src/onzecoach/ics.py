"""Coaching sessions as iCalendar (RFC 5545) events: for the invitation a mail carries, and
for the event written into a coach's CalDAV calendar.

Times are written in UTC (``DTSTART:20260302T090000Z``): every mail client and CalDAV
server reads them, none needs a VTIMEZONE, and each shows the session in its user's own
zone. ``DTSTAMP`` is the ``now`` a caller passes, never a clock read here, so the same
event renders to the same bytes.

A calendar with a ``method`` is an iTIP message (RFC 5546): ``REQUEST`` invites to or
updates an event, ``CANCEL`` withdraws it, ``PUBLISH`` only shows it. An update or a
cancellation keeps the event's ``uid`` and raises its ``sequence``
(``CalendarEvent.moved``, ``CalendarEvent.cancelled``); without that, a calendar keeps
the old event beside the new one. A calendar for a CalDAV server has no method
(RFC 4791, 4.1).

What cannot be written correctly is refused with ``ValueError`` rather than dropped or
bent: a control character in a text, a naive time, an end before the start, an iTIP
message without the organizer or attendees RFC 5546 requires. Texts are escaped as RFC
5545 says (``_escaped``) and long lines folded at 75 octets by the ``icalendar`` library; a
line break in a text is kept (``\\r\\n`` and ``\\r`` become ``\\n``, as iCalendar knows only
one).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import attrs

from onzecoach.clock import utc

if TYPE_CHECKING:
    import icalendar

# icalendar is imported in the functions that use it, not here: importing it reads the
# system's time zone files and importing onzecoach reads no file.

__all__ = [
    "PRODID",
    "CalendarEvent",
    "EventStatus",
    "Method",
    "calendar",
    "session_event",
]

#: Who wrote the calendar, as RFC 5545 wants it named.
PRODID: Final = "-//onzecoach//onzecoach//NL"

#: What an iTIP message does with its events (RFC 5546, 1.4).
Method = Literal["REQUEST", "CANCEL", "PUBLISH"]
#: The state of an event (RFC 5545, 3.8.1.11).
EventStatus = Literal["TENTATIVE", "CONFIRMED", "CANCELLED"]

_METHODS: Final = frozenset(get_args(Method))
_STATUSES: Final = frozenset(get_args(EventStatus))
#: The longest UID written; RFC 7986 and the CalDAV servers in use take 255 octets.
_UID_MAX: Final = 255
_URL: Final = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.ASCII)


def _lines(value: str) -> str:
    """A text with every line break as ``\\n``: what iCalendar writes for each kind."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _escaped(value: str) -> str:
    """A TEXT value escaped as RFC 5545 says (3.3.11): the backslash first, then ``;``,
    ``,`` and the line break. icalendar 7's own escaping first takes a typed ``\\N`` for
    an escaped line break, so ``C:\\Notes`` arrived in a calendar as two lines."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@functools.cache
def _text_type() -> type[icalendar.vText]:
    from icalendar import vText  # noqa: PLC0415 - on first use, see above

    class _Text(vText):
        """``vText`` written with ``_escaped``."""

        def to_ical(self) -> bytes:
            return _escaped(str(self)).encode("utf-8")

    return _Text


def _text(value: str) -> icalendar.vText:
    return _text_type()(value)


def _optional_lines(value: str | None) -> str | None:
    return None if value is None else _lines(value)


def _refuse_control(name: str, value: str) -> None:
    """An iCalendar TEXT has no control character but the tab and the line break
    (RFC 5545, 3.3.11), and no lone surrogate, which no UTF-8 encoder takes."""
    for char in value:
        if char not in "\t\n" and unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError(f"{name} holds a character iCalendar cannot carry: {char!r}")


def _check_text(_: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, got {type(value).__name__}")
    _refuse_control(attribute.name, value)


def _check_summary(_: Any, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be text that is not empty, got {value!r}")
    _refuse_control(attribute.name, value)


def _check_uid(_: Any, attribute: attrs.Attribute[str], value: object) -> None:
    if not (
        isinstance(value, str)
        and 0 < len(value.encode("utf-8", "surrogatepass")) <= _UID_MAX
        and value.isprintable()
        and value.strip() == value
    ):
        raise ValueError(
            f"{attribute.name} must be 1 to {_UID_MAX} octets of printable text without "
            f"surrounding spaces, got {value!r}"
        )


def _check_url(_: Any, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and not (isinstance(value, str) and _URL.fullmatch(value)):
        raise ValueError(f"{attribute.name} must be an absolute http(s) URL, got {value!r}")


def _check_sequence(_: Any, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{attribute.name} must be a whole number of at least 0, got {value!r}")


def _check_status(_: Any, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in _STATUSES:
        raise ValueError(f"{attribute.name} must be one of {sorted(_STATUSES)}, got {value!r}")


def _address(value: Address | str) -> Address:
    """A person's address: an ``Address`` as is, a string as a bare address."""
    if isinstance(value, Address):
        address = value
    elif isinstance(value, str):
        try:
            address = Address(addr_spec=value)
        except (HeaderParseError, IndexError, ValueError) as exc:
            raise ValueError(f"not an email address: {value!r}") from exc
    else:
        raise TypeError(f"an address must be an Address or a str, got {type(value).__name__}")
    if not address.username or not address.domain:
        raise ValueError(f"not an email address: {value!r}")
    for part in (address.display_name, address.addr_spec):
        if not part.isprintable():
            raise ValueError(f"an address must be printable, got {value!r}")
    return address


def _optional_address(value: Address | str | None) -> Address | None:
    return None if value is None else _address(value)


def _addresses(values: Iterable[Address | str]) -> tuple[Address, ...]:
    if isinstance(values, (str, Address)):
        raise TypeError("attendees must be a sequence of addresses, not one address")
    return tuple(_address(value) for value in values)


@attrs.frozen
class CalendarEvent:
    """One coaching session as a calendar event (a VEVENT).

    Made by ``session_event``; ``calendar`` writes events out. Every time is held in UTC.
    ``private`` marks the event ``CLASS:PRIVATE``, so a calendar shared with colleagues
    shows that time as taken and hides what it is.
    """

    uid: str = attrs.field(validator=_check_uid)
    starts_at: datetime = attrs.field(converter=utc)
    ends_at: datetime = attrs.field(converter=utc)
    summary: str = attrs.field(converter=_lines, validator=_check_summary)
    stamp: datetime = attrs.field(converter=utc)
    description: str | None = attrs.field(
        default=None, converter=_optional_lines, validator=_check_text
    )
    location: str | None = attrs.field(
        default=None, converter=_optional_lines, validator=_check_text
    )
    url: str | None = attrs.field(default=None, validator=_check_url)
    sequence: int = attrs.field(default=0, validator=_check_sequence)
    status: EventStatus = attrs.field(default="CONFIRMED", validator=_check_status)
    organizer: Address | None = attrs.field(default=None, converter=_optional_address)
    attendees: tuple[Address, ...] = attrs.field(default=(), converter=_addresses)
    private: bool = False

    def __attrs_post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"ends_at ({self.ends_at.isoformat()}) must be after starts_at "
                f"({self.starts_at.isoformat()})"
            )

    def moved(self, *, starts_at: datetime, ends_at: datetime, now: datetime) -> CalendarEvent:
        """The same event at another time: the next ``sequence``, so calendars replace it."""
        return attrs.evolve(
            self,
            starts_at=starts_at,
            ends_at=ends_at,
            stamp=now,
            sequence=self.sequence + 1,
        )

    def cancelled(self, *, now: datetime) -> CalendarEvent:
        """The same event called off: ``STATUS:CANCELLED`` and the next ``sequence``, for a
        calendar with ``method="CANCEL"`` (or a CalDAV update that keeps it, struck out)."""
        return attrs.evolve(self, status="CANCELLED", stamp=now, sequence=self.sequence + 1)

    def component(self) -> icalendar.Event:
        """The event as an ``icalendar.Event``, its times in UTC."""
        from icalendar import Event  # noqa: PLC0415 - on first use, see above

        event = Event()
        event.add("uid", self.uid)
        event.add("dtstamp", self.stamp)
        event.add("dtstart", self.starts_at)
        event.add("dtend", self.ends_at)
        event.add("sequence", self.sequence)
        event.add("status", self.status)
        event.add("summary", _text(self.summary))
        if self.description is not None:
            event.add("description", _text(self.description))
        if self.location is not None:
            event.add("location", _text(self.location))
        if self.url is not None:
            event.add("url", self.url)
        if self.private:
            event.add("class", "PRIVATE")
        if self.organizer is not None:
            event.add("organizer", _cal_address(self.organizer))
        for attendee in self.attendees:
            # The session is booked already: nothing for the attendee to answer.
            event.add(
                "attendee",
                _cal_address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", RSVP="FALSE"),
            )
        return event


def _cal_address(address: Address, **params: str) -> icalendar.vCalAddress:
    from icalendar import vCalAddress  # noqa: PLC0415 - on first use, see above

    value = vCalAddress(f"mailto:{address.addr_spec}")
    if address.display_name:
        value.params["CN"] = address.display_name
    for name, param in params.items():
        value.params[name] = param
    return value


def session_event(
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    now: datetime,
    description: str | None = None,
    location: str | None = None,
    url: str | None = None,
    sequence: int = 0,
    status: EventStatus = "CONFIRMED",
    organizer: Address | str | None = None,
    attendees: Iterable[Address | str] = (),
    private: bool = False,
) -> CalendarEvent:
    """A coaching session as an event; ``ValueError`` for what iCalendar cannot carry.

    ``uid`` stays the same for the life of the session (the appointment's id is a good
    one), ``now`` becomes ``DTSTAMP``. ``organizer`` and each of ``attendees`` is an
    ``email.headerregistry.Address`` (its display name becomes ``CN``) or a bare address.
    """
    return CalendarEvent(
        uid=uid,
        starts_at=starts_at,
        ends_at=ends_at,
        summary=summary,
        stamp=now,
        description=description,
        location=location,
        url=url,
        sequence=sequence,
        status=status,
        organizer=organizer,
        attendees=attendees,
        private=private,
    )


def calendar(
    events: Iterable[CalendarEvent], *, method: Method | None, name: str | None = None
) -> bytes:
    """A VCALENDAR holding ``events``, as the bytes of an ``.ics`` file (CRLF line ends).

    ``method`` makes it an iTIP message for a mail (``text/calendar; method=...``), whose
    rules RFC 5546 sets and this function holds to: one event's UID per ``REQUEST`` or
    ``CANCEL``; an organizer always; attendees for ``REQUEST`` and none for ``PUBLISH``;
    ``CANCEL`` only for cancelled events, ``REQUEST`` only for ones that are not.
    ``None`` is for a CalDAV server, which takes no method. ``name`` names the calendar
    (``NAME`` and ``X-WR-CALNAME``), for a file someone imports.
    """
    chosen = list(events)
    if not chosen:
        raise ValueError("a calendar holds at least one event (RFC 5545, 3.6)")
    if not all(isinstance(event, CalendarEvent) for event in chosen):
        raise TypeError("events must be CalendarEvent values")
    if method is not None:
        _check_itip(chosen, method)
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name must be text that is not empty, got {name!r}")
        _refuse_control("name", name)
    from icalendar import Calendar  # noqa: PLC0415 - on first use, see above

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    if name is not None:
        cal.add("name", _text(name))
        cal.add("x-wr-calname", _text(name))
    for event in chosen:
        cal.add_component(event.component())
    ical: bytes = cal.to_ical()
    return ical


def _check_itip(events: list[CalendarEvent], method: str) -> None:
    """Refuse an iTIP message that RFC 5546 (3.2) does not allow for ``method``."""
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)} or None, got {method!r}")
    if method in {"REQUEST", "CANCEL"} and len({event.uid for event in events}) > 1:
        raise ValueError(f"a {method} concerns one event: every event needs the same uid")
    for event in events:
        if event.organizer is None:
            raise ValueError(f"a {method} needs the event's organizer (RFC 5546)")
        if method == "REQUEST" and not event.attendees:
            raise ValueError("a REQUEST needs at least one attendee (RFC 5546, 3.2.2)")
        if method == "PUBLISH" and event.attendees:
            raise ValueError("a PUBLISH names no attendees (RFC 5546, 3.2.1)")
        if method == "REQUEST" and event.status == "CANCELLED":
            raise ValueError("a cancelled event goes out with method CANCEL, not REQUEST")
        if method == "CANCEL" and event.status != "CANCELLED":
            raise ValueError("a CANCEL carries the cancelled event (CalendarEvent.cancelled)")
