"""HttpSmsGateway: the ``SmsSender`` port over an HTTP SMS gateway, with httpx.

One message is one JSON POST::

    POST <url>
    Accept: application/json
    Content-Type: application/json
    User-Agent: onzecoach/<version>

    {"from": "OnzeCoach", "to": "+31612345678", "text": "..."}

and the gateway's 2xx answer means it took the message. That is the shape most gateways
offer, or that a few lines of glue in front of one can offer.

Failures leave as ``SmsDeliveryError``, never as an httpx error, with ``permanent`` telling
the caller whether sending the same message again can help, and ``unreachable`` whether the
gateway could not be reached or did not answer in time, so the next message would fare
the same. The adapter itself retries a
few times, briefly, when the gateway is busy or out of reach: a login code is sent while a
person waits, and a blip (a load balancer's 502, a dropped connection) is better bridged
in a second than by the outbox's next round minutes later.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self

import httpx

from onzecoach._version import __version__
from onzecoach.errors import SmsDeliveryError

__all__ = ["HttpSmsGateway"]

log = logging.getLogger("onzecoach.sms")

# E.164: a country code (never starting with 0) and the national number, 8 to 15 digits.
_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")
# An originator is a phone number or short code, or a name that handsets show instead. The
# GSM specification gives such an alphanumeric sender id 11 characters at most; gateways
# refuse or cut longer ones, so it is checked here, where the mistake is made.
_NUMERIC_SENDER: Final = re.compile(r"\+?[0-9]{1,15}")
_ALPHANUMERIC_SENDER: Final = re.compile(r"[A-Za-z0-9 .&_-]{1,11}")
_HEADER_NAME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

#: Statuses after which the same request may well succeed a moment later.
_BUSY: Final = frozenset({408, 429})
#: Statuses whose ``Retry-After`` header (in seconds) is honoured.
_SAYS_WHEN: Final = frozenset({429, 503})
#: The longest wait between two tries, in seconds. Someone may be waiting for the code; a
#: gateway that wants a longer pause gets it from the caller's own retry (the outbox's).
_MAX_WAIT: Final = 30.0

# How much of an error body is read, and how much of it goes into the error message.
_BODY_LIMIT: Final = 8192
_EXCERPT_LIMIT: Final = 200
_JSON_MESSAGE_KEYS: Final = ("message", "error", "detail", "description", "title")

# Eight or more digits, possibly grouped: a phone number however the gateway writes it.
_PHONE_LIKE: Final = re.compile(r"\+?[0-9](?:[ ./()-]?[0-9]){7,}")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_REDACTED: Final = "***"

_TIMEOUTS: Final[dict[type[httpx.TimeoutException], str]] = {
    httpx.ConnectTimeout: "did not accept a connection",
    httpx.ReadTimeout: "did not answer",
    httpx.WriteTimeout: "did not take the request",
    httpx.PoolTimeout: "had no free connection",
}


class HttpSmsGateway:
    """Sends text messages through an HTTP SMS gateway: the ``SmsSender`` port for production.

    ``HttpSmsGateway(url="https://sms.example.nl/v1/messages", token=...)`` posts each
    message as JSON with a bearer token; ``username`` and ``password`` log in with HTTP
    basic authentication instead. ``sender`` is the originator handsets show: a phone
    number or at most 11 letters and digits. ``headers`` are sent with every request, after
    (and so over) the adapter's own ``Accept`` and ``User-Agent``; their values are kept out
    of error messages like the password, since an API key often travels in one.

    ``timeout`` (seconds) applies to connecting, sending and each wait for the answer
    separately, not to the whole send. A timeout, a failed connection, 408, 429 or a 5xx
    answer is tried again up to ``retries`` times, after ``backoff`` seconds and twice as
    long before each further try, or after the ``Retry-After`` seconds that a 429 or 503
    names (30 at most: a gateway that asks for more gets a non-permanent error at once).
    A try that timed out may still have delivered the message, so a retry can send it
    twice; for a login code that beats sending it not at all.

    ``transport`` replaces httpx's network transport (``httpx.MockTransport`` in tests);
    the gateway owns it and closes it in ``close()``. Creating an HttpSmsGateway does no
    I/O: the client and its TLS settings are made on the first ``send``. One gateway is
    safe to share between threads. Neither the password, the token nor the URL's query
    string appears in its repr or in an error message.
    """

    def __init__(
        self,
        *,
        url: str,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        sender: str = "OnzeCoach",
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._url = _parse_url(url)
        if (username is None) != (password is None):
            raise ValueError("username and password go together: give both or neither")
        if username is not None and ":" in username:
            raise ValueError("username must not contain ':', which HTTP basic auth cannot carry")
        if token is not None and (
            not token or any(c.isspace() or _CONTROL.match(c) for c in token)
        ):
            raise ValueError(
                "token must be a non-empty string without spaces or control characters"
            )
        if token is not None and username is not None:
            raise ValueError(
                "token (bearer) and username/password (basic) exclude each other: give one"
            )
        if not (_NUMERIC_SENDER.fullmatch(sender) or _is_alphanumeric_sender(sender)):
            raise ValueError(
                "sender must be a phone number (up to 15 digits) or an alphanumeric sender id "
                f"(1 to 11 letters, digits, spaces or .&_-, not starting or ending with a space), "
                f"got {sender!r}"
            )
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries!r}")
        if not (math.isfinite(backoff) and backoff >= 0):
            raise ValueError(f"backoff must be 0 or more seconds, got {backoff!r}")

        self._headers = httpx.Headers(
            {"Accept": "application/json", "User-Agent": f"onzecoach/{__version__}"}
        )
        self._headers.update(
            _check_headers(headers, has_credentials=username is not None or token is not None)
        )
        if token is not None:
            self._headers["Authorization"] = f"Bearer {token}"
        self._auth = None if username is None else httpx.BasicAuth(username, password or "")

        self.username = username
        self.sender = sender
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._where = _where(self._url)
        self._secrets = _secrets(self._url, username, password, token, headers)
        self._transport = transport
        self._client: httpx.Client | None = None
        self._closed = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"HttpSmsGateway(host={self._where!r}, sender={self.sender!r}, "
            f"timeout={self.timeout!r})"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections and the transport; the gateway is unusable afterwards.

        Closing again does nothing.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            client, self._client = self._client, None
        if client is not None:
            client.close()
        elif self._transport is not None:
            self._transport.close()

    def send(self, to: str, text: str) -> None:
        """Hand ``text`` for ``to`` (E.164) to the gateway; return once it has accepted it.

        Raises ``ValueError`` for a number that is not E.164 (the core normalises numbers,
        so this is a programming error) and ``RuntimeError`` after ``close()``. Raises
        ``SmsDeliveryError``: ``permanent`` for a 3xx or 4xx answer other than 408 and 429
        (the gateway refuses this request and will refuse it again) and for a request httpx
        cannot make; not permanent when the gateway stays busy or out of reach after every
        try, and ``unreachable`` too when the last try found no connection or timed out.
        """
        if not _E164.fullmatch(to):
            # Not quoted: error messages stay free of phone numbers.
            raise ValueError("to must be an E.164 number: '+' and 8 to 15 digits, the first not 0")
        client = self._open()
        # The text may be a login code or hold a one-time link; it goes to the gateway and
        # nowhere else: not into a log line, not into an error message.
        scrub = _Scrubber(self._secrets, to=to, text=text)
        payload = {"from": self.sender, "to": to, "text": text}
        tries = self.retries + 1
        for attempt in range(1, tries + 1):
            answer: _Answer | None = None
            try:
                with self._translate_errors(scrub, attempt):
                    answer = self._post(client, payload)
                if answer.accepted:
                    return
                raise self._refusal(answer, scrub, attempt)
            except SmsDeliveryError as exc:
                asked = None if answer is None else answer.retry_after
                if exc.permanent or attempt == tries or (asked is not None and asked > _MAX_WAIT):
                    raise
                wait = self._backoff_after(attempt) if asked is None else asked
                log.info("%s; trying again in %g s", exc, wait)
                if wait > 0:
                    time.sleep(wait)

    def _backoff_after(self, attempt: int) -> float:
        return min(self.backoff * 2.0 ** (attempt - 1), _MAX_WAIT)

    def _open(self) -> httpx.Client:
        with self._lock:
            if self._closed:
                raise RuntimeError("this HttpSmsGateway is closed")
            if self._client is None:
                # Made on first use, not in __init__: httpx's own transport loads the
                # system's certificates, which is I/O an embedding application did not ask
                # for by merely configuring the portal.
                self._client = httpx.Client(
                    transport=self._transport,
                    auth=self._auth,
                    headers=self._headers,
                    timeout=self.timeout,
                    # After a 301, 302 or 303 a POST goes on as a GET without the message,
                    # and its answer could look like success. The URL is configuration:
                    # a redirect means it is wrong, which the error says instead.
                    follow_redirects=False,
                )
            return self._client

    def _post(self, client: httpx.Client, payload: dict[str, str]) -> _Answer:
        with client.stream("POST", self._url, json=payload) as response:
            if response.is_success:
                return _Answer(response.status_code)
            return _Answer(
                response.status_code, body=_read_some(response), retry_after=_retry_after(response)
            )

    def _refusal(self, answer: _Answer, scrub: _Scrubber, attempt: int) -> SmsDeliveryError:
        status = answer.status
        what = f"{status} {httpx.codes.get_reason_phrase(status)}".rstrip()
        excerpt = _excerpt(answer.body, scrub)
        detail = f"{what}: {excerpt}" if excerpt else what
        if answer.retry_after is not None and answer.retry_after > _MAX_WAIT:
            return self._error(
                f"SMS gateway {self._where} answered {detail}, and asks to wait "
                f"{answer.retry_after:g} s before trying again",
                scrub,
                permanent=False,
                attempt=attempt,
            )
        if 300 <= status < 400:
            return self._error(
                f"SMS gateway {self._where} answered {detail}; a message is not sent after "
                "a redirect: check the url",
                scrub,
                permanent=True,
                attempt=attempt,
            )
        if status in _BUSY or status >= 500:
            return self._error(
                f"SMS gateway {self._where} answered {detail}",
                scrub,
                permanent=False,
                attempt=attempt,
            )
        return self._error(
            f"SMS gateway {self._where} refused the message: {detail}",
            scrub,
            permanent=True,
            attempt=attempt,
        )

    @contextmanager
    def _translate_errors(self, scrub: _Scrubber, attempt: int) -> Iterator[None]:
        """Turn every httpx error into ``SmsDeliveryError``.

        Without an answer the fault lies between us and the gateway (timeouts, refused or
        broken connections, a failing proxy), and a later try may well work. A request
        that httpx cannot make at all (an unsupported scheme, a header it cannot send)
        fails the same way every time. No connection, or no answer in time, is also
        ``unreachable``: every other message would wait just as long. A connection that
        broke off is not: it cost no wait, and a gateway behind a load balancer often
        takes the next request on a fresh connection.
        """
        where = self._where
        try:
            yield
        except httpx.TimeoutException as exc:
            what = _TIMEOUTS.get(type(exc), "did not respond")
            raise self._error(
                f"SMS gateway {where} {what} within {self.timeout:g} s",
                scrub,
                permanent=False,
                attempt=attempt,
                unreachable=True,
            ) from exc
        except httpx.ConnectError as exc:
            raise self._error(
                f"SMS gateway {where} could not be reached: {_detail(exc)}",
                scrub,
                permanent=False,
                attempt=attempt,
                unreachable=True,
            ) from exc
        except httpx.RemoteProtocolError as exc:
            raise self._error(
                f"SMS gateway {where} broke off the exchange: {_detail(exc)}",
                scrub,
                permanent=False,
                attempt=attempt,
            ) from exc
        except (httpx.NetworkError, httpx.ProxyError) as exc:
            raise self._error(
                f"the connection to SMS gateway {where} failed: {_detail(exc)}",
                scrub,
                permanent=False,
                attempt=attempt,
            ) from exc
        except httpx.HTTPError as exc:
            raise self._error(
                f"could not send a request to SMS gateway {where}: {_detail(exc)}",
                scrub,
                permanent=True,
                attempt=attempt,
            ) from exc

    def _error(
        self,
        text: str,
        scrub: _Scrubber,
        *,
        permanent: bool,
        attempt: int,
        unreachable: bool = False,
    ) -> SmsDeliveryError:
        if not permanent and self.retries:
            text = f"{text} (try {attempt} of {self.retries + 1})"
        # Last, over the whole message: whatever httpx or the gateway put into it, no
        # secret, number or message text leaves in it.
        return SmsDeliveryError(scrub(text), permanent=permanent, unreachable=unreachable)


@dataclass(frozen=True)
class _Answer:
    """What the gateway said to one try."""

    status: int
    body: str = ""
    retry_after: float | None = None

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


class _Scrubber:
    """Takes out of a message what must not reach a log: secrets, the number and the text."""

    def __init__(self, secrets: tuple[str, ...], *, to: str, text: str) -> None:
        needles = {*secrets, to, to[1:], text, " ".join(text.split())}
        # A gateway may quote the text as it arrived, JSON-escaped, or only the part it
        # objects to, which may be the very code or link; so each longer word goes too.
        needles.add(json.dumps(text)[1:-1])
        needles.add(json.dumps(text, ensure_ascii=False)[1:-1])
        words = (word.strip(".,:;!?'\"()[]<>") for word in text.split())
        needles.update(word for word in words if len(word) >= 4)
        # Longest first, so that no part of a longer needle survives a shorter one.
        self._needles = sorted((n for n in needles if n), key=len, reverse=True)

    def __call__(self, message: str) -> str:
        for needle in self._needles:
            message = message.replace(needle, _REDACTED)
        return _PHONE_LIKE.sub(_REDACTED, message)


def _parse_url(url: str) -> httpx.URL:
    # Not quoted in these messages: a gateway's URL may carry an API key in its query.
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise ValueError("url is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError("url must be an absolute http:// or https:// URL")
    if parsed.userinfo:
        raise ValueError(
            "url must not hold credentials: give username and password, or token, instead"
        )
    return parsed


def _is_alphanumeric_sender(sender: str) -> bool:
    return bool(_ALPHANUMERIC_SENDER.fullmatch(sender)) and sender == sender.strip()


def _check_headers(headers: Mapping[str, str] | None, *, has_credentials: bool) -> httpx.Headers:
    checked = httpx.Headers()
    for name, value in (headers or {}).items():
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"headers: {name!r} is not a valid header name")
        # The value is not quoted: it may be an API key.
        if any(_CONTROL.match(c) and c != "\t" for c in value):
            raise ValueError(
                f"headers: the value of {name!r} holds a line break or control character"
            )
        if not value.isascii():
            raise ValueError(f"headers: the value of {name!r} holds characters other than ASCII")
        if has_credentials and name.lower() == "authorization":
            raise ValueError(
                "headers must not set Authorization when username/password or token do: "
                "give the credentials once"
            )
        checked[name] = value
    return checked


def _where(url: httpx.URL) -> str:
    host = f"[{url.host}]" if ":" in url.host else url.host
    return host if url.port is None else f"{host}:{url.port}"


def _secrets(
    url: httpx.URL,
    username: str | None,
    password: str | None,
    token: str | None,
    headers: Mapping[str, str] | None,
) -> tuple[str, ...]:
    found = [password or "", token or "", str(url)]
    if username is not None and password is not None:
        # As a gateway might echo the header it did not like.
        found.append(base64.b64encode(f"{username}:{password}".encode()).decode("ascii"))
    if url.query:
        found.append(url.query.decode("ascii", errors="replace"))
        found.extend(value for _, value in url.params.multi_items() if len(value) >= 4)
    # Header values this short are no secret, and hiding them would garble the messages.
    found.extend(value for value in (headers or {}).values() if len(value) >= 8)
    return tuple(secret for secret in found if secret)


def _read_some(response: httpx.Response) -> str:
    """The start of the body, for the error message; as much as could be read."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= _BODY_LIMIT:
                break
    except httpx.HTTPError:
        # The status has been received and decides the outcome; a body that breaks off
        # only shortens the excerpt, so this error is not translated but dropped.
        pass
    return b"".join(chunks)[:_BODY_LIMIT].decode(response.encoding or "utf-8", errors="replace")


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code not in _SAYS_WHEN:
        return None
    value = response.headers.get("Retry-After", "").strip()
    # Only delay-seconds; an HTTP date would need a clock that agrees with the gateway's.
    return float(value) if value.isascii() and value.isdigit() else None


def _excerpt(body: str, scrub: _Scrubber) -> str:
    """A short, single-line, scrubbed excerpt of the gateway's error text."""
    text = scrub(_json_message(body) or body)
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) > _EXCERPT_LIMIT:
        text = text[: _EXCERPT_LIMIT - 1] + "…"
    return text


def _json_message(body: str) -> str | None:
    """The message field of a JSON error body, where there is one."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    for key in _JSON_MESSAGE_KEYS:
        value = document.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _detail(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
