"""SqlStorage: the storage port on SQLAlchemy Core, for SQLite and PostgreSQL.

Needs the ``sql`` extra (``postgres`` for PostgreSQL)::

    from onzecoach.adapters.sql import SqlStorage

    storage = SqlStorage("sqlite:///portal.db")
    storage.upgrade()
"""

from onzecoach.adapters.sql._backup import BackupReport, RestoreReport
from onzecoach.adapters.sql._storage import SqlStorage, SqlUnitOfWork

__all__ = ["BackupReport", "RestoreReport", "SqlStorage", "SqlUnitOfWork"]
