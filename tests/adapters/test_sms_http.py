"""HttpSmsGateway: against httpx.MockTransport, a real HTTP server, and through the outbox.

The mock tests script the gateway's answers with a plain function. The server tests run a
``ThreadingHTTPServer`` on the loopback interface, started by the test that needs it and
shut down when the test ends.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from onzecoach import Portal, SmsDeliveryError
from onzecoach._version import __version__
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sms_http import HttpSmsGateway
from onzecoach.notifications import OutboxMessage, OutboxStatus, QueuedMessage, new_sms
from onzecoach.testing import FrozenClock, RecordingMailer, SmsMessage
from onzecoach.testing.contracts import SmsFailure, SmsSenderContract
from onzecoach.testing.contracts._builders import race
from support import make_settings

URL = "https://sms.example.nl/v1/messages"
HOST = "sms.example.nl"
NUMBER = "+31612345678"
CODE = "4k7x2m"
TEXT = f"Je code is {CODE}"
USERNAME = "portaal"
PASSWORD = "s3cret-Wachtwoord"
TOKEN = "tok-9f8e7d6c5b4a"
API_KEY = "k3y-Zq8pW4xRtL6m"
HEADER_KEY = "hdr-Yb7nQ2vKs9Jd"
BASIC = {"username": USERNAME, "password": PASSWORD}
BASIC_HEADER_VALUE = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
BEARER = {"token": TOKEN}
LOOPBACK = "127.0.0.1"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SETTINGS = make_settings()

#: What a test may not find in any error message.
NEVER_SHOWN = (PASSWORD, TOKEN, API_KEY, HEADER_KEY, TEXT, CODE, NUMBER, NUMBER[1:])

Answer = int | httpx.Response | Exception


class Gateway:
    """A MockTransport handler: answers from a script and keeps every request.

    Answers are used in order and the last one repeats: ``Gateway(503, 200)`` is busy once,
    ``Gateway(500)`` always. An int is a status with a small JSON body; an exception is
    raised as the transport would raise it.
    """

    def __init__(self, *answers: Answer) -> None:
        self.requests: list[httpx.Request] = []
        self._answers: deque[Answer] = deque(answers or [200])
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self._lock:
            self.requests.append(request)
            answer = self._answers.popleft() if len(self._answers) > 1 else self._answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer, json={"message": f"status {answer}"})
        return answer

    @property
    def calls(self) -> int:
        return len(self.requests)

    def bodies(self) -> list[Any]:
        return [json.loads(request.content) for request in self.requests]


MakeGateway = Callable[..., HttpSmsGateway]


@pytest.fixture
def make_gateway() -> Iterator[MakeGateway]:
    """Builds gateways over a MockTransport (no backoff unless asked); closes them after."""
    made: list[HttpSmsGateway] = []

    def make(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> HttpSmsGateway:
        options.setdefault("url", URL)
        options.setdefault("backoff", 0.0)
        gateway = HttpSmsGateway(transport=httpx.MockTransport(handler), **options)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.close()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``time.sleep`` duration, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def assert_nothing_secret(message: str) -> None:
    for secret in NEVER_SHOWN:
        assert secret not in message, secret


# --- the shipped SmsSender contract ---------------------------------------------------


class TestHttpSmsGatewayContract(SmsSenderContract):
    """``HttpSmsGateway`` keeps the contract every SmsSender keeps, over a MockTransport.

    The failing gateways quote the number and the text back, as real ones do.
    """

    @pytest.fixture
    def working(self) -> Gateway:
        return Gateway(202)

    @pytest.fixture
    def sms_sender(self, make_gateway: MakeGateway, working: Gateway) -> HttpSmsGateway:
        return make_gateway(working, url=f"{URL}?apikey={API_KEY}", token=TOKEN)

    @pytest.fixture
    def sms_inbox(self, working: Gateway) -> Callable[[], list[SmsMessage]]:
        return lambda: [SmsMessage(to=b["to"], text=b["text"]) for b in working.bodies()]

    @pytest.fixture
    def failing_sms_sender(
        self, make_gateway: MakeGateway
    ) -> Callable[[SmsFailure], HttpSmsGateway]:
        quoted = {"error": {"message": f"{NUMBER} weigert {TEXT}"}}
        answers: dict[SmsFailure, Answer] = {
            "refused": httpx.Response(400, json=quoted),
            "busy": httpx.Response(503, json=quoted),
            "unreachable": httpx.ConnectError("[Errno 111] Connection refused"),
        }

        def make(how: SmsFailure) -> HttpSmsGateway:
            return make_gateway(
                Gateway(answers[how]), url=f"{URL}?apikey={API_KEY}", token=TOKEN, retries=1
            )

        return make

    @pytest.fixture
    def secrets(self) -> tuple[str, ...]:
        return (TOKEN, API_KEY)


# --- the request -----------------------------------------------------------------------


def test_a_message_is_one_json_post_with_the_agreed_headers(make_gateway: MakeGateway) -> None:
    gateway = Gateway()

    make_gateway(gateway).send(NUMBER, TEXT)

    [request] = gateway.requests
    assert request.method == "POST"
    assert str(request.url) == URL
    assert json.loads(request.content) == {"from": "OnzeCoach", "to": NUMBER, "text": TEXT}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"] == f"onzecoach/{__version__}"
    assert "Authorization" not in request.headers


def test_the_url_query_and_sender_go_out_as_given(make_gateway: MakeGateway) -> None:
    gateway = Gateway()
    url = f"http://localhost:8080/api/sms?apikey={API_KEY}"

    make_gateway(gateway, url=url, sender="+3197010").send(NUMBER, "Tot morgen, Anna ëé")

    [request] = gateway.requests
    assert str(request.url) == url
    assert json.loads(request.content)["from"] == "+3197010"
    assert json.loads(request.content)["text"] == "Tot morgen, Anna ëé"


def test_username_and_password_log_in_with_basic_auth(make_gateway: MakeGateway) -> None:
    gateway = Gateway()

    make_gateway(gateway, **BASIC).send(NUMBER, TEXT)

    assert gateway.requests[0].headers["Authorization"] == f"Basic {BASIC_HEADER_VALUE}"


def test_a_token_logs_in_as_bearer(make_gateway: MakeGateway) -> None:
    gateway = Gateway()

    make_gateway(gateway, token=TOKEN).send(NUMBER, TEXT)

    assert gateway.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_extra_headers_go_with_every_request(make_gateway: MakeGateway) -> None:
    gateway = Gateway()
    sms = make_gateway(gateway, headers={"X-Api-Key": API_KEY, "User-Agent": "portaal/2"})

    sms.send(NUMBER, TEXT)
    sms.send(NUMBER, TEXT)

    for request in gateway.requests:
        assert request.headers["X-Api-Key"] == API_KEY
        assert request.headers["User-Agent"] == "portaal/2"
        assert request.headers["Accept"] == "application/json"


# --- answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_a_2xx_answer_means_sent(make_gateway: MakeGateway, status: int) -> None:
    gateway = Gateway(httpx.Response(status))

    make_gateway(gateway).send(NUMBER, TEXT)

    assert gateway.calls == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_4xx_refusal_is_permanent_and_not_retried(make_gateway: MakeGateway, status: int) -> None:
    gateway = Gateway(httpx.Response(status, json={"error": {"message": "recipient not allowed"}}))

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(gateway, retries=3).send(NUMBER, TEXT)

    assert caught.value.permanent
    assert gateway.calls == 1
    message = str(caught.value)
    assert HOST in message
    assert str(status) in message
    assert "recipient not allowed" in message


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_permanent_and_not_followed(make_gateway: MakeGateway, status: int) -> None:
    gateway = Gateway(httpx.Response(status, headers={"Location": "https://elsewhere.example/"}))

    with pytest.raises(SmsDeliveryError, match="redirect") as caught:
        make_gateway(gateway).send(NUMBER, TEXT)

    assert caught.value.permanent
    assert gateway.calls == 1


@pytest.mark.parametrize("retries", [0, 2])
@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_a_busy_gateway_is_tried_again_then_not_permanent(
    make_gateway: MakeGateway, status: int, retries: int
) -> None:
    gateway = Gateway(httpx.Response(status, text="try later"))

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(gateway, retries=retries).send(NUMBER, TEXT)

    assert not caught.value.permanent
    assert gateway.calls == retries + 1
    assert str(status) in str(caught.value)
    assert "try later" in str(caught.value)
    assert gateway.bodies() == [{"from": "OnzeCoach", "to": NUMBER, "text": TEXT}] * (retries + 1)


def test_a_gateway_that_recovers_gets_the_message_on_the_next_try(
    make_gateway: MakeGateway, sleeps: list[float]
) -> None:
    gateway = Gateway(503, 200)

    make_gateway(gateway, backoff=0.5).send(NUMBER, TEXT)

    assert gateway.calls == 2
    assert sleeps == [0.5]


def test_the_wait_doubles_with_each_try(make_gateway: MakeGateway, sleeps: list[float]) -> None:
    gateway = Gateway(502)

    with pytest.raises(SmsDeliveryError, match=r"try 4 of 4"):
        make_gateway(gateway, retries=3, backoff=0.5).send(NUMBER, TEXT)

    assert gateway.calls == 4
    assert sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (429, "3", [3.0]),
        (503, "30", [30.0]),
        (429, "0", []),
        # Only 429 and 503 say when; elsewhere, and for a date, the backoff decides.
        (500, "3", [0.5]),
        (429, "Wed, 21 Oct 2026 07:28:00 GMT", [0.5]),
        (503, "soon", [0.5]),
    ],
)
def test_retry_after_in_seconds_is_honoured(
    make_gateway: MakeGateway,
    sleeps: list[float],
    status: int,
    retry_after: str,
    expected: list[float],
) -> None:
    gateway = Gateway(httpx.Response(status, headers={"Retry-After": retry_after}), 200)

    make_gateway(gateway, backoff=0.5).send(NUMBER, TEXT)

    assert gateway.calls == 2
    assert sleeps == expected


@pytest.mark.parametrize("status", [429, 503])
def test_a_gateway_that_asks_for_a_long_pause_gets_it_from_a_later_try(
    make_gateway: MakeGateway, sleeps: list[float], status: int
) -> None:
    gateway = Gateway(httpx.Response(status, headers={"Retry-After": "120"}), 200)

    with pytest.raises(SmsDeliveryError, match="120 s") as caught:
        make_gateway(gateway, retries=2).send(NUMBER, TEXT)

    assert not caught.value.permanent
    assert gateway.calls == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("error", "described"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "could not be reached"),
        (httpx.ConnectTimeout("timed out"), "did not accept a connection within 10 s"),
        (httpx.ReadTimeout("timed out"), "did not answer within 10 s"),
        (httpx.WriteTimeout("timed out"), "did not take the request within 10 s"),
        (httpx.RemoteProtocolError("Server disconnected"), "broke off the exchange"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "connection to"),
        (httpx.ProxyError("502 from proxy"), "connection to"),
    ],
)
def test_network_failures_are_tried_again_then_not_permanent(
    make_gateway: MakeGateway, error: httpx.HTTPError, described: str
) -> None:
    gateway = Gateway(error)

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(gateway, retries=2).send(NUMBER, TEXT)

    assert not caught.value.permanent
    assert gateway.calls == 3
    assert caught.value.__cause__ is error
    assert described in str(caught.value)
    assert HOST in str(caught.value)


def test_a_network_failure_followed_by_success_is_a_success(make_gateway: MakeGateway) -> None:
    gateway = Gateway(httpx.ConnectError("refused"), httpx.ReadTimeout("timed out"), 202)

    make_gateway(gateway, retries=2).send(NUMBER, TEXT)

    assert gateway.calls == 3


@pytest.mark.parametrize(
    ("answers", "unreachable"),
    [
        ((httpx.ConnectError("[Errno 111] Connection refused"),), True),
        ((httpx.ConnectTimeout("timed out"),), True),
        ((httpx.ReadTimeout("timed out"),), True),
        ((httpx.WriteTimeout("timed out"),), True),
        ((httpx.PoolTimeout("timed out"),), True),
        ((503, httpx.ConnectError("refused")), True),
        ((httpx.ConnectError("refused"), 503), False),
        ((httpx.RemoteProtocolError("Server disconnected"),), False),
        ((httpx.ReadError("[Errno 104] Connection reset by peer"),), False),
        ((httpx.ProxyError("502 from proxy"),), False),
        ((503,), False),
        ((429,), False),
        ((400,), False),
        ((httpx.UnsupportedProtocol("no such scheme"),), False),
    ],
    ids=[
        "connect",
        "connect-timeout",
        "read-timeout",
        "write-timeout",
        "pool-timeout",
        "busy-then-connect",
        "connect-then-busy",
        "disconnected",
        "reset",
        "proxy",
        "503",
        "429",
        "400",
        "unsupported",
    ],
)
def test_unreachable_means_no_connection_or_no_answer_in_time_at_the_last_try(
    make_gateway: MakeGateway, answers: tuple[Answer, ...], unreachable: bool
) -> None:
    gateway = Gateway(*answers)

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(gateway, retries=1).send(NUMBER, TEXT)

    assert caught.value.unreachable is unreachable
    if unreachable:
        assert not caught.value.permanent


@pytest.mark.parametrize(
    "error",
    [httpx.UnsupportedProtocol("no such scheme"), httpx.LocalProtocolError("bad header")],
)
def test_a_request_httpx_cannot_make_is_permanent(
    make_gateway: MakeGateway, error: httpx.HTTPError
) -> None:
    gateway = Gateway(error)

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(gateway, retries=2).send(NUMBER, TEXT)

    assert caught.value.permanent
    assert gateway.calls == 1
    assert caught.value.__cause__ is error


# --- what error messages show ----------------------------------------------------------


Quote = Callable[[httpx.Request], str]


@pytest.mark.parametrize("status", [400, 503])
@pytest.mark.parametrize(
    ("credentials", "quote"),
    [
        pytest.param(BASIC, lambda r: r.headers["Authorization"], id="basic-header"),
        pytest.param(BEARER, lambda r: r.headers["Authorization"], id="bearer-header"),
        pytest.param(BASIC, lambda r: PASSWORD, id="password"),
        pytest.param(BEARER, lambda r: TOKEN, id="token"),
        pytest.param(BASIC, lambda r: r.headers["X-Api-Key"], id="api-key-header"),
        pytest.param(BASIC, lambda r: str(r.url), id="url"),
        pytest.param(BASIC, lambda r: API_KEY, id="api-key-in-query"),
        pytest.param(BASIC, lambda r: r.content.decode(), id="body"),
        pytest.param(BASIC, lambda r: TEXT, id="text"),
        pytest.param(BASIC, lambda r: CODE, id="code-alone"),
        pytest.param(BASIC, lambda r: NUMBER, id="number"),
        pytest.param(BASIC, lambda r: NUMBER[1:], id="number-without-plus"),
        pytest.param(BASIC, lambda r: "06 1234 5678", id="number-national"),
        pytest.param(BASIC, lambda r: "0031-6-12345678", id="number-international"),
    ],
)
def test_what_a_gateway_quotes_back_stays_out_of_the_message(
    make_gateway: MakeGateway, status: int, credentials: dict[str, str], quote: Quote
) -> None:
    def quoting(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"message": f"rejected: {quote(request)} (see docs)"})

    sms = make_gateway(
        quoting,
        url=f"{URL}?apikey={API_KEY}",
        headers={"X-Api-Key": HEADER_KEY},
        retries=1,
        **credentials,
    )

    with pytest.raises(SmsDeliveryError) as caught:
        sms.send(NUMBER, TEXT)

    message = str(caught.value)
    assert_nothing_secret(message)
    for leak in (HEADER_KEY, BASIC_HEADER_VALUE, "apikey", "12345678", "1234 5678"):
        assert leak not in message
    assert HOST in message
    assert str(status) in message
    assert "rejected: " in message
    assert "(see docs)" in message


def test_the_gateways_words_survive_around_what_is_hidden(make_gateway: MakeGateway) -> None:
    body = {"message": f"recipient {NUMBER} blocked for text '{TEXT}'"}
    gateway = Gateway(httpx.Response(400, json=body))

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(gateway).send(NUMBER, TEXT)

    assert caught.value.detail == (
        f"SMS gateway {HOST} refused the message: 400 Bad Request: "
        "recipient *** blocked for text '***'"
    )


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_a_quoted_text_is_hidden_whole_however_it_is_escaped(
    make_gateway: MakeGateway, ensure_ascii: bool
) -> None:
    text = 'Je code is 4k7x2m — "geldig" tot 09:35'

    def quoting(request: httpx.Request) -> httpx.Response:
        escaped = json.dumps(json.loads(request.content)["text"], ensure_ascii=ensure_ascii)
        return httpx.Response(400, json={"message": f"text {escaped} has no opt-out"})

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(quoting).send(NUMBER, text)

    assert caught.value.detail.endswith('400 Bad Request: text "***" has no opt-out')


def test_an_httpx_error_that_quotes_the_request_is_scrubbed(make_gateway: MakeGateway) -> None:
    url = f"{URL}?apikey={API_KEY}"
    error = httpx.ConnectError(f"cannot reach {url} for {NUMBER} with {PASSWORD}: {TEXT}")
    sms = make_gateway(Gateway(error), url=url, username=USERNAME, password=PASSWORD, retries=0)

    with pytest.raises(SmsDeliveryError) as caught:
        sms.send(NUMBER, TEXT)

    assert_nothing_secret(str(caught.value))
    # The host names the gateway; the rest of the URL, query and all, is hidden.
    assert "/v1/messages" not in str(caught.value)
    assert "apikey" not in str(caught.value)
    assert HOST in str(caught.value)


def test_the_excerpt_is_short_and_on_one_line(make_gateway: MakeGateway) -> None:
    long = Gateway(httpx.Response(400, text="Q" * 5000))
    noisy = Gateway(httpx.Response(400, text="bad\x1b[31m request\r\nX-Injected: yes\x00"))

    with pytest.raises(SmsDeliveryError) as too_long:
        make_gateway(long).send(NUMBER, TEXT)
    with pytest.raises(SmsDeliveryError) as with_controls:
        make_gateway(noisy).send(NUMBER, TEXT)

    assert 190 <= too_long.value.detail.count("Q") <= 200
    assert too_long.value.detail.endswith("…")
    message = with_controls.value.detail
    assert message.endswith("bad [31m request X-Injected: yes")
    assert not any(c in message for c in "\r\n\x1b\x00")


def test_a_body_that_is_no_sane_json_still_gives_an_error(make_gateway: MakeGateway) -> None:
    gateway = Gateway(
        httpx.Response(400, text="[" * 8000, headers={"Content-Type": "application/json"})
    )

    with pytest.raises(SmsDeliveryError) as caught:
        make_gateway(gateway).send(NUMBER, TEXT)

    assert caught.value.permanent
    assert "400 Bad Request: [[[" in str(caught.value)


# --- arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"url": "sms.example.nl/v1/messages"}, "url"),
        ({"url": "ftp://sms.example.nl/"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": ""}, "url"),
        ({"url": f"https://{USERNAME}:{PASSWORD}@sms.example.nl/"}, "url"),
        ({"username": USERNAME}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": "por:taal", "password": PASSWORD}, "username"),
        ({"username": USERNAME, "password": PASSWORD, "token": TOKEN}, "token"),
        ({"token": ""}, "token"),
        ({"token": f"{TOKEN}\r\nX-Evil: 1"}, "token"),
        ({"sender": "OnzeCoachNL1"}, "sender"),
        ({"sender": ""}, "sender"),
        ({"sender": " OnzeCoach"}, "sender"),
        ({"sender": "Onze/Coach"}, "sender"),
        ({"sender": "+3161234567890123"}, "sender"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"retries": -1}, "retries"),
        ({"backoff": -0.5}, "backoff"),
        ({"backoff": float("nan")}, "backoff"),
        ({"headers": {"X-Api-Key": f"{API_KEY}\r\nX-Evil: 1"}}, "headers"),
        ({"headers": {"X Api Key": API_KEY}}, "headers"),
        ({"headers": {"X-Api-Key": f"{API_KEY}é"}}, "headers"),
        ({"token": TOKEN, "headers": {"Authorization": f"Bearer {API_KEY}"}}, "headers"),
    ],
)
def test_nonsense_arguments_fail_at_once_naming_the_argument(
    options: dict[str, Any], argument: str
) -> None:
    options.setdefault("url", URL)

    with pytest.raises(ValueError, match=argument) as caught:
        HttpSmsGateway(**options)

    for secret in (PASSWORD, TOKEN, API_KEY):
        assert secret not in str(caught.value)


@pytest.mark.parametrize("sender", ["OnzeCoach", "OnzeCoach11", "Onze Coach", "3197010", "+31612"])
def test_reasonable_senders_are_accepted(sender: str) -> None:
    with HttpSmsGateway(url=URL, sender=sender) as gateway:
        assert gateway.sender == sender


@pytest.mark.parametrize(
    "to",
    [
        "0612345678",
        "31612345678",
        "+0612345678",
        "+1234567",
        "+3161234567890123",
        "+31 6 12345678",
        "+31612345678\n",
        "+" + "".join(chr(0xFF10 + int(digit)) for digit in "31612345678"),  # full-width
        "",
    ],
)
def test_a_number_that_is_not_e164_is_a_programming_error(
    make_gateway: MakeGateway, to: str
) -> None:
    gateway = Gateway()

    with pytest.raises(ValueError, match=r"E\.164") as caught:
        make_gateway(gateway).send(to, TEXT)

    assert gateway.calls == 0
    if to:
        assert to.strip() not in str(caught.value)


# --- life cycle ------------------------------------------------------------------------


def test_creating_a_gateway_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("I/O while creating a gateway")

    for module, name in [
        (httpx, "Client"),
        (httpx, "HTTPTransport"),
        (ssl, "create_default_context"),
        (socket, "socket"),
        (socket, "getaddrinfo"),
    ]:
        monkeypatch.setattr(module, name, refuse)

    gateway = HttpSmsGateway(url=URL, username=USERNAME, password=PASSWORD)

    assert HOST in repr(gateway)
    gateway.close()


class CountingClient(httpx.Client):
    """An httpx.Client that counts its instances and takes its time to be made."""

    made = 0

    def __init__(self, **options: Any) -> None:
        type(self).made += 1
        threading.Event().wait(0.05)
        super().__init__(**options)


def test_threads_that_send_at_once_share_one_client_made_on_first_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(CountingClient, "made", 0)
    monkeypatch.setattr(httpx, "Client", CountingClient)
    gateway = Gateway()
    with HttpSmsGateway(url=URL, transport=httpx.MockTransport(gateway)) as sms:
        assert CountingClient.made == 0
        outcomes = race([functools.partial(sms.send, NUMBER, TEXT) for _ in range(8)])

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert CountingClient.made == 1
    assert gateway.calls == 8


class ClosableTransport(httpx.MockTransport):
    def __init__(self) -> None:
        super().__init__(Gateway())
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_close_closes_the_transport_once_and_ends_sending() -> None:
    transport = ClosableTransport()
    sms = HttpSmsGateway(url=URL, transport=transport)
    sms.send(NUMBER, TEXT)

    sms.close()
    sms.close()

    assert transport.closed == 1
    with pytest.raises(RuntimeError, match="closed"):
        sms.send(NUMBER, TEXT)


@pytest.mark.parametrize("used", [True, False], ids=["after-a-send", "unused"])
def test_leaving_the_with_block_closes_the_transport(used: bool) -> None:
    transport = ClosableTransport()

    with HttpSmsGateway(url=URL, transport=transport) as sms:
        if used:
            sms.send(NUMBER, TEXT)

    assert transport.closed == 1


def test_the_repr_shows_host_sender_and_timeout_but_no_secret() -> None:
    with (
        HttpSmsGateway(
            url=f"{URL}?apikey={API_KEY}",
            username=USERNAME,
            password=PASSWORD,
            headers={"X-Api-Key": API_KEY},
            timeout=4.5,
        ) as basic,
        HttpSmsGateway(url="http://[::1]:8080/sms", token=TOKEN) as bearer,
    ):
        assert repr(basic) == f"HttpSmsGateway(host='{HOST}', sender='OnzeCoach', timeout=4.5)"
        assert repr(bearer) == "HttpSmsGateway(host='[::1]:8080', sender='OnzeCoach', timeout=10.0)"
        for secret in (PASSWORD, TOKEN, API_KEY):
            assert secret not in repr(basic)
            assert secret not in repr(bearer)


# --- a real HTTP server ----------------------------------------------------------------


class FakeGatewayServer(http.server.ThreadingHTTPServer):
    """An SMS gateway on the loopback interface that records what it is sent.

    Each POST gets the next status from ``statuses`` (200 when it is empty). With
    ``stall`` set, the server waits before answering, until ``stop()`` or ``stall``
    seconds, to make a client time out.
    """

    # server_close() waits for every request still being handled.
    daemon_threads = False
    block_on_close = True

    def __init__(self) -> None:
        super().__init__((LOOPBACK, 0), GatewayRequestHandler)
        self.bodies: list[Any] = []
        self.headers: list[dict[str, str]] = []
        self.statuses: deque[int] = deque()
        self.stall = 0.0
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05})
        self._running = False

    @property
    def port(self) -> int:
        port: int = self.server_address[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1/messages"

    def start(self) -> None:
        self._thread.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._running = False
            self.stopping.set()
            self.shutdown()
            self.server_close()
            self._thread.join()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stopped waiting for a stalled answer has hung up: that was the plan.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class GatewayRequestHandler(http.server.BaseHTTPRequestHandler):
    server: FakeGatewayServer

    def do_POST(self) -> None:
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with server.lock:
            server.bodies.append(body)
            server.headers.append(dict(self.headers))
            status = server.statuses.popleft() if server.statuses else 200
        if server.stall:
            server.stopping.wait(server.stall)
        answer = json.dumps({"message": f"status {status}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGatewayServer]:
    # A proxy configured in the environment would stand between the client and loopback.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    running = FakeGatewayServer()
    running.start()
    yield running
    running.stop()


def test_a_real_round_trip(server: FakeGatewayServer) -> None:
    with HttpSmsGateway(url=server.url, username=USERNAME, password=PASSWORD) as sms:
        sms.send(NUMBER, TEXT)

    assert server.bodies == [{"from": "OnzeCoach", "to": NUMBER, "text": TEXT}]
    [headers] = server.headers
    assert headers["Authorization"] == f"Basic {BASIC_HEADER_VALUE}"
    assert headers["User-Agent"] == f"onzecoach/{__version__}"
    assert headers["Content-Type"] == "application/json"


def test_a_real_server_error_is_retried(server: FakeGatewayServer) -> None:
    server.statuses.extend([500, 200])

    with HttpSmsGateway(url=server.url, backoff=0) as sms:
        sms.send(NUMBER, TEXT)

    assert server.bodies == [{"from": "OnzeCoach", "to": NUMBER, "text": TEXT}] * 2


def test_a_real_timeout_is_not_permanent(server: FakeGatewayServer) -> None:
    server.stall = 10.0

    with (
        HttpSmsGateway(url=server.url, timeout=0.3, retries=1, backoff=0) as sms,
        pytest.raises(SmsDeliveryError) as caught,
    ):
        sms.send(NUMBER, TEXT)

    assert not caught.value.permanent
    assert caught.value.unreachable
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert f"{LOOPBACK}:{server.port} did not answer within 0.3 s" in str(caught.value)
    assert len(server.bodies) == 2


def test_a_closed_port_is_not_permanent(server: FakeGatewayServer) -> None:
    server.stop()

    with (
        HttpSmsGateway(url=server.url, retries=1, backoff=0) as sms,
        pytest.raises(SmsDeliveryError) as caught,
    ):
        sms.send(NUMBER, TEXT)

    assert not caught.value.permanent
    assert caught.value.unreachable
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert f"{LOOPBACK}:{server.port} could not be reached" in str(caught.value)
    assert server.bodies == []


# --- through the outbox ----------------------------------------------------------------


@pytest.fixture
def outbox() -> Iterator[Callable[..., Portal]]:
    """Portals on a MemoryStorage whose SMS go to an HttpSmsGateway over a MockTransport."""
    gateways: list[HttpSmsGateway] = []

    def make(handler: Gateway, **options: Any) -> Portal:
        sms = HttpSmsGateway(url=URL, transport=httpx.MockTransport(handler), backoff=0, **options)
        gateways.append(sms)
        return Portal(
            storage=MemoryStorage(),
            mailer=RecordingMailer(),
            sms=sms,
            clock=FrozenClock(NOW),
            settings=SETTINGS,
        )

    yield make
    for sms in gateways:
        sms.close()


def queue_code(portal: Portal) -> OutboxMessage:
    message = new_sms(SETTINGS, to=NUMBER, text=TEXT, kind="test", now=portal.clock.now())
    with portal.storage.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()
    return message


def stored(portal: Portal, message_id: str) -> QueuedMessage:
    [message] = [m for m in portal.outbox.messages(SERVICE_DESK) if m.id == message_id]
    return message


def test_the_outbox_hands_the_opened_text_to_the_gateway(outbox: Callable[..., Portal]) -> None:
    gateway = Gateway(202)
    portal = outbox(gateway)
    queued = queue_code(portal)
    assert TEXT not in queued.text

    assert portal.outbox.dispatch_due() == 1

    assert gateway.bodies() == [{"from": "OnzeCoach", "to": NUMBER, "text": TEXT}]
    assert stored(portal, queued.id).status is OutboxStatus.SENT
    assert portal.outbox.dispatch_due() == 0
    assert gateway.calls == 1


def test_a_refused_message_is_dead_at_once(outbox: Callable[..., Portal]) -> None:
    gateway = Gateway(httpx.Response(400, json={"message": f"{NUMBER} is not a mobile number"}))
    portal = outbox(gateway, retries=2)
    queued = queue_code(portal)

    assert portal.outbox.dispatch_due() == 0

    dead = stored(portal, queued.id)
    assert dead.status is OutboxStatus.DEAD
    assert dead.attempts == 1
    assert dead.last_error is not None
    assert "400" in dead.last_error
    assert "is not a mobile number" in dead.last_error
    assert_nothing_secret(dead.last_error)
    assert gateway.calls == 1


def test_a_busy_gateway_leaves_the_message_for_a_later_round(
    outbox: Callable[..., Portal],
) -> None:
    gateway = Gateway(503)
    portal = outbox(gateway, retries=1)
    queued = queue_code(portal)

    assert portal.outbox.dispatch_due() == 0

    waiting = stored(portal, queued.id)
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.attempts == 1
    assert waiting.not_before == NOW + SETTINGS.retry_delay(1)
    assert waiting.last_error is not None
    assert "503" in waiting.last_error
    assert_nothing_secret(waiting.last_error)
    assert gateway.calls == 2


def test_an_unreachable_gateway_costs_one_message_its_tries_and_the_rest_wait(
    outbox: Callable[..., Portal],
) -> None:
    gateway = Gateway(httpx.ConnectError("[Errno 111] Connection refused"))
    portal = outbox(gateway, retries=1)
    queued = [queue_code(portal) for _ in range(4)]

    assert portal.outbox.dispatch_due() == 0

    assert gateway.calls == 2  # one message, tried and retried; the others not at all
    after = [stored(portal, message.id) for message in queued]
    assert sorted(message.attempts for message in after) == [0, 0, 0, 1]
    assert {message.status for message in after} == {OutboxStatus.PENDING}
    for untried in (message for message in after if message.attempts == 0):
        assert untried.last_error is not None
        assert untried.last_error.startswith("not tried: the SMS gateway could not be reached")
        assert_nothing_secret(untried.last_error)
