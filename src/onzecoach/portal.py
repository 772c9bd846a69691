"""Portal: the composition root. It takes every adapter by keyword, builds the services and
maps each cross-feature event to the handlers that react to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onzecoach.accounts import AccountService, InvitationService, PasswordHasher, PasswordVerifier
from onzecoach.admin import AdminService
from onzecoach.booking import Agenda, BookingService, CalendarWriter, CoachingService
from onzecoach.clock import SystemClock
from onzecoach.coaches import CoachService
from onzecoach.employees import (
    EmployeeChanged,
    EmployeeRemoved,
    EmployeesAdded,
    EmployeeService,
    ImportService,
)
from onzecoach.events import EventedStorage, Handlers
from onzecoach.mfa import AuthService, MfaService
from onzecoach.notifications import OutboxService
from onzecoach.ports import WritesInParallel
from onzecoach.privacy import PrivacyService
from onzecoach.search import SearchIndexer, SearchService
from onzecoach.stats import Rollups, StatsService
from onzecoach.tasks import ExtensionApproved, TaskService
from onzecoach.trajectories import (
    AppointmentLedger,
    CoachingChanged,
    TrajectoryService,
    TrajectoryStarter,
)

if TYPE_CHECKING:
    from onzecoach.ports import (
        CalendarConnector,
        Clock,
        Mailer,
        SmsSender,
        Storage,
        YubikeyVerifier,
    )
    from onzecoach.settings import Settings

__all__ = ["Portal"]


class Portal:
    """The whole portal, wired to the adapters you pass.

    >>> import secrets
    >>> from onzecoach import Portal, Settings
    >>> from onzecoach.actors import SERVICE_DESK
    >>> from onzecoach.adapters.memory import MemoryStorage
    >>> from onzecoach.testing import RecordingMailer
    >>> portal = Portal(
    ...     storage=MemoryStorage(),
    ...     mailer=RecordingMailer(),
    ...     settings=Settings(
    ...         base_url="https://portaal.example.nl", secret_key=secrets.token_urlsafe(32)
    ...     ),
    ... )
    >>> portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.").name
    'Voorbeeld B.V.'

    ``calendars`` connects to coaches' own calendars (``onzecoach.adapters.caldav.
    CaldavConnector``); without it no calendar can be linked or pulled.

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
        calendars: CalendarConnector | None = None,
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.clock: Clock = SystemClock() if clock is None else clock
        clock = self.clock

        handlers = Handlers()
        evented = EventedStorage(storage, handlers)
        starter = TrajectoryStarter(clock=clock, settings=settings)
        rollups = Rollups()
        indexer = SearchIndexer()
        # Every effect one feature has on another, in one place.
        handlers.on(CoachingChanged, rollups.on_coaching_changed)
        handlers.on(ExtensionApproved, starter.on_extension_approved)
        handlers.on(EmployeesAdded, indexer.on_added)
        handlers.on(EmployeeChanged, indexer.on_changed)
        handlers.on(EmployeeRemoved, indexer.on_removed)

        passwords = PasswordVerifier(
            storage=evented,
            hasher=PasswordHasher(settings.password_hashing),
            policy=settings.password_policy,
        )
        self.accounts = AccountService(
            storage=evented, clock=clock, settings=settings, passwords=passwords
        )
        self.mfa = MfaService(
            storage=evented, clock=clock, settings=settings, sms=sms, yubikey=yubikey
        )
        self.auth = AuthService(
            storage=evented,
            clock=clock,
            settings=settings,
            passwords=passwords,
            sms=sms,
            yubikey=yubikey,
        )
        invitations = InvitationService(storage=evented, clock=clock, settings=settings)
        self.admin = AdminService(
            storage=evented, clock=clock, settings=settings, invitations=invitations
        )
        # The coaches' own calendars: CaldavConnector in production; without it no
        # calendar can be linked or pulled.
        self.calendars = calendars
        self.coaches = CoachService(
            storage=evented,
            clock=clock,
            settings=settings,
            invitations=invitations,
            calendars=calendars,
        )
        self.employees = EmployeeService(storage=evented, clock=clock, settings=settings)
        self.imports = ImportService(
            storage=evented,
            clock=clock,
            settings=settings,
            writes_in_parallel=isinstance(storage, WritesInParallel) and storage.writes_in_parallel,
        )
        self.search = SearchService(storage=evented, clock=clock)
        ledger = AppointmentLedger(clock=clock, settings=settings)
        self.trajectories = TrajectoryService(
            storage=evented, clock=clock, settings=settings, starter=starter, ledger=ledger
        )
        self.tasks = TaskService(storage=evented, clock=clock)
        self.stats = StatsService(storage=evented, clock=clock, settings=settings)
        agenda = Agenda(clock=clock, settings=settings, ledger=ledger)
        self.booking = BookingService(
            storage=evented, clock=clock, settings=settings, agenda=agenda
        )
        self.coaching = CoachingService(
            storage=evented,
            clock=clock,
            settings=settings,
            agenda=agenda,
        )
        self.privacy = PrivacyService(
            storage=evented, clock=clock, agenda=agenda, settings=settings
        )
        self.outbox = OutboxService(
            storage=evented,
            mailer=mailer,
            sms=sms,
            clock=clock,
            settings=settings,
            calendars=(
                None
                if calendars is None
                else CalendarWriter(storage=evented, settings=settings, connector=calendars)
            ),
        )

    def __repr__(self) -> str:
        return f"Portal(storage={self.storage!r}, base_url={self.settings.base_url!r})"
