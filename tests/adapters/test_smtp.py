"""SmtpMailer against a real SMTP server (aiosmtpd) on the loopback interface.

Every server here is started by the test that needs it, on a free port, and stopped when
the test ends. TLS uses a throwaway certificate authority from trustme.
"""

from __future__ import annotations

import email
import email.policy
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from onzecoach import MailDeliveryError, Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.smtp import SmtpMailer
from onzecoach.ics import calendar, session_event
from onzecoach.notifications import (
    Action,
    Attachment,
    MailContent,
    OutboxMessage,
    OutboxStatus,
    QueuedMessage,
    compose_email,
    new_email,
    new_sms,
)
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingSms
from onzecoach.testing.contracts import MailerContract, MailFailure
from onzecoach.testing.contracts._mailer import assert_arrived_whole, bodies
from support import make_settings

LOOPBACK = "127.0.0.1"
NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
SETTINGS = make_settings(outbox_max_attempts=3)
USERNAME = "portaal"
PASSWORD = "s3cret-Wachtwoord"
CONTENT = MailContent(
    subject="Welkom bij OnzeCoach: één klik en je account is actief",
    greeting="Beste Anna,",
    paragraphs=[
        "Je werkgever heeft een account voor je aangemaakt. Eén klik en je bent binnen.",
        "De link is 72 uur geldig.",
    ],
    action=Action("Account activeren", "https://portaal.example.nl/activeren/tok3n"),
    english=["Your employer created an account for you; the link is valid for 72 hours."],
)


