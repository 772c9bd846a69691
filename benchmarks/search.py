"""Dossier search at scale: onzecoach beside SQLite FTS5 and a plain scan, from one run.

Generates N employees of one employer (default 1,000,000) from Faker nl_NL names, with
their real infixes ("van Vliet", "de Gruijl"), deterministically. Then, for 1,000 random
3-letter prefixes of those names, times "the first page of 20, sorted the Dutch way, with
the total" for:

- onzecoach's memory index (``PrefixIndex``, as ``MemoryStorage`` uses it);
- onzecoach's ``SqlStorage`` on SQLite (its token and prefix tables, through ``uow.search``);
- with ``--postgres URL``, the same on PostgreSQL (in a schema of its own, dropped after);
- SQLite FTS5 answering the same question (prefix MATCH, ORDER BY the sort key, count);
- a plain scan in Python with the same normalisation.

Prints p50 and p99 per method, build time and bytes per employee, and whether all of
them gave the same answers.

    python benchmarks/search.py [N] [--queries 1000] [--scan-queries 50]
        [--postgres postgresql+psycopg://user@host/db]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from faker import Faker

from onzecoach.adapters.memory._prefix_index import IndexEntry, PrefixIndex
from onzecoach.adapters.sql import SqlStorage
from onzecoach.adapters.sql import _tables as tables
from onzecoach.search import matches, name_tokens, sort_key
from onzecoach.search._normalise import INFIX_WORDS, SEPARATOR, fold_words

EMPLOYER = "e" * 32
NOW = datetime(2026, 1, 1, tzinfo=UTC)
PAGE = 20
BATCH = 50_000

Person = tuple[str, str, str | None, str]  # last name, given name, infix, id
Answer = tuple[list[str], int]
Row = tuple[str, float, float, float, float]  # name, p50 ms, p99 ms, build s, bytes/employee


def people(n: int, seed: int = 20261128) -> list[Person]:
    """n employees from Faker's Dutch names, the same for the same seed."""
    faker = Faker("nl_NL")
    faker.seed_instance(seed)
    surnames = [faker.last_name() for _ in range(min(n, 20_000))]
    given = [faker.first_name() for _ in range(min(n, 5_000))]
    pick = random.Random(seed)
    out: list[Person] = []
    for number in range(n):
        words = pick.choice(surnames).split(" ")
        infix: list[str] = []
        while len(words) > 1 and words[0].lower() in INFIX_WORDS:
            infix.append(words.pop(0))
        out.append((" ".join(words), pick.choice(given), " ".join(infix) or None, f"{number:032x}"))
    return out


def prefixes(staff: list[Person], count: int) -> list[list[str]]:
    """``count`` random 3-letter prefixes of the names (first or last), as query words."""
    pick = random.Random(7)
    queries: list[list[str]] = []
    while len(queries) < count:
        last, given, _, _ = pick.choice(staff)
        words = [w for w in fold_words(pick.choice([last, given])) if len(w) >= 3]
        if words:
            queries.append([words[0][:3]])
    return queries


