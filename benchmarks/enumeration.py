"""No user enumeration by timing: self-service requests for known and unknown accounts.

Prints, from one run, the median time over N requests (default 50, interleaved known,
unknown, known, ...) of ``request_password_reset`` and ``remind_username`` for an account
that exists and one that does not, on MemoryStorage and on SqlStorage over SQLite (and
PostgreSQL with --postgres URL), with the difference in percent. The goal: within 20%.

    python benchmarks/enumeration.py [N] [--postgres postgresql+psycopg://user@host/db]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import sqlalchemy as sa

from onzecoach import Portal, Settings
from onzecoach.accounts import CHEAPEST, AccountStatus
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.ports import Storage
from onzecoach.testing import RecordingMailer

#: A schema of its own per run: runs side by side do not drop each other's tables.
SCHEMA = f"onzecoach_enumeration_bench_{os.getpid()}"

# The rate limit would otherwise answer most of the runs early; here we time the full path.
SETTINGS = Settings(
    base_url="https://portaal.example.nl",
    secret_key=secrets.token_urlsafe(32),
    account_mail_limit=1_000_000,
    password_hashing=CHEAPEST,
)


def portal_with_one_account(storage: Storage) -> Portal:
    portal = Portal(storage=storage, mailer=RecordingMailer(), settings=SETTINGS)
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    invitation = portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="anna@example.nl", username="anna"
    )
    with storage.unit_of_work() as uow:
        user = uow.users.get(invitation.user_id)
        if user is None:
            raise RuntimeError("the invited user is missing")
        # Self-service needs an account that has registered; its password is not used here.
        uow.users.save(attrs.evolve(user, status=AccountStatus.ACTIVE, password_hash="-"))  # noqa: S106
        uow.commit()
    return portal


def medians(n: int, known: Callable[[], None], unknown: Callable[[], None]) -> tuple[float, float]:
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(n):
        for is_known, call in ((True, known), (False, unknown)):
            began = time.perf_counter()
            call()
            times[is_known].append(time.perf_counter() - began)
    return statistics.median(times[True]), statistics.median(times[False])


def measure(name: str, storage: Storage, n: int) -> list[tuple[str, float, float]]:
    portal = portal_with_one_account(storage)
    accounts = portal.accounts
    for _ in range(5):  # warm caches and connection pools
        accounts.request_password_reset("anna")
        accounts.request_password_reset("niemand")
    return [
        (
            f"{name}: request_password_reset",
            *medians(
                n,
                lambda: accounts.request_password_reset("anna"),
                lambda: accounts.request_password_reset("niemand"),
            ),
        ),
        (
            f"{name}: remind_username",
            *medians(
                n,
                lambda: accounts.remind_username("anna@example.nl"),
                lambda: accounts.remind_username("niemand@example.nl"),
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=50)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a scratch schema is dropped after")
    args = parser.parse_args()

    rows = measure("memory", MemoryStorage(), args.n)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = SqlStorage(f"sqlite:///{Path(folder) / 'e.db'}")
        sqlite.upgrade()
        rows += measure("SQLite", sqlite, args.n)
        sqlite.close()
    if args.postgres:
        admin = sa.create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        url = sa.make_url(args.postgres).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
        postgres = SqlStorage(url)
        postgres.upgrade()
        rows += measure("PostgreSQL", postgres, args.n)
        postgres.close()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
        admin.dispose()

    print(f"median of {args.n} requests each, known and unknown interleaved")
    print(f"{'':38} {'known ms':>9} {'unknown ms':>11} {'difference':>11}")
    for label, known, unknown in rows:
        diff = (unknown - known) / known * 100
        print(f"{label:38} {known * 1000:9.3f} {unknown * 1000:11.3f} {diff:+10.1f}%")


if __name__ == "__main__":
    main()
