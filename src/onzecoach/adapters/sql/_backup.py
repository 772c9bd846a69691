"""A consistent copy of a SQLite database while the portal keeps writing to it, and a
restore of such a copy over the database.

``VACUUM INTO`` copies the database as one read transaction sees it, in one statement: in
WAL mode writers go on meanwhile, and the copy holds every transaction committed before it
began and none after. (The online backup API copies in steps that restart whenever another
connection writes: under steady writes such a backup may never end.) The copy is written
beside the target under a temporary name, checked, and only then renamed into place, so a
file at the target's path is always a whole backup.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Collection
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs
from sqlalchemy.engine import Engine

from onzecoach.adapters.sql._tables import VERSION_TABLE
from onzecoach.errors import StorageError

__all__ = ["BackupReport", "RestoreReport", "backup_sqlite", "restore_sqlite"]

_MISCONFIGURED = "storage.misconfigured"
_FAILED = "storage.failed"


@attrs.frozen
class BackupReport:
    """What ``SqlStorage.backup`` wrote."""

    path: Path
    #: The copy's size in bytes.
    size: int
    #: The schema's migration in the copy.
    revision: str | None
    #: How long the copy took, in seconds.
    seconds: float


def backup_sqlite(engine: Engine, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the database of ``engine`` (SQLite, on a file) to ``target``."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise StorageError(f"{target} exists already", code=_MISCONFIGURED)
    if not target.parent.is_dir():
        raise StorageError(f"no folder {target.parent} for {target.name}", code=_MISCONFIGURED)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        with engine.connect() as connection:
            # VACUUM runs outside a transaction: on the driver's own connection, which the
            # pool hands out with no transaction open.
            raw: Any = connection.connection.dbapi_connection
            raw.execute("VACUUM INTO ?", (str(partial),))
        revision = _checked(partial)
        partial.replace(target)
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(f"backing up to {target} failed: {exc}", code=_FAILED) from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(
        path=target,
        size=target.stat().st_size,
        revision=revision,
        seconds=time.monotonic() - started,
    )


def _checked(copy: Path) -> str | None:
    """The copy's schema revision, once SQLite finds the copy whole."""
    with closing(sqlite3.connect(copy)) as connection:
        (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise StorageError(f"the copy is damaged: {verdict}", code=_FAILED)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if VERSION_TABLE not in tables:
            return None
        row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()  # noqa: S608
        return None if row is None else str(row[0])


@attrs.frozen
class RestoreReport:
    """What ``SqlStorage.restore`` did."""

    #: The backup that now is the database.
    source: Path
    #: The backup's schema migration, before the restore brought it up to date.
    revision: str
    #: Where the database that was replaced was copied first; ``None`` when there was none
    #: (no file, or one without a schema).
    kept: Path | None
    #: How long the restore took, in seconds.
    seconds: float


def restore_sqlite(
    engine: Engine,
    database: Path,
    source: Path,
    *,
    keep: Path,
    known: Collection[str],
    current: str | None,
) -> RestoreReport:
    """Copy the backup ``source`` over ``database`` (the file of ``engine``), after copying
    what it replaces to ``keep`` (a file that does not exist yet).

    ``known`` are the migrations of this version of onzecoach and ``current`` the
    database's own: a backup whose schema is newer than this version knows, or not an
    onzecoach database at all, is refused, and so is a database whose schema is newer, with
    ``StorageError`` ``storage.misconfigured`` and nothing changed. The copy goes through
    SQLite's backup API into the database as it is open, under its locks, so the database's
    journal (WAL) stays its own.
    """
    source = Path(source)
    if not source.is_file():
        raise StorageError(f"no backup at {source}", code=_MISCONFIGURED)
    try:
        revision = _checked(source)
    except sqlite3.Error as exc:
        raise StorageError(
            f"{source} is not a SQLite database: {exc}", code=_MISCONFIGURED
        ) from exc
    if revision is None:
        raise StorageError(f"{source} holds no onzecoach schema", code=_MISCONFIGURED)
    if revision not in known:
        raise StorageError(
            f"{source} has schema revision {revision}, newer than this version of onzecoach "
            "knows: restore it with the version that made it",
            code=_MISCONFIGURED,
        )
    if current is not None and current not in known:
        raise StorageError(
            f"the database has schema revision {current}, newer than this version of "
            "onzecoach knows: restore with the version that runs it",
            code=_MISCONFIGURED,
        )
    started = time.monotonic()
    kept: Path | None = None
    if current is not None:
        kept = backup_sqlite(engine, keep).path
    # Pooled connections would keep pages of the database being replaced.
    engine.dispose()
    try:
        with (
            closing(sqlite3.connect(source)) as backup,
            closing(sqlite3.connect(database, timeout=30)) as target,
        ):
            backup.backup(target)
    except sqlite3.Error as exc:
        raise StorageError(f"restoring {source} failed: {exc}", code=_FAILED) from exc
    finally:
        engine.dispose()
    return RestoreReport(
        source=source, revision=revision, kept=kept, seconds=time.monotonic() - started
    )
