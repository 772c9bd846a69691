"""Every door between the core and the world, as ``typing.Protocol``.

The core calls these and nothing else for I/O. Adapters implement them:
``onzecoach.adapters.memory``, ``onzecoach.adapters.sql``, ``onzecoach.adapters.smtp``,
``onzecoach.adapters.console`` and the fakes in ``onzecoach.testing``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol, Self

from onzecoach.accounts._model import OneTimeToken, SessionRecord, TokenPurpose, User
from onzecoach.audit import AuditEntry
from onzecoach.employees._model import Employee
from onzecoach.employers._model import Department, Employer
from onzecoach.mfa._model import BackupCode, Factor, LoginChallengeRecord, SmsCode, ThrottleState
from onzecoach.notifications._model import OutboxMessage, OutboxStatus
from onzecoach.stats._model import Counters, StatsCell, StatsScope, ThemeCell
from onzecoach.tasks._model import Task
from onzecoach.trajectories._model import Appointment, Trajectory

__all__ = [
    "AppointmentRepository",
    "AuditRepository",
    "BackupCodeRepository",
    "ChallengeRepository",
    "Clock",
    "DepartmentRepository",
    "EmployeeRepository",
    "EmployerRepository",
    "FactorRepository",
    "Mailer",
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
    "YubikeyVerifier",
]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail system, or raise ``MailDeliveryError``.

        Envelope sender and recipients come from the message's From and To. Once any
        recipient has the message, a failure must be ``permanent``: a retry would send it
        to that recipient twice. ``unreachable=True`` when no connection could be made, the
        server did not answer in time or dropped the connection: the outbox then leaves the
        other mail of its batch for later instead of waiting for each in turn.
        """
        ...


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> None:
        """Send ``text`` to ``to`` (E.164), or raise ``SmsDeliveryError``.

        ``permanent=True`` when trying again cannot help (the gateway refused the request);
        otherwise the outbox tries again later. ``unreachable=True`` when no connection
        could be made or the gateway did not answer in time: the outbox then leaves the
        other text messages of its batch for later. A gateway that timed out may have sent
        the message all the same, so a retry can deliver it twice: keep texts harmless to
        repeat. The text may hold a login code: it never belongs in an error message.
        """
        ...


class YubikeyVerifier(Protocol):
    def verify(self, otp: str) -> None:
        """Have the validation service check one Yubico OTP (44 modhex characters).

        Returns when the service says OK. Raises ``VerificationFailed`` when the OTP itself
        is refused (``reason="replayed"`` for REPLAYED_OTP, ``"malformed"`` for BAD_OTP)
        and ``YubikeyServiceError`` when the service fails or cannot be trusted.
        """
        ...


class EmployerRepository(Protocol):
    def add(self, employer: Employer) -> None:
        """Store a new employer; ``Conflict`` when the name (case-insensitive) is taken."""
        ...

    def get(self, employer_id: str) -> Employer | None: ...

    def list(self) -> list[Employer]:
        """All employers, by name."""
        ...


class DepartmentRepository(Protocol):
    def add(self, department: Department) -> None:
        """Store a new department; ``Conflict`` when its employer has one by that name."""
        ...

    def get(self, department_id: str) -> Department | None: ...

    def for_employer(self, employer_id: str) -> list[Department]:
        """The employer's departments, by name."""
        ...


