"""CaldavConnector against a real Radicale server on the loopback interface.

One Radicale process serves the module (``tests/radicale_server.py``); every test gets a
calendar of its own in it. The tests that stop a server start one of their own. Answers
Radicale does not give (5xx, a page that is not CalDAV, silence) come from small stub
servers on the loopback interface.
"""

from __future__ import annotations

import http.server
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import attrs
import icalendar
import pytest

from onzecoach import CalendarError
from onzecoach.adapters.caldav import CaldavCalendar, CaldavConnector
from onzecoach.calendars import BusyTime, CalendarAccount, CoachCalendar
from onzecoach.testing import event_ics
from onzecoach.testing.contracts import CalendarContract, CalendarFailure
from radicale_server import HOST, MAX_RESOURCE_SIZE, RadicaleServer

PASSWORD = "Geheim-app-wachtwoord-4821"
WRONG_PASSWORD = "Fout-wachtwoord-7730"
UID = "afspraak-01JQ7ZP8@portaal.example.nl"
SUMMARY = "Coachgesprek: Zoë Çelik, één uur; 90 € (ß, ø, 日本)"
DAY = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))
NINE, TEN = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    with RadicaleServer(tmp_path_factory.mktemp("radicale")) as server:
        yield server


@pytest.fixture
def account(radicale: RadicaleServer) -> CalendarAccount:
    return radicale.add_calendar("coach@example.nl", PASSWORD)


@pytest.fixture
def connector() -> CaldavConnector:
    return CaldavConnector(timeout=5)


@pytest.fixture
def opened(connector: CaldavConnector) -> Iterator[Callable[[CalendarAccount], CaldavCalendar]]:
    """Opens calendars and closes them when the test ends."""
    made: list[CaldavCalendar] = []

    def open_(account: CalendarAccount) -> CaldavCalendar:
        made.append(connector.open(account))
        return made[-1]

    yield open_
    for calendar in made:
        calendar.close()


@pytest.fixture
def calendar(
    opened: Callable[[CalendarAccount], CaldavCalendar], account: CalendarAccount
) -> CaldavCalendar:
    return opened(account)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def failure(call: Callable[[], object]) -> CalendarError:
    with pytest.raises(CalendarError) as raised:
        call()
    return raised.value


class TestCaldavCalendarContract(CalendarContract):
    """CaldavCalendar keeps the contract every CoachCalendar keeps, against Radicale."""

    @pytest.fixture
    def coach_calendar(self, calendar: CaldavCalendar) -> CoachCalendar:
        return calendar

    @pytest.fixture
    def failing_coach_calendar(
        self,
        radicale: RadicaleServer,
        opened: Callable[[CalendarAccount], CaldavCalendar],
    ) -> Callable[[CalendarFailure], CoachCalendar]:
        def make(how: CalendarFailure) -> CoachCalendar:
            account = radicale.add_calendar("coach@example.nl", PASSWORD)
            if how == "refused":
                return opened(attrs.evolve(account, password=WRONG_PASSWORD))
            url = account.url.replace(f":{radicale.port}/", f":{closed_port()}/")
            return opened(attrs.evolve(account, url=url))

        return make

    @pytest.fixture
    def secrets(self) -> tuple[str, ...]:
        return (PASSWORD, WRONG_PASSWORD)


# What lands on the server ---------------------------------------------------------------------


def test_the_event_is_stored_with_the_portals_uid_and_its_text_intact(
    radicale: RadicaleServer, account: CalendarAccount, calendar: CaldavCalendar
) -> None:
    calendar.put(UID, event_ics(UID, NINE, TEN, summary=SUMMARY))

    [name] = radicale.names(account)
    stored = radicale.get_raw(account, name)
    assert stored is not None
    [event] = icalendar.Calendar.from_ical(stored).walk("VEVENT")
    assert (event["UID"], event["SUMMARY"]) == (UID, SUMMARY)
    # What the puller reads back: the portal's own UID, and no title.
    assert calendar.busy(*DAY) == [BusyTime(UID, NINE, TEN)]


def test_an_event_that_another_app_keeps_under_another_name_is_replaced_there(
    radicale: RadicaleServer, account: CalendarAccount, calendar: CaldavCalendar
) -> None:
    assert radicale.put_raw(account, "door-de-app.ics", event_ics(UID, NINE, TEN)) == 201

    later = NINE + timedelta(hours=5)
    calendar.put(UID, event_ics(UID, later, later + timedelta(hours=1), sequence=1))

    assert radicale.names(account) == ["door-de-app.ics"]
    assert calendar.busy(*DAY) == [BusyTime(UID, later, later + timedelta(hours=1))]
    calendar.delete(UID)
    assert radicale.names(account) == []


