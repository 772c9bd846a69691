"""CaldavConnector: the ``CalendarConnector`` port over CalDAV servers, with the caldav client.

A coach's ``CalendarAccount.url`` is the address of the calendar collection itself, the
folder that holds the events, not the server's root or the account's home::

    Radicale    https://agenda.example.nl/coach@example.nl/<calendar-id>/
    Nextcloud   https://cloud.example.nl/remote.php/dav/calendars/<user>/<calendar>/
    Fastmail    https://caldav.fastmail.com/dav/calendars/user/<user>/<calendar-id>/
    iCloud      https://pXX-caldav.icloud.com/<number>/calendars/<calendar-id>/

The first call checks that the URL is a calendar collection, so a URL one level too high
fails loudly (``calendar.refused``) instead of reading as a calendar without events.

Busy times are read with a time-range REPORT (``calendar-query``) a day wider than asked,
and the events it returns are expanded and filtered here, by
``onzecoach.adapters.calendar_data``, the reading the fake shares: servers differ in how
they expand recurrences and where they place all-day events, so the adapter leaves them
neither. Events are written with a plain PUT of the caller's bytes to a name made from the
UID, and deleted with a DELETE there; an event with the UID under another name (moved by
another client) is found by a UID search and replaced or deleted where it is.

Every failure leaves as ``CalendarError``, never as a caldav, niquests or lxml error:
``calendar.refused`` (permanent) for a refused login (401, 403) or no calendar at the URL
(404, 405, 410, or not a calendar collection), ``calendar.rejected`` (permanent) for an
event the server will not store (another 4xx answer to the PUT), ``calendar.unavailable``
for the rest (5xx, 408, 423, 429, an answer that is not CalDAV), with ``unreachable`` set
when nothing answered: no connection, or no answer within ``timeout``. The details name
the server's host and the HTTP status, never the password, the event's content or what
the server said about it.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http import HTTPStatus
from types import TracebackType
from typing import Any, Final, Self, cast
from urllib.parse import urlsplit

from caldav.calendarobjectresource import CalendarObjectResource, Event
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.lib import error
from caldav.lib.http_sync import requests

from onzecoach.adapters.calendar_data import busy_times, check_event, check_range, merge_busy
from onzecoach.calendars import BusyTime, CalendarAccount
from onzecoach.errors import CalendarError

__all__ = ["CaldavCalendar", "CaldavConnector"]

log = logging.getLogger("onzecoach.calendar")

_CALENDAR_TYPE: Final = "{urn:ietf:params:xml:ns:caldav}calendar"
#: A day either way: servers match all-day events and floating times in UTC, or in a zone
#: of their own; ``calendar_data`` then keeps exactly what overlaps.
_MARGIN: Final = timedelta(days=1)
#: A UID that is a resource name as it stands; any other is hashed into one.
_PLAIN_UID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
#: Answers after which the same request may well succeed later.
_TRANSIENT: Final = frozenset({408, 423, 425, 429})
#: Answers that say there is no calendar (or no CalDAV) at the URL.
_NO_CALENDAR: Final = frozenset({404, 405, 410})
_LOOPBACK_NAMES: Final = frozenset({"localhost"})
_REDACTED: Final = "***"


class CaldavConnector:
    """Opens coaches' CalDAV calendars: the ``CalendarConnector`` port for production.

    ``timeout`` (seconds) bounds connecting and each wait for an answer. Opening does no
    I/O; each ``CaldavCalendar`` holds its own connections until ``close()``.
    """

    def __init__(self, *, timeout: float = 10.0) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.timeout = timeout

    def open(self, account: CalendarAccount) -> CaldavCalendar:
        return CaldavCalendar(account, timeout=self.timeout)

    def __repr__(self) -> str:
        return f"CaldavConnector(timeout={self.timeout!r})"


class CaldavCalendar:
    """One coach's CalDAV calendar (a ``CoachCalendar``); made by ``CaldavConnector.open``.

    The URL is checked on the first call (not here): it must be ``https://`` (``http://``
    only to this machine), without credentials in it. The connection and the check are
    kept for later calls; after a failure the next call starts afresh. Calls from several
    threads take turns. Neither the password nor the URL's path shows in the repr.
    """

    def __init__(self, account: CalendarAccount, *, timeout: float) -> None:
        self._account = account
        self._timeout = timeout
        self._url = _collection_url(account.url)
        self._host = urlsplit(account.url).hostname or "?"
        self._client: DAVClient | None = None
        self._calendar: Calendar | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._secrets = _secrets(account)

    def __repr__(self) -> str:
        return f"CaldavCalendar(host={self._host!r})"

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
        """Close the connections; the calendar is unusable afterwards. Again does nothing."""
        with self._lock:
            self._closed = True
            self._drop()

    # The port -------------------------------------------------------------------------------

    def busy(self, start: datetime, end: datetime) -> list[BusyTime]:
        start, end = check_range(start, end)
        with self._call("reading busy times") as (_, calendar):
            found = _objects(
                calendar.search(
                    start=start - _MARGIN,
                    end=end + _MARGIN,
                    event=True,
                    expand=False,
                    # The events are read as a whole below; caldav's own filter would
                    # cut recurring events down to the instances it matches.
                    post_filter=False,
                )
            )
            texts = [_text(found_object) for found_object in found]
        groups: list[list[BusyTime]] = []
        for text in texts:
            if text is None:
                continue
            try:
                groups.append(busy_times(text, start, end))
            except ValueError as exc:
                # One event the coach's software garbled must not blind the portal to
                # the rest of their week.
                log.warning("calendar on %s: an event skipped, unreadable: %s", self._host, exc)
        return merge_busy(groups)

    def put(self, uid: str, ics: bytes) -> None:
        check_event(uid, ics)
        with self._call("writing an event", writing=True) as (client, calendar):
            try:
                _put_at(client, calendar, self._href(uid), ics)
            except error.UidConflictError:
                # The server keeps this UID under another name (another client moved the
                # event): replace it there.
                _put_at(client, calendar, str(_by_uid(calendar, uid).url), ics)

    def delete(self, uid: str) -> None:
        if not uid:
            raise ValueError("uid must be a non-empty string")
        with self._call("removing an event") as (client, calendar):
            answer = client.delete(self._href(uid))
            if answer.status not in _NO_CALENDAR:
                _raise_for_status(answer.status, "DELETE")
                return
            try:
                elsewhere = _by_uid(calendar, uid)
            except error.NotFoundError as exc:
                if exc.status is None:
                    return  # no event with this UID: nothing to remove
                raise
            elsewhere.delete()

    # The parts --------------------------------------------------------------------------------

    def _open(self) -> tuple[DAVClient, Calendar]:
        """The client and the calendar, checked to be one; connected on first use."""
        if self._client is not None and self._calendar is not None:
            return self._client, self._calendar
        if self._url is None:
            raise CalendarError(
                f"the calendar URL on {self._host} is not usable: it must be an https:// "
                "address of a calendar (http:// only on this machine), without a login in it",
                code="calendar.refused",
            )
        # niquests takes the timeout as float seconds; caldav's annotation says int.
        timeout: Any = self._timeout
        client = DAVClient(
            url=self._url,
            username=self._account.username,
            password=self._account.password,
            timeout=timeout,
            # The URL names the calendar: no DNS discovery, no looking elsewhere.
            enable_rfc6764=False,
        )
        self._client = client
        calendar = Calendar(client=client, url=self._url)
        properties = cast(dict[str, Any], calendar.get_properties([dav.ResourceType()]))
        kinds = properties.get("{DAV:}resourcetype") or []
        if isinstance(kinds, str):
            kinds = [kinds]
        if _CALENDAR_TYPE not in kinds:
            raise CalendarError(
                f"the URL on {self._host} is not a calendar collection: give the address of "
                "the calendar itself, not of the server or the account",
                code="calendar.refused",
            )
        self._calendar = calendar
        return client, calendar

    def _href(self, uid: str) -> str:
        # Letters, digits and ._- only: names that no server or proxy quotes differently.
        name = uid if _PLAIN_UID.fullmatch(uid) else hashlib.sha256(uid.encode()).hexdigest()
        return f"{self._url}{name}.ics"

    def _drop(self) -> None:
        client, self._client, self._calendar = self._client, None, None
        if client is not None:
            try:
                client.close()
            except Exception:  # closing a broken session must not fail the call
                log.debug("closing the CalDAV session to %s failed", self._host, exc_info=True)

    @contextmanager
    def _call(self, doing: str, *, writing: bool = False) -> Iterator[tuple[DAVClient, Calendar]]:
        """One call: its turn, the connection, and every library error as a ``CalendarError``.

        After a failure the connection is dropped: the next call starts afresh.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this calendar is closed")
            try:
                yield self._open()
            except CalendarError as exc:
                self._drop()
                raise self._scrubbed(exc) from exc
            except Exception as exc:
                self._drop()
                raise self._scrubbed(_translate(exc, f"{doing} on {self._host}", writing)) from exc

    def _scrubbed(self, exc: CalendarError) -> CalendarError:
        detail = exc.detail
        for secret in self._secrets:
            detail = detail.replace(secret, _REDACTED)
        if detail == exc.detail:
            return exc
        return CalendarError(
            detail, permanent=exc.permanent, unreachable=exc.unreachable, code=exc.code
        )


