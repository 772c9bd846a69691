"""A real Radicale CalDAV server for tests, run as a subprocess on the loopback interface.

It needs nothing but the ``radicale`` package (a ``dev`` dependency): no network, no
system service. Its storage, configuration, users file and log live in a folder the test
gives it (``tmp_path``). Use it as a context manager::

    with RadicaleServer(tmp_path) as server:
        account = server.add_calendar("coach", "geheim")   # a CalendarAccount
        calendar = CaldavConnector().open(account)

``add_calendar`` adds the user (htpasswd, plain text: this is a test server) and creates
a calendar collection for them with an HTTP MKCALENDAR; ``stop()`` and ``start()`` take
the server down and bring it back on the same port, with the same storage; leaving the
``with`` block stops it for good. ``put_raw``, ``get_raw`` and ``delete_raw`` speak plain
HTTP to it, as another calendar app would, independent of the adapter under test.
"""

from __future__ import annotations

import base64
import http.client
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from onzecoach.calendars import CalendarAccount

__all__ = ["MAX_RESOURCE_SIZE", "RadicaleServer"]

HOST = "127.0.0.1"
#: How long a starting server may take to listen; a slow CI machine may need a while.
START_WITHIN = 60.0
#: The largest event the server stores, in bytes.
MAX_RESOURCE_SIZE = 100_000


class RadicaleServer:
    """One Radicale process on ``HOST`` and a free port, with htpasswd logins."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}/"
        self._users: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._config = folder / "config"
        self._htpasswd = folder / "users"
        self._log = folder / "radicale.log"
        self._htpasswd.write_text("", encoding="utf-8")
        self._config.write_text(
            textwrap.dedent(
                f"""\
                [server]
                hosts = {HOST}:{self.port}
                timeout = 10
                # Small enough for a test to exceed (Radicale answers 412), big enough
                # for any event a portal writes.
                max_resource_size = {MAX_RESOURCE_SIZE}

                [auth]
                type = htpasswd
                htpasswd_filename = {self._htpasswd}
                htpasswd_encryption = plain
                # No pause after a wrong password: the tests make them on purpose.
                delay = 0

                [rights]
                type = owner_only

                [storage]
                filesystem_folder = {folder / "collections"}

                [web]
                type = none

                [logging]
                level = warning
                """
            ),
            encoding="utf-8",
        )

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # The process -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server and return once it takes connections."""
        if self._process is not None:
            return
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self._config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + START_WITHIN
        while not _listening(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Radicale did not start:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait until its port is closed."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        """What the server wrote so far."""
        return self._log.read_text(encoding="utf-8", errors="replace")

    # Users and calendars ----------------------------------------------------------------------

    def add_user(self, username: str, password: str) -> None:
        """Let ``username`` log in with ``password`` (Radicale reads the file at each login)."""
        if ":" in username or "\n" in username + password:
            raise ValueError("an htpasswd line cannot hold that username or password")
        self._users[username] = password
        lines = "".join(f"{user}:{secret}\n" for user, secret in self._users.items())
        self._htpasswd.write_text(lines, encoding="utf-8")

    def add_calendar(
        self, username: str, password: str, *, name: str | None = None
    ) -> CalendarAccount:
        """A new, empty calendar of ``username`` (added if new): its account, URL and login."""
        if self._users.get(username) != password:
            self.add_user(username, password)
        name = name or f"agenda-{uuid.uuid4().hex[:12]}"
        path = f"/{username}/{name}/"
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:set><D:prop><D:displayname>{name}</D:displayname></D:prop></D:set>"
            "</C:mkcalendar>"
        )
        status, _ = self.request("MKCALENDAR", path, username, password, body=body.encode())
        if status != 201:
            raise RuntimeError(f"MKCALENDAR {path} answered {status}:\n{self.log()}")
        return CalendarAccount(
            url=f"{self.url.rstrip('/')}{path}", username=username, password=password
        )

    # Plain HTTP, as another calendar app --------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        username: str,
        password: str,
        *,
        body: bytes | None = None,
        content_type: str = "application/xml; charset=utf-8",
    ) -> tuple[int, bytes]:
        """Send one request as ``username``; the status and the body."""
        login = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        headers = {"Authorization": f"Basic {login}"}
        if body is not None:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def put_raw(self, account: CalendarAccount, name: str, ics: bytes) -> int:
        """PUT ``ics`` as ``name`` into the account's calendar; the status."""
        status, _ = self.request(
            "PUT",
            _path(account, name),
            account.username,
            account.password,
            body=ics,
            content_type="text/calendar; charset=utf-8",
        )
        return status

    def get_raw(self, account: CalendarAccount, name: str) -> bytes | None:
        """The stored bytes of ``name`` in the account's calendar, or None if it is not there."""
        status, body = self.request("GET", _path(account, name), account.username, account.password)
        return body if status == 200 else None

    def names(self, account: CalendarAccount) -> list[str]:
        """The resource names in the account's calendar, sorted."""
        folder = (
            self.folder / "collections" / "collection-root" / urlsplit(account.url).path.strip("/")
        )
        return sorted(p.name for p in folder.iterdir() if p.suffix == ".ics")


def _path(account: CalendarAccount, name: str) -> str:
    return f"{urlsplit(account.url).path}{name}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False
