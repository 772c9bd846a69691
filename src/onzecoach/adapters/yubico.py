"""YubiCloudVerifier: the ``YubikeyVerifier`` port over Yubico's validation protocol 2.0.

A YubiKey types a one-time password (OTP) of 44 modhex characters: 12 that name the key
(its public id) and 32 that only the validation service can decrypt. The service keeps
the key's counters, so it alone can say whether an OTP is genuine and unused. We ask it
with one HTTP GET and trust the answer only once its HMAC-SHA1 signature, made with the
API key we share with the service, checks out and it echoes the OTP and nonce we sent:
without those checks, anyone between us and the service could answer OK.

The protocol: https://developers.yubico.com/yubikey-val/Validation_Protocol_V2.0.html

Failures leave as ``YubikeyServiceError`` (for the operator) or ``VerificationFailed``
(for the person at the keyboard), never as an httpx error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import math
import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Final, NamedTuple, Self

import httpx

from onzecoach.errors import VerificationFailed, YubikeyServiceError
from onzecoach.mfa import MODHEX
from onzecoach.mfa import is_yubikey_otp as is_otp

__all__ = ["MODHEX", "YUBICLOUD_URL", "YubiCloudVerifier", "is_otp", "public_id"]

log = logging.getLogger("onzecoach.yubico")

#: The 16 letters a YubiKey types for the hex digits 0-f. They sit on the same keys in
#: most keyboard layouts, so an OTP survives a QWERTY, AZERTY or QWERTZ keyboard alike.

#: YubiCloud's validation endpoint.
YUBICLOUD_URL: Final = "https://api.yubico.com/wsapi/2.0/verify"

_PUBLIC_ID_LENGTH: Final = 12
# Spelled out rather than re.IGNORECASE: that flag would also let the Kelvin sign (U+212A)
# match "k", and a string that is not ASCII is never an OTP.
_CLIENT_ID = re.compile("[0-9]+")
_STATUS_WORD = re.compile("[A-Z][A-Z_]{0,39}")

# An answer is a handful of short lines; anything much larger is not one.
_MAX_BODY_BYTES: Final = 16 * 1024

_MALFORMED: Final = "yubikey.malformed"
_REPLAYED: Final = "yubikey.replayed"

# Statuses whose answer must echo both our OTP and our nonce. The service echoes them on
# these answers; without the echo, a signed answer copied from another request could be
# passed off as the answer to ours ("cut and paste"). Refusals the service makes before
# it looks at the OTP (BAD_SIGNATURE, NO_SUCH_CLIENT, ...) carry no echo, so there a
# missing echo is tolerated, but an echo that differs from what we sent never is.
_ECHO_REQUIRED: Final = frozenset({"OK", "REPLAYED_OTP"})

# The server failed, not the request: another server may well answer.
_TRY_NEXT: Final = frozenset({"BACKEND_ERROR", "REPLAYED_REQUEST"})

# What an operator should look at when the service refuses the request itself.
_ADVICE: Final[Mapping[str, str]] = {
    "BAD_SIGNATURE": (
        "the service found the signature of our request wrong; check that api_key is the "
        "API key issued together with client_id {client_id}"
    ),
    "NO_SUCH_CLIENT": "the service does not know client_id {client_id}; check client_id",
    "MISSING_PARAMETER": (
        "the service found a request parameter missing or invalid; check client_id and sync_level"
    ),
    "OPERATION_NOT_ALLOWED": (
        "the service does not allow client_id {client_id} to verify OTPs; ask the "
        "service's operator to allow it"
    ),
    "NOT_ENOUGH_ANSWERS": (
        "the service could not reach the sync level asked for (sync_level={sync_level}); "
        "lower sync_level or try again later"
    ),
}


def public_id(otp: str) -> str:
    """The public id of the YubiKey that typed ``otp``: its first 12 characters, lower case.

    The id stays the same for every OTP of one key, which makes it the thing to store when
    a key is bound to an account. Raises ``ValueError`` when ``otp`` is not an OTP.
    """
    if not is_otp(otp):
        # The value itself stays out of the message: it may be a code still valid.
        raise ValueError("not a YubiKey OTP (44 modhex characters)")
    return otp[:_PUBLIC_ID_LENGTH].lower()


class _Unusable(NamedTuple):
    """Why one server gave no answer we can act on; the next server is tried."""

    reason: str
    status: str | None


class YubiCloudVerifier:
    """Checks YubiKey OTPs with a validation service: the ``YubikeyVerifier`` port.

    ``YubiCloudVerifier(client_id="12345", api_key=...)`` asks YubiCloud, with the client
    id and API key from https://upgrade.yubico.com/getapikey/. ``urls`` lists the
    validation servers to ask, in order: a server that cannot be reached, does not answer
    within ``timeout`` seconds, answers with an HTTP error or something that is not a
    validation response, or reports BACKEND_ERROR or REPLAYED_REQUEST is passed over for
    the next one. Every other answer decides. ``sync_level`` (0-100, the protocol's ``sl``)
    asks the service to have that percentage of its peers confirm the OTP is unused; by
    default the service decides.

    Every request is signed and every answer's signature is checked, so a forged answer
    is refused over plain HTTP as well.

    ``transport`` replaces the network (``httpx.MockTransport`` in tests). Without one, an
    ``httpx.Client`` is built on first use, so creating a verifier does no I/O; one
    verifier is safe to share between threads. ``close()`` (or leaving a ``with`` block)
    releases its connections and closes ``transport``.

    The API key never appears in the repr, an error message or a log line, and neither
    does an OTP: in the request line httpx logs, it is cut to the key's public id.
    """

    def __init__(
        self,
        *,
        client_id: str,
        api_key: str,
        urls: Sequence[str] = (YUBICLOUD_URL,),
        timeout: float = 5.0,
        sync_level: int | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
            raise ValueError("client_id must be the client id's digits, such as '12345'")
        if int(client_id) == 0:
            raise ValueError("client_id must not be 0")
        self._key = _decode_api_key(api_key)
        self.client_id = client_id
        self.urls = _check_urls(urls)
        if isinstance(timeout, bool) or not math.isfinite(timeout) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if sync_level is not None and (
            isinstance(sync_level, bool)
            or not isinstance(sync_level, int)
            or not 0 <= sync_level <= 100
        ):
            raise ValueError(f"sync_level must be between 0 and 100, got {sync_level!r}")
        self.timeout = float(timeout)
        self.sync_level = sync_level
        self._transport = transport
        self._client: httpx.Client | None = None
        self._closed = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"YubiCloudVerifier(client_id={self.client_id!r}, urls={self.urls!r}, "
            f"timeout={self.timeout!r}, sync_level={self.sync_level!r})"
        )

    def verify(self, otp: str) -> None:
        """Return when the service accepts ``otp``; raise when it does not, or cannot say.

        Raises ``VerificationFailed`` with ``reason="malformed"`` when ``otp`` is not 44
        modhex characters (nothing is sent then) or the service answers BAD_OTP, and with
        ``reason="replayed"`` when the service has seen the OTP before (REPLAYED_OTP).

        Raises ``YubikeyServiceError`` when no server gives a usable answer (``status``:
        the last server's status word, if it gave one), when an answer's signature or
        echo does not check out (``status=None``), and when the service refuses the
        request itself (``status``: BAD_SIGNATURE, NO_SUCH_CLIENT, ...).

        A server that stops answering after it accepted the OTP has used it up, so the
        next server may answer REPLAYED_OTP; the person presses the key again and the
        fresh OTP passes.
        """
        if not is_otp(otp):
            raise VerificationFailed(_MALFORMED)
        otp = otp.lower()
        client = self._http_client()
        passed_over: list[str] = []
        last_status: str | None = None
        for url in self.urls:
            outcome = self._ask(client, url, otp)
            if outcome is None:
                return
            log.warning("YubiKey validation server %s %s", url, outcome.reason)
            passed_over.append(f"{url} {outcome.reason}")
            last_status = outcome.status
        count = len(self.urls)
        raise YubikeyServiceError(
            f"no usable answer from the {count} YubiKey validation server"
            f"{'' if count == 1 else 's'} tried: {'; '.join(passed_over)}",
            status=last_status,
        )

    def close(self) -> None:
        """Release the connections (and ``transport``). The verifier is unusable afterwards."""
        with self._lock:
            if self._closed:
                return
            client, self._client = self._client, None
            self._closed = True
        if client is not None:
            client.close()
        elif self._transport is not None:
            self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _http_client(self) -> httpx.Client:
        # Built on first use, not in __init__: the default transport loads the system's
        # certificates, which is I/O. The lock makes threads that arrive together share one.
        with self._lock:
            if self._closed:
                raise RuntimeError("this YubiCloudVerifier has been closed")
            if self._client is None:
                _hide_otps_from_httpx_log()
                self._client = httpx.Client(transport=self._transport, timeout=self.timeout)
            return self._client

    def _ask(self, client: httpx.Client, url: str, otp: str) -> _Unusable | None:
        """Have one server check ``otp``: ``None`` on OK, why not when it gave no answer.

        Raises for an answer that decides: a refusal of the OTP, or of our request.
        """
        # A fresh nonce for every server: a nonce sent twice is a REPLAYED_REQUEST.
        nonce = _new_nonce()
        query = {"id": self.client_id, "nonce": nonce, "otp": otp}
        if self.sync_level is not None:
            query["sl"] = str(self.sync_level)
        query["h"] = _sign(self._key, query)
        body = self._fetch(client, url, query)
        if isinstance(body, _Unusable):
            return body
        fields = _parse(body)
        if fields is None:
            return _Unusable("answered with something other than a validation response", None)
        return self._judge(url, fields, otp=otp, nonce=nonce)

    def _fetch(self, client: httpx.Client, url: str, query: dict[str, str]) -> bytes | _Unusable:
        """The body of a successful answer, or why there was none: httpx's errors end here."""
        try:
            with client.stream("GET", url, params=query) as response:
                if not response.is_success:
                    return _Unusable(f"answered HTTP {response.status_code}", None)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > _MAX_BODY_BYTES:
                        return _Unusable(f"answered with over {_MAX_BODY_BYTES} bytes", None)
                return bytes(body)
        except httpx.TimeoutException:
            return _Unusable(f"did not answer within {self.timeout:g} s", None)
        except httpx.ConnectError as exc:
            return _Unusable(f"could not be reached ({self._describe(exc, query)})", None)
        except httpx.RequestError as exc:
            return _Unusable(f"broke off the exchange ({self._describe(exc, query)})", None)

    def _judge(
        self, url: str, fields: Mapping[str, str], *, otp: str, nonce: str
    ) -> _Unusable | None:
        """What a parsed answer means, checked in the order that makes it safe to read."""
        unsigned = self._check_signature(url, fields)
        status = fields["status"]
        if unsigned:
            if status == "BACKEND_ERROR":
                return _Unusable("reported BACKEND_ERROR (in an answer signed without a key)", None)
            raise YubikeyServiceError(
                f"YubiKey validation server {url} refused the request before identifying "
                f"the client: its answer, signed without a key, says {status}; check "
                f"client_id {self.client_id} and the request parameters",
                status=None,
            )
        _check_echo(url, fields, otp=otp, nonce=nonce)

        if status == "OK":
            return None
        if status == "REPLAYED_OTP":
            raise VerificationFailed(_REPLAYED)
        if status == "BAD_OTP":
            raise VerificationFailed(_MALFORMED)
        if status in _TRY_NEXT:
            return _Unusable(f"reported {status}", status)
        advice = _ADVICE.get(status, "a status the validation protocol 2.0 does not define")
        raise YubikeyServiceError(
            f"YubiKey validation server {url} answered {status}: "
            + advice.format(client_id=self.client_id, sync_level=self.sync_level),
            status=status,
        )

    def _check_signature(self, url: str, fields: Mapping[str, str]) -> bool:
        """Raise unless the answer is signed with our API key; ``True`` if with no key.

        The service refuses some requests before it has looked up the client, and so
        before it knows the key; it signs those answers with an empty key. Such an answer
        proves nothing, so it can never accept or reject an OTP, but it does tell the
        operator what to fix.
        """
        given = fields.get("h")
        if given is None:
            raise YubikeyServiceError(
                f"YubiKey validation server {url} sent an answer without a signature; "
                "not trusting it",
                status=None,
            )
        unsigned = {name: value for name, value in fields.items() if name != "h"}
        if hmac.compare_digest(given.encode(), _sign(self._key, unsigned).encode()):
            return False
        if hmac.compare_digest(given.encode(), _sign(b"", unsigned).encode()):
            return True
        raise YubikeyServiceError(
            f"the signature of the answer from YubiKey validation server {url} does not "
            f"check out; check that api_key is the API key issued together with client_id "
            f"{self.client_id} (a wrong key makes every answer look forged), otherwise the "
            "answer was altered on the way",
            status=None,
        )

    def _describe(self, exc: Exception, query: Mapping[str, str]) -> str:
        # Network errors rarely quote the request, but if one does, neither the OTP (still
        # unused, since the service never saw it) nor the key may reach a log line.
        text = str(exc) or type(exc).__name__
        for secret in (query["otp"], base64.b64encode(self._key).decode("ascii")):
            text = text.replace(secret, "***")
        return text


def _check_echo(url: str, fields: Mapping[str, str], *, otp: str, nonce: str) -> None:
    status = fields["status"]
    for name, sent in (("otp", otp), ("nonce", nonce)):
        echoed = fields.get(name)
        if echoed is None and status in _ECHO_REQUIRED:
            raise YubikeyServiceError(
                f"YubiKey validation server {url} answered {status} without echoing the "
                f"{name} it was sent; not trusting the answer",
                status=None,
            )
        if echoed is not None and echoed != sent:
            raise YubikeyServiceError(
                f"YubiKey validation server {url} answered for another {name} than the "
                "one it was sent (a replayed or misdirected answer); not trusting it",
                status=None,
            )


class _HideOtp(logging.Filter):
    """Shortens the OTP in the request line httpx logs to the key's public id.

    httpx logs every request's URL at INFO. Ours carries the OTP, and an OTP that never
    reached the service (it was down) stays valid until the key's next OTP is verified,
    so it must not sit in a log. The public id says which key it was.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _without_otp(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


def _without_otp(url: httpx.URL) -> httpx.URL:
    otp = url.params.get("otp")
    if otp is None or not is_otp(otp):
        return url
    return url.copy_set_param("otp", f"{public_id(otp)}...")


_log_filter_lock = threading.Lock()


def _hide_otps_from_httpx_log() -> None:
    # On the first client, not at import: importing onzecoach changes nothing outside it.
    httpx_log = logging.getLogger("httpx")
    with _log_filter_lock:
        if not any(isinstance(existing, _HideOtp) for existing in httpx_log.filters):
            httpx_log.addFilter(_HideOtp())


def _decode_api_key(api_key: str) -> bytes:
    if not isinstance(api_key, str):
        raise ValueError("api_key must be the base64 API key shared with the service")
    try:
        key = base64.b64decode(api_key.strip(), validate=True)
    except binascii.Error:
        # "from None": the key, even when mistyped, stays out of the traceback.
        raise ValueError(
            "api_key must be the base64 API key shared with the service, and is not valid base64"
        ) from None
    if not key:
        raise ValueError("api_key must not be empty: every answer is checked with it")
    return key


def _check_urls(urls: Sequence[str]) -> tuple[str, ...]:
    if isinstance(urls, str):
        raise ValueError("urls must be a sequence of URLs, not one string: use (url,)")
    checked = tuple(urls)
    if not checked:
        raise ValueError("urls must name at least one validation server")
    for url in checked:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError):
            raise ValueError(f"urls: {url!r} is not a URL") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"urls: {url!r} is not an http or https URL with a host")
        if parsed.query or parsed.fragment:
            # Parameters of the URL's own would reach the service unsigned by us and
            # break the signature it checks.
            raise ValueError(f"urls: {url!r} must not carry a query or fragment")
    return checked


def _new_nonce() -> str:
    # 32 characters: within the protocol's 16 to 40, and the most older servers accept.
    return secrets.token_hex(16)


def _sign(key: bytes, fields: Mapping[str, str]) -> str:
    """The protocol's signature: HMAC-SHA1 over ``a=1&b=2...`` sorted by key, in base64.

    Over the values as they are, not URL-encoded: the service decodes the query before
    it computes the signature it compares with ours.
    """
    line = "&".join(f"{name}={fields[name]}" for name in sorted(fields))
    digest = hmac.new(key, line.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _parse(body: bytes) -> dict[str, str] | None:
    """The ``name=value`` lines of an answer, or ``None`` if it is not one.

    A name given twice makes the answer unreadable rather than letting one of the two
    win: which one the signature covered would be a guess.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields: dict[str, str] = {}
    for raw_line in text.split("\n"):
        line = raw_line.removesuffix("\r")
        if not line:
            continue
        name, equals, value = line.partition("=")
        if not equals or not name or name in fields:
            return None
        fields[name] = value
    if not _STATUS_WORD.fullmatch(fields.get("status", "")):
        return None
    return fields