def _translate(exc: Exception, where: str, writing: bool) -> CalendarError:
    """The ``CalendarError`` for what the caldav client raised while ``where``."""
    if isinstance(exc, error.DAVError) and exc.status is not None:
        return _status_error(exc.status, where, writing)
    if isinstance(exc, requests.exceptions.Timeout):
        detail, unreachable = f"no answer in time {where}", True
    elif isinstance(exc, requests.exceptions.SSLError):
        # The server answered, but not as one we trust: a certificate that may be renewed.
        detail, unreachable = f"the TLS handshake failed {where}", False
    elif isinstance(exc, requests.exceptions.ConnectionError):
        detail, unreachable = f"could not connect {where}", True
    else:
        # A request niquests could not make, a DAV error without a status, or an answer
        # caldav or lxml could not read (an HTML page where CalDAV XML was expected): they
        # raise their own errors, or plain ValueError, KeyError and the like.
        detail, unreachable = f"the CalDAV exchange failed {where}: {type(exc).__name__}", False
    return CalendarError(detail, unreachable=unreachable)


def _status_error(status: int, where: str, writing: bool) -> CalendarError:
    """The ``CalendarError`` for an HTTP ``status`` the server answered while ``where``."""
    said = _said(status)
    code = "calendar.refused"
    if status in (401, 403):
        detail = f"the server refused the login ({said}) {where}"
    elif status in _NO_CALENDAR:
        detail = f"no calendar at the URL ({said}) {where}"
    elif status >= 500 or status in _TRANSIENT:
        detail, code = f"the server answered {said} {where}", "calendar.unavailable"
    elif 300 <= status < 400:
        detail = f"the server redirected ({said}) {where}: the calendar URL may have moved"
    elif writing:
        detail, code = f"the server refused the event ({said}) {where}", "calendar.rejected"
    else:
        detail = f"the server answered {said} {where}"
    return CalendarError(detail, code=code)


