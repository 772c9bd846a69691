from __future__ import annotations

import re
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from onzecoach.adapters import _repository as shared
from onzecoach.adapters.sql._accounts import SqlPasswordHistory, SqlSessions, SqlTokens, SqlUsers
from onzecoach.adapters.sql._audit import SqlAudit
from onzecoach.adapters.sql._backup import (
    BackupReport,
    RestoreReport,
    backup_sqlite,
    restore_sqlite,
)
from onzecoach.adapters.sql._base import Repository, translate_errors
from onzecoach.adapters.sql._booking import SqlNotes
from onzecoach.adapters.sql._coaches import SqlBusyTimes, SqlCoaches
from onzecoach.adapters.sql._employees import SqlEmployees
from onzecoach.adapters.sql._employers import (
    SqlDepartments,
    SqlEmployers,
    SqlEmployerSettings,
)
from onzecoach.adapters.sql._mfa import (
    SqlBackupCodes,
    SqlChallenges,
    SqlFactors,
    SqlSmsCodes,
    SqlWebAuthnChallenges,
)
from onzecoach.adapters.sql._outbox import SqlOutbox
from onzecoach.adapters.sql._postgres import BEGIN_ON_WRITE, configure_postgres
from onzecoach.adapters.sql._privacy import SqlErasures
from onzecoach.adapters.sql._search import SqlSearchIndex
from onzecoach.adapters.sql._sqlite import begin_now, configure_sqlite_begin
from onzecoach.adapters.sql._stats import SqlStats
from onzecoach.adapters.sql._tables import VERSION_TABLE
from onzecoach.adapters.sql._tasks import SqlTasks
from onzecoach.adapters.sql._throttling import SqlRateLimits, SqlThrottles
from onzecoach.adapters.sql._trajectories import SqlAppointments, SqlTrajectories
from onzecoach.errors import StorageError

__all__ = ["SqlStorage", "SqlUnitOfWork"]

MIGRATIONS = Path(__file__).parent / "migrations"
_EXPECTED = "expected sqlite:///path/to/portal.db or postgresql+psycopg://user@host/database"
# Any number that identifies onzecoach's migrations among an app's other advisory locks.
_MIGRATION_LOCK = 0x6F6E7A65


def _mask_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


