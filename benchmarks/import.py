"""Employee import: N rows of a CSV into a fresh SQLite portal, from one run.

Prints, for the same N rows:

- **bare executemany**: sqlite3 ``executemany`` of the file's rows as they are (text, no
  checks) into a plain table of the same columns, in one transaction;
- **the same rows into onzecoach's tables**: sqlite3 ``executemany`` of exactly the rows
  the import wrote (read back afterwards) into an empty copy of the portal's schema, in
  one transaction: the employee rows with their unique key and name index, the search
  index (tokens, three-letter prefixes and their counts) and one audit entry each. This
  is the floor of writing what a registration must leave behind, with nothing checked;
- **validate_employee**: the form's checks of every row, and nothing written;
- **onzecoach**: ``portal.imports.employees`` (read, validate, match on employee number,
  write in batches with search index and audit);
- **the same, the collector's own passes left on**: the same import into a database of
  its own, with the garbage collector left to start its passes as allocations set them
  off (the import switches them off and makes a young pass after each batch).

With ``--postgres URL`` it also imports the file into PostgreSQL (in a schema of its
own, dropped afterwards), beside that server's floor: the rows the import wrote there,
``COPY``-ed as bytes into a second schema as it was before the import, in one transaction.
With the server on this machine it prints each side's CPU seconds: the client's and the
server's are spent on the same cores.

With ``--runs K`` it measures K times and prints each measure's median, and each ratio's
median over the runs (each run's own, from measures taken side by side) with its range:
on a machine shared with other work one run's ratios move by a tenth or more.

    python benchmarks/import.py [N] [--batch-size 2000] [--runs 1] [--postgres URL]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import math
import os
import secrets
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import sqlalchemy as sa

from onzecoach import Actor, Portal, Role, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.adapters.sql import _tables as tables
from onzecoach.adapters.sql._storage import CACHE_KIB, WAL_CHECKPOINT_PAGES
from onzecoach.employees import _import as employee_import
from onzecoach.employees import validate_employee
from onzecoach.employees._collector import Progress
from onzecoach.employees._import_files import HEADER_ALIASES, _header_key
from onzecoach.testing import FrozenClock, RecordingMailer

SETTINGS = Settings(base_url="https://portaal.example.nl", secret_key=secrets.token_urlsafe(32))
START = datetime(2026, 1, 1, tzinfo=UTC)
HEADER = [
    "Personeelsnummer",
    "Achternaam",
    "Tussenvoegsels",
    "Roepnaam",
    "Voorletters",
    "Geslacht",
    "Geboortedatum",
    "E-mail",
    "Telefoonnummer",
    "Straat",
    "Huisnummer",
    "Postcode",
    "Woonplaats",
    "Afdeling",
    "Functie",
    "Kostenplaats",
]
LAST = ["Berg", "Jansen", "Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos"]
INFIX = ["", "van den", "", "de", "", "", "van", "", ""]
GIVEN = ["Anna", "Jan", "Els", "Piet", "Sanne", "Kees", "Fleur", "Daan", "Noor", "Bram"]
CITY = ["Utrecht", "Leusden", "Amersfoort", "Zwolle", "Delft"]
DEPARTMENTS = ["Finance", "ICT", "Verkoop", "Productie"]


def rows(n: int) -> list[tuple[str, ...]]:
    """N plausible, valid rows; cheap and the same every run. Tuples: the garbage collector
    stops tracking them, so that the imports' full passes do not walk them (lists would add
    the whole table to every pass, which an application does not hold)."""
    made: list[tuple[str, ...]] = []
    for i in range(n):
        given = GIVEN[i % len(GIVEN)]
        born = date(1960, 1, 1) + timedelta(days=(i * 37) % 14_000)
        made.append(
            (
                f"P{i:07d}",
                LAST[i % len(LAST)],
                INFIX[i % len(INFIX)],
                given,
                f"{given[0]}.",
                "vrouw" if i % 2 else "man",
                born.strftime("%d-%m-%Y"),
                f"medewerker{i}@example.nl",
                f"06{10_000_000 + i % 89_999_999}",
                "Stationsstraat",
                str(1 + i % 300),
                f"{1000 + i % 9000} {'AB' if i % 3 else 'KL'}",
                CITY[i % len(CITY)],
                DEPARTMENTS[i % len(DEPARTMENTS)],
                "Adviseur",
                f"KP-{i % 50}",
            )
        )
    return made


def _portal(storage: SqlStorage) -> Portal:
    return Portal(
        storage=storage, mailer=RecordingMailer(), clock=FrozenClock(START), settings=SETTINGS
    )


def _employer(storage: SqlStorage) -> Actor:
    """An employer with the file's departments, in an upgraded storage; its HR actor."""
    storage.upgrade()
    portal = _portal(storage)
    employer = portal.admin.create_employer(SERVICE_DESK, "Benchmark B.V.")
    for name in DEPARTMENTS:
        portal.admin.add_department(SERVICE_DESK, employer.id, name)
    return Actor(user_id="hr", employer_id=employer.id, role=Role.HR)


