"""YubiCloudVerifier against a validation service of the tests' own.

``FakeValidationService`` answers the way the validation protocol 2.0 describes (and
Yubico's reference server, yubikey-val, behaves): it checks the request's signature with
the key it shares with the client, remembers the OTPs it accepted, echoes otp and nonce,
and signs its answer. Refusals made before it knows the client are signed with an empty
key, as yubikey-val does. Its switches make it misbehave.

The same object is an ``httpx.MockTransport`` handler and, behind ``serve``, the handler
of a real HTTP server on the loopback interface, started by the test that needs it and
stopped when the test ends.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import re
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters import yubico
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.yubico import MODHEX, YubiCloudVerifier, is_otp, public_id
from onzecoach.errors import VerificationFailed, YubikeyServiceError
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.testing.contracts._builders import race
from support import make_settings

LOOPBACK = "127.0.0.1"
KEY = bytes(range(1, 21))
API_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQ="
OTHER_API_KEY = base64.b64encode(b"not the key the service has").decode()
CLIENT_ID = "87"
MODHEX_LETTERS = "cbdefghijklnrtuv"
PUBLIC_ID = "cccccckdvvul"
# Worked out once with hmac, hashlib and base64 alone, for the key above:
# HMAC-SHA1("id=87&nonce=worked0000000006example&otp=cccccckdvv...", KEY) in base64.
WORKED_OTP = "cccccckdvvulethkhtvkrtbeukiettfrnfbklilcnkud"
WORKED_NONCE = "worked0000000006example"
WORKED_H = "WasIsC+xVlXAYXn6klJQ/PSeQaM="
NONCE = re.compile("[A-Za-z0-9]{16,40}")

Signing = Literal["good", "wrong", "missing", "keyless"]


def make_otp(n: int) -> str:
    """The n-th OTP of one key: the same public id, 32 characters that differ."""
    digits = hashlib.sha256(f"otp {n}".encode()).hexdigest()[:32]
    return PUBLIC_ID + digits.translate(str.maketrans("0123456789abcdef", MODHEX_LETTERS))


OTP = make_otp(1)


def signature(key: bytes, fields: Mapping[str, str]) -> str:
    """The protocol's signature, written out here apart from the adapter's."""
    pairs = sorted(f"{name}={value}" for name, value in fields.items())
    mac = hmac.new(key, "&".join(pairs).encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def received(request: httpx.Request) -> list[tuple[str, str]]:
    """The query as the service reads it: decoded, '+' as a space, as PHP's $_GET does."""
    return parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)


# --- the service ------------------------------------------------------------------------


@dataclass
class FakeValidationService:
    """A validation service for one client, with switches for misbehaving.

    ``status`` answers every good request with that status; ``signing`` chooses the
    answer's signature (``"wrong"`` key, ``"missing"``, or ``"keyless"``: the empty key);
    ``otp_echo`` and ``nonce_echo`` replace what is echoed, ``echo=False`` leaves both out;
    ``delay`` holds the answer back (until ``release()``); ``http_status`` answers with an
    HTTP error and ``raw_body`` with those bytes.
    """

    key: bytes = KEY
    client_id: str = CLIENT_ID
    bad_otps: set[str] = field(default_factory=set)
    status: str | None = None
    signing: Signing = "good"
    otp_echo: str | None = None
    nonce_echo: str | None = None
    echo: bool = True
    delay: float = 0.0
    http_status: int = 200
    raw_body: bytes | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        if self.delay:
            self._released.wait(self.delay)
        if self.http_status != 200:
            return httpx.Response(self.http_status, text="<h1>Internal Server Error</h1>")
        if self.raw_body is not None:
            return httpx.Response(200, content=self.raw_body)
        pairs = received(request)
        params = dict(pairs)
        if len(params) != len(pairs) or not {"id", "otp", "nonce"} <= params.keys():
            return self._answer({"status": "MISSING_PARAMETER"}, key=b"")
        if params["id"] != self.client_id:
            return self._answer({"status": "NO_SUCH_CLIENT"}, key=b"")
        given_h = params.pop("h", None)
        if given_h is not None and not hmac.compare_digest(
            given_h.encode(), signature(self.key, params).encode()
        ):
            return self._answer({"status": "BAD_SIGNATURE"}, key=self.key)
        otp, nonce = params["otp"], params["nonce"]
        fields = {"status": self.status or self._judge(otp), "sl": "100"}
        if self.echo:
            fields["otp"] = otp if self.otp_echo is None else self.otp_echo
            fields["nonce"] = nonce if self.nonce_echo is None else self.nonce_echo
        return self._answer(fields, key=self.key)

    def release(self) -> None:
        """Let a delayed answer go now."""
        self._released.set()

    def _judge(self, otp: str) -> str:
        with self._lock:
            if otp in self.bad_otps:
                return "BAD_OTP"
            if otp in self.seen:
                return "REPLAYED_OTP"
            self.seen.add(otp)
            return "OK"

    def _answer(self, fields: dict[str, str], *, key: bytes) -> httpx.Response:
        with self._lock:
            self.answered.append(fields["status"])
        # yubikey-val's order: h, t, the echoed fields, status last.
        status = fields.pop("status")
        fields = {"t": "2026-03-02T09:30:00Z0123", **fields, "status": status}
        signed_with = {"good": key, "wrong": b"another key", "keyless": b""}
        lines = [f"{name}={value}" for name, value in fields.items()]
        if self.signing != "missing":
            lines.insert(0, f"h={signature(signed_with[self.signing], fields)}")
        body = "\r\n".join(lines) + "\r\n\r\n"
        return httpx.Response(200, text=body, headers={"Content-Type": "text/plain"})


