"""Employee import: N rows of a CSV into a fresh SQLite portal, from one run.

Prints the time of ``portal.imports.employees`` (read, validate, match, register with
search index and audit, in batches) beside a bare sqlite3 ``executemany`` of the same
rows into a table of the same columns in one transaction: the floor of writing them at
all. The ratio is the cost of everything the import does beyond that floor.

    python benchmarks/import.py [N] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import csv
import secrets
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from onzecoach import Actor, Portal, Role, Settings
from onzecoach.adapters.sql import SqlStorage
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


def rows(n: int) -> list[list[str]]:
    """N plausible, valid rows; cheap and the same every run."""
    made = []
    for i in range(n):
        given = GIVEN[i % len(GIVEN)]
        born = date(1960, 1, 1) + timedelta(days=(i * 37) % 14_000)
        made.append(
            [
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
            ]
        )
    return made


def onzecoach_run(folder: Path, path: Path, batch_size: int) -> tuple[float, int]:
    storage = SqlStorage(f"sqlite:///{folder / 'portal.db'}")
    storage.upgrade()
    portal = Portal(
        storage=storage, mailer=RecordingMailer(), clock=FrozenClock(START), settings=SETTINGS
    )
    employer = portal.admin.create_employer("Benchmark B.V.")
    for name in DEPARTMENTS:
        portal.admin.add_department(employer.id, name)
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    began = time.perf_counter()
    report = portal.imports.employees(hr, path, batch_size=batch_size)
    took = time.perf_counter() - began
    storage.close()
    if report.errors:
        raise RuntimeError(f"unexpected errors: {report.errors[:3]}")
    return took, report.created


def bare_sqlite_run(folder: Path, table: list[list[str]]) -> float:
    """The same rows into a plain table of the same columns: one executemany, one commit."""
    db = sqlite3.connect(folder / "bare.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    n: int = args.n

    table = rows(n)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "werknemers.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(table)
        bare = bare_sqlite_run(folder, table)
        ours, created = onzecoach_run(folder, path, args.batch_size)
    if created != n:
        raise RuntimeError(f"created {created}, expected {n}")

    print(f"import: {n:,} employees from CSV into SQLite (batch size {args.batch_size})")
    print(f"{'':40} {'seconds':>9} {'rows/s':>10}")
    print(f"{'bare sqlite3 executemany (one tx)':40} {bare:9.2f} {n / bare:10,.0f}")
    print(f"{'onzecoach portal.imports.employees':40} {ours:9.2f} {n / ours:10,.0f}")
    print(f"ratio onzecoach / bare: {ours / bare:.1f}x (goal: at most 3x)")


if __name__ == "__main__":
    main()
