"""MemoryStorage: the reference storage adapter, and the fake for unit tests.

Everything lives in dictionaries in this process. A unit of work holds one lock from
``__enter__`` to ``__exit__``, so transactions run one at a time (serialisable, like
SQLite), and keeps an undo log so that leaving without ``commit()`` puts everything back.
"""

from onzecoach.adapters.memory._storage import MemoryStorage, MemoryUnitOfWork

__all__ = ["MemoryStorage", "MemoryUnitOfWork"]