class _Server(ThreadingHTTPServer):
    # Non-daemon handler threads, so that server_close() waits for every one of them.
    daemon_threads = False

    def __init__(self, service: FakeValidationService) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.service = service

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a slow answer closed its end; that is the test's point.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, _Server)
        request = httpx.Request("GET", f"http://{LOOPBACK}:{self.server.server_port}{self.path}")
        response = self.server.service(request)
        self.send_response(response.status_code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    def log_message(self, format: str, *args: Any) -> None:
        pass


Serve = Callable[[FakeValidationService], str]
MakeVerifier = Callable[..., YubiCloudVerifier]


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    """Starts a real HTTP server around a service; returns its verify URL."""
    # A proxy from the environment would stand between the client and the loopback server.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    running: list[tuple[_Server, threading.Thread]] = []

    def start(service: FakeValidationService) -> str:
        server = _Server(service)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
        thread.start()
        running.append((server, thread))
        return f"http://{LOOPBACK}:{server.server_port}/wsapi/2.0/verify"

    yield start
    for server, thread in running:
        server.service.release()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def make_verifier() -> Iterator[MakeVerifier]:
    """Builds verifiers for the test's client and key, and closes them afterwards."""
    made: list[YubiCloudVerifier] = []

    def make(**overrides: Any) -> YubiCloudVerifier:
        arguments: dict[str, Any] = {"client_id": CLIENT_ID, "api_key": API_KEY}
        arguments.update(overrides)
        verifier = YubiCloudVerifier(**arguments)
        made.append(verifier)
        return verifier

    yield make
    for verifier in made:
        verifier.close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    return f"http://{LOOPBACK}:{port}/wsapi/2.0/verify"


def routed(services: Mapping[str, FakeValidationService]) -> httpx.MockTransport:
    """One mock transport for several servers, told apart by host name."""
    return httpx.MockTransport(lambda request: services[request.url.host](request))


def urls_of(services: Mapping[str, FakeValidationService]) -> list[str]:
    return [f"https://{host}/wsapi/2.0/verify" for host in services]


# --- what the person sees ---------------------------------------------------------------


def test_a_good_otp_passes_a_real_server(serve: Serve, make_verifier: MakeVerifier) -> None:
    service = FakeValidationService()
    verifier = make_verifier(urls=[serve(service)])

    verifier.verify(OTP)

    assert service.answered == ["OK"]
    assert service.seen == {OTP}


def test_the_same_otp_twice_is_replayed(serve: Serve, make_verifier: MakeVerifier) -> None:
    verifier = make_verifier(urls=[serve(FakeValidationService())])
    verifier.verify(OTP)

    with pytest.raises(VerificationFailed) as caught:
        verifier.verify(OTP)

    assert caught.value.reason == "replayed"
    assert str(caught.value) == "Deze YubiKey-code is al gebruikt."


def test_an_otp_the_service_calls_bad_is_malformed(make_verifier: MakeVerifier) -> None:
    service = FakeValidationService(bad_otps={OTP})
    verifier = make_verifier(transport=httpx.MockTransport(service))

    with pytest.raises(VerificationFailed) as caught:
        verifier.verify(OTP)

    assert caught.value.reason == "malformed"
    assert str(caught.value) == "Dit is geen geldige YubiKey-code."
    assert service.answered == ["BAD_OTP"]


@pytest.mark.parametrize(
    "value",
    [
        "",
        OTP[:-1],
        OTP + "c",
        OTP[:-1] + "a",  # not a modhex letter
        OTP + "\n",
        f" {OTP}",
        OTP[:-1] + "\u212a",  # the Kelvin sign, which lower-cases to "k"
    ],
)
def test_a_malformed_otp_is_refused_without_a_request(
    make_verifier: MakeVerifier, value: str
) -> None:
    service = FakeValidationService()
    verifier = make_verifier(transport=httpx.MockTransport(service))

    with pytest.raises(VerificationFailed) as caught:
        verifier.verify(value)

    assert caught.value.reason == "malformed"
    assert str(caught.value) == "Dit is geen geldige YubiKey-code."
    assert service.requests == []


# --- answers that are not trusted -------------------------------------------------------


@pytest.mark.parametrize("status", [None, "REPLAYED_OTP", "BAD_OTP"])
@pytest.mark.parametrize("signing", ["wrong", "missing"])
def test_an_answer_whose_signature_does_not_check_out_is_not_trusted(
    make_verifier: MakeVerifier, signing: Signing, status: str | None
) -> None:
    service = FakeValidationService(signing=signing, status=status)
    other = FakeValidationService()
    services = {"a.test": service, "b.test": other}
    verifier = make_verifier(urls=urls_of(services), transport=routed(services))

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert caught.value.status is None
    assert "signature" in str(caught.value)
    assert other.requests == [], "an untrusted answer is not a reason to ask elsewhere"


def test_a_wrong_api_key_is_reported_as_a_signature_to_check(
    serve: Serve, make_verifier: MakeVerifier
) -> None:
    # The service refuses our signature and signs that refusal with its key, which our
    # wrong key cannot check: all we can say is that the key is the likely culprit.
    service = FakeValidationService()
    verifier = make_verifier(api_key=OTHER_API_KEY, urls=[serve(service)])

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert service.answered == ["BAD_SIGNATURE"]
    assert caught.value.status is None
    assert "signature" in str(caught.value)
    assert "api_key" in str(caught.value)


def test_a_request_signature_spoilt_on_the_way_is_bad_signature(
    make_verifier: MakeVerifier,
) -> None:
    service = FakeValidationService()

    def spoil(request: httpx.Request) -> httpx.Response:
        query = dict(received(request))
        query["h"] = signature(b"some other key", {"id": CLIENT_ID})
        return service(httpx.Request("GET", request.url.copy_with(params=query)))

    verifier = make_verifier(transport=httpx.MockTransport(spoil))

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert caught.value.status == "BAD_SIGNATURE"
    assert "api_key" in str(caught.value)


@pytest.mark.parametrize("status", [None, "REPLAYED_OTP", "BAD_OTP"])
@pytest.mark.parametrize(
    ("switch", "value"), [("otp_echo", make_otp(2)), ("nonce_echo", "0123456789abcdef0123")]
)
def test_an_answer_for_another_otp_or_nonce_is_not_trusted(
    make_verifier: MakeVerifier, switch: str, value: str, status: str | None
) -> None:
    switches: dict[str, Any] = {switch: value}
    service = FakeValidationService(status=status, **switches)
    verifier = make_verifier(transport=httpx.MockTransport(service))

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert caught.value.status is None
    assert switch.removesuffix("_echo") in str(caught.value)


@pytest.mark.parametrize("status", [None, "REPLAYED_OTP"])
def test_an_answer_that_decides_must_echo_otp_and_nonce(
    make_verifier: MakeVerifier, status: str | None
) -> None:
    service = FakeValidationService(echo=False, status=status)
    verifier = make_verifier(transport=httpx.MockTransport(service))

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert caught.value.status is None
    assert "echo" in str(caught.value)


# --- refusals of the request: the operator's to fix -------------------------------------


@pytest.mark.parametrize(
    ("status", "to_check"),
    [
        ("BAD_SIGNATURE", "api_key"),
        ("NO_SUCH_CLIENT", "client_id"),
        ("MISSING_PARAMETER", "sync_level"),
        ("OPERATION_NOT_ALLOWED", "allow"),
        ("NOT_ENOUGH_ANSWERS", "sync_level"),
        ("DELAYED_OTP", "does not define"),
    ],
)
def test_a_refused_request_says_what_to_check(
    make_verifier: MakeVerifier, status: str, to_check: str
) -> None:
    # Like yubikey-val, without an echo: these refusals come before the OTP is looked at.
    first = FakeValidationService(status=status, echo=False)
    second = FakeValidationService()
    services = {"a.test": first, "b.test": second}
    verifier = make_verifier(urls=urls_of(services), transport=routed(services))

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert caught.value.status == status
    assert status in str(caught.value)
    assert to_check in str(caught.value)
    assert second.requests == [], "the request itself is refused: another server will too"


def test_an_unknown_client_is_named_from_an_answer_signed_without_a_key(
    make_verifier: MakeVerifier,
) -> None:
    service = FakeValidationService(client_id="88")
    verifier = make_verifier(transport=httpx.MockTransport(service))

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert service.answered == ["NO_SUCH_CLIENT"]
    assert caught.value.status is None, "an answer signed without a key proves nothing"
    assert "NO_SUCH_CLIENT" in str(caught.value)
    assert "client_id" in str(caught.value)


# --- several servers --------------------------------------------------------------------


def test_an_unreachable_server_is_a_service_error(make_verifier: MakeVerifier) -> None:
    verifier = make_verifier(urls=[closed_port_url()])

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert caught.value.status is None
    assert "1 YubiKey validation server tried" in str(caught.value)
    assert "could not be reached" in str(caught.value)


def test_when_the_first_server_is_down_the_second_answers(
    serve: Serve, make_verifier: MakeVerifier
) -> None:
    service = FakeValidationService()
    verifier = make_verifier(urls=[closed_port_url(), serve(service)])

    verifier.verify(OTP)

    assert service.answered == ["OK"]


def test_a_server_slower_than_the_timeout_is_passed_over(
    serve: Serve, make_verifier: MakeVerifier
) -> None:
    # Were the timeout ignored, the slow server's answer would arrive and refuse the OTP.
    slow = FakeValidationService(delay=10.0, status="REPLAYED_OTP")
    fast = FakeValidationService()
    verifier = make_verifier(urls=[serve(slow), serve(fast)], timeout=0.3)

    verifier.verify(OTP)

    assert len(slow.requests) == 1
    assert slow.answered == []
    assert fast.answered == ["OK"]


@pytest.mark.parametrize(
    "switches",
    [
        pytest.param({"http_status": 500}, id="500"),
        pytest.param({"http_status": 302}, id="redirect"),
        pytest.param({"raw_body": b"<html><body>Maintenance</body></html>"}, id="html"),
        pytest.param({"raw_body": b"status=OK\r\nstatus=REPLAYED_OTP\r\n"}, id="two-statuses"),
        # Unsigned: were it read at all, it would be refused as untrusted, not passed over.
        pytest.param({"raw_body": b"status=OK\r\nt=" + b"0" * 20_000}, id="too-large"),
        pytest.param({"raw_body": b"status=OK\r\nt=\xff\r\n"}, id="not-utf8"),
        pytest.param({"status": "BACKEND_ERROR"}, id="backend-error"),
        pytest.param({"status": "BACKEND_ERROR", "signing": "keyless"}, id="keyless-backend-error"),
        pytest.param({"status": "REPLAYED_REQUEST"}, id="replayed-request"),
    ],
)
def test_a_server_without_a_usable_answer_is_passed_over(
    make_verifier: MakeVerifier, switches: dict[str, Any]
) -> None:
    first = FakeValidationService(**switches)
    second = FakeValidationService()
    services = {"a.test": first, "b.test": second}
    verifier = make_verifier(urls=urls_of(services), transport=routed(services))

    verifier.verify(OTP)

    assert second.answered == ["OK"]
    [asked_first] = first.requests
    [asked_second] = second.requests
    first_nonce = dict(received(asked_first))["nonce"]
    assert dict(received(asked_second))["nonce"] != first_nonce, "a fresh nonce per server"


@pytest.mark.parametrize(
    ("last", "status"),
    [
        ({"status": "BACKEND_ERROR"}, "BACKEND_ERROR"),
        ({"status": "REPLAYED_REQUEST"}, "REPLAYED_REQUEST"),
        ({"http_status": 503}, None),
    ],
)
def test_when_no_server_answers_the_error_says_how_many_were_tried(
    make_verifier: MakeVerifier, last: dict[str, Any], status: str | None
) -> None:
    services = {
        "a.test": FakeValidationService(status="BACKEND_ERROR"),
        "b.test": FakeValidationService(http_status=500),
        "c.test": FakeValidationService(**last),
    }
    verifier = make_verifier(urls=urls_of(services), transport=routed(services))

    with pytest.raises(YubikeyServiceError) as caught:
        verifier.verify(OTP)

    assert caught.value.status == status
    assert "3 YubiKey validation servers tried" in str(caught.value)
    for host in services:
        assert host in str(caught.value)


# --- the request on the wire ------------------------------------------------------------


def test_the_request_carries_exactly_the_protocol_parameters(make_verifier: MakeVerifier) -> None:
    service = FakeValidationService()
    verifier = make_verifier(transport=httpx.MockTransport(service))

    verifier.verify(OTP.upper())
    verifier.verify(make_otp(2))

    first, second = service.requests
    assert first.method == "GET"
    assert first.url.copy_with(query=None) == "https://api.yubico.com/wsapi/2.0/verify"
    pairs = received(first)
    assert sorted(name for name, _ in pairs) == ["h", "id", "nonce", "otp"]
    params = dict(pairs)
    assert params["id"] == CLIENT_ID
    assert params["otp"] == OTP, "sent in lower case"
    assert NONCE.fullmatch(params["nonce"])
    unsigned = {name: value for name, value in params.items() if name != "h"}
    assert params["h"] == signature(KEY, unsigned)
    assert dict(received(second))["nonce"] != params["nonce"]


@pytest.mark.parametrize("level", [0, 50, 100])
def test_the_sync_level_is_sent_as_sl_and_signed(make_verifier: MakeVerifier, level: int) -> None:
    service = FakeValidationService()
    verifier = make_verifier(sync_level=level, transport=httpx.MockTransport(service))

    verifier.verify(OTP)

    params = dict(received(service.requests[0]))
    assert params["sl"] == str(level)
    assert params["h"] == signature(KEY, {k: v for k, v in params.items() if k != "h"})
    assert service.answered == ["OK"]


def test_the_signature_matches_a_worked_example(
    serve: Serve, make_verifier: MakeVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yubico, "_new_nonce", lambda: WORKED_NONCE)
    service = FakeValidationService()
    verifier = make_verifier(urls=[serve(service)])

    verifier.verify(WORKED_OTP)

    line = f"id={CLIENT_ID}&nonce={WORKED_NONCE}&otp={WORKED_OTP}"
    expected = base64.b64encode(hmac.new(KEY, line.encode(), hashlib.sha1).digest()).decode()
    assert expected == WORKED_H
    assert dict(received(service.requests[0]))["h"] == WORKED_H
    # Signed before encoding, encoded on the wire: a bare "+" would arrive as a space.
    raw_query = service.requests[0].url.query.decode("ascii")
    assert "h=WasIsC%2BxVlXAYXn6klJQ%2FPSeQaM%3D" in raw_query
    assert service.answered == ["OK"]


# --- secrets, construction, lifetime ----------------------------------------------------


def test_neither_the_api_key_nor_the_otp_reaches_a_repr_message_or_log(
    make_verifier: MakeVerifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    switches: list[dict[str, Any]] = [
        {"signing": "wrong"},
        {"signing": "missing"},
        {"otp_echo": make_otp(3)},
        {"echo": False},
        {"status": "BAD_SIGNATURE"},
        {"status": "NOT_ENOUGH_ANSWERS"},
        {"status": "REPLAYED_OTP"},
        {"client_id": "88"},
        {"http_status": 500},
    ]
    for switch in switches:
        verifier = make_verifier(transport=httpx.MockTransport(FakeValidationService(**switch)))
        with pytest.raises((YubikeyServiceError, VerificationFailed)) as caught:
            verifier.verify(OTP)
        errors.append(caught.value)
    unreachable = make_verifier(urls=[closed_port_url()])
    with pytest.raises(YubikeyServiceError) as caught_unreachable:
        unreachable.verify(OTP)
    errors.append(caught_unreachable.value)
    with pytest.raises(ValueError, match="api_key") as caught_value:
        YubiCloudVerifier(client_id=CLIENT_ID, api_key=API_KEY + "!")
    errors.append(caught_value.value)

    shown = [repr(unreachable), *(f"{e!s} {e!r}" for e in errors), caplog.text]
    for text in shown:
        assert API_KEY not in text
        assert API_KEY.rstrip("=") not in text
        assert OTP not in text
    assert "could not be reached" in caplog.text, "the passed-over server was logged"
    assert f"otp={PUBLIC_ID}..." in caplog.text, "httpx's request line names the key only"
    assert caught_value.value.__cause__ is None
    assert caught_value.value.__suppress_context__


def test_construction_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> Any:
        raise AssertionError("I/O while constructing")

    monkeypatch.setattr(httpx, "Client", forbidden)
    monkeypatch.setattr(ssl, "create_default_context", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    service = FakeValidationService()

    plain = YubiCloudVerifier(client_id=CLIENT_ID, api_key=API_KEY)
    mocked = YubiCloudVerifier(
        client_id=CLIENT_ID, api_key=API_KEY, transport=httpx.MockTransport(service)
    )
    repr(plain)
    plain.close()
    mocked.close()

    assert service.requests == []


def test_the_http_client_is_built_once_on_first_use_even_by_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = FakeValidationService()
    real_client = httpx.Client
    built: list[dict[str, Any]] = []

    def build(**kwargs: Any) -> httpx.Client:
        built.append(kwargs)
        time.sleep(0.05)  # a wide window for a second thread to build one too
        return real_client(transport=httpx.MockTransport(service), timeout=kwargs["timeout"])

    monkeypatch.setattr(httpx, "Client", build)
    verifier = YubiCloudVerifier(client_id=CLIENT_ID, api_key=API_KEY, timeout=2.5)
    assert built == []
    outcomes = race([functools.partial(verifier.verify, make_otp(n)) for n in range(6)])
    verifier.close()

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert len(built) == 1
    assert built[0]["transport"] is None
    assert built[0]["timeout"] == 2.5
    assert len(service.seen) == 6


class _ClosingTransport(httpx.MockTransport):
    closed = 0

    def close(self) -> None:
        self.closed += 1


def test_close_and_with_release_the_transport() -> None:
    used = _ClosingTransport(FakeValidationService())
    with YubiCloudVerifier(client_id=CLIENT_ID, api_key=API_KEY, transport=used) as verifier:
        verifier.verify(OTP)
    unused = _ClosingTransport(FakeValidationService())
    never_used = YubiCloudVerifier(client_id=CLIENT_ID, api_key=API_KEY, transport=unused)
    never_used.close()
    never_used.close()

    assert used.closed == 1
    assert unused.closed == 1
    with pytest.raises(RuntimeError, match="closed"):
        verifier.verify(make_otp(2))


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"client_id": ""}, "client_id"),
        ({"client_id": "abc"}, "client_id"),
        ({"client_id": "12 34"}, "client_id"),
        ({"client_id": "\u0661\u0662"}, "client_id"),  # Arabic-Indic digits
        ({"client_id": "0"}, "client_id"),
        ({"client_id": 87}, "client_id"),
        ({"api_key": ""}, "api_key"),
        ({"api_key": "not base64!"}, "api_key"),
        ({"api_key": "AQI"}, "api_key"),
        ({"urls": ()}, "urls"),
        ({"urls": "https://api.yubico.com/wsapi/2.0/verify"}, "urls"),
        ({"urls": ["ftp://api.yubico.com/verify"]}, "urls"),
        ({"urls": ["api.yubico.com/wsapi/2.0/verify"]}, "urls"),
        ({"urls": ["https://api.yubico.com/wsapi/2.0/verify?id=87"]}, "urls"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"sync_level": -1}, "sync_level"),
        ({"sync_level": 101}, "sync_level"),
        ({"sync_level": True}, "sync_level"),
    ],
)
def test_bad_arguments_are_refused_by_name(overrides: dict[str, Any], argument: str) -> None:
    arguments: dict[str, Any] = {"client_id": CLIENT_ID, "api_key": API_KEY, **overrides}

    with pytest.raises(ValueError, match=argument):
        YubiCloudVerifier(**arguments)


