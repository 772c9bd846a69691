"""Outbox throughput: queue N mails, then dispatch them all, from one run.

Prints, for each storage, the time to queue N messages (one transaction each, as use
cases do) and to dispatch them through a mailer that does nothing, beside a bare sqlite3
loop doing the same claim-send-mark work in hand-written SQL: the cost of onzecoach's
layers over the database's own.

    python benchmarks/outbox.py [N] [--postgres postgresql+psycopg://user@host/db]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa

from onzecoach import Portal, Settings
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.notifications import MailContent, compose_email, new_email
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock

#: A schema of its own per run: runs side by side do not drop each other's tables.
SCHEMA = f"onzecoach_outbox_bench_{os.getpid()}"

SETTINGS = Settings(
    base_url="https://portaal.example.nl",
    secret_key=secrets.token_urlsafe(32),
    outbox_batch_size=100,
)
CONTENT = MailContent(subject="Uitnodiging", greeting="Beste Anna,", paragraphs=["Tekst."] * 3)
START = datetime(2026, 1, 1, tzinfo=UTC)


class NullMailer:
    def send(self, message: EmailMessage) -> None:
        message.as_bytes()  # what any real mailer does first


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def onzecoach_run(storage: Storage, n: int) -> tuple[float, float]:
    clock = FrozenClock(START)
    portal = Portal(storage=storage, mailer=NullMailer(), clock=clock, settings=SETTINGS)

    def queue() -> None:
        for i in range(n):
            message = new_email(
                SETTINGS, to=f"m{i}@example.nl", content=CONTENT, kind="bench", now=clock.now()
            )
            with storage.unit_of_work() as uow:
                uow.outbox.add(message)
                uow.commit()

    queued = timed(queue)
    sent: list[int] = []
    dispatched = timed(lambda: sent.append(portal.outbox.dispatch_due()))
    if sent != [n]:
        raise RuntimeError(f"dispatched {sent}, expected {n}")
    return queued, dispatched


def bare_sqlite_run(path: Path, n: int) -> tuple[float, float]:
    """The same work in hand-written SQL: one insert per transaction, claim 100, mark sent.

    Mails are rendered and composed exactly as onzecoach does, so only the storage and
    service layers differ.
    """
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE outbox (id TEXT PRIMARY KEY, recipient TEXT, subject TEXT, text TEXT,"
        " html TEXT, status TEXT, attempts INT, not_before TEXT, locked_until TEXT, sent_at TEXT)"
    )
    db.execute("CREATE INDEX due ON outbox (not_before) WHERE status IN ('pending', 'sending')")
    now = START.isoformat()
    sample = new_email(SETTINGS, to="x@example.nl", content=CONTENT, kind="bench", now=START)

    def queue() -> None:
        for i in range(n):
            m = new_email(SETTINGS, to=f"m{i}@example.nl", content=CONTENT, kind="b", now=START)
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO outbox VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, NULL, NULL)",
                (m.id, m.recipient, m.subject, m.text, m.html, now),
            )
            db.execute("COMMIT")

    def dispatch() -> None:
        mailer = NullMailer()
        lease = (START + timedelta(minutes=5)).isoformat()
        while True:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ?"
                " WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending')"
                " AND not_before <= ? ORDER BY not_before LIMIT 100) RETURNING id, recipient",
                (lease, now),
            ).fetchall()
            db.execute("COMMIT")
            if not rows:
                break
            for message_id, recipient in rows:
                mailer.send(compose_email(sample, SETTINGS, now=START))
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    "UPDATE outbox SET status = 'sent', sent_at = ?, locked_until = NULL"
                    " WHERE id = ?",
                    (now, message_id),
                )
                db.execute("COMMIT")
                del recipient

    queued, dispatched = timed(queue), timed(dispatch)
    db.close()
    return queued, dispatched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=5_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL; its tables are dropped afterwards")
    args = parser.parse_args()
    n: int = args.n

    results: list[tuple[str, tuple[float, float]]] = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(
            ("bare sqlite3 (hand-written SQL)", bare_sqlite_run(Path(folder) / "b.db", n))
        )
        sqlite = SqlStorage(f"sqlite:///{Path(folder) / 'o.db'}")
        sqlite.upgrade()
        results.append(("onzecoach SqlStorage, SQLite", onzecoach_run(sqlite, n)))
        sqlite.close()
    results.append(("onzecoach MemoryStorage", onzecoach_run(MemoryStorage(), n)))
    if args.postgres:
        schema = SCHEMA
        admin = sa.create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url = sa.make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        postgres = SqlStorage(url)
        postgres.upgrade()
        results.append(("onzecoach SqlStorage, PostgreSQL", onzecoach_run(postgres, n)))
        postgres.close()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    print(f"outbox: {n:,} mails queued one per transaction, then dispatched (null mailer)")
    print(f"{'':34} {'queue msg/s':>12} {'dispatch msg/s':>15}")
    for name, (queued, dispatched) in results:
        print(f"{name:34} {n / queued:12,.0f} {n / dispatched:15,.0f}")


if __name__ == "__main__":
    main()