def test_events_of_the_coach_and_of_the_portal_read_alike(
    radicale: RadicaleServer, account: CalendarAccount, calendar: CaldavCalendar
) -> None:
    own = "D2D8E1B4-77A0-4C47-9D2A-1F0B3C5E6A7B"
    radicale.put_raw(account, f"{own}.ics", event_ics(own, NINE, TEN, summary="Tandarts"))
    calendar.put(UID, event_ics(UID, TEN, TEN + timedelta(hours=1)))

    assert calendar.busy(*DAY) == [
        BusyTime(own, NINE, TEN),
        BusyTime(UID, TEN, TEN + timedelta(hours=1)),
    ]


def test_a_url_without_its_trailing_slash_works(
    opened: Callable[[CalendarAccount], CaldavCalendar], account: CalendarAccount
) -> None:
    calendar = opened(attrs.evolve(account, url=account.url.rstrip("/")))
    calendar.put(UID, event_ics(UID, NINE, TEN))
    assert calendar.busy(*DAY) == [BusyTime(UID, NINE, TEN)]


# Refusals ---------------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_for_good(
    opened: Callable[[CalendarAccount], CaldavCalendar], account: CalendarAccount
) -> None:
    calendar = opened(attrs.evolve(account, password=WRONG_PASSWORD))
    error = failure(lambda: calendar.busy(*DAY))
    assert (error.code, error.permanent, error.unreachable) == ("calendar.refused", True, False)
    assert "401" in error.detail
    assert WRONG_PASSWORD not in str(error)


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/coach@example.nl/bestaat-niet/", "404"),  # a calendar that is not there
        ("/coach@example.nl/", "not a calendar collection"),  # one level too high
        ("/iemand-anders/agenda/", "403"),  # someone else's
    ],
)
def test_a_url_that_is_not_the_coachs_calendar_is_refused_for_good(
    radicale: RadicaleServer,
    opened: Callable[[CalendarAccount], CaldavCalendar],
    account: CalendarAccount,
    path: str,
    said: str,
) -> None:
    calendar = opened(attrs.evolve(account, url=f"{radicale.url.rstrip('/')}{path}"))
    for call in (
        lambda: calendar.busy(*DAY),
        lambda: calendar.put(UID, event_ics(UID, NINE, TEN)),
        lambda: calendar.delete(UID),
    ):
        error = failure(call)
        assert (error.code, error.permanent) == ("calendar.refused", True)
        assert said in error.detail


@pytest.mark.parametrize(
    "url",
    [
        "http://agenda.example.nl/coach/agenda/",  # a password in the clear
        "https://coach:geheim@agenda.example.nl/coach/agenda/",
        "ftp://agenda.example.nl/coach/agenda/",
        "agenda.example.nl/coach/agenda/",
        "https://agenda.example.nl:poort/coach/",
    ],
)
def test_a_url_that_cannot_be_used_is_refused_before_anything_is_sent(
    opened: Callable[[CalendarAccount], CaldavCalendar], url: str
) -> None:
    calendar = opened(CalendarAccount(url=url, username="coach", password=PASSWORD))
    error = failure(lambda: calendar.busy(*DAY))
    assert (error.code, error.permanent, error.unreachable) == ("calendar.refused", True, False)
    assert "geheim" not in str(error)


def test_an_event_the_server_will_not_store_is_rejected_for_good(
    radicale: RadicaleServer, account: CalendarAccount, calendar: CaldavCalendar
) -> None:
    huge = event_ics(UID, NINE, TEN, description="x" * MAX_RESOURCE_SIZE)
    error = failure(lambda: calendar.put(UID, huge))
    assert (error.code, error.permanent, error.unreachable) == ("calendar.rejected", True, False)
    assert radicale.names(account) == []
    # The calendar itself is fine.
    calendar.put(UID, event_ics(UID, NINE, TEN))
    assert calendar.busy(*DAY) == [BusyTime(UID, NINE, TEN)]


# A server that goes away --------------------------------------------------------------------------


def test_a_stopped_server_is_unreachable_and_works_again_when_back(
    tmp_path: Path, opened: Callable[[CalendarAccount], CaldavCalendar]
) -> None:
    with RadicaleServer(tmp_path) as server:
        account = server.add_calendar("coach@example.nl", PASSWORD)
        calendar = opened(account)
        calendar.put(UID, event_ics(UID, NINE, TEN))

        server.stop()
        for call in (
            lambda: calendar.busy(*DAY),
            lambda: calendar.put(UID, event_ics(UID, NINE, TEN)),
            lambda: calendar.delete(UID),
        ):
            error = failure(call)
            assert (error.code, error.permanent, error.unreachable) == (
                "calendar.unavailable",
                False,
                True,
            )
            assert PASSWORD not in str(error)

        server.start()
        assert calendar.busy(*DAY) == [BusyTime(UID, NINE, TEN)]
        calendar.delete(UID)
        assert calendar.busy(*DAY) == []