def test_an_api_key_with_surrounding_whitespace_is_accepted(make_verifier: MakeVerifier) -> None:
    service = FakeValidationService()
    verifier = make_verifier(api_key=f" {API_KEY}\n", transport=httpx.MockTransport(service))

    verifier.verify(OTP)

    assert service.answered == ["OK"]


# --- the helpers ------------------------------------------------------------------------


def test_modhex_and_the_public_id() -> None:
    assert MODHEX == MODHEX_LETTERS
    assert public_id(OTP.upper()) == PUBLIC_ID
    with pytest.raises(ValueError, match="OTP") as caught:
        public_id(OTP[:-1])
    assert OTP[:-1] not in str(caught.value)


def looks_like_an_otp(value: str) -> bool:
    return len(value) == 44 and all(c in MODHEX_LETTERS + MODHEX_LETTERS.upper() for c in value)


# Arbitrary text hardly ever has 44 modhex characters, so also strings close to an OTP.
CANDIDATES = st.one_of(
    st.text(),
    st.text(alphabet=MODHEX_LETTERS + MODHEX_LETTERS.upper(), min_size=43, max_size=45),
    st.text(alphabet=MODHEX_LETTERS + "aAzZ0 \n\t\u212a\u0130", min_size=42, max_size=46),
)


