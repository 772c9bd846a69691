"""SmtpMailer: the ``Mailer`` port over the standard library's smtplib.

Each ``send`` opens its own connection and closes it afterwards. The outbox hands over
mail in small, infrequent batches, so a fresh connection costs little and spares us
keeping an idle connection alive, noticing that the server dropped it and reconnecting.
That also makes one SmtpMailer safe to share between threads.

Failures leave as ``MailDeliveryError``, never as an smtplib, ssl or socket error, with
``permanent`` telling the outbox whether trying the same message again can help, and
``unreachable`` whether the next message would meet the same dead server.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Final, Literal, get_args

from onzecoach.errors import MailDeliveryError

__all__ = ["Security", "SmtpMailer"]

log = logging.getLogger("onzecoach.smtp")

#: How the connection is protected. ``"starttls"`` upgrades a plain connection (submission,
#: port 587), ``"ssl"`` speaks TLS from the first byte (port 465), ``"none"`` sends in clear
#: text and suits only a relay on the same machine or a development server.
Security = Literal["starttls", "ssl", "none"]

_DEFAULT_PORTS: Final[dict[Security, int]] = {"starttls": 587, "ssl": 465, "none": 25}

# What each refusal means, most specific first; the last one catches every other reply.
_REFUSALS: Final[tuple[tuple[type[smtplib.SMTPResponseException], str], ...]] = (
    (smtplib.SMTPSenderRefused, "refused the sender"),
    (smtplib.SMTPDataError, "refused the message"),
    (smtplib.SMTPAuthenticationError, "refused the login"),
    (smtplib.SMTPConnectError, "refused the connection"),
    (smtplib.SMTPHeloError, "refused the greeting"),
    (smtplib.SMTPResponseException, "answered with an error"),
)


class SmtpMailer:
    """Hands mail to an SMTP server: the ``Mailer`` port for production.

    ``SmtpMailer(host="smtp.example.nl", username="portaal", password=...)`` submits over
    STARTTLS on port 587 and logs in. With ``security="starttls"`` it refuses to go on in
    clear text when the server does not offer STARTTLS, since that is exactly what an
    attacker who strips the offer would want.

    ``timeout`` (seconds) applies to connecting and to each SMTP command separately, not to
    the whole send. ``ssl_context`` decides which certificates are trusted; by default the
    system's, with host-name checking. ``local_hostname`` is the name given in EHLO; by
    default this machine's fully qualified name.

    Creating an SmtpMailer does no I/O. The password never appears in its repr or in an
    error message.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int | None = None,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        if security not in get_args(Security):
            raise ValueError(f"security must be 'starttls', 'ssl' or 'none', got {security!r}")
        if not host:
            raise ValueError("host must not be empty")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"port must be between 1 and 65535, got {port!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        if (username is None) != (password is None):
            raise ValueError("username and password go together: give both or neither")
        self.host = host
        self.port = _DEFAULT_PORTS[security] if port is None else port
        self.security: Security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._ssl_context = ssl_context
        self._ssl_context_lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"SmtpMailer(host={self.host!r}, port={self.port!r}, security={self.security!r}, "
            f"username={self.username!r}, timeout={self.timeout!r})"
        )

    @property
    def _address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; return once the server has accepted it.

        The envelope comes from the headers: the sender from ``Sender`` or ``From``, the
        recipients from ``To``, ``Cc`` and ``Bcc`` (``Bcc`` is not transmitted).

        Raises ``MailDeliveryError``: ``permanent`` for a 5xx refusal or a server that lacks
        something the message or the login needs; not permanent for a 4xx answer, a server
        that cannot be reached, does not answer in time, fails TLS or hangs up. All of those
        but TLS are also ``unreachable``: the next message would fare the same.
        """
        with self._translate_errors():
            client = self._connect()
            try:
                self._start_session(client)
                refused = client.send_message(message)
            except smtplib.SMTPServerDisconnected:
                client.close()
                raise
            except (smtplib.SMTPException, MailDeliveryError):
                # A refusal: the server is still talking, so say goodbye properly.
                _quit(client)
                raise
            except BaseException:
                client.close()
                raise
            # Accepted: from here on, a failure must not make the caller send it again.
            _quit(client)
        if refused:
            # Some recipients have the message and retrying would give it to them twice.
            raise MailDeliveryError(
                f"SMTP server {self._address} accepted the message for some recipients but "
                f"refused {len(refused)} ({_describe_refusals(refused)}); "
                "not retrying, so the others do not receive it twice",
                permanent=True,
            )

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self._tls_context(),
            )
        return smtplib.SMTP(
            self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
        )

    def _start_session(self, client: smtplib.SMTP) -> None:
        client.ehlo()
        if self.security == "starttls":
            if not client.has_extn("starttls"):
                # Not permanent: a stripped offer may be an attack of the moment, and a
                # server being reconfigured may offer it again soon.
                raise MailDeliveryError(
                    f"SMTP server {self._address} does not offer STARTTLS; "
                    "refusing to send in clear text",
                    permanent=False,
                )
            client.starttls(context=self._tls_context())
            # The server forgets everything said before the TLS handshake.
            client.ehlo()
        if self.username is not None and self._password is not None:
            client.login(self.username, self._password)

    def _tls_context(self) -> ssl.SSLContext:
        # Built on first use, not in __init__: loading the system's certificates is I/O.
        with self._ssl_context_lock:
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            return self._ssl_context

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        """Turn smtplib's, ssl's and the socket's errors into ``MailDeliveryError``.

        A 5xx reply is permanent and a 4xx reply is not (RFC 5321, section 4.2.1). Without
        any reply (network, TLS, timeout) the fault lies between us and the server, and
        trying later may well work. Where there is no connection to speak over (none made,
        none answering in time, one dropped) the error is ``unreachable`` as well: it says
        nothing about this message, and every other message would wait just as long.
        TLS failures are not: the server answered, and they cost no timeout.
        """
        where = self._address
        try:
            yield
        except smtplib.SMTPRecipientsRefused as exc:
            refusals = exc.recipients
            raise self._error(
                f"SMTP server {where} refused every recipient ({_describe_refusals(refusals)})"
                if refusals
                else "the message names no recipient",
                permanent=all(code >= 500 for code, _ in refusals.values()),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            what = next(text for kind, text in _REFUSALS if isinstance(exc, kind))
            raise self._error(
                f"SMTP server {where} {what}: {_reply(exc.smtp_code, exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise self._error(
                f"SMTP server {where} does not support what is needed: {exc}", permanent=True
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            # smtplib reports a read that timed out as a disconnection.
            if isinstance(exc.__context__, TimeoutError):
                raise self._timeout_error() from exc
            raise self._error(
                f"SMTP server {where} closed the connection unexpectedly: {exc}",
                permanent=False,
                unreachable=True,
            ) from exc
        except smtplib.SMTPException as exc:
            # Such as "No suitable authentication method found": only new settings help.
            raise self._error(f"SMTP server {where}: {exc}", permanent=True) from exc
        except ssl.SSLCertVerificationError as exc:
            raise self._error(
                f"the TLS certificate of SMTP server {where} is not trusted: "
                f"{exc.verify_message or exc.reason}",
                permanent=False,
            ) from exc
        except ssl.SSLError as exc:
            raise self._error(
                f"TLS with SMTP server {where} failed: {exc.reason or exc}", permanent=False
            ) from exc
        except ValueError as exc:
            # Found before it reaches the server: a message smtplib cannot put on the wire
            # (two From headers, say) or a login it cannot encode. A UnicodeError would quote
            # part of the text, which may be the password.
            detail = (
                "a command or the login holds characters SMTP cannot carry"
                if isinstance(exc, UnicodeError)
                else str(exc)
            )
            raise self._error(
                f"could not send through SMTP server {where}: {detail}", permanent=True
            ) from exc
        except TimeoutError as exc:
            raise self._timeout_error() from exc
        except ConnectionRefusedError as exc:
            raise self._error(
                f"SMTP server {where} refused the connection (is it running?)",
                permanent=False,
                unreachable=True,
            ) from exc
        except OSError as exc:
            raise self._error(
                f"SMTP server {where} could not be reached: {exc.strerror or exc}",
                permanent=False,
                unreachable=True,
            ) from exc

    def _timeout_error(self) -> MailDeliveryError:
        return self._error(
            f"SMTP server {self._address} did not answer within {self.timeout:g} s",
            permanent=False,
            unreachable=True,
        )

    def _error(self, text: str, *, permanent: bool, unreachable: bool = False) -> MailDeliveryError:
        # A server may echo what it was sent; the password must not travel on in a log line.
        if self._password:
            text = text.replace(self._password, "***")
        return MailDeliveryError(text, permanent=permanent, unreachable=unreachable)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return f"{code} {text}" if text else str(code)


def _describe_refusals(refusals: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(_reply(code, text) for code, text in refusals.values())


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError) as exc:
        log.debug("QUIT failed, closing the connection: %s", exc)
    finally:
        client.close()