# --- the server side -------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What the server accepted in one transaction, and how the client got there."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    over_tls: bool
    authenticated: bool

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts.

    ``refuse`` maps a recipient address to the reply its RCPT gets; ``mail_reply`` and
    ``data_reply`` replace the replies to MAIL and DATA, to make the server refuse.
    """

    def __init__(
        self,
        *,
        refuse: dict[str, str] | None = None,
        mail_reply: str | None = None,
        data_reply: str | None = None,
    ) -> None:
        self.refuse = refuse or {}
        self.mail_reply = mail_reply
        self.data_reply = data_reply
        self._deliveries: list[Delivery] = []
        self._lock = threading.Lock()

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def messages(self) -> list[EmailMessage]:
        return [delivery.message for delivery in self.deliveries]

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.mail_reply is not None:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply is not None:
            return self.data_reply
        assert envelope.mail_from is not None
        assert envelope.original_content is not None
        assert server.transport is not None
        delivery = Delivery(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            content=envelope.original_content,
            over_tls=server.transport.get_extra_info("ssl_object") is not None,
            authenticated=bool(session.authenticated),
        )
        with self._lock:
            self._deliveries.append(delivery)
        return "250 2.0.0 Message accepted for delivery"


def accept_one_user(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """An aiosmtpd authenticator that knows one user."""
    known = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    # handled=False lets aiosmtpd answer 535 itself for a wrong password.
    return AuthResult(success=known, handled=False)


@dataclass
class RunningServer:
    controller: Controller
    inbox: Inbox
    port: int
    running: bool = True

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


StartServer = Callable[..., RunningServer]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """Start an SMTP server on the loopback interface; every one is stopped afterwards.

    Takes an optional ``Inbox``, a ``port`` (to restart on the same one) and any keyword
    aiosmtpd's ``Controller`` and ``SMTP`` accept (``tls_context``, ``ssl_context``, ...).
    """
    servers: list[RunningServer] = []

    def start(
        inbox: Inbox | None = None, *, port: int | None = None, **options: Any
    ) -> RunningServer:
        inbox = Inbox() if inbox is None else inbox
        port = free_port() if port is None else port
        controller = Controller(
            inbox, hostname=LOOPBACK, port=port, server_hostname="mail.test", **options
        )
        controller.start()
        server = RunningServer(controller, inbox, port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(LOOPBACK, "localhost").configure_cert(context)
    return context


@pytest.fixture
def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


# --- helpers ---------------------------------------------------------------------------


def a_mail(to: str = "anna@example.nl") -> EmailMessage:
    """The mail the outbox would send: multipart, Dutch, with a link."""
    row = new_email(SETTINGS, to=to, content=CONTENT, kind="test", now=NOW)
    return compose_email(row, SETTINGS, now=NOW)


def smtp_mailer(port: int, **options: Any) -> SmtpMailer:
    options.setdefault("security", "none")
    options.setdefault("timeout", 5.0)
    return SmtpMailer(host=LOOPBACK, port=port, local_hostname="client.test", **options)


# --- delivery --------------------------------------------------------------------------


def test_the_envelope_comes_from_the_headers_over_plain_smtp(start_server: StartServer) -> None:
    server = start_server()
    sent = a_mail()

    smtp_mailer(server.port).send(sent)

    [delivery] = server.inbox.deliveries
    assert delivery.mail_from == SETTINGS.mail_from
    assert delivery.rcpt_tos == ["anna@example.nl"]
    assert not delivery.over_tls
    assert_arrived_whole(delivery.message, sent)


def test_starttls_upgrades_the_connection_before_sending(
    start_server: StartServer, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    server = start_server(tls_context=server_tls, require_starttls=True)
    sent = a_mail()

    smtp_mailer(server.port, security="starttls", ssl_context=client_tls).send(sent)

    [delivery] = server.inbox.deliveries
    assert delivery.over_tls
    assert_arrived_whole(delivery.message, sent)


def test_implicit_tls_sends_over_tls_from_the_first_byte(
    start_server: StartServer, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    server = start_server(ssl_context=server_tls)
    sent = a_mail()

    smtp_mailer(server.port, security="ssl", ssl_context=client_tls).send(sent)

    [delivery] = server.inbox.deliveries
    assert delivery.over_tls
    assert_arrived_whole(delivery.message, sent)


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_logs_in_over_starttls(
    start_server: StartServer,
    server_tls: ssl.SSLContext,
    client_tls: ssl.SSLContext,
    mechanism: str,
) -> None:
    server = start_server(
        tls_context=server_tls,
        require_starttls=True,
        auth_required=True,
        authenticator=accept_one_user,
        auth_exclude_mechanism=[m for m in ("LOGIN", "PLAIN") if m != mechanism],
    )
    sent = a_mail()

    smtp_mailer(
        server.port,
        security="starttls",
        ssl_context=client_tls,
        username=USERNAME,
        password=PASSWORD,
    ).send(sent)

    [delivery] = server.inbox.deliveries
    assert delivery.authenticated
    assert delivery.over_tls
    assert_arrived_whole(delivery.message, sent)


def test_a_wrong_password_is_a_permanent_failure_that_does_not_show_it(
    start_server: StartServer, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    server = start_server(
        tls_context=server_tls,
        require_starttls=True,
        auth_required=True,
        authenticator=accept_one_user,
    )
    smtp = smtp_mailer(
        server.port,
        security="starttls",
        ssl_context=client_tls,
        username=USERNAME,
        password="wrong-Wachtwoord",
    )

    with pytest.raises(MailDeliveryError) as caught:
        smtp.send(a_mail())

    assert caught.value.permanent
    assert "535" in str(caught.value)
    assert f"{LOOPBACK}:{server.port}" in str(caught.value)
    assert "wrong-Wachtwoord" not in str(caught.value)
    assert server.inbox.deliveries == []


def test_a_password_smtp_cannot_encode_fails_permanently_without_showing_it(
    start_server: StartServer, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    server = start_server(
        tls_context=server_tls, require_starttls=True, authenticator=accept_one_user
    )
    smtp = smtp_mailer(
        server.port,
        security="starttls",
        ssl_context=client_tls,
        username=USERNAME,
        password="geheim-één",
    )

    with pytest.raises(MailDeliveryError) as caught:
        smtp.send(a_mail())

    assert caught.value.permanent
    assert f"{LOOPBACK}:{server.port}" in str(caught.value)
    assert "geheim" not in str(caught.value)
    assert "é" not in str(caught.value)
    assert server.inbox.deliveries == []


# --- failures --------------------------------------------------------------------------


def test_a_stopped_server_is_a_temporary_failure_without_the_password(
    start_server: StartServer,
) -> None:
    server = start_server()
    server.stop()
    smtp = smtp_mailer(server.port, username=USERNAME, password=PASSWORD)

    with pytest.raises(MailDeliveryError) as caught:
        smtp.send(a_mail())

    assert not caught.value.permanent
    assert caught.value.unreachable
    assert f"{LOOPBACK}:{server.port}" in str(caught.value)
    assert "refused the connection" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in repr(caught.value)
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


@pytest.mark.parametrize(
    ("refusal", "code", "permanent"),
    [
        ({"refuse": {"anna@example.nl": "550 5.1.1 Mailbox unavailable"}}, "550", True),
        ({"refuse": {"anna@example.nl": "451 4.7.1 Greylisted, try later"}}, "451", False),
        ({"mail_reply": "553 5.7.1 Sender not allowed"}, "553", True),
        ({"data_reply": "554 5.6.0 Message rejected"}, "554", True),
        ({"data_reply": "452 4.3.1 Insufficient storage"}, "452", False),
    ],
    ids=["rcpt-550", "rcpt-451", "mail-553", "data-554", "data-452"],
)
def test_a_refusal_is_permanent_only_for_a_5xx_reply(
    start_server: StartServer, refusal: dict[str, Any], code: str, permanent: bool
) -> None:
    server = start_server(Inbox(**refusal))

    with pytest.raises(MailDeliveryError) as caught:
        smtp_mailer(server.port).send(a_mail())

    assert caught.value.permanent is permanent
    assert not caught.value.unreachable  # the server is there; only this message is refused
    assert code in str(caught.value)
    assert f"{LOOPBACK}:{server.port}" in str(caught.value)
    assert server.inbox.deliveries == []


def test_starttls_refuses_to_send_in_clear_text(start_server: StartServer) -> None:
    server = start_server()  # offers no STARTTLS

    with pytest.raises(MailDeliveryError) as caught:
        smtp_mailer(server.port, security="starttls").send(a_mail())

    assert "STARTTLS" in str(caught.value)
    assert "clear text" in str(caught.value)
    assert f"{LOOPBACK}:{server.port}" in str(caught.value)
    # A stripped STARTTLS offer may be an attack of the moment: worth another try later.
    assert not caught.value.permanent
    assert not caught.value.unreachable
    assert server.inbox.deliveries == []


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_is_a_temporary_failure(
    start_server: StartServer, server_tls: ssl.SSLContext, security: str
) -> None:
    # No ssl_context: the system's trust store, which does not know the test CA.
    options = {"tls_context": server_tls} if security == "starttls" else {"ssl_context": server_tls}
    server = start_server(**options)

    with pytest.raises(MailDeliveryError) as caught:
        smtp_mailer(server.port, security=security).send(a_mail())

    assert not caught.value.permanent
    assert not caught.value.unreachable
    assert "certificate" in str(caught.value)
    assert server.inbox.deliveries == []


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port where the kernel completes the TCP handshake but no one ever speaks."""
    with socket.create_server((LOOPBACK, 0), backlog=4) as listener:
        port: int = listener.getsockname()[1]
        yield port