@given(CANDIDATES)
@example(OTP + "\n")
@example(OTP[:-1] + "\u212a")
@example(OTP.upper())
def test_is_otp_is_true_exactly_for_44_modhex_characters(value: str) -> None:
    assert is_otp(value) is looks_like_an_otp(value)


@given(CANDIDATES)
@example(OTP + "\n")
@example(OTP.upper())
def test_verify_asks_the_service_only_about_an_otp(value: str) -> None:
    service = FakeValidationService()
    with YubiCloudVerifier(
        client_id=CLIENT_ID, api_key=API_KEY, transport=httpx.MockTransport(service)
    ) as verifier:
        if looks_like_an_otp(value):
            verifier.verify(value)
            [request] = service.requests
            assert dict(received(request))["otp"] == value.lower()
        else:
            with pytest.raises(VerificationFailed) as caught:
                verifier.verify(value)
            assert caught.value.reason == "malformed"
            assert service.requests == []


# --- a whole login through the portal ------------------------------------------------------


def test_a_portal_login_with_a_yubikey_against_the_local_validation_server(
    serve: Serve, make_verifier: MakeVerifier
) -> None:
    """Sign-in end to end: each way to fail is refused with its own clear error."""
    service = FakeValidationService()
    good_url = serve(service)
    mailer, clock = RecordingMailer(), FrozenClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    portal = Portal(
        storage=MemoryStorage(),
        mailer=mailer,
        clock=clock,
        yubikey=make_verifier(urls=[good_url]),
        settings=make_settings(),
    )
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    portal.admin.invite_user(SERVICE_DESK, employer.id, email="anna@example.nl", username="anna.hr")
    portal.outbox.dispatch_due()
    plain = mailer.sent[-1].get_body(("plain",))
    assert plain is not None
    link = re.search(r"/registreren/(\S+)", plain.get_content())
    assert link
    enrollment = portal.accounts.register(link.group(1), "Koffie-Met-Melk-2026")
    portal.mfa.add_yubikey(enrollment.token, make_otp(10))
    portal.mfa.finish(enrollment.token)

    def login() -> str:
        return portal.auth.login("anna.hr", "Koffie-Met-Melk-2026").token

    session = portal.auth.verify(login(), make_otp(11), method="yubikey")
    assert portal.auth.authenticate(session.token).user_id == enrollment.user_id

    with pytest.raises(VerificationFailed) as replayed:
        portal.auth.verify(login(), make_otp(11), method="yubikey")
    assert replayed.value.reason == "replayed"

    someone_else = "vvvvvvvvvvvv" + make_otp(12)[12:]
    with pytest.raises(VerificationFailed) as wrong_key:
        portal.auth.verify(login(), someone_else, method="yubikey")
    assert wrong_key.value.reason == "wrong_key"

    service.signing = "wrong"
    with pytest.raises(YubikeyServiceError, match="signature"):
        portal.auth.verify(login(), make_otp(13), method="yubikey")
    service.signing = "good"

    unreachable = Portal(
        storage=portal.storage,
        mailer=mailer,
        clock=clock,
        yubikey=make_verifier(urls=[closed_port_url()], timeout=1.0),
        settings=make_settings(),
    )
    with pytest.raises(YubikeyServiceError, match=r"reached|answer"):
        unreachable.auth.verify(
            unreachable.auth.login("anna.hr", "Koffie-Met-Melk-2026").token,
            make_otp(14),
            method="yubikey",
        )
    # After all that, a fresh OTP still works: service failures do not count against the user.
    portal.auth.verify(login(), make_otp(15), method="yubikey")
