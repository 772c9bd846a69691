"""A consistent copy of a SQLite database while the portal keeps writing to it.

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
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs
from sqlalchemy.engine import Engine

from onzecoach.adapters.sql._tables import VERSION_TABLE
from onzecoach.errors import StorageError

__all__ = ["BackupReport", "backup_sqlite"]

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
