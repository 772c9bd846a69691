"""A full login beside the argon2 verify inside it, from one run.

A full login is ``portal.auth.login`` (username and password) plus ``portal.auth.verify``
with an authenticator-app code, which opens a session. Its cost should be the password
hash's: everything onzecoach adds (lookups, the challenge, throttling, the TOTP check,
the session) has to stay small beside it. Prints the median over N logins (default 20)
for MemoryStorage and SqlStorage on SQLite (and PostgreSQL with --postgres URL), beside
a bare ``argon2.PasswordHasher.verify`` at the same parameters, and the ratio (goal: at
most 1.15).

    python benchmarks/login.py [N] [--postgres postgresql+psycopg://user@host/db]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import argon2
import attrs
import pyotp
import sqlalchemy as sa

from onzecoach import MfaRequired, Portal, Settings
from onzecoach.accounts import AccountStatus, PasswordHasher
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer

#: A schema of its own per run: runs side by side do not drop each other's tables.
SCHEMA = f"onzecoach_login_bench_{os.getpid()}"

PASSWORD = "Koffie-Met-Melk-2026"
SETTINGS = Settings(
    base_url="https://portaal.example.nl",
    secret_key=secrets.token_urlsafe(32),
    login_free_failures=1_000,
)


def portal_with_user(storage: Storage) -> tuple[Portal, FrozenClock, str]:
    """A portal with one active user who signs in with an app; returns its TOTP secret."""
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    mailer = RecordingMailer()
    portal = Portal(storage=storage, mailer=mailer, clock=clock, settings=SETTINGS)
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    invitation = portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="anna@example.nl", username="anna"
    )
    # Registration would need the mailed link; set the password through the same hasher.
    with storage.unit_of_work() as uow:
        user = uow.users.get(invitation.user_id)
        if user is None:
            raise RuntimeError("the invited user is missing")
        hashed = PasswordHasher(SETTINGS.password_hashing).hash(PASSWORD)
        uow.users.save(attrs.evolve(user, password_hash=hashed, status=AccountStatus.ENROLLING))
        uow.commit()
    try:
        portal.auth.login("anna", PASSWORD)
    except MfaRequired as required:  # the second factor is not set up yet
        if required.enrollment is None:
            raise
        setup_token = required.enrollment.token
    else:
        raise RuntimeError("a login without a second factor should ask for one")
    setup = portal.mfa.begin_totp(setup_token)
    portal.mfa.confirm_totp(setup_token, pyotp.TOTP(setup.secret).at(clock.now()))
    portal.mfa.finish(setup_token)
    return portal, clock, setup.secret


def full_login(portal: Portal, clock: FrozenClock, secret: str) -> Callable[[], None]:
    totp = pyotp.TOTP(secret)

    def run() -> None:
        clock.advance(timedelta(seconds=30))  # a fresh time step each time: no replay
        challenge = portal.auth.login("anna", PASSWORD, ip="192.0.2.10")
        session = portal.auth.verify(challenge.token, totp.at(clock.now()), method="totp")
        portal.auth.authenticate(session.token)

    return run


def interleaved(
    ours: Callable[[], object], theirs: Callable[[], object], runs: int
) -> tuple[float, float]:
    """The median seconds of each, measured in turn so that drift hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        order = ((0, ours), (1, theirs)) if run % 2 else ((1, theirs), (0, ours))
        for index, action in order:
            began = time.perf_counter()
            action()
            times[index].append(time.perf_counter() - began)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a scratch schema is dropped after")
    args = parser.parse_args()

    bare = argon2.PasswordHasher.from_parameters(SETTINGS.password_hashing)
    stored = bare.hash(PASSWORD)
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = SqlStorage(f"sqlite:///{Path(folder) / 'login.db'}")
        sqlite.upgrade()
        storages: list[tuple[str, Storage]] = [("memory", MemoryStorage()), ("SQLite", sqlite)]
        admin = None
        if args.postgres:
            admin = sa.create_engine(args.postgres)
            with admin.begin() as connection:
                connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
            url = sa.make_url(args.postgres).update_query_dict(
                {"options": f"-csearch_path={SCHEMA}"}
            )
            postgres = SqlStorage(url)
            postgres.upgrade()
            storages.append(("PostgreSQL", postgres))
        logins = [(name, full_login(*portal_with_user(storage))) for name, storage in storages]
        for name, login in logins:
            login()  # warm up
            login_time, alone = interleaved(login, lambda: bare.verify(stored, PASSWORD), args.n)
            rows.append((f"onzecoach full login, {name}", login_time, alone))
        for _, storage in storages:
            if isinstance(storage, SqlStorage):
                storage.close()
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
            admin.dispose()

    params = SETTINGS.password_hashing
    print(
        f"median of {args.n}; argon2id m={params.memory_cost} KiB, t={params.time_cost}, "
        f"p={params.parallelism}"
    )
    print(f"{'':34} {'login ms':>9} {'argon2 verify ms':>17} {'ratio':>7}")
    for label, login_time, alone in rows:
        print(f"{label:34} {login_time * 1000:9.1f} {alone * 1000:17.1f} {login_time / alone:7.3f}")


if __name__ == "__main__":
    main()
