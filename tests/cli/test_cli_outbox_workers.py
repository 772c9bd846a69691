"""Two real ``onzecoach outbox run`` processes share one outbox and a loopback SMTP server.

Every queued mail arrives exactly once, and both workers stop cleanly (exit 0) on SIGTERM.
On PostgreSQL (the must-hold case: 1,000 mails) and on an SQLite file (fewer mails).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from onzecoach.adapters.sql import SqlStorage
from onzecoach.clock import SystemClock
from onzecoach.notifications import MailContent, OutboxStatus, new_email
from support import TEST_SECRET_KEY, make_settings

LOOPBACK = "127.0.0.1"
DEADLINE = 45.0
SENT_METRIC = re.compile(
    r'^onzecoach_outbox_deliveries_total\{channel="email",result="sent"\} (\S+)$', re.MULTILINE
)


class Inbox:
    """Keeps (Message-ID, recipient) of every mail the server accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert envelope.original_content is not None
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((str(message["Message-ID"]), recipient))
        return "250 2.0.0 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname=LOOPBACK, port=port, server_hostname="mail.test")
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(
    params=[pytest.param("postgresql", marks=pytest.mark.postgres), pytest.param("sqlite")]
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, int]:
    """A fresh database URL and how many mails to queue in it."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_schema_url")
        return url, 1000
    return f"sqlite:///{tmp_path / 'portal.db'}", 200


def queue_mails(url: str, count: int) -> set[str]:
    """Queue ``count`` mails, each to its own address; return the addresses."""
    settings = make_settings()
    storage = SqlStorage(url)
    storage.upgrade()
    addresses = {f"medewerker{n:04d}@voorbeeld.nl" for n in range(count)}
    now = SystemClock().now()
    with storage.unit_of_work() as uow:
        for address in sorted(addresses):
            uow.outbox.add(
                new_email(
                    settings,
                    to=address,
                    content=MailContent(
                        subject="Test",
                        greeting="Beste medewerker,",
                        paragraphs=["Dit is een test."],
                        english=["This is a test."],
                    ),
                    kind="test",
                    now=now,
                )
            )
        uow.commit()
    storage.close()
    return addresses


def test_two_workers_deliver_every_queued_mail_exactly_once(
    database: tuple[str, int], inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    url, count = database
    server, port = inbox
    addresses = queue_mails(url, count)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ONZECOACH_")},
        "ONZECOACH_DATABASE_URL": url,
        "ONZECOACH_BASE_URL": "https://portaal.example.nl",
        "ONZECOACH_SECRET_KEY": TEST_SECRET_KEY,
        "ONZECOACH_SMTP_HOST": LOOPBACK,
        "ONZECOACH_SMTP_PORT": str(port),
        "ONZECOACH_SMTP_SECURITY": "none",
    }
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    metrics = [free_port() for _ in logs]
    command = [sys.executable, "-m", "onzecoach.cli", "outbox", "run"]
    with ExitStack() as stack:
        workers = [
            subprocess.Popen(
                [*command, "--batch-size", "20", "--idle", "0.2", "--metrics-port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stack.enter_context(log.open("w")),
            )
            for log, port in zip(logs, metrics, strict=True)
        ]
        try:
            started = time.monotonic()
            while server.count() < count and time.monotonic() - started < DEADLINE:
                assert all(worker.poll() is None for worker in workers), "a worker died"
                time.sleep(0.1)
            time.sleep(0.5)  # room for a (wrong) second delivery to show up
            # Each worker counts what it handed over; the backlog is empty for both.
            scraped = [
                httpx.get(f"http://{LOOPBACK}:{port}/metrics", timeout=5).text for port in metrics
            ]
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            codes = [worker.wait(timeout=15) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
    output = "\n".join(log.read_text() for log in logs)
    assert codes == [0, 0], output
    assert "Traceback" not in output
    received = server.received
    assert len(received) == count
    assert {recipient for _, recipient in received} == addresses
    assert max(Counter(message_id for message_id, _ in received).values()) == 1
    assert max(Counter(recipient for _, recipient in received).values()) == 1
    # Each worker logs its own total; together they sent each mail once.
    totals = [int(total) for total in re.findall(r"stopped; sent (\d+)", output)]
    assert len(totals) == 2
    assert sum(totals) == count
    delivered = [
        float(found.group(1)) if found else 0.0
        for found in (SENT_METRIC.search(text) for text in scraped)
    ]
    assert delivered == [float(total) for total in totals]
    assert all(re.search(r"^onzecoach_outbox_pending 0\.0$", t, re.MULTILINE) for t in scraped)

    storage = SqlStorage(url)
    with storage.unit_of_work() as uow:
        statuses = Counter(m.status for m in uow.outbox.list(limit=count + 1))
    storage.close()
    assert statuses == {OutboxStatus.SENT: count}
