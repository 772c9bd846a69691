"""Two outbox dispatchers at once on PostgreSQL: every mail is sent exactly once.

Queues 200 mails, then runs two dispatcher threads, each with its own ``SqlStorage``
(its own connection pool, as two worker processes would have) and its own ``Portal``.
Each claims batches with ``FOR UPDATE SKIP LOCKED``, so neither sends what the other has
claimed. Everything happens in a fresh schema that is dropped at the end::

    python examples/postgres_two_dispatchers.py postgresql+psycopg://user@host/database

or with the URL in ``ONZECOACH_EXAMPLE_POSTGRES_URL``. Without a URL it says so and stops.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from onzecoach import Portal, Settings
from onzecoach.adapters.sql import SqlStorage
from onzecoach.notifications import MailContent, new_email
from onzecoach.testing import RecordingMailer

MAILS = 200
USAGE = (
    "Dit voorbeeld heeft een PostgreSQL-server nodig. Geef de URL mee:\n"
    "    python examples/postgres_two_dispatchers.py postgresql+psycopg://user@host/database\n"
    "of zet ONZECOACH_EXAMPLE_POSTGRES_URL. Het maakt een eigen schema en ruimt dat op."
)


class SlowMailer(RecordingMailer):
    """Keeps every mail (thread-safe), taking a moment per mail as a real server does."""

    def send(self, message: EmailMessage) -> None:
        time.sleep(0.002)
        super().send(message)


def dispatcher(url: str, mailer: RecordingMailer, settings: Settings) -> tuple[Portal, SqlStorage]:
    storage = SqlStorage(url)  # one storage per worker: its own engine and pool
    return Portal(storage=storage, mailer=mailer, settings=settings), storage


def run(url: str) -> None:
    # Small batches, so that both workers get a share of the 200.
    settings = Settings(
        base_url="https://portaal.example.nl",
        secret_key=secrets.token_urlsafe(32),  # the same key on every worker
        outbox_batch_size=10,
    )
    mailer = SlowMailer()
    first, storage = dispatcher(url, mailer, settings)
    storage.upgrade()
    with storage.unit_of_work() as uow:  # queued in one transaction, as a use case would
        for number in range(MAILS):
            uow.outbox.add(
                new_email(
                    settings,
                    to=f"medewerker{number}@example.nl",
                    content=MailContent(
                        subject="Nieuws van het OnzeCoach Portaal",
                        greeting="Beste medewerker,",
                        paragraphs=[f"Dit is bericht {number + 1} van {MAILS}."],
                    ),
                    kind="newsletter",
                    now=first.clock.now(),
                )
            )
        uow.commit()
    print(f"1. {MAILS} berichten in de outbox")

    second, other = dispatcher(url, mailer, settings)
    sent: dict[str, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(name: str, portal: Portal) -> None:
        total = 0
        try:
            start.wait()
            # A worker loop: dispatch until nothing is due (a real one would sleep and repeat).
            while count := portal.outbox.dispatch_due():
                total += count
        except BaseException as error:  # reported below, after both have stopped
            errors.append(error)
        sent[name] = total

    threads = [
        threading.Thread(target=work, args=(name, portal))
        for name, portal in (("A", first), ("B", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    storage.close()
    other.close()
    if errors:
        raise errors[0]
    print(f"2. Verstuurd door dispatcher A: {sent['A']}, door dispatcher B: {sent['B']}")

    # Every recipient got exactly one mail, and the counts add up.
    per_recipient = Counter(mail["To"] for mail in mailer.sent)
    if (
        len(per_recipient) != MAILS
        or set(per_recipient.values()) != {1}
        or sum(sent.values()) != MAILS
    ):
        raise RuntimeError(f"not every mail was sent exactly once: {per_recipient}")
    print(f"3. Alle {MAILS} berichten precies één keer verstuurd")


def main(server: str) -> None:
    """Run in a fresh schema on ``server``, and drop that schema afterwards."""
    base: URL = make_url(server).set(drivername="postgresql+psycopg")
    schema = f"voorbeeld_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    print(f"Schema {schema} op {base.render_as_string(hide_password=True)}")
    try:
        # Every connection of this URL works in the new schema.
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        run(url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    given = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ONZECOACH_EXAMPLE_POSTGRES_URL")
    if not given:
        print(USAGE)
        sys.exit(0)
    main(given)
