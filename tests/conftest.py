"""Fixtures shared by every test folder: storages of each kind, a clock, settings.

PostgreSQL tests need ``ONZECOACH_TEST_POSTGRES_URL`` (CI sets it). Without it they skip
with the reason; with ``ONZECOACH_REQUIRE_POSTGRES=1`` a missing or unreachable server
fails the run instead, so CI can never skip them silently.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import hypothesis
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from onzecoach import Portal, Settings
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from support import T0, make_settings

POSTGRES_URL = os.environ.get("ONZECOACH_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("ONZECOACH_REQUIRE_POSTGRES") == "1"
BACKENDS = ("memory", "sqlite", "postgresql")
START = T0  # where every test's FrozenClock starts

StorageFactory = Callable[[], Storage]

# No test asserts how long something takes, hypothesis's examples included: its default
# deadline of 200 ms per example fails a correct test on a busy machine (a first example
# that loads the phone number metadata, two workers beside PostgreSQL).
hypothesis.settings.register_profile("onzecoach", deadline=None)
hypothesis.settings.load_profile("onzecoach")


def _postgres_unavailable(reason: str) -> None:
    if REQUIRE_POSTGRES:
        pytest.fail(f"PostgreSQL is required (ONZECOACH_REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The server URL, checked once per session."""
    if not POSTGRES_URL:
        _postgres_unavailable(
            "set ONZECOACH_TEST_POSTGRES_URL=postgresql+psycopg://user@host/database to run them"
        )
    engine = sa.create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        _postgres_unavailable(f"cannot connect to {POSTGRES_URL}: {exc.orig}")
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose connections live in a fresh schema of their own, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(make_url(postgres_url).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database's URL: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture(
    params=[
        pytest.param("memory"),
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def storage_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StorageFactory]:
    """Makes storages that share one database, like separate processes would.

    Memory storage cannot be shared between processes, so every call returns the same one.
    """
    made: list[Storage] = []
    if request.param == "memory":
        memory = MemoryStorage()
        yield lambda: memory
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'portal.db'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")

    def make() -> Storage:
        storage = SqlStorage(url)
        made.append(storage)
        return storage

    make().upgrade()
    yield make
    for storage in made:
        storage.close()


@pytest.fixture
def storage(storage_factory: StorageFactory) -> Storage:
    return storage_factory()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def sms() -> RecordingSms:
    return RecordingSms()


@pytest.fixture
def portal(
    storage: Storage,
    mailer: RecordingMailer,
    sms: RecordingSms,
    clock: FrozenClock,
    settings: Settings,
) -> Portal:
    return Portal(storage=storage, mailer=mailer, sms=sms, clock=clock, settings=settings)


# Per-backend totals at the end of the run, so a CI log shows which databases were tested.
_outcomes: Counter[tuple[str, str]] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    backend = next((b for b in BACKENDS if f"[{b}" in report.nodeid), None)
    if backend is None:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _outcomes[backend, report.outcome] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _outcomes:
        return
    terminalreporter.section("storage backends")
    for backend in BACKENDS:
        counts = ", ".join(
            f"{_outcomes[backend, outcome]} {outcome}"
            for outcome in ("passed", "failed", "skipped")
            if _outcomes[backend, outcome]
        )
        terminalreporter.write_line(f"{backend:>10}: {counts or 'not run'}")
