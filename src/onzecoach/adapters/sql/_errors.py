from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy.exc as sa_exc

from onzecoach.errors import Conflict, StorageError

__all__ = ["translate_errors"]


def _is_unique_violation(exc: sa_exc.IntegrityError) -> bool:
    origin = exc.orig
    sqlstate = getattr(origin, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return getattr(origin, "sqlite_errorname", "") in {
        "SQLITE_CONSTRAINT_UNIQUE",
        "SQLITE_CONSTRAINT_PRIMARYKEY",
    }


@contextlib.contextmanager
def translate_errors(action: str, *, conflict: str | None = None) -> Iterator[None]:
    """Turn SQLAlchemy's and the driver's errors into onzecoach's.

    A unique violation becomes ``Conflict(conflict)`` where the caller expects one;
    everything else a ``StorageError`` naming the driver's error class and first line,
    never the SQL parameters.
    """
    try:
        yield
    except sa_exc.IntegrityError as exc:
        if conflict is not None and _is_unique_violation(exc):
            raise Conflict(conflict) from exc
        raise StorageError(f"{action} failed: {type(exc.orig).__name__}") from exc
    except sa_exc.SQLAlchemyError as exc:
        origin = getattr(exc, "orig", None) or exc
        first_line = (str(origin).strip().splitlines() or [""])[0]
        raise StorageError(f"{action} failed: {type(origin).__name__}: {first_line}") from exc