#: CPU seconds of the last timed import: this process's, and the PostgreSQL server's.
CPU: dict[str, float] = {}

_BACKENDS = sa.text(
    "SELECT pid FROM pg_stat_activity WHERE application_name = 'onzecoach'"
    " AND datname = current_database()"
)


def _server_cpu(storage: SqlStorage) -> dict[int, float] | None:
    """CPU seconds so far of each onzecoach server process, when the server runs on this
    machine and ``/proc`` shows them; else ``None``."""
    if storage.dialect != "postgresql":
        return None
    with storage.engine.connect() as connection:
        pids = [int(pid) for pid in connection.execute(_BACKENDS).scalars()]
    tick = os.sysconf("SC_CLK_TCK")
    spent: dict[int, float] = {}
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            spent[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return spent


def _server_cpu_since(storage: SqlStorage, before: dict[int, float] | None) -> float | None:
    """The CPU seconds the server's onzecoach processes spent since ``before`` (from
    ``_server_cpu``), or ``None`` when either reading cannot be had."""
    after = _server_cpu(storage)
    if before is None or after is None:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


@contextlib.contextmanager
def _collector_left_on(progress: Progress | None) -> Iterator[Progress]:
    """In place of the import's ``young_passes_only``: the collector as it is."""
    yield progress if progress is not None else (lambda done, total: None)


def _timed_import(
    storage: SqlStorage, hr: Actor, path: Path, batch_size: int, *, collector_on: bool = False
) -> float:
    """The import's seconds; ``collector_on``: with the garbage collector's own passes left
    on."""
    portal = _portal(storage)
    server_before = _server_cpu(storage)
    cpu_before = time.process_time()
    began = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if collector_on:
            stack.enter_context(
                mock.patch.object(employee_import, "young_passes_only", _collector_left_on)
            )
        report = portal.imports.employees(hr, path, batch_size=batch_size)
    took = time.perf_counter() - began
    CPU["client"] = time.process_time() - cpu_before
    server = _server_cpu_since(storage, server_before)
    if server is not None:
        CPU["server"] = server
    else:
        CPU.pop("server", None)
    if report.errors or report.created != report.rows:
        raise RuntimeError(f"created {report.created} of {report.rows}: {report.errors[:3]}")
    return took


def onzecoach_run(
    folder: Path, path: Path, batch_size: int, *, collector_on: bool = False
) -> float:
    """The import into ``portal.db`` (with ``collector_on``: ``collector.db``, the
    collector's own passes left on); ``schema.db`` is left as the database was before it."""
    name = "collector.db" if collector_on else "portal.db"
    storage = SqlStorage(f"sqlite:///{folder / name}")
    hr = _employer(storage)
    storage.close()
    if not collector_on:
        shutil.copy(folder / name, folder / "schema.db")
    storage = SqlStorage(f"sqlite:///{folder / name}")
    try:
        return _timed_import(storage, hr, path, batch_size, collector_on=collector_on)
    finally:
        storage.close()


def postgres_run(url: str, path: Path, batch_size: int) -> tuple[float, float]:
    """The import into a fresh schema of the PostgreSQL database at ``url``, and the floor
    of writing the same rows there: seconds of each (with ``CPU``'s server figures)."""
    schema = f"onzecoach_import_bench_{os.getpid()}"  # runs side by side do not meet
    floor_schema = f"{schema}_floor"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        for name in (schema, floor_schema):
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {name}"))

    def in_schema(name: str) -> SqlStorage:
        return SqlStorage(sa.make_url(url).update_query_dict({"options": f"-csearch_path={name}"}))

    storage, floor_storage = in_schema(schema), in_schema(floor_schema)
    try:
        hr = _employer(storage)
        floor_storage.upgrade()
        with admin.begin() as connection:  # the floor starts where the import starts
            for table in tables.metadata.sorted_tables:
                copied = (
                    f"INSERT INTO {floor_schema}.{table.name} SELECT * FROM {schema}.{table.name}"
                )
                connection.execute(sa.text(copied))  # names from the metadata
        took = _timed_import(storage, hr, path, batch_size)
        floor, floor_server = postgres_floor_run(storage, floor_storage)
        CPU["floor_server"] = float("nan") if floor_server is None else floor_server
        return took, floor
    finally:
        storage.close()
        floor_storage.close()
        with admin.begin() as connection:
            for name in (schema, floor_schema):
                connection.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def postgres_floor_run(
    storage: SqlStorage, floor_storage: SqlStorage
) -> tuple[float, float | None]:
    """The rows the import wrote, as the server sent them out (``COPY ... TO``), into the
    floor's schema as it was before the import, with ``COPY ... FROM`` in one transaction:
    the server's own work for what a registration leaves behind, with nothing checked and
    no client work but passing bytes on. Seconds, and the server's CPU seconds if seen."""
    blocks: list[tuple[str, list[bytes]]] = []
    with storage.engine.connect() as connection:
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor:
            for table, where in WRITTEN:
                with cursor.copy(f"COPY (SELECT * FROM {table} {where}) TO STDOUT") as copy:
                    blocks.append((table, [bytes(block) for block in copy]))
    with floor_storage.engine.connect() as connection:
        driver = connection.connection.driver_connection
        server_before = _server_cpu(floor_storage)
        began = time.perf_counter()
        with driver.transaction(), driver.cursor() as cursor:
            for table, data in blocks:
                with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    for block in data:
                        copy.write(block)
        took = time.perf_counter() - began
        return took, _server_cpu_since(floor_storage, server_before)


def _connect(path: Path) -> sqlite3.Connection:
    # The pragmas SqlStorage sets on a SQLite file.
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    return db


def bare_sqlite_run(folder: Path, table: list[tuple[str, ...]]) -> float:
    """The same rows into a plain table of the same columns: one executemany, one commit."""
    db = _connect(folder / "bare.db")
    columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADER)))
    db.execute(f"CREATE TABLE employees (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" for _ in HEADER)
    began = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(f"INSERT INTO employees VALUES (NULL, {marks})", table)
    db.execute("COMMIT")
    took = time.perf_counter() - began
    db.close()
    return took


