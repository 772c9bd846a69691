"""The reference web app under load: gunicorn beside Werkzeug's development server.

Loads a portal through its bulk paths: employers, departments, trajectories and
appointments written straight into the tables as ``benchmarks/stats.py`` makes them (two
years), the rest of the employees through the import (``portal.imports.employees``), then
the search index and the statistics rebuilt. Each virtual HR contact (locust, headless,
``benchmarks/load/hr_user.py``) has an account of its own and signs in before the timed
part; then it types three letters in the search, opens a dossier, reads the dashboard and
drills down to a department. Each server serves the same database in turn, at each number
of concurrent users, for a bounded time; then, per route, a short run of that route alone
gives the server's CPU time per request (the app counts each request thread's CPU time,
``onzecoach_web_request_cpu_seconds``).

Prints requests per second, p50 and p99 per route, errors, and the CPU per request, for
both servers; and whether the goals of issue 18 are met. Loopback only. The load client
runs on the same machine and shares its CPU with the server: the table says so.

    python benchmarks/web_load.py --postgres postgresql+psycopg://root@127.0.0.1/test
    python benchmarks/web_load.py --employees 20000 --appointments 20000   # SQLite, small

On PostgreSQL, ``--keep --servers ""`` loads and keeps the schema and prints how to measure
it again with ``--reuse SCHEMA KEY`` (the sizes given again), so that one load serves
several measurements.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import httpx
import pyotp
import sqlalchemy as sa
from faker import Faker
from sqlalchemy.engine import make_url

from onzecoach import Portal, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.clock import SystemClock
from onzecoach.testing import RecordingMailer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import search as search_benchmark  # noqa: E402 - the neighbouring script's vacuum
import stats as stats_benchmark  # noqa: E402 - the neighbouring script's generator

USERS_FILE = HERE / "load" / "hr_user.py"
ROUTES = ("search", "dossier", "dashboard", "drill down")
#: The issue's goals: p99 at 4 users (ms), and gunicorn's throughput over the dev server's.
GOALS = {"search": 30.0, "dashboard": 60.0}
THROUGHPUT_GOAL = 1.3
PASSWORD = "Belasting-Proef-2026!"
CPU_METRIC = re.compile(r'^onzecoach_web_request_cpu_seconds_total\{route="([^"]+)"\} (\S+)$', re.M)
COUNT_METRIC = re.compile(
    r'^onzecoach_web_requests_total\{method="GET",route="([^"]+)",status="200"\} (\S+)$', re.M
)
ROUTE_RULES = {
    "search": "/zoeken",
    "dossier": "/werknemers/<employee_id>",
    "dashboard": "/statistieken/",
    "drill down": "/statistieken/",
}


@attrs.frozen
class Loaded:
    """The loaded database and a portal over it, for making the users' accounts."""

    url: str
    key: str
    portal: Portal
    mailer: RecordingMailer
    employers: list[str]


@attrs.frozen
class RouteFigures:
    requests: int
    failures: int
    per_second: float
    p50: float
    p99: float


@attrs.frozen
class Run:
    server: str
    users: int
    think: float
    routes: dict[str, RouteFigures]
    per_second: float
    failures: int


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database (else SQLite)")
    parser.add_argument("--employees", type=int, default=1_000_000)
    parser.add_argument("--employers", type=int, default=100)
    parser.add_argument("--departments", type=int, default=8)
    parser.add_argument("--appointments", type=int, default=2_000_000)
    parser.add_argument("--users", default="4,16", help="concurrent users, comma separated")
    parser.add_argument("--seconds", type=int, default=60, help="per server and user count")
    parser.add_argument(
        "--think",
        default="0",
        help="each user's mean pause between requests, in seconds, comma separated for a run"
        " of each (0: none, a closed loop)",
    )
    parser.add_argument("--cpu-seconds", type=int, default=15, help="per route, for CPU/request")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--servers", default="gunicorn,development")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL schema, and print how to reuse it"
    )
    parser.add_argument(
        "--reuse",
        nargs=2,
        metavar=("SCHEMA", "KEY"),
        help="measure on a schema an earlier --keep run loaded (with its secret key), instead of"
        " loading anew; give the same sizes",
    )
    parser.add_argument("--seed", type=int, default=20261205)
    return parser.parse_args()


