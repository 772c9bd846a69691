"""The doors between the core and the world, and the storage that holds the repositories.

Each feature owns its ports: its repository protocols live in the feature package
(``onzecoach.employees.EmployeeRepository``) and say what it needs stored. This module
composes them into the one ``UnitOfWork`` a storage adapter provides, and gathers the
doors to the world in one place: the mail server, the SMS gateway, the clock, the
YubiKey service and the coaches' own calendars. An adapter author implements ``Storage``
(and runs the contract suites of ``onzecoach.testing.contracts``); the core talks to
nothing else.

Adding a repository touches its feature (the protocol and its ``...Repositories``), its
adapters, and nothing here; adding a feature adds one line to ``UnitOfWork``'s bases.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from onzecoach.accounts import (
    AccountRepositories,
    PasswordHistoryRepository,
    SessionRepository,
    TokenRepository,
    UserRepository,
)
from onzecoach.audit import AuditRepositories, AuditRepository
from onzecoach.booking import BookingRepositories, NoteRepository
from onzecoach.calendars import CalendarConnector, CoachCalendar
from onzecoach.clock import Clock
from onzecoach.coaches import BusyTimeRepository, CoachRepositories, CoachRepository
from onzecoach.employees import EmployeeRepositories, EmployeeRepository
from onzecoach.employers import DepartmentRepository, EmployerRepositories, EmployerRepository
from onzecoach.events import Transaction
from onzecoach.mfa import (
    BackupCodeRepository,
    ChallengeRepository,
    FactorRepository,
    MfaRepositories,
    SmsCodeRepository,
    YubikeyVerifier,
)
from onzecoach.notifications import Mailer, OutboxRepositories, OutboxRepository, SmsSender
from onzecoach.privacy import ErasureRepository, PrivacyRepositories
from onzecoach.search import SearchIndexRepository, SearchRepositories
from onzecoach.stats import StatsRepositories, StatsRepository
from onzecoach.tasks import TaskRepositories, TaskRepository
from onzecoach.throttling import RateLimitRepository, ThrottleRepository, ThrottlingRepositories
from onzecoach.trajectories import (
    AppointmentRepository,
    TrajectoryRepositories,
    TrajectoryRepository,
)

__all__ = [
    "AppointmentRepository",
    "AuditRepository",
    "BackupCodeRepository",
    "BusyTimeRepository",
    "CalendarConnector",
    "ChallengeRepository",
    "Clock",
    "CoachCalendar",
    "CoachRepository",
    "DepartmentRepository",
    "EmployeeRepository",
    "EmployerRepository",
    "ErasureRepository",
    "FactorRepository",
    "Mailer",
    "NoteRepository",
    "OutboxRepository",
    "PasswordHistoryRepository",
    "RateLimitRepository",
    "SearchIndexRepository",
    "SessionRepository",
    "SmsCodeRepository",
    "SmsSender",
    "StatsRepository",
    "Storage",
    "TaskRepository",
    "ThrottleRepository",
    "TokenRepository",
    "TrajectoryRepository",
    "UnitOfWork",
    "UserRepository",
    "WritesInParallel",
    "YubikeyVerifier",
]


class UnitOfWork(
    EmployerRepositories,
    AccountRepositories,
    ThrottlingRepositories,
    MfaRepositories,
    EmployeeRepositories,
    TrajectoryRepositories,
    TaskRepositories,
    SearchRepositories,
    StatsRepositories,
    BookingRepositories,
    OutboxRepositories,
    AuditRepositories,
    CoachRepositories,
    PrivacyRepositories,
    Transaction,
    Protocol,
):
    """One transaction over every repository, as a storage adapter provides it.

    Leaving the ``with`` block without ``commit()`` rolls it back.
    """


class Storage(Protocol):
    def unit_of_work(self) -> UnitOfWork:
        """A new transaction; use it as a context manager."""
        ...

    def upgrade(self) -> None:
        """Bring the schema to the newest version; running it again changes nothing."""
        ...

    def close(self) -> None:
        """Release connections. The storage is unusable afterwards."""
        ...


@runtime_checkable
class WritesInParallel(Protocol):
    """What a ``Storage`` may also offer: whether its units of work write side by side
    without waiting for each other (PostgreSQL's row locks), or one at a time (SQLite's
    single writer, the memory storage's lock). A storage without it counts as one at a
    time. Bulk writes (``portal.imports``) use it to write batches side by side.
    """

    @property
    def writes_in_parallel(self) -> bool: ...
