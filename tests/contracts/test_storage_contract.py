"""The shipped storage contract on every storage this package has: memory, SQLite, PostgreSQL.

``storage_factory`` is the one of ``tests/conftest.py``, parametrised over the three, so
that each test's id names its storage (``...[sqlite]``) and the run ends with the totals
per storage.
"""

from __future__ import annotations

from onzecoach.testing.contracts import StorageContract


class TestStorage(StorageContract):
    """Every group of the contract, on each storage of the conftest's ``storage_factory``."""
