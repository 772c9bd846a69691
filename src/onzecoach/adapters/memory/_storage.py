"""MemoryStorage: the reference storage adapter, and the fake for unit tests.

Everything lives in dictionaries in this process. A unit of work holds one lock from
``__enter__`` to ``__exit__``, so transactions run one at a time (serialisable, like
SQLite), and keeps an undo log so that leaving without ``commit()`` puts everything back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar

import attrs

from onzecoach.accounts._model import (
    OneTimeToken,
    SessionRecord,
    TokenPurpose,
    User,
    username_key,
)
from onzecoach.adapters.memory._prefix_index import IndexEntry, PrefixIndex
from onzecoach.audit import AuditEntry
from onzecoach.employees._model import Employee
from onzecoach.employers._model import Department, Employer, name_key
from onzecoach.errors import Conflict, NotFound
from onzecoach.mfa._model import BackupCode, Factor, LoginChallengeRecord, SmsCode, ThrottleState
from onzecoach.notifications._model import OutboxMessage, OutboxStatus
from onzecoach.search._normalise import name_tokens, sort_key
from onzecoach.stats._model import Counters, Level, StatsCell, StatsScope, ThemeCell
from onzecoach.tasks._model import Task, TaskStatus
from onzecoach.trajectories._model import Appointment, Trajectory

__all__ = ["MemoryStorage", "MemoryUnitOfWork"]

K = TypeVar("K")
V = TypeVar("V")
_Group = tuple[str, Level, str, str]
_ThemeGroup = tuple[str, Level, str]


@attrs.define
class _Tables:
    employers: dict[str, Employer] = attrs.Factory(dict)
    employer_by_name: dict[str, str] = attrs.Factory(dict)
    departments: dict[str, Department] = attrs.Factory(dict)
    department_by_name: dict[tuple[str, str], str] = attrs.Factory(dict)
    audit: list[AuditEntry] = attrs.Factory(list)
    outbox: dict[str, OutboxMessage] = attrs.Factory(dict)
    #: Ids of messages not yet sent or dead: what ``claim_due`` looks through.
    unsent: dict[str, None] = attrs.Factory(dict)
    users: dict[str, User] = attrs.Factory(dict)
    user_by_name: dict[str, str] = attrs.Factory(dict)
    tokens: dict[str, OneTimeToken] = attrs.Factory(dict)
    token_by_hash: dict[str, str] = attrs.Factory(dict)
    password_history: dict[str, list[tuple[datetime, str]]] = attrs.Factory(dict)
    sessions: dict[str, SessionRecord] = attrs.Factory(dict)
    session_by_hash: dict[str, str] = attrs.Factory(dict)
    rate_limits: dict[str, tuple[datetime, int]] = attrs.Factory(dict)
    factors: dict[str, Factor] = attrs.Factory(dict)
    backup_codes: dict[str, BackupCode] = attrs.Factory(dict)
    challenges: dict[str, LoginChallengeRecord] = attrs.Factory(dict)
    challenge_by_hash: dict[str, str] = attrs.Factory(dict)
    sms_codes: dict[str, SmsCode] = attrs.Factory(dict)
    throttles: dict[str, ThrottleState] = attrs.Factory(dict)
    employees: dict[str, Employee] = attrs.Factory(dict)
    employee_by_number: dict[tuple[str, str], str] = attrs.Factory(dict)
    trajectories: dict[str, Trajectory] = attrs.Factory(dict)
    open_trajectory: dict[str, str] = attrs.Factory(dict)
    trajectory_by_number: dict[tuple[str, int], str] = attrs.Factory(dict)
    trajectory_by_booking: dict[str, str] = attrs.Factory(dict)
    #: Employee id -> the ids of its trajectories (the inner dicts as ordered sets).
    employee_trajectories: dict[str, dict[str, None]] = attrs.Factory(dict)
    appointments: dict[str, Appointment] = attrs.Factory(dict)
    appointment_by_external: dict[tuple[str, str], str] = attrs.Factory(dict)
    #: Trajectory id -> the ids of its appointments.
    trajectory_appointments: dict[str, dict[str, None]] = attrs.Factory(dict)
    tasks: dict[str, Task] = attrs.Factory(dict)
    search: PrefixIndex = attrs.Factory(PrefixIndex)
    #: (employer, level, department, employee) -> month -> counters.
    stats_cells: dict[_Group, dict[int, Counters]] = attrs.Factory(dict)
    #: (employer, level, department) -> month -> theme -> held sessions.
    stats_themes: dict[_ThemeGroup, dict[int, dict[str, int]]] = attrs.Factory(dict)
    #: The groups under a parent: () for employers, (employer,) for departments,
    #: (employer, department) for employees; an ordered set, as dict keys.
    stats_children: dict[tuple[str, ...], dict[_Group, None]] = attrs.Factory(dict)
    #: (employer, employee) -> the employee's groups, one per department it counted in.
    stats_employee_groups: dict[tuple[str, str], dict[_Group, None]] = attrs.Factory(dict)


class MemoryStorage:
    """The ``Storage`` port in memory. Safe to share between threads."""

    def __init__(self) -> None:
        self._tables = _Tables()
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
    def __init__(self, tables: _Tables, lock: threading.RLock) -> None:
        self._tables = tables
        self._lock = lock
        self._undo: list[Callable[[], object]] = []
        self._active = False
        self.employers = _Employers(self)
        self.departments = _Departments(self)
        self.audit = _Audit(self)
        self.outbox = _Outbox(self)
        self.users = _Users(self)
        self.tokens = _Tokens(self)
        self.password_history = _PasswordHistory(self)
        self.sessions = _Sessions(self)
        self.rate_limits = _RateLimits(self)
        self.factors = _Factors(self)
        self.backup_codes = _BackupCodes(self)
        self.challenges = _Challenges(self)
        self.sms_codes = _SmsCodes(self)
        self.throttles = _Throttles(self)
        self.employees = _Employees(self)
        self.trajectories = _Trajectories(self)
        self.appointments = _Appointments(self)
        self.tasks = _Tasks(self)
        self.search = _Search(self)
        self.stats = _Stats(self)

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

    @property
    def tables(self) -> _Tables:
        self._require_active()
        return self._tables

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


class _Employers:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, employer: Employer) -> None:
        tables = self._uow.tables
        key = name_key(employer.name)
        if key in tables.employer_by_name:
            raise Conflict(f"Er bestaat al een werkgever met de naam {employer.name!r}.")
        self._uow.put(tables.employers, employer.id, employer)
        self._uow.put(tables.employer_by_name, key, employer.id)

    def get(self, employer_id: str) -> Employer | None:
        return self._uow.tables.employers.get(employer_id)

    def list(self) -> list[Employer]:
        return sorted(self._uow.tables.employers.values(), key=lambda e: (name_key(e.name), e.id))


class _Departments:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, department: Department) -> None:
        tables = self._uow.tables
        key = (department.employer_id, name_key(department.name))
        if key in tables.department_by_name:
            raise Conflict(f"Deze werkgever heeft al een afdeling {department.name!r}.")
        self._uow.put(tables.departments, department.id, department)
        self._uow.put(tables.department_by_name, key, department.id)

    def get(self, department_id: str) -> Department | None:
        return self._uow.tables.departments.get(department_id)

    def for_employer(self, employer_id: str) -> list[Department]:
        return sorted(
            (d for d in self._uow.tables.departments.values() if d.employer_id == employer_id),
            key=lambda d: (name_key(d.name), d.id),
        )


class _Audit:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def append(self, entry: AuditEntry) -> None:
        self._uow.append(self._uow.tables.audit, entry)

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self.append(entry)

    def for_subject(self, subject_type: str, subject_id: str) -> list[AuditEntry]:
        return [
            e
            for e in self._uow.tables.audit
            if e.subject_type == subject_type and e.subject_id == subject_id
        ]

    def for_employer(self, employer_id: str, *, limit: int = 100) -> list[AuditEntry]:
        found = [e for e in reversed(self._uow.tables.audit) if e.employer_id == employer_id]
        return found[:limit]


_UNSENT = frozenset({OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.DEAD})


def _with_state(stored: OutboxMessage, message: OutboxMessage) -> OutboxMessage:
    """``stored`` with the state of ``message``: what ``save`` and ``finish`` write."""
    return attrs.evolve(
        stored,
        status=message.status,
        attempts=message.attempts,
        not_before=message.not_before,
        locked_until=message.locked_until,
        sent_at=message.sent_at,
        last_error=message.last_error,
    )


class _Outbox:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, message: OutboxMessage) -> None:
        tables = self._uow.tables
        if message.id in tables.outbox:
            raise Conflict("Dit bericht staat al in de wachtrij.")
        self._store(message)

    def get(self, message_id: str) -> OutboxMessage | None:
        return self._uow.tables.outbox.get(message_id)

    def claim_due(self, *, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        tables = self._uow.tables
        due = [
            message
            for message in map(tables.outbox.__getitem__, tables.unsent)
            if (message.status is OutboxStatus.PENDING and message.not_before <= now)
            or (
                message.status is OutboxStatus.SENDING
                and message.locked_until is not None
                and message.locked_until <= now
            )
        ]
        due.sort(key=lambda m: (m.not_before, m.created_at, m.id))
        claimed = [
            attrs.evolve(
                message,
                status=OutboxStatus.SENDING,
                attempts=message.attempts + 1,
                locked_until=lease_until,
            )
            for message in due[:limit]
        ]
        for message in claimed:
            self._store(message)
        return claimed

    def save(self, message: OutboxMessage) -> None:
        stored = self._uow.tables.outbox.get(message.id)
        if stored is None:
            raise NotFound("Onbekend bericht in de wachtrij.")
        self._store(_with_state(stored, message))

    def finish(self, message: OutboxMessage, *, claimed_until: datetime) -> bool:
        stored = self._uow.tables.outbox.get(message.id)
        if (
            stored is None
            or stored.status is not OutboxStatus.SENDING
            or stored.locked_until != claimed_until
        ):
            return False
        self._store(_with_state(stored, message))
        return True

    def unsent_page(self, *, after: str | None, limit: int) -> list[OutboxMessage]:
        found = sorted(
            (
                m
                for m in self._uow.tables.outbox.values()
                if m.status in _UNSENT and (after is None or m.id > after)
            ),
            key=lambda m: m.id,
        )
        return found[:limit]

    def replace_bodies(
        self,
        message_id: str,
        *,
        old: tuple[str, str | None],
        new: tuple[str, str | None],
    ) -> bool:
        stored = self._uow.tables.outbox.get(message_id)
        if stored is None or (stored.text, stored.html) != old:
            return False
        self._store(attrs.evolve(stored, text=new[0], html=new[1]))
        return True

    def list(
        self,
        *,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        reference: str | None = None,
        limit: int = 100,
    ) -> list[OutboxMessage]:
        found = [
            m
            for m in self._uow.tables.outbox.values()
            if (status is None or m.status == status)
            and (kind is None or m.kind == kind)
            and (reference is None or m.reference == reference)
        ]
        found.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        return found[:limit]

    def _store(self, message: OutboxMessage) -> None:
        tables = self._uow.tables
        self._uow.put(tables.outbox, message.id, message)
        if message.status in {OutboxStatus.PENDING, OutboxStatus.SENDING}:
            self._uow.put(tables.unsent, message.id, None)
        else:
            self._uow.discard(tables.unsent, message.id)


class _Users:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, user: User) -> None:
        tables = self._uow.tables
        key = username_key(user.username)
        if key in tables.user_by_name:
            raise Conflict(f"De inlognaam {user.username!r} is al in gebruik.")
        self._uow.put(tables.users, user.id, user)
        self._uow.put(tables.user_by_name, key, user.id)

    def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        return self._uow.tables.users.get(user_id)

    def by_username(self, username: str) -> User | None:
        tables = self._uow.tables
        user_id = tables.user_by_name.get(username_key(username))
        return None if user_id is None else tables.users[user_id]

    def by_email(self, email: str) -> list[User]:
        wanted = email.casefold()
        found = [u for u in self._uow.tables.users.values() if u.email.casefold() == wanted]
        return sorted(found, key=lambda u: (u.created_at, u.id))

    def for_employer(self, employer_id: str) -> list[User]:
        found = [u for u in self._uow.tables.users.values() if u.employer_id == employer_id]
        return sorted(found, key=lambda u: (username_key(u.username), u.id))

    def save(self, user: User) -> None:
        tables = self._uow.tables
        old = tables.users.get(user.id)
        if old is None:
            raise NotFound("Gebruiker niet gevonden.")
        if username_key(old.username) != username_key(user.username):
            raise ValueError("a username does not change")
        self._uow.put(tables.users, user.id, user)


class _Tokens:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, token: OneTimeToken) -> None:
        tables = self._uow.tables
        if token.token_hash in tables.token_by_hash:
            raise Conflict("Dit token bestaat al.")
        self._uow.put(tables.tokens, token.id, token)
        self._uow.put(tables.token_by_hash, token.token_hash, token.id)

    def find(self, token_hash: str, purpose: TokenPurpose) -> OneTimeToken | None:
        tables = self._uow.tables
        token_id = tables.token_by_hash.get(token_hash)
        token = None if token_id is None else tables.tokens[token_id]
        return token if token is not None and token.purpose is purpose else None

    def consume(self, token_id: str, *, now: datetime) -> bool:
        tables = self._uow.tables
        token = tables.tokens.get(token_id)
        if token is None or not token.usable_at(now):
            return False
        self._uow.put(tables.tokens, token_id, attrs.evolve(token, used_at=now))
        return True

    def revoke_for_user(self, user_id: str, purpose: TokenPurpose, *, now: datetime) -> int:
        tables = self._uow.tables
        revoked = [
            attrs.evolve(t, revoked_at=now)
            for t in tables.tokens.values()
            if t.user_id == user_id and t.purpose is purpose and t.usable_at(now)
        ]
        for token in revoked:
            self._uow.put(tables.tokens, token.id, token)
        return len(revoked)


class _PasswordHistory:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, user_id: str, password_hash: str, *, at: datetime) -> None:
        tables = self._uow.tables
        history = [*tables.password_history.get(user_id, []), (at, password_hash)]
        self._uow.put(tables.password_history, user_id, history)

    def recent(self, user_id: str, limit: int) -> list[str]:
        history = self._uow.tables.password_history.get(user_id, [])
        return [h for _, h in reversed(history)][:limit]


class _Sessions:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, session: SessionRecord) -> None:
        tables = self._uow.tables
        if session.token_hash in tables.session_by_hash:
            raise Conflict("Deze sessie bestaat al.")
        self._uow.put(tables.sessions, session.id, session)
        self._uow.put(tables.session_by_hash, session.token_hash, session.id)

    def find(self, token_hash: str) -> SessionRecord | None:
        tables = self._uow.tables
        session_id = tables.session_by_hash.get(token_hash)
        return None if session_id is None else tables.sessions[session_id]

    def touch(self, session_id: str, *, at: datetime) -> None:
        session = self._uow.tables.sessions.get(session_id)
        if session is not None:
            self._store(attrs.evolve(session, last_seen_at=at))

    def end(self, session_id: str, *, at: datetime) -> None:
        session = self._uow.tables.sessions.get(session_id)
        if session is not None and session.ended_at is None:
            self._store(attrs.evolve(session, ended_at=at))

    def end_all(self, user_id: str, *, at: datetime) -> int:
        still_open = [
            s
            for s in self._uow.tables.sessions.values()
            if s.user_id == user_id and s.ended_at is None
        ]
        for session in still_open:
            self._store(attrs.evolve(session, ended_at=at))
        return len(still_open)

    def _store(self, session: SessionRecord) -> None:
        self._uow.put(self._uow.tables.sessions, session.id, session)


class _RateLimits:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def hit(self, key: str, *, now: datetime, window: timedelta) -> int:
        tables = self._uow.tables
        started, count = tables.rate_limits.get(key, (now, 0))
        if now >= started + window:
            started, count = now, 0
        self._uow.put(tables.rate_limits, key, (started, count + 1))
        return count + 1

    def peek(self, key: str, *, now: datetime, window: timedelta) -> int:
        started, count = self._uow.tables.rate_limits.get(key, (now, 0))
        return 0 if now >= started + window else count


class _Factors:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, factor: Factor) -> None:
        tables = self._uow.tables
        if factor.public_id is not None and self.by_public_id(factor.public_id) is not None:
            raise Conflict("Deze YubiKey is al aan een account gekoppeld.")
        self._uow.put(tables.factors, factor.id, factor)

    def get(self, factor_id: str) -> Factor | None:
        return self._uow.tables.factors.get(factor_id)

    def for_user(self, user_id: str) -> list[Factor]:
        found = [f for f in self._uow.tables.factors.values() if f.user_id == user_id]
        return sorted(found, key=lambda f: (f.created_at, f.id))

    def by_public_id(self, public_id: str) -> Factor | None:
        found = (f for f in self._uow.tables.factors.values() if f.public_id == public_id)
        return next(found, None)

    def save(self, factor: Factor) -> None:
        tables = self._uow.tables
        stored = tables.factors.get(factor.id)
        if stored is None:
            raise NotFound("Deze methode bestaat niet.")
        if factor.public_id is not None and factor.public_id != stored.public_id:
            holder = self.by_public_id(factor.public_id)
            if holder is not None and holder.id != factor.id:
                raise Conflict("Deze YubiKey is al aan een account gekoppeld.")
        # Only advance_step moves last_step: a copy read earlier must not put it back.
        self._uow.put(tables.factors, factor.id, attrs.evolve(factor, last_step=stored.last_step))

    def advance_step(self, factor_id: str, step: int) -> bool:
        factor = self._uow.tables.factors.get(factor_id)
        if factor is None or (factor.last_step is not None and factor.last_step >= step):
            return False
        self._uow.put(self._uow.tables.factors, factor_id, attrs.evolve(factor, last_step=step))
        return True

    def delete(self, factor_id: str) -> None:
        self._uow.discard(self._uow.tables.factors, factor_id)

    def delete_for_user(self, user_id: str) -> int:
        doomed = [f.id for f in self.for_user(user_id)]
        for factor_id in doomed:
            self.delete(factor_id)
        return len(doomed)

    def with_secrets(self, *, after: str | None, limit: int) -> list[Factor]:
        found = sorted(
            (
                f
                for f in self._uow.tables.factors.values()
                if f.secret_sealed is not None and (after is None or f.id > after)
            ),
            key=lambda f: f.id,
        )
        return found[:limit]

    def replace_secret(self, factor_id: str, *, old: str, new: str) -> bool:
        factor = self._uow.tables.factors.get(factor_id)
        if factor is None or factor.secret_sealed != old:
            return False
        self._uow.put(self._uow.tables.factors, factor_id, attrs.evolve(factor, secret_sealed=new))
        return True


class _BackupCodes:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def replace(self, user_id: str, codes: list[BackupCode]) -> None:
        tables = self._uow.tables
        for old in [c.id for c in tables.backup_codes.values() if c.user_id == user_id]:
            self._uow.discard(tables.backup_codes, old)
        for code in codes:
            self._uow.put(tables.backup_codes, code.id, code)

    def find_unused(self, user_id: str, code_hash: str) -> BackupCode | None:
        found = (
            c
            for c in self._uow.tables.backup_codes.values()
            if c.user_id == user_id and c.code_hash == code_hash and c.used_at is None
        )
        return next(found, None)

    def use(self, code_id: str, *, now: datetime) -> bool:
        code = self._uow.tables.backup_codes.get(code_id)
        if code is None or code.used_at is not None:
            return False
        self._uow.put(self._uow.tables.backup_codes, code_id, attrs.evolve(code, used_at=now))
        return True

    def count_unused(self, user_id: str) -> int:
        codes = self._uow.tables.backup_codes.values()
        return sum(1 for c in codes if c.user_id == user_id and c.used_at is None)


class _Challenges:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, challenge: LoginChallengeRecord) -> None:
        tables = self._uow.tables
        if challenge.token_hash in tables.challenge_by_hash:
            raise Conflict("Deze inlogpoging bestaat al.")
        self._uow.put(tables.challenges, challenge.id, challenge)
        self._uow.put(tables.challenge_by_hash, challenge.token_hash, challenge.id)

    def find(self, token_hash: str) -> LoginChallengeRecord | None:
        tables = self._uow.tables
        challenge_id = tables.challenge_by_hash.get(token_hash)
        return None if challenge_id is None else tables.challenges[challenge_id]

    def consume(self, challenge_id: str, *, now: datetime) -> bool:
        challenge = self._uow.tables.challenges.get(challenge_id)
        if challenge is None or challenge.used_at is not None or now >= challenge.expires_at:
            return False
        self._uow.put(
            self._uow.tables.challenges, challenge_id, attrs.evolve(challenge, used_at=now)
        )
        return True


class _SmsCodes:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, code: SmsCode) -> None:
        if code.id in self._uow.tables.sms_codes:
            raise Conflict("Deze code bestaat al.")
        self._uow.put(self._uow.tables.sms_codes, code.id, code)

    def latest(self, ref: str) -> SmsCode | None:
        found = [c for c in self._uow.tables.sms_codes.values() if c.ref == ref]
        return max(found, key=lambda c: (c.created_at, c.id), default=None)

    def record_try(self, code_id: str) -> int:
        code = self._uow.tables.sms_codes.get(code_id)
        if code is None:
            raise NotFound("Deze code bestaat niet.")
        self._uow.put(self._uow.tables.sms_codes, code_id, attrs.evolve(code, tries=code.tries + 1))
        return code.tries + 1

    def use(self, code_id: str, *, now: datetime) -> bool:
        code = self._uow.tables.sms_codes.get(code_id)
        if code is None or code.used_at is not None:
            return False
        self._uow.put(self._uow.tables.sms_codes, code_id, attrs.evolve(code, used_at=now))
        return True


class _Throttles:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: str, *, for_update: bool = False) -> ThrottleState | None:
        return self._uow.tables.throttles.get(key)

    def record_failure(self, key: str, *, now: datetime, window: timedelta) -> ThrottleState:
        old = self._uow.tables.throttles.get(key)
        if old is None:
            state = ThrottleState(key, 1, now, now, 1)
        elif now >= old.window_start + window:
            state = ThrottleState(key, old.failures + 1, now, now, 1)
        else:
            state = ThrottleState(
                key, old.failures + 1, now, old.window_start, old.window_failures + 1
            )
        self._uow.put(self._uow.tables.throttles, key, state)
        return state

    def clear(self, key: str) -> None:
        old = self._uow.tables.throttles.get(key)
        if old is not None and old.failures:
            self._uow.put(self._uow.tables.throttles, key, attrs.evolve(old, failures=0))

    def release(self, key: str, *, last_failure_at: datetime | None) -> None:
        old = self._uow.tables.throttles.get(key)
        if old is not None:
            self._uow.put(
                self._uow.tables.throttles,
                key,
                attrs.evolve(
                    old,
                    failures=max(old.failures - 1, 0),
                    window_failures=max(old.window_failures - 1, 0),
                    last_failure_at=last_failure_at or old.last_failure_at,
                ),
            )


def _number_taken(number: str) -> str:
    return f"Personeelsnummer {number!r} is al in gebruik bij deze werkgever."


class _Employees:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, employee: Employee) -> None:
        tables = self._uow.tables
        if employee.id in tables.employees:
            raise Conflict("Deze werknemer bestaat al.")
        self._store(employee)

    def add_many(self, employees: Sequence[Employee]) -> None:
        if len(employees) == 1:
            self.add(employees[0])
            return
        # Every clash is looked for before anything is stored: all or none.
        tables = self._uow.tables
        ids: set[str] = set()
        numbers: set[tuple[str, str]] = set()
        for employee in employees:
            if employee.id in tables.employees or employee.id in ids:
                raise Conflict("Deze werknemer bestaat al.")
            ids.add(employee.id)
            if employee.employee_number is not None:
                key = (employee.employer_id, employee.employee_number)
                if key in tables.employee_by_number or key in numbers:
                    raise Conflict(_number_taken(employee.employee_number))
                numbers.add(key)
        for employee in employees:
            self._store(employee)

    def get(self, employee_id: str, *, for_update: bool = False) -> Employee | None:
        # The unit of work's lock already excludes every other transaction.
        return self._uow.tables.employees.get(employee_id)

    def get_many(self, employee_ids: Collection[str]) -> dict[str, Employee]:
        employees = self._uow.tables.employees
        return {i: employees[i] for i in employee_ids if i in employees}

    def save(self, employee: Employee) -> None:
        if employee.id not in self._uow.tables.employees:
            raise NotFound("Werknemer niet gevonden.")
        self._store(employee)

    def by_numbers(self, employer_id: str, numbers: Collection[str]) -> dict[str, Employee]:
        tables = self._uow.tables
        found: dict[str, Employee] = {}
        for number in numbers:
            employee_id = tables.employee_by_number.get((employer_id, number))
            if employee_id is not None:
                found[number] = tables.employees[employee_id]
        return found

    def for_employer(
        self, employer_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Employee]:
        found = [e for e in self._uow.tables.employees.values() if e.employer_id == employer_id]
        found.sort(key=lambda e: (e.last_name.casefold(), e.given_name.casefold(), e.id))
        return found[offset : offset + limit]

    def for_employer_by_id(
        self, employer_id: str, *, after: str | None, limit: int
    ) -> list[Employee]:
        found = sorted(
            (
                e
                for e in self._uow.tables.employees.values()
                if e.employer_id == employer_id and (after is None or e.id > after)
            ),
            key=lambda e: e.id,
        )
        return found[:limit]

    def delete(self, employee_id: str) -> None:
        tables = self._uow.tables
        employee = tables.employees.get(employee_id)
        if employee is None:
            raise NotFound("Werknemer niet gevonden.")
        if employee.employee_number is not None:
            key = (employee.employer_id, employee.employee_number)
            self._uow.discard(tables.employee_by_number, key)
        self._uow.discard(tables.employees, employee_id)

    def _store(self, employee: Employee) -> None:
        tables = self._uow.tables
        old = tables.employees.get(employee.id)
        if employee.employee_number is not None:
            key = (employee.employer_id, employee.employee_number)
            holder = tables.employee_by_number.get(key)
            if holder is not None and holder != employee.id:
                raise Conflict(_number_taken(employee.employee_number))
        if old is not None and old.employee_number is not None:
            self._uow.discard(tables.employee_by_number, (old.employer_id, old.employee_number))
        if employee.employee_number is not None:
            key = (employee.employer_id, employee.employee_number)
            self._uow.put(tables.employee_by_number, key, employee.id)
        self._uow.put(tables.employees, employee.id, employee)


class _Trajectories:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, trajectory: Trajectory) -> None:
        tables = self._uow.tables
        if trajectory.id in tables.trajectories:
            raise Conflict("Dit traject bestaat al.")
        self._store(trajectory)

    def get(self, trajectory_id: str, *, for_update: bool = False) -> Trajectory | None:
        # The unit of work's lock already excludes every other transaction.
        return self._uow.tables.trajectories.get(trajectory_id)

    def save(self, trajectory: Trajectory) -> None:
        if trajectory.id not in self._uow.tables.trajectories:
            raise NotFound("Traject niet gevonden.")
        self._store(trajectory)

    def for_employee(self, employee_id: str) -> list[Trajectory]:
        tables = self._uow.tables
        ids = tables.employee_trajectories.get(employee_id, {})
        found = [tables.trajectories[i] for i in ids]
        return sorted(found, key=lambda t: t.number, reverse=True)

    def open_for_employee(self, employee_id: str) -> Trajectory | None:
        tables = self._uow.tables
        trajectory_id = tables.open_trajectory.get(employee_id)
        return None if trajectory_id is None else tables.trajectories[trajectory_id]

    def for_employer(self, employer_id: str) -> list[Trajectory]:
        return [t for t in self._uow.tables.trajectories.values() if t.employer_id == employer_id]

    def _store(self, trajectory: Trajectory) -> None:
        tables = self._uow.tables
        uow = self._uow
        number = (trajectory.employee_id, trajectory.number)
        if tables.trajectory_by_number.get(number, trajectory.id) != trajectory.id:
            raise Conflict("Dit trajectnummer bestaat al voor deze werknemer.")
        booking = trajectory.booking_token_hash
        if booking and tables.trajectory_by_booking.get(booking, trajectory.id) != trajectory.id:
            raise Conflict("Deze boekingslink bestaat al.")
        holder = tables.open_trajectory.get(trajectory.employee_id)
        if trajectory.is_open:
            if holder is not None and holder != trajectory.id:
                raise Conflict("Deze werknemer heeft al een lopend traject.")
            uow.put(tables.open_trajectory, trajectory.employee_id, trajectory.id)
        elif holder == trajectory.id:
            uow.discard(tables.open_trajectory, trajectory.employee_id)
        old = tables.trajectories.get(trajectory.id)
        if old is not None:
            if (old.employee_id, old.number) != number:
                uow.discard(tables.trajectory_by_number, (old.employee_id, old.number))
            if old.booking_token_hash and old.booking_token_hash != booking:
                uow.discard(tables.trajectory_by_booking, old.booking_token_hash)
            if old.employee_id != trajectory.employee_id:
                uow.discard(tables.employee_trajectories[old.employee_id], trajectory.id)
        uow.put(tables.trajectory_by_number, number, trajectory.id)
        if booking:
            uow.put(tables.trajectory_by_booking, booking, trajectory.id)
        uow.put(
            _members(uow, tables.employee_trajectories, trajectory.employee_id), trajectory.id, None
        )
        uow.put(tables.trajectories, trajectory.id, trajectory)


def _members(uow: MemoryUnitOfWork, index: dict[str, dict[str, None]], key: str) -> dict[str, None]:
    """The ids under ``key`` in a one-to-many ``index``, made (undoably) when missing."""
    members = index.get(key)
    if members is None:
        members = {}
        uow.put(index, key, members)
    return members


class _Appointments:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, appointment: Appointment) -> None:
        tables = self._uow.tables
        key = (appointment.employer_id, appointment.external_id)
        if key in tables.appointment_by_external or appointment.id in tables.appointments:
            raise Conflict("Deze afspraak bestaat al.")
        self._uow.put(tables.appointments, appointment.id, appointment)
        self._uow.put(tables.appointment_by_external, key, appointment.id)
        members = _members(self._uow, tables.trajectory_appointments, appointment.trajectory_id)
        self._uow.put(members, appointment.id, None)

    def by_external_id(self, employer_id: str, external_id: str) -> Appointment | None:
        tables = self._uow.tables
        appointment_id = tables.appointment_by_external.get((employer_id, external_id))
        return None if appointment_id is None else tables.appointments[appointment_id]

    def save(self, appointment: Appointment) -> None:
        tables = self._uow.tables
        old = tables.appointments.get(appointment.id)
        if old is None:
            raise NotFound("Afspraak niet gevonden.")
        if (old.employer_id, old.external_id) != (appointment.employer_id, appointment.external_id):
            raise ValueError("an appointment keeps its external id")
        if old.trajectory_id != appointment.trajectory_id:
            self._uow.discard(tables.trajectory_appointments[old.trajectory_id], appointment.id)
            members = _members(self._uow, tables.trajectory_appointments, appointment.trajectory_id)
            self._uow.put(members, appointment.id, None)
        self._uow.put(tables.appointments, appointment.id, appointment)

    def for_trajectory(self, trajectory_id: str) -> list[Appointment]:
        tables = self._uow.tables
        ids = tables.trajectory_appointments.get(trajectory_id, {})
        found = [tables.appointments[i] for i in ids]
        return sorted(found, key=lambda a: (a.starts_at, a.id))

    def for_employer(self, employer_id: str) -> list[Appointment]:
        return [a for a in self._uow.tables.appointments.values() if a.employer_id == employer_id]


class _Tasks:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, task: Task) -> None:
        if task.id in self._uow.tables.tasks:
            raise Conflict("Deze taak bestaat al.")
        self._uow.put(self._uow.tables.tasks, task.id, task)

    def get(self, task_id: str, *, for_update: bool = False) -> Task | None:
        return self._uow.tables.tasks.get(task_id)

    def save(self, task: Task) -> None:
        if task.id not in self._uow.tables.tasks:
            raise NotFound("Taak niet gevonden.")
        self._uow.put(self._uow.tables.tasks, task.id, task)

    def open_for_employer(self, employer_id: str) -> list[Task]:
        return self._open(lambda t: t.employer_id == employer_id)

    def open_for_employee(self, employee_id: str) -> list[Task]:
        return self._open(lambda t: t.employee_id == employee_id)

    def _open(self, wanted: Callable[[Task], bool]) -> list[Task]:
        found = [
            t for t in self._uow.tables.tasks.values() if t.status is TaskStatus.OPEN and wanted(t)
        ]
        return sorted(found, key=lambda t: (t.created_at, t.id), reverse=True)


def _index_entry(employee: Employee) -> IndexEntry:
    return IndexEntry(
        employee.employer_id,
        name_tokens(employee.last_name, employee.given_name, employee.employee_number),
        sort_key(employee.last_name, employee.name_infix, employee.given_name, employee.id),
    )


class _Search:
    """The dossier search over a ``PrefixIndex``; rollback puts the old entries back."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def index(self, employee: Employee) -> None:
        self._put(employee.id, _index_entry(employee))

    def index_new(self, employees: Sequence[Employee]) -> None:
        index = self._uow.tables.search
        entries = [(employee.id, _index_entry(employee)) for employee in employees]
        index.add_many(entries)

        def undo() -> None:
            for employee_id, _ in entries:
                index.put(employee_id, None)

        self._uow.on_rollback(undo)

    def remove(self, employee_id: str) -> None:
        self._put(employee_id, None)

    def clear(self, employer_id: str) -> None:
        index = self._uow.tables.search
        for employee_id in index.employees_of(employer_id):
            self._put(employee_id, None)

    def query(
        self, employer_id: str, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        return self._uow.tables.search.query(employer_id, words, limit=limit, offset=offset)

    def _put(self, employee_id: str, entry: IndexEntry | None) -> None:
        index = self._uow.tables.search
        previous = index.put(employee_id, entry)
        self._uow.on_rollback(lambda: index.put(employee_id, previous))


def _parent(group: _Group) -> tuple[str, ...] | None:
    """The key under which a group is listed among its parent's children."""
    employer, level, department, _ = group
    if level is Level.ALL:
        return None
    if level is Level.EMPLOYER:
        return ()
    return (employer,) if level is Level.DEPARTMENT else (employer, department)


_ALL: _Group = ("", Level.ALL, "", "")


def _scope_group(scope: StatsScope) -> _Group:
    level = scope.level
    if level is Level.ALL:
        return _ALL
    department = "" if level is Level.EMPLOYER else scope.department_id or ""
    employee = scope.employee_id or "" if level is Level.EMPLOYEE else ""
    return (scope.employer_id or "", level, department, employee)


def _children_parent(scope: StatsScope) -> tuple[str, ...] | None:
    level = scope.level
    if level is Level.ALL:
        return ()
    if level is Level.EMPLOYER:
        return (scope.employer_id or "",)
    if level is Level.DEPARTMENT:
        return (scope.employer_id or "", scope.department_id or "")
    return None


def _child_key(group: _Group) -> str:
    employer, level, department, employee = group
    if level is Level.EMPLOYER:
        return employer
    return department if level is Level.DEPARTMENT else employee


class _Stats:
    """The statistics cells in nested dictionaries; rollback restores the old counters."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, cells: Sequence[StatsCell], themes: Sequence[ThemeCell]) -> None:
        tables = self._uow.tables
        for cell in cells:
            group: _Group = (cell.employer_id, cell.level, cell.department_id, cell.employee_id)
            by_month = tables.stats_cells.get(group)
            if by_month is None:
                by_month = {}
                self._uow.put(tables.stats_cells, group, by_month)
                parent = _parent(group)
                if parent is not None:
                    siblings = tables.stats_children.get(parent)
                    if siblings is None:
                        siblings = {}
                        self._uow.put(tables.stats_children, parent, siblings)
                    self._uow.put(siblings, group, None)
                if cell.level is Level.EMPLOYEE:
                    key = (cell.employer_id, cell.employee_id)
                    own = tables.stats_employee_groups.get(key)
                    if own is None:
                        own = {}
                        self._uow.put(tables.stats_employee_groups, key, own)
                    self._uow.put(own, group, None)
            old = by_month.get(cell.month)
            self._uow.put(
                by_month, cell.month, cell.counters if old is None else old + cell.counters
            )
        for theme in themes:
            theme_group: _ThemeGroup = (theme.employer_id, theme.level, theme.department_id)
            months = tables.stats_themes.get(theme_group)
            if months is None:
                months = {}
                self._uow.put(tables.stats_themes, theme_group, months)
            counts = months.get(theme.month)
            if counts is None:
                counts = {}
                self._uow.put(months, theme.month, counts)
            self._uow.put(counts, theme.theme, counts.get(theme.theme, 0) + theme.held)

    def employee_themed(
        self, employer_id: str, employee_id: str, months: Collection[int]
    ) -> dict[tuple[str, int], int]:
        tables = self._uow.tables
        found = {}
        for group in tables.stats_employee_groups.get((employer_id, employee_id), {}):
            by_month = tables.stats_cells.get(group, {})
            for month in months:
                if month in by_month:
                    found[(group[2], month)] = by_month[month].themed
        return found

    def series(self, scope: StatsScope, first: int, last: int) -> dict[int, Counters]:
        found: dict[int, Counters] = {}
        for group in self._scope_groups(scope):
            for month, counters in self._in_range(group, first, last):
                found[month] = found[month] + counters if month in found else counters
        return {month: c for month, c in sorted(found.items()) if not c.is_zero()}

    def breakdown(self, scope: StatsScope, first: int, last: int) -> dict[str, Counters]:
        found: dict[str, Counters] = {}
        for group in self._child_groups(scope):
            total = sum((c for _, c in self._in_range(group, first, last)), Counters())
            if not total.is_zero():
                found[_child_key(group)] = total
        return found

    def month_people(self, scope: StatsScope, first: int, last: int) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = {}
        for group in self._child_groups(scope):
            for month, counters in self._in_range(group, first, last):
                if counters.people:
                    found.setdefault(month, {})[_child_key(group)] = counters.people
        return found

    def themes(self, scope: StatsScope, months: Collection[int]) -> dict[str, int]:
        employer, level, department, _ = _scope_group(scope)
        if level is Level.EMPLOYEE:
            return {}
        stored = self._uow.tables.stats_themes.get((employer, level, department), {})
        counts: dict[str, int] = {}
        for month in set(months):
            for theme, held in stored.get(month, {}).items():
                counts[theme] = counts.get(theme, 0) + held
        return {theme: n for theme, n in counts.items() if n}

    def clear(self, employer_id: str) -> None:
        tables = self._uow.tables
        for group in [g for g in tables.stats_cells if g[0] == employer_id]:
            self._uow.discard(tables.stats_cells, group)
            parent = _parent(group)
            siblings = None if parent is None else tables.stats_children.get(parent)
            if siblings is not None:
                self._uow.discard(siblings, group)
            own = tables.stats_employee_groups.get((group[0], group[3]))
            if own is not None:
                self._uow.discard(own, group)
        for theme_group in [g for g in tables.stats_themes if g[0] == employer_id]:
            self._uow.discard(tables.stats_themes, theme_group)

    def recount_all(self) -> None:
        tables = self._uow.tables
        employers = list(tables.stats_children.get((), {}))
        totals: dict[int, Counters] = {}
        for group in employers:
            for month, counters in tables.stats_cells[group].items():
                totals[month] = totals[month] + counters if month in totals else counters
        self._uow.put(tables.stats_cells, _ALL, totals)
        themes: dict[int, dict[str, int]] = {}
        for employer, *_ in employers:
            for month, counts in tables.stats_themes.get(
                (employer, Level.EMPLOYER, ""), {}
            ).items():
                into = themes.setdefault(month, {})
                for theme, held in counts.items():
                    into[theme] = into.get(theme, 0) + held
        self._uow.put(tables.stats_themes, (_ALL[0], Level.ALL, ""), themes)

    def _scope_groups(self, scope: StatsScope) -> list[_Group]:
        tables = self._uow.tables
        if scope.level is Level.EMPLOYEE:
            key = (scope.employer_id or "", scope.employee_id or "")
            return list(tables.stats_employee_groups.get(key, {}))
        group = _scope_group(scope)
        return [group] if group in tables.stats_cells else []

    def _child_groups(self, scope: StatsScope) -> list[_Group]:
        parent = _children_parent(scope)
        return [] if parent is None else list(self._uow.tables.stats_children.get(parent, {}))

    def _in_range(self, group: _Group, first: int, last: int) -> Iterable[tuple[int, Counters]]:
        by_month = self._uow.tables.stats_cells.get(group, {})
        if last - first < 100 * 3:
            # A few years: look the months up rather than walk every month of the group.
            year, month = divmod(first, 100)
            while year * 100 + month <= last:
                key = year * 100 + month
                if key in by_month:
                    yield key, by_month[key]
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        else:
            yield from ((m, c) for m, c in by_month.items() if first <= m <= last)
