"""Portal: the composition root. It takes every adapter by keyword and builds the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onzecoach.accounts import AccountService, InvitationService
from onzecoach.clock import SystemClock
from onzecoach.employees import EmployeeService, ImportService
from onzecoach.employers import AdminService
from onzecoach.mfa import AuthService, MfaService
from onzecoach.notifications import OutboxService
from onzecoach.search import SearchService
from onzecoach.stats import StatsService
from onzecoach.tasks import TaskService
from onzecoach.trajectories import TrajectoryService

if TYPE_CHECKING:
    from onzecoach.ports import Clock, Mailer, SmsSender, Storage, YubikeyVerifier
    from onzecoach.settings import Settings

__all__ = ["Portal"]


class Portal:
    """The whole portal, wired to the adapters you pass.

    >>> import secrets
    >>> from onzecoach import Portal, Settings
    >>> from onzecoach.adapters.memory import MemoryStorage
    >>> from onzecoach.testing import RecordingMailer
    >>> portal = Portal(
    ...     storage=MemoryStorage(),
    ...     mailer=RecordingMailer(),
    ...     settings=Settings(
    ...         base_url="https://portaal.example.nl", secret_key=secrets.token_urlsafe(32)
    ...     ),
    ... )
    >>> portal.admin.create_employer("Voorbeeld B.V.").name
    'Voorbeeld B.V.'

    Building a Portal does no I/O. The storage's schema must be current
    (``storage.upgrade()``) before the first call that reaches the database.
    """

    def __init__(
        self,
        *,
        storage: Storage,
        mailer: Mailer,
        settings: Settings,
        sms: SmsSender | None = None,
        clock: Clock | None = None,
        yubikey: YubikeyVerifier | None = None,
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.clock: Clock = SystemClock() if clock is None else clock
        self.accounts = AccountService(storage=storage, clock=self.clock, settings=settings)
        self.mfa = MfaService(
            storage=storage, clock=self.clock, settings=settings, sms=sms, yubikey=yubikey
        )
        self.auth = AuthService(
            storage=storage,
            clock=self.clock,
            settings=settings,
            accounts=self.accounts,
            sms=sms,
            yubikey=yubikey,
        )
        self.admin = AdminService(
            storage=storage,
            clock=self.clock,
            invitations=InvitationService(storage=storage, clock=self.clock, settings=settings),
        )
        self.employees = EmployeeService(storage=storage, clock=self.clock, settings=settings)
        self.imports = ImportService(storage=storage, clock=self.clock, settings=settings)
        self.search = SearchService(storage=storage, clock=self.clock)
        self.trajectories = TrajectoryService(storage=storage, clock=self.clock, settings=settings)
        self.tasks = TaskService(
            storage=storage, clock=self.clock, settings=settings, trajectories=self.trajectories
        )
        self.stats = StatsService(storage=storage, clock=self.clock, settings=settings)
        self.outbox = OutboxService(
            storage=storage, mailer=mailer, sms=sms, clock=self.clock, settings=settings
        )

    def __repr__(self) -> str:
        return f"Portal(storage={self.storage!r}, base_url={self.settings.base_url!r})"