def test_a_server_that_never_answers_times_out(silent_port: int) -> None:
    smtp = smtp_mailer(silent_port, timeout=0.5)

    started = time.monotonic()
    with pytest.raises(MailDeliveryError) as caught:
        smtp.send(a_mail())
    waited = time.monotonic() - started

    assert not caught.value.permanent
    assert caught.value.unreachable
    assert "did not answer within 0.5 s" in str(caught.value)
    assert f"{LOOPBACK}:{silent_port}" in str(caught.value)
    # Far below the 10 s default: the given timeout was used (generous for slow machines).
    assert waited < 5


class HungServer:
    """A mail server that accepts every connection and never says a word.

    Connections are held open, unanswered, until ``close``. With ``hang_up`` it closes each
    one at once instead, like a server that drops its connections.
    """

    def __init__(self, *, hang_up: bool = False) -> None:
        self._listener = socket.create_server((LOOPBACK, 0), backlog=16)
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._hang_up = hang_up
        self._accepted: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        """How many connections clients made; exact, whether or not the thread took them yet."""
        with self._lock:
            self._accept_waiting()
            return len(self._accepted)

    def close(self) -> None:
        self._stopping.set()
        self._thread.join()
        with self._lock:
            for connection in self._accepted:
                connection.close()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            select.select([self._listener], [], [], 0.05)
            with self._lock:
                self._accept_waiting()

    def _accept_waiting(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except BlockingIOError:
                return
            self._accepted.append(connection)
            if self._hang_up:
                connection.close()


@pytest.fixture
def hung_server() -> Iterator[HungServer]:
    server = HungServer()
    yield server
    server.close()


def test_a_server_that_hangs_up_at_once_is_unreachable() -> None:
    server = HungServer(hang_up=True)
    try:
        with pytest.raises(MailDeliveryError) as caught:
            smtp_mailer(server.port).send(a_mail())
        assert server.connections == 1
    finally:
        server.close()

    assert not caught.value.permanent
    assert caught.value.unreachable
    assert "closed the connection unexpectedly" in str(caught.value)


# --- the shipped Mailer contract ------------------------------------------------------


class FirstRecipientOnly(Inbox):
    """Takes the first recipient of a transaction and refuses the others for now."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if envelope.rcpt_tos:
            return "451 4.2.2 Mailbox full"
        return await super().handle_RCPT(server, session, envelope, address, options)


#: The servers offer a login over plain SMTP, so that the password is there to leak.
LOGIN = {"authenticator": accept_one_user, "auth_require_tls": False}


class TestSmtpMailerContract(MailerContract):
    """``SmtpMailer`` keeps the contract every Mailer keeps, against aiosmtpd servers."""

    @pytest.fixture
    def inboxes(self) -> list[Inbox]:
        return []

    @pytest.fixture
    def mailer(self, start_server: StartServer, inboxes: list[Inbox]) -> SmtpMailer:
        server = start_server(**LOGIN)
        inboxes.append(server.inbox)
        return smtp_mailer(server.port, username=USERNAME, password=PASSWORD)

    @pytest.fixture
    def mailbox(self, inboxes: list[Inbox]) -> Callable[[str], list[EmailMessage]]:
        def arrived(address: str) -> list[EmailMessage]:
            return [
                delivery.message
                for inbox in inboxes
                for delivery in inbox.deliveries
                if address in delivery.rcpt_tos
            ]

        return arrived

    @pytest.fixture
    def failing_mailer(
        self, start_server: StartServer, inboxes: list[Inbox]
    ) -> Callable[[MailFailure], SmtpMailer]:
        def make(how: MailFailure) -> SmtpMailer:
            if how == "unreachable":
                server = start_server()
                server.stop()
                return smtp_mailer(server.port, username=USERNAME, password=PASSWORD)
            inbox = {
                "refused": Inbox(mail_reply="553 5.7.1 Sender not allowed"),
                "busy": Inbox(data_reply="452 4.3.1 Insufficient storage"),
                "partly_delivered": FirstRecipientOnly(),
            }[how]
            inboxes.append(inbox)
            return smtp_mailer(
                start_server(inbox, **LOGIN).port, username=USERNAME, password=PASSWORD
            )

        return make

    @pytest.fixture
    def secrets(self) -> tuple[str, ...]:
        return (PASSWORD,)


# --- the object itself -----------------------------------------------------------------


def test_the_repr_names_the_server() -> None:
    smtp = SmtpMailer(host="smtp.example.nl", username=USERNAME, password="s3cret")

    assert "smtp.example.nl" in repr(smtp)
    assert "s3cret" not in repr(smtp)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_the_port_follows_the_security(security: Any, port: int) -> None:
    assert SmtpMailer(host="smtp.example.nl", security=security).port == port


def test_creating_one_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_io(*args: object, **kwargs: object) -> None:
        raise AssertionError("I/O while creating an SmtpMailer")

    monkeypatch.setattr(ssl, "create_default_context", no_io)
    monkeypatch.setattr(socket, "create_connection", no_io)
    monkeypatch.setattr(socket, "getaddrinfo", no_io)

    SmtpMailer(host="smtp.invalid", security="ssl")
    SmtpMailer(host="smtp.invalid", security="starttls", username=USERNAME, password=PASSWORD)


@pytest.mark.parametrize(
    "options",
    [
        {"host": ""},
        {"host": "smtp.example.nl", "security": "tls"},
        {"host": "smtp.example.nl", "port": 0},
        {"host": "smtp.example.nl", "timeout": 0},
        {"host": "smtp.example.nl", "username": USERNAME},
        {"host": "smtp.example.nl", "password": PASSWORD},
    ],
)
def test_nonsense_settings_fail_at_once(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r".") as caught:
        SmtpMailer(**options)
    assert PASSWORD not in str(caught.value)


# --- the outbox through SMTP -----------------------------------------------------------


def queue(storage: Storage, clock: FrozenClock, *, to: str) -> OutboxMessage:
    message = new_email(SETTINGS, to=to, content=CONTENT, kind="test", now=clock.now())
    with storage.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()
    return message


def stored(portal: Portal, message_id: str) -> QueuedMessage:
    [message] = [m for m in portal.outbox.messages(SERVICE_DESK) if m.id == message_id]
    return message


def test_the_outbox_keeps_a_mail_through_an_outage_and_sends_it_once(
    storage: Storage, start_server: StartServer
) -> None:
    server = start_server()
    clock = FrozenClock(NOW)
    portal = Portal(
        storage=storage, mailer=smtp_mailer(server.port), clock=clock, settings=SETTINGS
    )

    # The server runs: the mail goes out whole.
    first = queue(storage, clock, to="anna@example.nl")
    assert portal.outbox.dispatch_due() == 1
    [received] = server.inbox.messages()
    assert received["Message-ID"] == first.message_id
    assert received["To"] == "anna@example.nl"
    assert received["Subject"] == CONTENT.subject
    assert bodies(received) == bodies(compose_email(first, SETTINGS, now=NOW))
    assert stored(portal, first.id).status is OutboxStatus.SENT

    # The server is down: the mail waits, with the reason.
    server.stop()
    second = queue(storage, clock, to="bram@example.nl")
    assert portal.outbox.dispatch_due() == 0
    waiting = stored(portal, second.id)
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.attempts == 1
    assert waiting.last_error is not None
    assert f"{LOOPBACK}:{server.port}" in waiting.last_error
    assert waiting.not_before == clock.now() + SETTINGS.retry_delay(1)

    # Not due yet: nothing is tried.
    clock.advance(SETTINGS.retry_delay(1) - timedelta(seconds=1))
    assert portal.outbox.dispatch_due() == 0
    assert stored(portal, second.id).attempts == 1

    # Due: tried again, and the next wait is longer.
    clock.advance(timedelta(seconds=1))
    assert portal.outbox.dispatch_due() == 0
    waiting = stored(portal, second.id)
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.attempts == 2
    assert SETTINGS.retry_delay(2) > SETTINGS.retry_delay(1)
    assert waiting.not_before == clock.now() + SETTINGS.retry_delay(2)

    # The third and last try fails: the mail is kept as dead, with its error.
    clock.advance(SETTINGS.retry_delay(2))
    assert portal.outbox.dispatch_due() == 0
    dead = stored(portal, second.id)
    assert dead.status is OutboxStatus.DEAD
    assert dead.attempts == 3
    assert dead.last_error is not None
    assert f"{LOOPBACK}:{server.port}" in dead.last_error
    clock.advance(timedelta(days=1))
    assert portal.outbox.dispatch_due() == 0
    assert stored(portal, second.id).status is OutboxStatus.DEAD

    # Nothing is lost.
    assert {m.id for m in portal.outbox.messages(SERVICE_DESK)} == {first.id, second.id}

    # Requeued, with the server back: it goes out exactly once.
    portal.outbox.requeue(SERVICE_DESK, second.id)
    back = start_server(port=server.port)
    assert portal.outbox.dispatch_due() == 1
    assert portal.outbox.dispatch_due() == 0
    [received] = back.inbox.messages()
    assert received["Message-ID"] == second.message_id
    assert received["To"] == "bram@example.nl"
    assert bodies(received) == bodies(compose_email(second, SETTINGS, now=NOW))
    delivered = stored(portal, second.id)
    assert delivered.status is OutboxStatus.SENT
    assert delivered.sent_at == clock.now()


def test_the_outbox_sends_a_booking_with_its_calendar_invitation_intact(
    storage: Storage, start_server: StartServer
) -> None:
    server = start_server()
    clock = FrozenClock(NOW)
    portal = Portal(
        storage=storage, mailer=smtp_mailer(server.port), clock=clock, settings=SETTINGS
    )
    booked = session_event(
        uid="afspraak-1@onzecoach",
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, minutes=45),
        summary="Coachgesprek met Jan de Vries, Oudegracht 1; één uur",
        description="Eerste gesprek.\nNeem je vragen mee." + " Veel succes!" * 10,
        now=clock.now(),
        organizer="jan@coaching.example.nl",
        attendees=["anna@example.nl"],
    )
    invite = calendar([booked], method="REQUEST")
    queued = new_email(
        SETTINGS,
        to="anna@example.nl",
        content=CONTENT,
        kind="booking",
        now=clock.now(),
        attachments=[
            Attachment("afspraak.ics", "text/calendar; method=REQUEST; charset=utf-8", invite)
        ],
    )
    with storage.unit_of_work() as uow:
        uow.outbox.add(queued)
        uow.commit()

    assert portal.outbox.dispatch_due() == 1

    [received] = server.inbox.messages()
    assert received["Message-ID"] == queued.message_id
    assert received.get_content_type() == "multipart/mixed"
    assert bodies(received) == bodies(compose_email(queued, SETTINGS, now=NOW))
    [part] = received.iter_attachments()
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_param("charset") == "utf-8"
    assert part.get_filename() == "afspraak.ics"
    data = part.get_payload(decode=True)
    assert data == invite
    assert isinstance(data, bytes)
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["UID"]) == "afspraak-1@onzecoach"
    assert str(event["SUMMARY"]) == booked.summary


def test_a_hung_server_costs_the_outbox_one_timeout_not_one_per_mail(
    storage: Storage, hung_server: HungServer
) -> None:
    clock = FrozenClock(NOW)
    mailer = smtp_mailer(hung_server.port, timeout=0.5)
    portal = Portal(storage=storage, mailer=mailer, clock=clock, settings=SETTINGS)
    queued = []
    for n in range(5):
        queued.append(queue(storage, clock, to=f"medewerker{n}@example.nl"))
        clock.advance(timedelta(seconds=1))  # claimed in the order queued

    assert portal.outbox.dispatch_due() == 0

    # One connection, one timeout: the other four were not tried.
    assert hung_server.connections == 1
    first, *rest = (stored(portal, message.id) for message in queued)
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
    assert first.last_error is not None
    assert f"{LOOPBACK}:{hung_server.port} did not answer within 0.5 s" in first.last_error
    for untried in rest:
        assert (untried.status, untried.attempts) == (OutboxStatus.PENDING, 0)
        assert untried.not_before == clock.now() + SETTINGS.retry_delay(1)
        assert untried.last_error is not None
        assert untried.last_error.startswith("not tried: the mail server could not be reached")
        assert f"{LOOPBACK}:{hung_server.port} did not answer" in untried.last_error


def test_text_messages_go_out_while_the_mail_server_hangs(
    storage: Storage, hung_server: HungServer
) -> None:
    clock = FrozenClock(NOW)
    sms = RecordingSms()
    mailer = smtp_mailer(hung_server.port, timeout=0.5)
    portal = Portal(storage=storage, mailer=mailer, sms=sms, clock=clock, settings=SETTINGS)
    mails, numbers = [], [f"+3161234567{n}" for n in range(3)]
    for n, number in enumerate(numbers):
        mails.append(queue(storage, clock, to=f"medewerker{n}@example.nl"))
        clock.advance(timedelta(seconds=1))
        text = new_sms(SETTINGS, to=number, text=f"Je code is {n}", kind="test", now=clock.now())
        with storage.unit_of_work() as uow:
            uow.outbox.add(text)
            uow.commit()
        clock.advance(timedelta(seconds=1))

    assert portal.outbox.dispatch_due() == 3

    assert [(m.to, m.text) for m in sms.sent] == [
        (number, f"Je code is {n}") for n, number in enumerate(numbers)
    ]
    assert hung_server.connections == 1
    assert [stored(portal, m.id).attempts for m in mails] == [1, 0, 0]
    assert {stored(portal, m.id).status for m in mails} == {OutboxStatus.PENDING}