#: What a registration leaves behind, table by table (read back in the order written).
WRITTEN = (
    ("onzecoach_employees", ""),
    ("onzecoach_search_tokens", ""),
    ("onzecoach_search_prefixes", ""),
    ("onzecoach_search_prefix_counts", ""),
    ("onzecoach_audit_log", "WHERE action = 'employee.registered'"),
)


def write_floor_run(folder: Path) -> tuple[float, int]:
    """The rows the import wrote, into an empty copy of the schema with raw executemany."""
    source = sqlite3.connect(folder / "portal.db")
    written = [
        (table, source.execute(f"SELECT * FROM {table} {where}").fetchall())
        for table, where in WRITTEN
    ]
    source.close()
    db = _connect(folder / "schema.db")
    began = time.perf_counter()
    db.execute("BEGIN")
    for table, rows in written:
        marks = ", ".join("?" for _ in rows[0])
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    db.execute("COMMIT")
    took = time.perf_counter() - began
    db.close()
    return took, sum(len(rows) for _, rows in written)


def validation_run(table: list[tuple[str, ...]]) -> float:
    """``validate_employee`` over every row as the import hands it over; nothing written."""
    fields = [HEADER_ALIASES[_header_key(name)] for name in HEADER]
    data = [dict(zip(fields, row, strict=True)) for row in table]
    for row in data:
        row["department_id"] = "afdeling"  # the import puts the department's id here
    types = SETTINGS.registration_types
    today = START.date()
    began = time.perf_counter()
    for row in data:
        validate_employee(row, registration_types=types, today=today)
    return time.perf_counter() - began