class _Stub(http.server.BaseHTTPRequestHandler):
    """Answers a request with the server's answer for its method, or its ``status`` and
    ``body``."""

    server: _StubServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, body = self.server.answers.get(self.command, (self.server.status, self.server.body))
        self.send_response(status)
        self.send_header("Content-Type", self.server.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class _StubServer(http.server.ThreadingHTTPServer):
    status = 200
    body = b""
    content_type = "text/html"
    answers: dict[str, tuple[int, bytes]]

    def server_activate(self) -> None:
        self.answers = {}
        super().server_activate()


MULTISTATUS = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">{}</D:multistatus>'
)
A_CALENDAR = MULTISTATUS.format(
    "<D:response><D:href>/coach/agenda/</D:href><D:propstat><D:prop>"
    "<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
    "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
)


def found_events(*texts: str) -> str:
    """A REPORT's answer with each of ``texts`` as an event's calendar data."""
    return MULTISTATUS.format(
        "".join(
            f"<D:response><D:href>/coach/agenda/{n}.ics</D:href><D:propstat><D:prop>"
            f'<D:getetag>"{n}"</D:getetag><C:calendar-data>{escape(text)}</C:calendar-data>'
            "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
            for n, text in enumerate(texts)
        )
    )


@pytest.fixture
def stub() -> Iterator[_StubServer]:
    server = _StubServer((HOST, 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (500, b"Internal Server Error", "calendar.unavailable"),
        (503, b"Service Unavailable", "calendar.unavailable"),
        (207, b"<?xml version='1.0'?><multistatus xmlns='DAV:'>", "calendar.unavailable"),
        # A web page, not a calendar: the URL is wrong.
        (200, b"<html><body>Onderhoud, zo terug.</body></html>", "calendar.refused"),
        (400, b"Bad Request", "calendar.refused"),
        (410, b"Gone", "calendar.refused"),
    ],
)
def test_what_a_server_answers_is_translated(
    stub: _StubServer,
    opened: Callable[[CalendarAccount], CaldavCalendar],
    status: int,
    body: bytes,
    code: str,
) -> None:
    stub.status, stub.body = status, body
    port = stub.server_address[1]
    account = CalendarAccount(f"http://{HOST}:{port}/coach/agenda/", "coach", PASSWORD)
    calendar = opened(account)
    error = failure(lambda: calendar.busy(*DAY))
    assert error.code == code
    assert not error.unreachable
    assert "Onderhoud" not in str(error)


def test_an_event_of_the_coach_that_cannot_be_read_is_skipped_with_a_warning(
    stub: _StubServer,
    opened: Callable[[CalendarAccount], CaldavCalendar],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Radicale refuses such an event; other servers keep what clients send them.
    no_start = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:kapot\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    fine = event_ics(UID, NINE, TEN).decode()
    stub.content_type = "application/xml; charset=utf-8"
    stub.answers = {
        "PROPFIND": (207, A_CALENDAR.encode()),
        "REPORT": (207, found_events(no_start, fine).encode()),
    }
    account = CalendarAccount(f"http://{HOST}:{stub.server_address[1]}/coach/agenda/", "c", "w")

    with caplog.at_level(logging.WARNING, logger="onzecoach.calendar"):
        found = opened(account).busy(*DAY)

    assert found == [BusyTime(UID, NINE, TEN)]
    assert "an event skipped, unreadable" in caplog.text


def test_a_server_that_does_not_answer_in_time_is_unreachable() -> None:
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen(8)  # connections wait in the backlog, never answered
        port = silent.getsockname()[1]
        account = CalendarAccount(f"http://{HOST}:{port}/coach/agenda/", "coach", PASSWORD)
        with CaldavConnector(timeout=0.2).open(account) as calendar:
            error = failure(lambda: calendar.busy(*DAY))
    assert (error.code, error.permanent, error.unreachable) == ("calendar.unavailable", False, True)
    assert "in time" in error.detail


# The object itself --------------------------------------------------------------------------------


def test_opening_does_no_io_and_the_repr_names_only_the_host() -> None:
    account = CalendarAccount(
        f"http://{HOST}:{closed_port()}/coach@example.nl/agenda-geheim-pad/", "coach", PASSWORD
    )
    calendar = CaldavConnector().open(account)
    assert repr(calendar) == f"CaldavCalendar(host={HOST!r})"
    assert PASSWORD not in repr(account)
    calendar.close()
    with pytest.raises(RuntimeError, match="closed"):
        calendar.busy(*DAY)


def test_a_closed_calendar_is_closed_for_good(calendar: CaldavCalendar) -> None:
    calendar.busy(*DAY)
    calendar.close()
    calendar.close()
    with pytest.raises(RuntimeError, match="closed"):
        calendar.put(UID, event_ics(UID, NINE, TEN))


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_the_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        CaldavConnector(timeout=timeout)


def test_calls_from_several_threads_take_turns(calendar: CaldavCalendar) -> None:
    uids = [f"afspraak-{n}@portaal.example.nl" for n in range(8)]
    errors: list[BaseException] = []

    def put(uid: str, hour: int) -> None:
        start = NINE.replace(hour=hour)
        try:
            calendar.put(uid, event_ics(uid, start, start + timedelta(minutes=30)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=put, args=(u, 8 + n)) for n, u in enumerate(uids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(b.uid for b in calendar.busy(*DAY)) == sorted(uids)
