"""The contract of the ``Storage`` port, one group of tests per feature."""

from __future__ import annotations

from typing import ClassVar

from onzecoach.testing.contracts._accounts import AccountTests
from onzecoach.testing.contracts._audit import AuditTests
from onzecoach.testing.contracts._coaches import CoachTests
from onzecoach.testing.contracts._concurrency import ConcurrencyTests
from onzecoach.testing.contracts._employees import EmployeeTests
from onzecoach.testing.contracts._employers import EmployerTests
from onzecoach.testing.contracts._erasure import ErasureTests
from onzecoach.testing.contracts._mfa import MfaTests
from onzecoach.testing.contracts._outbox import OutboxTests
from onzecoach.testing.contracts._retention import RetentionTests
from onzecoach.testing.contracts._search import SearchIndexTests
from onzecoach.testing.contracts._search_scan import SearchScanTests
from onzecoach.testing.contracts._sessions import SessionTests
from onzecoach.testing.contracts._stats import StatsCellTests
from onzecoach.testing.contracts._stats_rebuild import StatsRebuildTests
from onzecoach.testing.contracts._stats_scan import StatsScanTests
from onzecoach.testing.contracts._tasks import TaskTests
from onzecoach.testing.contracts._throttling import ThrottlingTests
from onzecoach.testing.contracts._trajectories import TrajectoryTests
from onzecoach.testing.contracts._transactions import TransactionTests

__all__ = ["StorageContract"]


class SearchTests(SearchIndexTests, SearchScanTests):
    """``uow.search``, the dossier search's index."""


class StatsTests(StatsCellTests, StatsRebuildTests, StatsScanTests):
    """``uow.stats``, the statistics rollups."""


class StorageContract:
    """What every ``Storage`` does; subclass it in a test module and provide one fixture.

    ``storage_factory``
        A callable that returns a new ``Storage`` on every call, every one over the same
        database, as separate processes would have (a storage that lives in one process
        may return itself every time). Each test gets a factory of its own over an empty,
        upgraded database; close what it made when the test ends. The tests take
        ``storage``, its first storage; the concurrency group races transactions of two.

    The tests come in groups, one nested class per feature; pytest names them
    ``TestMyStorage::TestEmployers::test_...``. While an adapter is under way, leave a
    group out by setting it to ``None`` in the subclass (``TestStats = None``).
    """

    TestEmployers: ClassVar[type | None] = EmployerTests
    TestAccounts: ClassVar[type | None] = AccountTests
    TestThrottling: ClassVar[type | None] = ThrottlingTests
    TestMfa: ClassVar[type | None] = MfaTests
    TestEmployees: ClassVar[type | None] = EmployeeTests
    TestTrajectories: ClassVar[type | None] = TrajectoryTests
    TestSessions: ClassVar[type | None] = SessionTests
    TestTasks: ClassVar[type | None] = TaskTests
    TestSearch: ClassVar[type | None] = SearchTests
    TestStats: ClassVar[type | None] = StatsTests
    TestOutbox: ClassVar[type | None] = OutboxTests
    TestAudit: ClassVar[type | None] = AuditTests
    TestCoaches: ClassVar[type | None] = CoachTests
    TestErasure: ClassVar[type | None] = ErasureTests
    TestRetention: ClassVar[type | None] = RetentionTests
    TestTransactions: ClassVar[type | None] = TransactionTests
    TestConcurrency: ClassVar[type | None] = ConcurrencyTests
