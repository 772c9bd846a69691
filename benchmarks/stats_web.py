"""The statistics pages of the reference web app: the server's CPU time per request.

Fills a database as ``stats.py`` does (its generator: N appointments over employers with
departments, rollups rebuilt), on SQLite or, with ``--postgres URL``, on PostgreSQL in a
schema of its own (dropped afterwards). Then an HR user of the largest employer signs in
(password and authenticator code) to the reference app through Flask's test client, and
the script times, in this process and thread, ``GET /statistieken/`` (the employer's
dashboard, broken down by department) and the drill-down to the department the
dashboard links to with the most rows (broken down by employee): the CPU time per
request (``time.process_time``, so a shared machine's other work does not count), median
and minimum of ``--repeat`` requests after three to warm up. ``--profile`` prints
cProfile's view of the drill-down by CPU time.

    python benchmarks/stats_web.py [--appointments 300000] [--employers 20]
        [--departments 8] [--repeat 50] [--postgres URL] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from onzecoach import Portal, Role, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.testing import FrozenClock, RecordingMailer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "examples"))
import stats as stats_benchmark  # noqa: E402 - the neighbouring script's generator
from flask_portal import create_app  # noqa: E402 - the reference app, beside the SDK

SCHEMA = f"onzecoach_stats_web_bench_{os.getpid()}"
PASSWORD = "Zonnig-Weer-2026!"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DEPARTMENT = re.compile(r'href="(/statistieken/\?[^"]*afdeling=[0-9a-f]{32}[^"]*)"')
ROWS = re.compile(r"\((\d+) regels?\)")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--appointments", type=int, default=300_000)
    parser.add_argument("--employers", type=int, default=20)
    parser.add_argument("--departments", type=int, default=8)
    parser.add_argument("--years", type=int, default=3, help="from 2023-01")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a scratch schema is dropped after")
    parser.add_argument("--profile", action="store_true", help="cProfile the drill-down")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    if args.postgres:
        admin = sa.create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        try:
            url = sa.make_url(args.postgres).update_query_dict(
                {"options": f"-csearch_path={SCHEMA}"}
            )
            run(args, SqlStorage(url), "PostgreSQL")
        finally:
            with admin.begin() as connection:
                connection.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            run(args, SqlStorage(f"sqlite:///{Path(folder) / 'portal.db'}"), "SQLite")


def run(args: argparse.Namespace, storage: SqlStorage, database: str) -> None:
    started = time.perf_counter()
    world = stats_benchmark.Generator(args).world()
    storage.upgrade()
    settings = Settings(
        base_url="http://localhost",
        secret_key=secrets.token_urlsafe(32),
        themes=stats_benchmark.CATALOGUE,
    )
    clock = FrozenClock(datetime(world.last // 100, 9, 1, 9, tzinfo=UTC))
    mailer = RecordingMailer()
    portal = Portal(storage=storage, mailer=mailer, settings=settings, clock=clock)
    stats_benchmark.load_sql(storage, world)
    portal.stats.rebuild(SERVICE_DESK)
    print(
        f"{database}: {len(world.appointments):,} appointments, {len(world.employees):,}"
        f" employees, {len(world.employers)} employers, {len(world.departments)} departments;"
        f" loaded and rebuilt in {time.perf_counter() - started:.0f} s"
    )
    app = create_app(portal, development=True, mailbox=mailer)
    app.config["TESTING"] = True
    client = signed_in(app, portal, mailer, clock, world.employers[0].id)
    page = client.get("/statistieken/").get_data(as_text=True)
    links = DEPARTMENT.findall(page.replace("&amp;", "&"))
    rows = {link: _rows(client, link) for link in links}
    drill = max(links, key=lambda link: (rows[link], link))
    print(
        f"an HR user of {world.employers[0].name}; the drill-down to the department with the"
        f" most rows ({rows[drill]} employees); CPU ms per request, {args.repeat} requests"
    )
    print(f"{'page':12} {'median':>8} {'min':>8}")
    for name, path in (("dashboard", "/statistieken/"), ("drill-down", drill)):
        median, least = cpu_per_request(client, path, args.repeat)
        print(f"{name:12} {median:8.2f} {least:8.2f}")
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.runcall(lambda: [client.get(drill) for _ in range(args.repeat)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    storage.close()


def signed_in(
    app: Flask,
    portal: Portal,
    mailer: RecordingMailer,
    clock: FrozenClock,
    employer_id: str,
) -> FlaskClient:
    """A client signed in as a new HR user of the employer (password and TOTP code)."""
    client = app.test_client()
    username = "hr.benchmark"
    portal.admin.invite_user(
        SERVICE_DESK, employer_id, email=f"{username}@example.nl", username=username, role=Role.HR
    )
    portal.outbox.dispatch_due()
    body = mailer.sent[-1].get_body(preferencelist=("plain",))
    if body is None:
        raise RuntimeError("the invitation has no text")
    token = re.findall(r"https?://\S+/([A-Za-z0-9_\-]{20,})", body.get_content())[-1]
    _post(client, f"/registreren/{token}", {"password": PASSWORD, "repeat": PASSWORD})
    page = client.get("/tweede-factor/app").get_data(as_text=True)
    found = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    if found is None:
        raise RuntimeError("no authenticator secret on the page")
    secret = found.group(1)
    code = pyotp.TOTP(secret).at(clock.now())
    _post(client, "/tweede-factor/app", {"action": "confirm", "code": code}, expect=200)
    client = app.test_client()
    _post(client, "/inloggen", {"username": username, "password": PASSWORD})
    clock.advance(timedelta(seconds=31))  # a time step is never accepted twice
    code = pyotp.TOTP(secret).at(clock.now())
    _post(client, "/inloggen/code", {"method": "totp", "code": code, "action": "verify"})
    return client


def _post(client: FlaskClient, url: str, data: dict[str, str], *, expect: int = 302) -> None:
    found = CSRF.search(client.get(url).get_data(as_text=True))
    if found is None:
        raise RuntimeError(f"no form on {url}")
    answer = client.post(url, data={"csrf_token": found.group(1), **data})
    if answer.status_code != expect:
        raise RuntimeError(f"{url} answered {answer.status_code}")


def _rows(client: FlaskClient, path: str) -> int:
    found = ROWS.search(client.get(path).get_data(as_text=True))
    return int(found.group(1)) if found else 0


def cpu_per_request(client: FlaskClient, path: str, repeat: int) -> tuple[float, float]:
    """The median and the least CPU time of one request, in milliseconds."""
    for _ in range(3):
        client.get(path)
    spent = []
    for _ in range(repeat):
        start = time.process_time()
        answer = client.get(path)
        spent.append((time.process_time() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}")
    return statistics.median(spent), min(spent)


if __name__ == "__main__":
    main()