def measure(
    table: list[tuple[str, ...]], batch_size: int, postgres_url: str | None
) -> dict[str, float]:
    """One run of every measure: seconds by name, and the CPU seconds (``cpu_...``)."""
    taken: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "werknemers.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(table)
        taken["bare"] = bare_sqlite_run(folder, table)
        taken["checks"] = validation_run(table)
        taken["ours"] = onzecoach_run(folder, path, batch_size)
        taken["cpu_sqlite"] = CPU["client"]
        taken["collector_on"] = onzecoach_run(folder, path, batch_size, collector_on=True)
        taken["floor"], taken["written"] = write_floor_run(folder)
        if postgres_url:
            taken["postgres"], taken["postgres_floor"] = postgres_run(
                postgres_url, path, batch_size
            )
            taken["cpu_postgres"] = CPU["client"]
            taken["cpu_server"] = CPU.get("server", float("nan"))
            taken["cpu_floor_server"] = CPU["floor_server"]
    return taken


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _ratio(runs: list[dict[str, float]], top: str, bottom: str, digits: int = 1) -> str:
    """The ratio's median over the runs, each run's own (``top`` / ``bottom``), and with
    more than one run its range."""
    ratios = [run[top] / run[bottom] for run in runs]
    text = f"{statistics.median(ratios):.{digits}f}x"
    if len(runs) > 1:
        text += f" ({min(ratios):.{digits}f} to {max(ratios):.{digits}f})"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--postgres", help="a PostgreSQL URL; its schema is dropped afterwards")
    parser.add_argument(
        "--runs", type=int, default=1, help="measure this many times; print the medians"
    )
    args = parser.parse_args()
    n: int = args.n
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    table = rows(n)
    runs = [measure(table, args.batch_size, args.postgres) for _ in range(args.runs)]
    written = int(runs[0]["written"])
    median = {key: _median(runs, key) for key in runs[0]}

    print(f"import: {n:,} employees from CSV into SQLite (batch size {args.batch_size})")
    if len(runs) > 1:
        print(
            f"seconds: the median of {len(runs)} runs; ratios: the median of each run's own, "
            "and their range"
        )
    print(f"{'':52} {'seconds':>8} {'rows/s':>10} {'x bare':>7}")
    lines = [
        ("bare sqlite3 executemany, plain table (one tx)", "bare"),
        (f"same rows into onzecoach's tables ({written:,} rows)", "floor"),
        ("validate_employee per row, nothing written", "checks"),
        ("onzecoach portal.imports.employees", "ours"),
        ("the same, the collector's own passes left on", "collector_on"),
    ]
    if args.postgres:
        lines.append(("same rows into onzecoach's tables, PostgreSQL (COPY)", "postgres_floor"))
        lines.append(("onzecoach portal.imports.employees, PostgreSQL", "postgres"))
    for label, key in lines:
        seconds = median[key]
        print(f"{label:52} {seconds:8.2f} {n / seconds:10,.0f} {seconds / median['bare']:7.1f}")
    print(f"ratio onzecoach / bare executemany: {_ratio(runs, 'ours', 'bare')} (goal: at most 3x)")
    print(f"ratio onzecoach / same rows into onzecoach's tables: {_ratio(runs, 'ours', 'floor')}")
    print(f"the same, the collector's own passes left on: {_ratio(runs, 'collector_on', 'floor')}")
    if args.postgres:
        print(
            "ratio onzecoach PostgreSQL / SQLite: "
            f"{_ratio(runs, 'postgres', 'ours', 2)} (goal: at most 1x)"
        )
        print(
            "ratio onzecoach PostgreSQL / same rows into its tables: "
            f"{_ratio(runs, 'postgres', 'postgres_floor')}; that floor / onzecoach SQLite: "
            f"{_ratio(runs, 'postgres_floor', 'ours', 2)}"
        )
        # No import beats its database's floor: PostgreSQL at most as slow as SQLite, and
        # SQLite at most twice its floor, can both hold only while this is at most 2.
        floors = _ratio(runs, "postgres_floor", "floor", 2)
        print(f"ratio of the floors, PostgreSQL / SQLite: {floors}")
        print(
            f"CPU seconds: SQLite import (the process, SQLite inside it) "
            f"{median['cpu_sqlite']:.2f}; ",
            end="",
        )
        print(f"PostgreSQL import, the process {median['cpu_postgres']:.2f}", end="")
        if not math.isnan(median["cpu_server"]):
            print(f", the server's onzecoach backends {median['cpu_server']:.2f}", end="")
            print(f"; the floor's COPY, the server {median['cpu_floor_server']:.2f}")
        else:
            print(" (the server's own CPU is not visible from here)")


if __name__ == "__main__":
    main()