class SqlStorage:
    """The ``Storage`` port on SQLAlchemy Core, for SQLite and PostgreSQL.

    ``SqlStorage("sqlite:///portal.db")`` is the embedded default: WAL, foreign keys,
    a busy timeout, and transactions that take the write lock (``BEGIN IMMEDIATE``) before
    their first write or lock, so that concurrent writers queue instead of failing and
    readers wait for no one (``_sqlite`` says why that keeps every guarantee). ``SqlStorage("postgresql+psycopg://...")``
    serves several app servers and workers through a connection pool.

    Creating a SqlStorage opens no connection; call ``upgrade()`` once to create or migrate
    the schema (it keeps its version in ``onzecoach_alembic_version``, apart from any
    migrations of your own).

    On PostgreSQL a unit of work opens its transaction at its first write, so one that
    only reads costs one round trip per statement and holds no transaction open, and the
    pool pings a connection only when it has been idle for over ``ping_after`` seconds
    (``_postgres`` says why both keep every guarantee).
    """

    def __init__(
        self,
        url: str | URL,
        *,
        pool_size: int = 5,
        max_overflow: int = 10,
        pool_timeout: float = 30.0,
        connect_timeout: float = 10.0,
        busy_timeout: float = 30.0,
        ping_after: float = 1.0,
        echo: bool = False,
    ) -> None:
        self.url = _parse(url)
        self._serialise: threading.Lock | None = None
        self.engine = self._create_engine(
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            connect_timeout=connect_timeout,
            busy_timeout=busy_timeout,
            ping_after=ping_after,
            echo=echo,
        )

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.url.get_backend_name()

    @property
    def writes_in_parallel(self) -> bool:
        """``WritesInParallel``: on PostgreSQL units of work write side by side; SQLite
        has one writer at a time."""
        return self.dialect == "postgresql"

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine, self._serialise, begin_on_write=self.dialect == "postgresql"
        )

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema to ``revision``; running it again changes nothing.

        Several processes may call this at start-up: they take turns (on PostgreSQL by an
        advisory lock, on SQLite by the write lock), each reading the version after the
        one before it has committed.
        """
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with translate_errors("upgrading the schema"), self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            else:
                begin_now(connection)  # before the version is read: one upgrade at a time
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def schema_revision(self) -> str | None:
        """The schema's current migration, or ``None`` for an empty database."""
        with translate_errors("reading the schema version"), self.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            return context.get_current_revision()

    @staticmethod
    def head_revision() -> str:
        """The newest migration of this version of onzecoach: what ``upgrade()`` reaches,
        and what ``schema_revision()`` says once it has (a readiness check compares them)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        if head is None:  # pragma: no cover - the package always has its migrations
            raise StorageError("no migrations found", code="storage.misconfigured")
        return head

    def backup(self, target: str | Path, *, overwrite: bool = False) -> BackupReport:
        """Copy a SQLite database to ``target`` while the portal keeps running.

        One consistent copy (``VACUUM INTO``: every transaction committed before it began,
        none after), checked and then renamed into place. An existing ``target`` is
        refused unless ``overwrite``. On PostgreSQL use ``pg_dump`` or continuous
        archiving instead (docs/deployment.md): ``StorageError`` ``storage.misconfigured``.
        """
        self._require_sqlite_file("copied", "pg_dump or continuous archiving")
        return backup_sqlite(self.engine, Path(target), overwrite=overwrite)

    def restore(self, source: str | Path, *, keep: str | Path) -> RestoreReport:
        """Replace a SQLite database with the backup ``source`` and migrate it to
        ``head_revision()``; stop the portal's processes first.

        What it replaces is copied to ``keep`` first (a path that does not exist yet). A
        backup or a database whose schema is newer than this version of onzecoach knows is
        refused, as is a file that is no onzecoach backup (``StorageError``
        ``storage.misconfigured``, nothing changed).

        The restored database lists only the erasures made before its backup: hand the
        replaced database's list (``portal.privacy.erasures``, read before) and the file
        kept outside (``read_erasure_list``) to ``portal.privacy.reapply(listed=...)``
        afterwards, as ``onzecoach db restore`` does. On PostgreSQL use ``pg_restore``.
        """
        self._require_sqlite_file("restored", "pg_restore")
        database = Path(str(self.url.database))
        current = self.schema_revision() if database.is_file() else None
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        report = restore_sqlite(
            self.engine,
            database,
            Path(source),
            keep=Path(keep),
            known=known,
            current=current,
        )
        self.upgrade()
        return report

    def _require_sqlite_file(self, done: str, instead: str) -> None:
        if self.dialect != "sqlite" or self.url.database in (None, "", ":memory:"):
            raise StorageError(
                f"only a SQLite database in a file is {done} this way; for PostgreSQL use "
                f"{instead} (docs/deployment.md)",
                code="storage.misconfigured",
            )

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"SqlStorage({self.url.render_as_string(hide_password=True)!r})"

    def _create_engine(
        self,
        *,
        pool_size: int,
        max_overflow: int,
        pool_timeout: float,
        connect_timeout: float,
        busy_timeout: float,
        ping_after: float,
        echo: bool,
    ) -> Engine:
        common: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        try:
            if self.dialect == "sqlite":
                in_memory = self.url.database in (None, "", ":memory:")
                if in_memory:
                    # One shared connection, so every thread sees the same database;
                    # transactions take turns on it.
                    common["poolclass"] = StaticPool
                    self._serialise = threading.Lock()
                engine = sa.create_engine(
                    self.url,
                    connect_args={"timeout": busy_timeout, "check_same_thread": False},
                    **common,
                )
                _configure_sqlite(engine, busy_timeout=busy_timeout, wal=not in_memory)
                return engine
            engine = sa.create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_timeout=pool_timeout,
                connect_args={
                    "connect_timeout": max(1, round(connect_timeout)),
                    "application_name": "onzecoach",
                },
                **common,
            )
            configure_postgres(engine, ping_after=ping_after)
            return engine
        except ImportError as exc:
            raise StorageError(
                f"the driver for {self.dialect} is not installed: "
                "pip install 'onzecoach[postgres]'",
                code="storage.misconfigured",
            ) from exc
        except (sa_exc.ArgumentError, TypeError, ValueError) as exc:
            raise StorageError(
                f"cannot use database URL {self!r}: {exc}", code="storage.misconfigured"
            ) from exc


def _parse(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError, TypeError) as exc:
        shown = _mask_password(url) if isinstance(url, str) else type(url).__name__
        raise StorageError(
            f"malformed database URL {shown!r}: {_EXPECTED}", code="storage.misconfigured"
        ) from exc
    # Read off the name itself: asking SQLAlchemy for the driver would load the dialect,
    # and an unknown one would fail with SQLAlchemy's error instead of ours.
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return parsed.set(drivername="sqlite")
    if backend == "postgresql" and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    shown = parsed.render_as_string(hide_password=True)
    raise StorageError(
        f"unsupported database URL {shown!r}: {_EXPECTED}", code="storage.misconfigured"
    )


#: Pages (4 KiB) the write-ahead log of a SQLite file grows to before a commit copies them
#: back into the database (SQLite's default is 1,000). Each such checkpoint syncs both
#: files and copies a page as often as it changed since the last one: at the default, a
#: bulk import's every batch of 2,000 rows paid for one, about 5% of the import.
WAL_CHECKPOINT_PAGES: Final = 10_000
#: KiB of each SQLite connection's page cache (SQLite's default is 2,000).
CACHE_KIB: Final = 65_536


def _configure_sqlite(engine: Engine, *, busy_timeout: float, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
        # Let ``configure_sqlite_begin`` issue BEGIN, instead of pysqlite's own deferred
        # one: BEGIN IMMEDIATE, at a unit of work's first write or lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        finally:
            cursor.close()

    configure_sqlite_begin(engine)


R = TypeVar("R", bound=Repository)


def repository(kind: type[R]) -> shared.repository[SqlUnitOfWork, R]:
    """A repository of the unit of work, declared in one line: ``x = repository(SqlX)``.

    Built on the unit of work's connection at first use and kept until the block ends;
    outside the ``with`` block it raises ``RuntimeError``.
    """
    return shared.repository(lambda uow: kind(uow._require_connection()))


class SqlUnitOfWork:
    """One database transaction; leaving the block without ``commit()`` rolls it back."""

    employers = repository(SqlEmployers)
    departments = repository(SqlDepartments)
    employer_settings = repository(SqlEmployerSettings)
    audit = repository(SqlAudit)
    outbox = repository(SqlOutbox)
    users = repository(SqlUsers)
    tokens = repository(SqlTokens)
    password_history = repository(SqlPasswordHistory)
    sessions = repository(SqlSessions)
    rate_limits = repository(SqlRateLimits)
    factors = repository(SqlFactors)
    backup_codes = repository(SqlBackupCodes)
    challenges = repository(SqlChallenges)
    sms_codes = repository(SqlSmsCodes)
    webauthn_challenges = repository(SqlWebAuthnChallenges)
    throttles = repository(SqlThrottles)
    employees = repository(SqlEmployees)
    trajectories = repository(SqlTrajectories)
    appointments = repository(SqlAppointments)
    tasks = repository(SqlTasks)
    search = repository(SqlSearchIndex)
    stats = repository(SqlStats)
    session_notes = repository(SqlNotes)
    coaches = repository(SqlCoaches)
    busy_times = repository(SqlBusyTimes)
    erasures = repository(SqlErasures)

    def __init__(
        self, engine: Engine, serialise: threading.Lock | None, *, begin_on_write: bool = False
    ) -> None:
        self._engine = engine
        self._serialise = serialise
        self._begin_on_write = begin_on_write
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        if self._serialise is not None:
            self._serialise.acquire()
        try:
            with translate_errors("opening a transaction"):
                connection = self._engine.connect()
                try:
                    if self._begin_on_write:
                        # Autocommit until the first write, which turns it off; the pool
                        # resets the connection when it comes back.
                        connection.execution_options(
                            isolation_level="AUTOCOMMIT", **{BEGIN_ON_WRITE: True}
                        )
                    connection.begin()
                except BaseException:
                    connection.close()
                    raise
        except BaseException:
            if self._serialise is not None:
                self._serialise.release()
            raise
        self._connection = connection
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        # The repositories built on this connection go with it: a use after the block
        # builds anew, and fails as a use before it does.
        for name in [name for name, value in vars(self).items() if isinstance(value, Repository)]:
            del self.__dict__[name]
        try:
            if connection is not None:
                # Closing a connection rolls back whatever was not committed.
                with translate_errors("closing a transaction"):
                    connection.close()
        finally:
            if self._serialise is not None:
                self._serialise.release()

    def commit(self) -> None:
        connection = self._require_connection()
        for held in self._repositories():
            held.flush()
        with translate_errors("committing"):
            connection.commit()

    def rollback(self) -> None:
        connection = self._require_connection()
        for held in self._repositories():
            held.discard()
        with translate_errors("rolling back"):
            connection.rollback()

    def _repositories(self) -> list[Repository]:
        """The repositories built on this transaction so far."""
        return [value for value in vars(self).values() if isinstance(value, Repository)]

    def _require_connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside its with-block")
        return self._connection
