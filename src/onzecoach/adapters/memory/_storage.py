"""MemoryStorage and its unit of work: the lock, the undo log, and the repositories.

Everything lives in dictionaries in this process. A unit of work holds one lock from
``__enter__`` to ``__exit__``, so transactions run one at a time (serialisable, like
SQLite), and keeps an undo log so that leaving without ``commit()`` puts everything back.

Each feature's module holds its repositories and its tables class (its dictionaries and
indexes); the storage keeps one instance per tables class, made on first use, so this
module knows no feature's data, only which repository serves which port.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar, cast

from onzecoach.adapters._repository import repository
from onzecoach.adapters.memory._accounts import (
    MemoryPasswordHistory,
    MemorySessions,
    MemoryTokens,
    MemoryUsers,
)
from onzecoach.adapters.memory._audit import MemoryAudit
from onzecoach.adapters.memory._booking import MemoryNotes
from onzecoach.adapters.memory._coaches import MemoryBusyTimes, MemoryCoaches
from onzecoach.adapters.memory._employees import MemoryEmployees
from onzecoach.adapters.memory._employers import (
    MemoryDepartments,
    MemoryEmployers,
    MemoryEmployerSettings,
)
from onzecoach.adapters.memory._mfa import (
    MemoryBackupCodes,
    MemoryChallenges,
    MemoryFactors,
    MemorySmsCodes,
    MemoryWebAuthnChallenges,
)
from onzecoach.adapters.memory._outbox import MemoryOutbox
from onzecoach.adapters.memory._privacy import MemoryErasures
from onzecoach.adapters.memory._search import MemorySearchIndex
from onzecoach.adapters.memory._stats import MemoryStats
from onzecoach.adapters.memory._tasks import MemoryTasks
from onzecoach.adapters.memory._throttling import MemoryRateLimits, MemoryThrottles
from onzecoach.adapters.memory._trajectories import MemoryAppointments, MemoryTrajectories

if TYPE_CHECKING:
    from onzecoach.ports import Storage, UnitOfWork

__all__ = ["MemoryStorage", "MemoryUnitOfWork"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
R = TypeVar("R")


class MemoryStorage:
    """The ``Storage`` port in memory. Safe to share between threads."""

    def __init__(self) -> None:
        # Tables class -> its one instance; see MemoryUnitOfWork.tables.
        self._tables: dict[type[object], object] = {}
        self._lock = threading.RLock()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self._tables, self._lock)

    def upgrade(self) -> None:
        """Nothing to migrate in memory."""

    def close(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return "MemoryStorage()"


class MemoryUnitOfWork:
    employers = repository(MemoryEmployers)
    departments = repository(MemoryDepartments)
    employer_settings = repository(MemoryEmployerSettings)
    audit = repository(MemoryAudit)
    outbox = repository(MemoryOutbox)
    users = repository(MemoryUsers)
    tokens = repository(MemoryTokens)
    password_history = repository(MemoryPasswordHistory)
    sessions = repository(MemorySessions)
    rate_limits = repository(MemoryRateLimits)
    factors = repository(MemoryFactors)
    backup_codes = repository(MemoryBackupCodes)
    challenges = repository(MemoryChallenges)
    sms_codes = repository(MemorySmsCodes)
    webauthn_challenges = repository(MemoryWebAuthnChallenges)
    throttles = repository(MemoryThrottles)
    employees = repository(MemoryEmployees)
    trajectories = repository(MemoryTrajectories)
    appointments = repository(MemoryAppointments)
    tasks = repository(MemoryTasks)
    search = repository(MemorySearchIndex)
    stats = repository(MemoryStats)
    session_notes = repository(MemoryNotes)
    coaches = repository(MemoryCoaches)
    busy_times = repository(MemoryBusyTimes)
    erasures = repository(MemoryErasures)

    def __init__(self, tables: dict[type[object], object], lock: threading.RLock) -> None:
        self._tables = tables
        self._lock = lock
        self._undo: list[Callable[[], object]] = []
        self._active = False

    def __enter__(self) -> Self:
        self._lock.acquire()
        self._active = True
        self._undo = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._active = False
            self._lock.release()

    def commit(self) -> None:
        self._require_active()
        self._undo.clear()

    def rollback(self) -> None:
        while self._undo:
            self._undo.pop()()

    def tables(self, kind: type[T]) -> T:
        """The storage's one ``kind`` of tables (a feature's data), made empty on first use."""
        self._require_active()
        found = self._tables.get(kind)
        if found is None:
            # Under the lock, as every active unit of work is: no other thread makes it too.
            found = self._tables[kind] = kind()
        return cast(T, found)

    def put(self, mapping: dict[K, V], key: K, value: V) -> None:
        """``mapping[key] = value``, undone on rollback."""
        if key in mapping:
            old = mapping[key]
            self._undo.append(lambda: mapping.__setitem__(key, old))
        else:
            self._undo.append(lambda: mapping.pop(key, None))
        mapping[key] = value

    def discard(self, mapping: dict[K, V], key: K) -> None:
        """``del mapping[key]`` if present, undone on rollback."""
        if key in mapping:
            old = mapping.pop(key)
            self._undo.append(lambda: mapping.__setitem__(key, old))

    def append(self, items: list[V], item: V) -> None:
        items.append(item)
        self._undo.append(items.pop)

    def on_rollback(self, undo: Callable[[], object]) -> None:
        """Run ``undo`` if the transaction rolls back (after the undos recorded later)."""
        self._undo.append(undo)

    def _require_active(self) -> None:
        if not self._active:
            raise RuntimeError("use the unit of work inside its with-block")


if TYPE_CHECKING:
    # mypy checks every repository against its port here, naming any that differs, rather
    # than only where a test passes the storage on.
    _STORAGE: Storage = MemoryStorage()
    _UNIT_OF_WORK: UnitOfWork = MemoryUnitOfWork({}, threading.RLock())