# The data ---------------------------------------------------------------------------------


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """A URL for an empty database: a schema of its own on PostgreSQL, a file on SQLite."""
    if not args.postgres:
        folder = Path(tempfile.mkdtemp(prefix="onzecoach-web-load-"))
        try:
            yield f"sqlite:///{folder / 'portal.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    schema = args.reuse[0] if args.reuse else f"web_load_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(make_url(args.postgres))
    if not args.reuse:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        if not (args.keep or args.reuse):
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def load(
    url: str, settings: Settings, mailer: RecordingMailer, args: argparse.Namespace
) -> tuple[Portal, list[str]]:
    """Fill the database; the portal over it and the employers' ids."""
    storage = SqlStorage(url)
    storage.upgrade()
    generated = argparse.Namespace(
        seed=args.seed,
        appointments=args.appointments,
        employers=args.employers,
        departments=args.departments,
        years=2,
    )
    started = time.perf_counter()
    # The two years up to this one, so that the dashboard's default range (the last twelve
    # months) holds a year of sessions, as a portal in use does.
    stats_benchmark.FIRST_YEAR = SystemClock().now().year - 1
    world = stats_benchmark.Generator(generated).world()
    stats_benchmark.load_sql(storage, world)
    print(
        f"  {len(world.employees):,} employees with {len(world.trajectories):,} trajectories "
        f"and {len(world.appointments):,} appointments written in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    portal = Portal(storage=storage, mailer=mailer, settings=settings)
    employers = [e.id for e in world.employers]
    rest = max(args.employees - len(world.employees), 0)
    started = time.perf_counter()
    for index, employer_id in enumerate(employers):
        count = rest // len(employers) + (1 if index < rest % len(employers) else 0)
        if count:
            report = portal.imports.employees(
                SERVICE_DESK, import_file(index, count, args.seed), employer_id=employer_id
            )
            if report.errors:
                raise SystemExit(f"the import refused rows: {report.errors[:3]}")
    print(f"  {rest:,} employees imported in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    portal.search.rebuild(SERVICE_DESK)
    portal.stats.rebuild(SERVICE_DESK)
    print(f"  search and statistics rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
    if storage.dialect == "postgresql":
        # The rebuild left dead rows behind, and the server may run without autovacuum.
        started = time.perf_counter()
        search_benchmark.vacuum_analyse(storage)
        print(f"  vacuumed and analysed in {time.perf_counter() - started:.0f} s", flush=True)
    return portal, employers


@functools.cache
def name_pool(seed: int) -> tuple[list[str], list[str]]:
    """Dutch surnames (with their infixes) and given names from Faker, the same per seed."""
    faker = Faker("nl_NL")
    faker.seed_instance(seed)
    # Names whose part before the last space is a plain infix ("van der"), as the import's
    # rules want it; Faker also makes double names ("van Dijk-de Vries").
    surnames = sorted(
        name
        for name in {faker.last_name() for _ in range(8000)}
        if all(word.islower() and word.isalpha() for word in name.split(" ")[:-1])
        and len(name.rpartition(" ")[0]) <= 20
    )
    given = sorted({faker.first_name() for _ in range(3000)})
    return surnames, given


def import_file(employer: int, count: int, seed: int) -> bytes:
    """A CSV of ``count`` employees for the import, with Faker's Dutch names."""
    surnames, given = name_pool(seed)
    pick = random.Random(seed * 1000 + employer)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["Personeelsnummer", "Achternaam", "Tussenvoegsel", "Roepnaam", "Voorletters",
         "Geslacht", "Geboortedatum", "E-mail"]
    )  # fmt: skip
    for n in range(count):
        infix, _, surname = pick.choice(surnames).rpartition(" ")
        first = pick.choice(given)
        writer.writerow(
            [
                f"W{employer:03d}-{n:07d}",
                surname,
                infix,
                first,
                f"{first[0]}.",
                pick.choice("MV"),
                f"{pick.randint(1, 28):02d}-{pick.randint(1, 12):02d}-{pick.randint(1960, 2004)}",
                f"w{employer}.{n}@example.nl",
            ]
        )
    return out.getvalue().encode()


RUN = uuid.uuid4().hex[:6]


def accounts(world: Loaded, count: int, tag: str) -> list[dict[str, str]]:
    """``count`` HR contacts, each registered with an authenticator app."""
    portal, mailer, employers = world.portal, world.mailer, world.employers
    made = []
    for n in range(count):
        username = f"hr.{tag}.{RUN}.{n}"  # RUN: a run on a reused schema meets earlier runs' users
        portal.admin.invite_user(
            SERVICE_DESK, employers[n % len(employers)], email=f"{username}@example.nl",
            username=username,
        )  # fmt: skip
        portal.outbox.dispatch_due()
        body = mailer.to(f"{username}@example.nl")[-1].get_body(preferencelist=("plain",))
        token = None if body is None else re.search(r"/registreren/(\S+)", body.get_content())
        if token is None:
            raise SystemExit(f"no invitation for {username}")
        enrollment = portal.accounts.register(token.group(1), PASSWORD)
        setup = portal.mfa.begin_totp(enrollment.token)
        # The previous time step's code: the step of now stays free for the user's login.
        earlier = pyotp.TOTP(setup.secret).at(time.time() - 30)
        portal.mfa.confirm_totp(enrollment.token, earlier)
        portal.mfa.finish(enrollment.token)
        made.append({"username": username, "password": PASSWORD, "secret": setup.secret})
    return made


def queries(seed: int) -> list[str]:
    """Three-letter beginnings of names that are there, as people type them."""
    surnames, given = name_pool(seed)
    words = [name.rpartition(" ")[2] for name in surnames] + given
    return sorted({word[:3].lower() for word in words if len(word) >= 3})


# The servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(kind: str, url: str, key: str, args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    """A server of ``kind`` on a free loopback port; its URL and process id."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    metrics = Path(tempfile.mkdtemp(prefix="onzecoach-metrics-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ONZECOACH_")},
        "ONZECOACH_DATABASE_URL": url,
        "ONZECOACH_BASE_URL": base,
        "ONZECOACH_SECRET_KEY": key,
        "ONZECOACH_WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        "PYTHONPATH": str(ROOT / "examples"),
    }
    if kind == "gunicorn":
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--chdir", str(ROOT / "examples"),
            "flask_portal.wsgi:app",
        ]  # fmt: skip
    else:
        env.pop("PROMETHEUS_MULTIPROC_DIR")
        command = [
            sys.executable, "-m", "flask_portal", "--host", "127.0.0.1", "--port", str(port),
            "--folder", str(metrics / "demo"),
        ]  # fmt: skip
    log = metrics / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - this environment's own programs
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{kind} did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(metrics, ignore_errors=True)