def timed(
    queries: list[list[str]], run: Callable[[list[str]], Answer]
) -> tuple[float, float, list[Answer]]:
    answers: list[Answer] = []
    times: list[float] = []
    for words in queries:
        began = time.perf_counter()
        answers.append(run(words))
        times.append(time.perf_counter() - began)
    times.sort()
    return (
        times[len(times) // 2] * 1000,
        times[min(len(times) - 1, int(0.99 * len(times)))] * 1000,
        answers,
    )


def with_memory(
    records: list[tuple[str, IndexEntry]], queries: list[list[str]]
) -> tuple[Row, list[Answer]]:
    tracemalloc.start()
    began = time.perf_counter()
    index = PrefixIndex()
    index.bulk_load(records)
    build = time.perf_counter() - began
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    p50, p99, answers = timed(queries, lambda w: index.query(EMPLOYER, w, limit=PAGE, offset=0))
    return ("onzecoach memory index", p50, p99, build, size / len(records)), answers


def with_sqlstorage(
    folder: Path,
    staff: list[Person],
    records: list[tuple[str, IndexEntry]],
    queries: list[list[str]],
) -> tuple[Row, list[Answer]]:
    path = folder / "onzecoach.db"
    storage = SqlStorage(f"sqlite:///{path}")
    try:
        p50, p99, build, answers = timed_storage(storage, staff, records, queries)
    finally:
        storage.close()
    per = os.path.getsize(path) / len(staff)
    return ("onzecoach SqlStorage, SQLite", p50, p99, build, per), answers


def vacuum_analyse(storage: SqlStorage) -> None:
    """What autovacuum does soon after a large load or rebuild (a server may run without
    it): dead rows gone, the visibility map set for index-only scans, and statistics for
    the planner, for every table of the storage's schema."""
    vacuum = storage.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with vacuum:
        for table in sa.inspect(vacuum).get_table_names():
            vacuum.execute(sa.text(f'VACUUM (ANALYZE) "{table}"'))


def timed_storage(
    storage: SqlStorage,
    staff: list[Person],
    records: list[tuple[str, IndexEntry]],
    queries: list[list[str]],
) -> tuple[float, float, float, list[Answer]]:
    """Build the tables in ``storage``; time the queries through ``uow.search``: p50 and
    p99 in milliseconds, build seconds, the answers."""
    storage.upgrade()
    began = time.perf_counter()
    fill_tables(storage, staff, records)
    if storage.dialect == "postgresql":
        vacuum_analyse(storage)
    build = time.perf_counter() - began

    def query(words: list[str]) -> Answer:
        with storage.unit_of_work() as uow:
            return uow.search.query(EMPLOYER, words, limit=PAGE, offset=0)

    for words in queries[:20]:
        query(words)  # warm up: the pool's connection, the driver's prepared statements
    p50, p99, answers = timed(queries, query)
    return p50, p99, build, answers


_SCHEMA_BYTES = sa.text(
    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :schema AND c.relkind = 'r'"
)


def with_postgres(
    url: str,
    staff: list[Person],
    records: list[tuple[str, IndexEntry]],
    queries: list[list[str]],
) -> tuple[Row, list[Answer]]:
    """The same as ``with_sqlstorage`` in a schema of its own of the database at ``url``,
    dropped afterwards; bytes are the tables' with their indexes and TOAST."""
    schema = f"onzecoach_search_bench_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    storage = SqlStorage(sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}))
    try:
        p50, p99, build, answers = timed_storage(storage, staff, records, queries)
        with admin.connect() as connection:
            size = connection.execute(_SCHEMA_BYTES, {"schema": schema}).scalar_one()
    finally:
        storage.close()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
    per = int(size) / len(staff)
    return ("onzecoach SqlStorage, PostgreSQL", p50, p99, build, per), answers


def fill_tables(
    storage: SqlStorage, staff: list[Person], records: list[tuple[str, IndexEntry]]
) -> None:
    """The employee and search tables filled in batches, rows as onzecoach writes them."""
    prefix_keys: dict[tuple[str, str], None] = {}
    with storage.engine.begin() as connection:
        connection.execute(
            tables.employers.insert(),
            [{"id": EMPLOYER, "name": "Bench", "name_key": "bench", "created_at": NOW}],
        )
        for start in range(0, len(staff), BATCH):
            connection.execute(
                tables.employees.insert(),
                [
                    {
                        "id": employee_id,
                        "employer_id": EMPLOYER,
                        "created_at": NOW,
                        "updated_at": NOW,
                        "last_name": last,
                        "given_name": given,
                        "initials": f"{given[0]}.",
                        "gender": "other",
                        "birth_date": date(1980, 1, 1),
                        "email": "medewerker@example.nl",
                        "registration_type": "OnzeCoach",
                        "name_infix": infix,
                        "country": "NL",
                    }
                    for last, given, infix, employee_id in staff[start : start + BATCH]
                ],
            )
        tokens = [
            {
                "employer_id": EMPLOYER,
                "token": token,
                "sort_key": entry.key,
                "employee_id": employee_id,
            }
            for employee_id, entry in records
            for token in entry.tokens
        ]
        for start in range(0, len(tokens), BATCH):
            connection.execute(tables.search_tokens.insert(), tokens[start : start + BATCH])
        for _, entry in records:
            for token in entry.tokens:
                if len(token) >= 3:
                    prefix_keys[(token[:3], entry.key)] = None
        rows = [
            {
                "employer_id": EMPLOYER,
                "prefix": p,
                "sort_key": k,
                "employee_id": k.rsplit(SEPARATOR, 1)[1],
            }
            for p, k in prefix_keys
        ]
        for start in range(0, len(rows), BATCH):
            connection.execute(tables.search_prefixes.insert(), rows[start : start + BATCH])
        counts: dict[str, int] = {}
        for p, _ in prefix_keys:
            counts[p] = counts.get(p, 0) + 1
        connection.execute(
            tables.search_prefix_counts.insert(),
            [{"employer_id": EMPLOYER, "prefix": p, "count": c} for p, c in counts.items()],
        )


def with_fts5(
    folder: Path, records: list[tuple[str, IndexEntry]], queries: list[list[str]]
) -> tuple[Row, list[Answer]]:
    path = folder / "fts5.db"
    db = sqlite3.connect(path)
    began = time.perf_counter()
    db.execute(
        "CREATE VIRTUAL TABLE people USING fts5("
        "employee_id UNINDEXED, sort_key UNINDEXED, tokens, prefix='3')"
    )
    db.executemany(
        "INSERT INTO people VALUES (?, ?, ?)",
        ((employee_id, e.key, " ".join(sorted(e.tokens))) for employee_id, e in records),
    )
    db.commit()
    build = time.perf_counter() - began

    def query(words: list[str]) -> Answer:
        match = "tokens : (" + " AND ".join(f'"{w}"*' for w in words) + ")"
        page = [
            row[0]
            for row in db.execute(
                "SELECT employee_id FROM people WHERE people MATCH ? ORDER BY sort_key LIMIT ?",
                (match, PAGE),
            )
        ]
        total = db.execute("SELECT count(*) FROM people WHERE people MATCH ?", (match,)).fetchone()[
            0
        ]
        return page, int(total)

    p50, p99, answers = timed(queries, query)
    db.close()
    return (
        "SQLite FTS5, same query",
        p50,
        p99,
        build,
        os.path.getsize(path) / len(records),
    ), answers


def with_scan(
    records: list[tuple[str, IndexEntry]], queries: list[list[str]]
) -> tuple[Row, list[Answer]]:
    def query(words: list[str]) -> Answer:
        found = sorted(entry.key for _, entry in records if matches(entry.tokens, words))
        return [key.rsplit(SEPARATOR, 1)[1] for key in found[:PAGE]], len(found)

    p50, p99, answers = timed(queries, query)
    return (f"plain scan ({len(queries)} queries)", p50, p99, 0.0, 0.0), answers


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--scan-queries", type=int, default=50, help="the plain scan is slow")
    parser.add_argument("--postgres", help="a PostgreSQL URL; a scratch schema is dropped after")
    args = parser.parse_args()

    began = time.perf_counter()
    staff = people(args.n)
    records = [
        (
            employee_id,
            IndexEntry(
                EMPLOYER, name_tokens(last, given), sort_key(last, infix, given, employee_id)
            ),
        )
        for last, given, infix, employee_id in staff
    ]
    queries = prefixes(staff, args.queries)
    print(f"{args.n:,} employees generated in {time.perf_counter() - began:.1f} s")

    memory, memory_answers = with_memory(records, queries)
    with tempfile.TemporaryDirectory() as scratch:
        sql, sql_answers = with_sqlstorage(Path(scratch), staff, records, queries)
        fts, fts_answers = with_fts5(Path(scratch), records, queries)
    scan, scan_answers = with_scan(records, queries[: args.scan_queries])
    rows = [memory, sql]
    pg_answers = memory_answers
    if args.postgres:
        postgres, pg_answers = with_postgres(args.postgres, staff, records, queries)
        rows.append(postgres)
    rows += [fts, scan]

    same = (
        memory_answers == sql_answers
        and memory_answers == pg_answers
        and memory_answers[: len(scan_answers)] == scan_answers
        and [total for _, total in memory_answers] == [total for _, total in fts_answers]
    )
    print(f"{len(queries):,} random 3-letter prefixes; first page of {PAGE}, sorted, with total")
    print(f"every method gives the same pages and totals: {same}")
    print(f"{'':34} {'p50 ms':>9} {'p99 ms':>9} {'build s':>9} {'bytes/employee':>15}")
    for name, p50, p99, build, per in rows:
        print(f"{name:34} {p50:9.3f} {p99:9.3f} {build:9.1f} {per:15.0f}")


if __name__ == "__main__":
    main()