class AuditRepository(Protocol):
    def append(self, entry: AuditEntry) -> None: ...

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        """``append`` for each entry in order, as one statement where the storage can."""
        ...

    def for_subject(self, subject_type: str, subject_id: str) -> list[AuditEntry]:
        """The entries about one object, oldest first."""
        ...

    def for_employer(self, employer_id: str, *, limit: int = 100) -> list[AuditEntry]:
        """The employer's newest entries, newest first."""
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> None: ...

    def get(self, message_id: str) -> OutboxMessage | None: ...

    def claim_due(self, *, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        """Take up to ``limit`` messages that are due, oldest first, for sending.

        Due: pending with ``not_before <= now``, or sending with a lease that ran out
        (its dispatcher died). Claimed messages are returned as stored: status sending,
        ``attempts`` one higher, ``locked_until = lease_until``. Two dispatchers never
        claim the same message while its lease runs.
        """
        ...

    def save(self, message: OutboxMessage) -> None:
        """Store the state of a known message (status, attempts, times, last error); its
        recipient, subject and bodies stay as stored."""
        ...

    def finish(self, message: OutboxMessage, *, claimed_until: datetime) -> bool:
        """Store the outcome of a claim, only if the claim still holds.

        The claim holds while the message is ``sending`` with ``locked_until`` equal to
        ``claimed_until``: a dispatcher whose lease ran out, and whose message another
        dispatcher took over, records nothing (``False``).
        """
        ...

    def list(
        self,
        *,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        reference: str | None = None,
        limit: int = 100,
    ) -> list[OutboxMessage]:
        """Messages matching every given filter, newest first."""
        ...

    def unsent_page(self, *, after: str | None, limit: int) -> Sequence[OutboxMessage]:
        """Messages not sent yet (pending, sending or dead), by id, the first ``limit``
        after ``after``: for sealing their bodies again under a new key."""
        ...

    def replace_bodies(
        self,
        message_id: str,
        *,
        old: tuple[str, str | None],
        new: tuple[str, str | None],
    ) -> bool:
        """Set the sealed ``(text, html)`` to ``new`` if they are still ``old``; ``False``
        if not. Nothing else of the message is written."""
        ...


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user; ``Conflict`` when the username (case-insensitive) is taken."""
        ...

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        """One user; ``for_update`` locks the account until the transaction ends."""
        ...

    def by_username(self, username: str) -> User | None:
        """The user with this username, compared case-insensitively (NFKC, casefold)."""
        ...

    def by_email(self, email: str) -> list[User]:
        """Users with this address, compared case-insensitively, oldest first."""
        ...

    def for_employer(self, employer_id: str) -> list[User]: ...

    def save(self, user: User) -> None:
        """Store the changed fields of a known user (status, email, password)."""
        ...


class TokenRepository(Protocol):
    def add(self, token: OneTimeToken) -> None: ...

    def find(self, token_hash: str, purpose: TokenPurpose) -> OneTimeToken | None:
        """The token with this hash and purpose, used or not."""
        ...

    def consume(self, token_id: str, *, now: datetime) -> bool:
        """Mark the token used if it is still usable at ``now``; ``False`` if it was not.

        Atomic: of two transactions consuming one token, exactly one gets ``True``.
        """
        ...

    def revoke_for_user(self, user_id: str, purpose: TokenPurpose, *, now: datetime) -> int:
        """Revoke the user's usable tokens of this purpose; return how many."""
        ...


class PasswordHistoryRepository(Protocol):
    def add(self, user_id: str, password_hash: str, *, at: datetime) -> None: ...

    def recent(self, user_id: str, limit: int) -> list[str]:
        """The user's newest ``limit`` password hashes, newest first."""
        ...


class SessionRepository(Protocol):
    def add(self, session: SessionRecord) -> None: ...

    def find(self, token_hash: str) -> SessionRecord | None: ...

    def touch(self, session_id: str, *, at: datetime) -> None:
        """Record use of the session at ``at``."""
        ...

    def end(self, session_id: str, *, at: datetime) -> None: ...

    def end_all(self, user_id: str, *, at: datetime) -> int:
        """End every open session of the user; return how many."""
        ...


class RateLimitRepository(Protocol):
    def hit(self, key: str, *, now: datetime, window: timedelta) -> int:
        """Count one event for ``key``; return the events in its current window.

        A window starts at the first event after the previous window ended.
        """
        ...

    def peek(self, key: str, *, now: datetime, window: timedelta) -> int:
        """The events counted for ``key`` in its current window, without counting one."""
        ...


class FactorRepository(Protocol):
    def add(self, factor: Factor) -> None:
        """Store a factor; ``Conflict`` when its YubiKey public id is bound already."""
        ...

    def get(self, factor_id: str) -> Factor | None: ...

    def for_user(self, user_id: str) -> list[Factor]:
        """The user's factors, oldest first, confirmed or not."""
        ...

    def by_public_id(self, public_id: str) -> Factor | None: ...

    def save(self, factor: Factor) -> None:
        """Store the changed state of a known factor (confirmed_at, phone, secret)."""
        ...

    def advance_step(self, factor_id: str, step: int) -> bool:
        """Set ``last_step`` to ``step`` if it is later than the stored one; ``False`` if not.

        Atomic: of two transactions accepting one time step, exactly one gets ``True``.
        """
        ...

    def delete(self, factor_id: str) -> None: ...

    def delete_for_user(self, user_id: str) -> int: ...

    def with_secrets(self, *, after: str | None, limit: int) -> list[Factor]:
        """Factors holding a sealed secret, by id, the first ``limit`` after ``after``."""
        ...

    def replace_secret(self, factor_id: str, *, old: str, new: str) -> bool:
        """Set the sealed secret to ``new`` if it is still ``old``; ``False`` if not.

        For sealing a secret again under a new key: a secret changed meanwhile (a new
        set-up) is left alone, and nothing else of the factor is written.
        """
        ...


class BackupCodeRepository(Protocol):
    def replace(self, user_id: str, codes: list[BackupCode]) -> None:
        """Drop the user's codes, used or not, and store ``codes``."""
        ...

    def find_unused(self, user_id: str, code_hash: str) -> BackupCode | None: ...

    def use(self, code_id: str, *, now: datetime) -> bool:
        """Mark the code used if it was not; atomic like ``TokenRepository.consume``."""
        ...

    def count_unused(self, user_id: str) -> int: ...


class ChallengeRepository(Protocol):
    def add(self, challenge: LoginChallengeRecord) -> None: ...

    def find(self, token_hash: str) -> LoginChallengeRecord | None: ...

    def consume(self, challenge_id: str, *, now: datetime) -> bool:
        """Mark the challenge used if it is unused and unexpired at ``now``; atomic."""
        ...


class SmsCodeRepository(Protocol):
    def add(self, code: SmsCode) -> None: ...

    def latest(self, ref: str) -> SmsCode | None:
        """The newest code sent for ``ref``."""
        ...

    def record_try(self, code_id: str) -> int:
        """Count one wrong try; return the tries so far. Atomic."""
        ...

    def use(self, code_id: str, *, now: datetime) -> bool:
        """Mark the code used if it was not; atomic."""
        ...


class ThrottleRepository(Protocol):
    def get(self, key: str, *, for_update: bool = False) -> ThrottleState | None:
        """The key's state; ``for_update`` locks it until the transaction ends.

        To have something to lock, ``for_update`` may create the key with no failures;
        such a state reads as ``None``.
        """
        ...

    def record_failure(self, key: str, *, now: datetime, window: timedelta) -> ThrottleState:
        """Count one failure for ``key``, atomically; a window older than ``window`` restarts."""
        ...

    def clear(self, key: str) -> None:
        """Forget the failures since the last success (the window's count stays)."""
        ...

    def release(self, key: str, *, last_failure_at: datetime | None) -> None:
        """Take back one failure counted in advance for a try that then succeeded.

        ``last_failure_at`` is the time of the failure before it, which the delay runs from
        again (``None``: keep the stored time).
        """
        ...


class EmployeeRepository(Protocol):
    def add(self, employee: Employee) -> None:
        """Store a new employee; ``Conflict`` when the employer has that employee number."""
        ...

    def add_many(self, employees: Sequence[Employee]) -> None:
        """``add`` for each employee, all or none, as one statement where the storage can.

        ``Conflict`` when an id or an employer's employee number is taken, by a stored
        employee or by another of ``employees``; for more than one employee it need not
        say which, and the unit of work must then be rolled back (a database may have
        written some of them). For the bulk import, which writes a batch of rows at once.
        """
        ...

    def get(self, employee_id: str, *, for_update: bool = False) -> Employee | None:
        """One employee; ``for_update`` locks it until the transaction ends."""
        ...

    def get_many(self, employee_ids: Collection[str]) -> dict[str, Employee]:
        """The employees of those ids that exist, by id."""
        ...

    def save(self, employee: Employee) -> None:
        """Store a known employee's new details; ``Conflict`` as for ``add``."""
        ...

    def by_numbers(self, employer_id: str, numbers: Collection[str]) -> dict[str, Employee]:
        """The employer's employees with those employee numbers, by number.

        Numbers nobody has are left out. For the bulk import, which matches a whole
        batch of rows in one call instead of one query per row.
        """
        ...

    def for_employer(
        self, employer_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Employee]:
        """The employer's employees by last name, given name and id."""
        ...

    def for_employer_by_id(
        self, employer_id: str, *, after: str | None, limit: int
    ) -> list[Employee]:
        """The employer's employees by id, the first ``limit`` after ``after``: for going
        through all of them (a rebuild) without sorting or skipping rows per page."""
        ...

    def delete(self, employee_id: str) -> None:
        """Remove an employee (one without trajectories); ``NotFound`` if unknown."""
        ...


class SearchIndexRepository(Protocol):
    """The dossier search's index, kept in the transaction of every employee write."""

    def index(self, employee: Employee) -> None:
        """Add the employee, or replace what the index holds for it."""
        ...

    def index_new(self, employees: Sequence[Employee]) -> None:
        """``index`` for employees the index holds nothing for yet: those just added.

        It skips reading (and locking) what is indexed, which ``index`` must do; for the
        bulk import, which indexes a batch of new employees at once.
        """
        ...

    def remove(self, employee_id: str) -> None: ...

    def clear(self, employer_id: str) -> None:
        """Drop everything the index holds for the employer: the start of a rebuild.

        Other writers of the index wait until this transaction ends (on PostgreSQL a
        table lock), so that none indexes an employee between the clear and the rebuild.
        On PostgreSQL it also locks the employer's employees, in id order: a transaction
        that indexes several known employees must lock them in that order as well.
        """
        ...

    def query(
        self, employer_id: str, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """The employees of ``employer_id`` matching every word, and how many match.

        A word matches when it starts a token of ``onzecoach.search.name_tokens``;
        ``words`` come from ``query_words`` (folded, longest first). The ids come in
        ``sort_key`` order, ``limit`` of them from ``offset``.
        """
        ...


class TrajectoryRepository(Protocol):
    def add(self, trajectory: Trajectory) -> None:
        """Store a new trajectory; ``Conflict`` when the employee has an open one already."""
        ...

    def get(self, trajectory_id: str, *, for_update: bool = False) -> Trajectory | None:
        """One trajectory; ``for_update`` locks it until the transaction ends."""
        ...

    def save(self, trajectory: Trajectory) -> None: ...

    def for_employee(self, employee_id: str) -> list[Trajectory]:
        """The employee's trajectories, newest (highest number) first."""
        ...

    def open_for_employee(self, employee_id: str) -> Trajectory | None: ...

    def for_employer(self, employer_id: str) -> list[Trajectory]:
        """Every trajectory of the employer, in no particular order."""
        ...


class AppointmentRepository(Protocol):
    def add(self, appointment: Appointment) -> None:
        """Store a new appointment; ``Conflict`` when the employer has that external id."""
        ...

    def by_external_id(self, employer_id: str, external_id: str) -> Appointment | None: ...

    def save(self, appointment: Appointment) -> None: ...

    def for_trajectory(self, trajectory_id: str) -> list[Appointment]:
        """The trajectory's appointments by start time."""
        ...

    def for_employer(self, employer_id: str) -> list[Appointment]:
        """Every appointment of the employer, in no particular order."""
        ...


class TaskRepository(Protocol):
    def add(self, task: Task) -> None: ...

    def get(self, task_id: str, *, for_update: bool = False) -> Task | None:
        """One task; ``for_update`` locks it until the transaction ends."""
        ...

    def save(self, task: Task) -> None: ...

    def open_for_employer(self, employer_id: str) -> list[Task]:
        """The employer's open tasks, newest first."""
        ...

    def open_for_employee(self, employee_id: str) -> list[Task]:
        """The employee's open tasks, newest first."""
        ...


class StatsRepository(Protocol):
    """The statistics rollups: cells of counters per month at four levels.

    Cells are keyed by (employer, level, department, employee, month): an employee cell
    names all three, a department cell has employee ``""``, an employer cell department
    ``""`` too, and the cell of every employer together has employer ``""`` as well. Months
    are ``YYYYMM`` integers and ranges include both ends.
    """

    def add(self, cells: Sequence[StatsCell], themes: Sequence[ThemeCell]) -> None:
        """Add each change to its cell, creating cells that do not exist yet.

        The changes come in key order; writers that take row locks take them in that order.
        """
        ...

    def employee_themed(
        self, employer_id: str, employee_id: str, months: Collection[int]
    ) -> dict[tuple[str, int], int]:
        """The themed sessions in the employee's cells of ``months``, by (department, month),
        under every department the employee has cells in (missing cells left out)."""
        ...

    def series(self, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
        """The scope's own cells per month (months without a cell, or all zero, left out).

        An employee's cells under every department it counted in are summed per month.
        """
        ...

    def breakdown(self, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
        """The scope's children (``scope.child_level``) with their counters summed over the
        range (``people`` too, which then is no head count). Children whose counters are
        all zero are left out."""
        ...

    def month_people(self, scope: StatsScope, first: int, last: int) -> dict[int, dict[str, int]]:
        """``people`` of the scope's children per month: month -> child key -> people, with
        only the children and months where it is not zero."""
        ...

    def themes(self, scope: StatsScope, months: Collection[int]) -> dict[str, int]:
        """Held sessions per theme in those months (themes summing to zero left out).

        Every employer together, an employer and a department have themes; an employee none.
        """
        ...

    def clear(self, employer_id: str) -> None:
        """Delete every cell of the employer, before a rebuild.

        From here to the end of the transaction no other transaction may change cells, so
        that the rebuild reads raw data no writer is still adding to the cells.
        """
        ...

    def recount_all(self) -> None:
        """Make the cells of every employer together the sums of the employer cells."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the ``with`` block without ``commit()`` rolls it back."""

    @property
    def employers(self) -> EmployerRepository: ...
    @property
    def departments(self) -> DepartmentRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def password_history(self) -> PasswordHistoryRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def rate_limits(self) -> RateLimitRepository: ...
    @property
    def factors(self) -> FactorRepository: ...
    @property
    def backup_codes(self) -> BackupCodeRepository: ...
    @property
    def challenges(self) -> ChallengeRepository: ...
    @property
    def sms_codes(self) -> SmsCodeRepository: ...
    @property
    def throttles(self) -> ThrottleRepository: ...
    @property
    def employees(self) -> EmployeeRepository: ...
    @property
    def trajectories(self) -> TrajectoryRepository: ...
    @property
    def appointments(self) -> AppointmentRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def search(self) -> SearchIndexRepository: ...
    @property
    def stats(self) -> StatsRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


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