def locust(base: str, users: int, seconds: int, folder: Path, **env: str) -> dict[str, Any]:
    """One headless locust run; its statistics rows by name."""
    prefix = folder / f"run{uuid.uuid4().hex[:6]}"
    subprocess.run(  # noqa: S603 - this environment's own locust
        [
            str(Path(sys.executable).with_name("locust")),
            "-f", str(USERS_FILE), "--headless", "--only-summary",
            "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
            "--host", base, "--csv", str(prefix), "--stop-timeout", "10",
            "--loglevel", "WARNING",
        ],
        env={**os.environ, **env},
        check=False,
        capture_output=True,
        timeout=seconds + 120,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats_file:
        return {row["Name"]: row for row in csv.DictReader(stats_file)}


def figures(rows: dict[str, Any], seconds: int) -> tuple[dict[str, RouteFigures], float, int]:
    routes = {}
    for route in ROUTES:
        row = rows.get(route)
        if row is None:
            continue
        routes[route] = RouteFigures(
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            per_second=float(row["Requests/s"]),
            p50=float(row["50%"]),
            p99=float(row["99%"]),
        )
    total = sum(f.per_second for f in routes.values())
    failures = sum(f.failures for f in routes.values())
    for untimed in ("(sign in)", "(setup)"):
        if untimed in rows:
            failures += int(rows[untimed]["Failure Count"])
    return routes, total, failures


def cpu_per_request(base: str) -> dict[str, tuple[float, float]]:
    """The app's own CPU seconds and request count, by route rule."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    cpu = {route: float(value) for route, value in CPU_METRIC.findall(text)}
    count = {route: float(value) for route, value in COUNT_METRIC.findall(text)}
    return {route: (cpu.get(route, 0.0), count.get(route, 0.0)) for route in cpu}


def pauses(args: argparse.Namespace) -> list[float]:
    return [float(n) for n in str(args.think).split(",")]


def measure(
    kind: str, world: Loaded, args: argparse.Namespace
) -> tuple[list[Run], dict[str, float]]:
    levels = [int(n) for n in args.users.split(",")]
    runs: list[Run] = []
    cpu: dict[str, float] = {}
    folder = Path(tempfile.mkdtemp(prefix="onzecoach-locust-"))
    words = json.dumps(queries(args.seed))
    try:
        with server(kind, world.url, world.key, args) as (base, _):
            for number, think in enumerate(pauses(args)):
                for users in levels:
                    made = accounts(world, users, f"{kind[:3]}{users}p{number}")
                    file = folder / f"accounts-{users}-{number}.json"
                    file.write_text(json.dumps(made))
                    rows = locust(
                        base, users, args.seconds, folder,
                        WEB_LOAD_ACCOUNTS=str(file), WEB_LOAD_QUERIES=words,
                        WEB_LOAD_THINK=str(think),
                    )  # fmt: skip
                    routes, total, failures = figures(rows, args.seconds)
                    runs.append(Run(kind, users, think, routes, total, failures))
                    print(
                        f"  {kind}, {users} users, pause {think:g} s: {total:.0f} requests/s",
                        flush=True,
                    )
            for route in ROUTES:
                made = accounts(world, 2, f"{kind[:3]}c{ROUTES.index(route)}")
                file = folder / f"accounts-cpu-{ROUTES.index(route)}.json"
                file.write_text(json.dumps(made))
                before = cpu_per_request(base).get(ROUTE_RULES[route], (0.0, 0.0))
                locust(
                    base, 2, args.cpu_seconds, folder,
                    WEB_LOAD_ACCOUNTS=str(file), WEB_LOAD_QUERIES=words, WEB_LOAD_ONLY=route,
                )  # fmt: skip
                after = cpu_per_request(base).get(ROUTE_RULES[route], (0.0, 0.0))
                spent, answered = after[0] - before[0], after[1] - before[1]
                cpu[route] = 1000 * spent / answered if answered else float("nan")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return runs, cpu


# The report ------------------------------------------------------------------------------


def report(runs: list[Run], cpu: dict[str, dict[str, float]], args: argparse.Namespace) -> bool:
    print(
        f"\nThe reference web app at {args.employees:,} employees, {args.employers} employers "
        f"and {args.appointments:,} appointments on "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}; {os.cpu_count()} cores, shared by "
        f"the server, the database and the load client (locust); gunicorn: {args.workers} "
        f"workers x 4 threads; {args.seconds} s per run.\n"
    )
    print(f"{'server':<12} {'users':>5} {'pause s':>7} {'route':<11} {'req/s':>8} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6} {'CPU ms/req':>10}")  # fmt: skip
    for run in runs:
        for route, f in run.routes.items():
            spent = cpu.get(run.server, {}).get(route, float("nan"))
            print(
                f"{run.server:<12} {run.users:>5} {run.think:>7g} {route:<11} "
                f"{f.per_second:>8.1f} {f.p50:>7.0f} {f.p99:>7.0f} {f.failures:>6} {spent:>10.1f}"
            )
        print(f"{run.server:<12} {run.users:>5} {run.think:>7g} {'all':<11} "
              f"{run.per_second:>8.1f} {'':>7} {'':>7} {run.failures:>6}")  # fmt: skip
    print(
        "\nEach user pauses the given time on average between requests. By Little's law the"
        " mean time a request takes is users / (requests per second) minus that pause:"
    )
    for run in runs:
        if run.per_second:
            implied = 1000 * (run.users / run.per_second - run.think)
            print(f"  {run.server}, {run.users} users, pause {run.think:g} s: {implied:.0f} ms")
    if 0 in pauses(args):
        print(
            "  without a pause every user always has a request in flight, so each request"
            " waits behind the others: the run measures the queue as much as the server"
        )
    met = all(run.failures == 0 for run in runs)
    print(f"\nno errors: {'MET' if met else 'MISSED'}")
    for run in (r for r in runs if r.server == "gunicorn" and r.users == 4):
        for route, goal in GOALS.items():
            found = run.routes.get(route)
            ok = found is not None and found.p99 <= goal
            met &= ok
            shown = "none" if found is None else f"{found.p99:.0f} ms"
            print(
                f"{route} p99 at 4 users, pause {run.think:g} s <= {goal:.0f} ms: {shown} "
                f"{'MET' if ok else 'MISSED'}"
            )
    busiest = max(int(n) for n in args.users.split(","))
    closed = min(pauses(args))
    gun = next(
        (r for r in runs if (r.server, r.users, r.think) == ("gunicorn", busiest, closed)), None
    )
    dev = next(
        (r for r in runs if (r.server, r.users, r.think) == ("development", busiest, closed)),
        None,
    )
    if gun is not None and dev is not None and dev.per_second:
        ratio = gun.per_second / dev.per_second
        ok = ratio >= THROUGHPUT_GOAL
        met &= ok
        print(
            f"gunicorn / development server at {busiest} users, pause {closed:g} s: {ratio:.2f}x "
            f"(goal {THROUGHPUT_GOAL}x) {'MET' if ok else 'MISSED'}"
        )
    return met


def main() -> int:
    args = parse()
    key = args.reuse[1] if args.reuse else secrets.token_urlsafe(32)
    with database(args) as url:
        settings = Settings(base_url="http://127.0.0.1", secret_key=key)
        mailer = RecordingMailer()
        if args.reuse:
            portal = Portal(storage=SqlStorage(url), mailer=mailer, settings=settings)
            employers = [employer.id for employer in portal.admin.employers(SERVICE_DESK)]
        else:
            print("Loading...", flush=True)
            portal, employers = load(url, settings, mailer, args)
            if args.keep and args.postgres:
                schema = str(make_url(url).query["options"]).split("=", 1)[1]
                print(f"  kept; measure it again with --reuse {schema} {key}", flush=True)
        world = Loaded(url=url, key=key, portal=portal, mailer=mailer, employers=employers)
        runs: list[Run] = []
        cpu: dict[str, dict[str, float]] = {}
        for kind in [kind for kind in args.servers.split(",") if kind]:
            found, spent = measure(kind, world, args)
            runs.extend(found)
            cpu[kind] = spent
        portal.storage.close()
    report(runs, cpu, args)
    # Errors are a fault, not a figure: the tiny run in the tests fails on them.
    return 1 if any(run.failures for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