def _raise_for_status(status: int, method: str) -> None:
    if status >= 300:
        raise error.DAVError(f"{method} answered {status}", status=status)


def _said(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _put_at(client: DAVClient, calendar: Calendar, href: str, ics: bytes) -> None:
    Event(client=client, url=href, parent=calendar).save(raw_data=ics)


def _objects(found: object) -> list[CalendarObjectResource]:
    return list(cast(list[CalendarObjectResource], found))


def _text(found: CalendarObjectResource) -> str | bytes | None:
    if found.data is None:
        found.load()
    data = found.data
    return data if isinstance(data, str | bytes) else None


def _by_uid(calendar: Calendar, uid: str) -> CalendarObjectResource:
    return cast(CalendarObjectResource, calendar.get_event_by_uid(uid))


def _collection_url(url: str) -> str | None:
    """``url`` with the trailing slash a collection needs, or None where it is not usable."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if not host or parts.username is not None or parts.password is not None:
        return None
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
        return None
    path = parts.path if parts.path.endswith("/") else f"{parts.path}/"
    return parts._replace(path=path, fragment="").geturl()


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secrets(account: CalendarAccount) -> tuple[str, ...]:
    found = [account.password]
    basic = f"{account.username}:{account.password}".encode()
    found.append(base64.b64encode(basic).decode("ascii"))
    # Longest first, so that no part of a longer secret survives a shorter one.
    return tuple(sorted((s for s in found if len(s) >= 4), key=len, reverse=True))
