"""The records the storage contract stores, and the threads it races them in.

Every record refers to what a real database would make it refer to (an employee to a
stored employer, a factor to a stored user), so that a storage with foreign keys passes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
import pytest

from onzecoach import Conflict, Role
from onzecoach.accounts import AccountStatus, OneTimeToken, SessionRecord, User
from onzecoach.audit import AuditEntry
from onzecoach.employees import Employee, EmployeeDetails, Gender
from onzecoach.employers import Department, Employer
from onzecoach.ids import new_id
from onzecoach.mfa import Factor, LoginChallengeRecord, SmsCode, WebAuthnChallenge
from onzecoach.notifications import OutboxMessage
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.tasks import Task, TaskKind
from onzecoach.trajectories import Appointment, ClosedReason, Trajectory

__all__ = [
    "AMSTERDAM",
    "T0",
    "Background",
    "StorageFactory",
    "add",
    "appointment",
    "closed",
    "employee",
    "extension_of",
    "in_transaction",
    "race",
    "read",
    "refused",
    "stored_department",
    "stored_employee",
    "stored_employer",
    "stored_user",
    "task",
    "trajectory",
]

#: Makes storages that share one database, as separate processes would.
StorageFactory = Callable[[], Storage]

#: The moment the records are made at.
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
#: An offset that is not UTC: a storage must give back the same instant, in UTC.
AMSTERDAM = timezone(timedelta(hours=1))

R = TypeVar("R")


def in_transaction(storage: Storage, action: Callable[[UnitOfWork], R]) -> R:
    """Run ``action`` in a committed unit of work; return what it returned."""
    with storage.unit_of_work() as uow:
        result = action(uow)
        uow.commit()
    return result


def read(storage: Storage, action: Callable[[UnitOfWork], R]) -> R:
    """Run ``action`` in a unit of work that is rolled back; return what it returned."""
    with storage.unit_of_work() as uow:
        return action(uow)


def refused(storage: Storage, action: Callable[[UnitOfWork], object]) -> str:
    """Run ``action`` in a unit of work that must raise ``Conflict``; return its code."""
    with pytest.raises(Conflict) as raised, storage.unit_of_work() as uow:
        action(uow)
    return raised.value.code


#: How each kind of record is added, by its class.
_ADDERS: dict[type, Callable[[UnitOfWork, Any], None]] = {
    Employer: lambda uow, item: uow.employers.add(item),
    Department: lambda uow, item: uow.departments.add(item),
    User: lambda uow, item: uow.users.add(item),
    OneTimeToken: lambda uow, item: uow.tokens.add(item),
    SessionRecord: lambda uow, item: uow.sessions.add(item),
    Factor: lambda uow, item: uow.factors.add(item),
    LoginChallengeRecord: lambda uow, item: uow.challenges.add(item),
    SmsCode: lambda uow, item: uow.sms_codes.add(item),
    WebAuthnChallenge: lambda uow, item: uow.webauthn_challenges.add(item),
    Employee: lambda uow, item: uow.employees.add(item),
    Trajectory: lambda uow, item: uow.trajectories.add(item),
    Appointment: lambda uow, item: uow.appointments.add(item),
    Task: lambda uow, item: uow.tasks.add(item),
    OutboxMessage: lambda uow, item: uow.outbox.add(item),
    AuditEntry: lambda uow, item: uow.audit.append(item),
}


def add(storage: Storage, *items: object) -> None:
    """Add each record to its repository, in one committed unit of work."""
    with storage.unit_of_work() as uow:
        for item in items:
            adder = _ADDERS.get(type(item))
            if adder is None:
                raise TypeError(f"no repository takes a {type(item).__name__}")
            adder(uow, item)
        uow.commit()


def stored_employer(storage: Storage) -> str:
    """A stored employer of a name of its own; return its id."""
    employer_id = new_id()
    add(storage, Employer(id=employer_id, name=f"Werkgever {employer_id}", created_at=T0))
    return employer_id


def stored_department(storage: Storage, employer_id: str) -> str:
    """A stored department of ``employer_id``, of a name of its own; return its id."""
    department_id = new_id()
    name = f"Afdeling {department_id}"
    add(storage, Department(id=department_id, employer_id=employer_id, name=name, created_at=T0))
    return department_id


def stored_user(storage: Storage, **changes: Any) -> str:
    """A stored HR user without an employer, changed by ``changes``; return its id."""
    user_id = new_id()
    user = User(
        id=user_id,
        username=f"hr.{user_id[-12:]}",
        email=f"{user_id[-12:]}@example.nl",
        role=Role.HR,
        employer_id=None,
        status=AccountStatus.ENROLLING,
        created_at=T0,
    )
    add(storage, attrs.evolve(user, **changes))
    return user_id


def employee(employer_id: str, **changes: Any) -> Employee:
    """An employee of ``employer_id`` with only the required fields, changed by ``changes``."""
    details = EmployeeDetails(
        last_name="Berg",
        given_name="Anna",
        initials="A.M.",
        gender=Gender.FEMALE,
        birth_date=date(1985, 2, 28),
        email="anna.berg@example.nl",
        registration_type="OnzeCoach",
    )
    base = Employee.create(id=new_id(), employer_id=employer_id, details=details, now=T0)
    return attrs.evolve(base, **changes)


def stored_employee(storage: Storage, employer_id: str | None = None, **changes: Any) -> Employee:
    """A stored employee, of a new employer unless ``employer_id`` names one."""
    person = employee(employer_id or stored_employer(storage), **changes)
    add(storage, person)
    return person


def trajectory(person: Employee, number: int = 1, **changes: Any) -> Trajectory:
    """A four-session trajectory of ``person`` as a repository would store it."""
    base = Trajectory(
        id=new_id(),
        employer_id=person.employer_id,
        employee_id=person.id,
        number=number,
        type_code="ONC-IND-4",
        type_name="ONC - individuele coaching (4 gesprekken)",
        sessions=4,
        is_extension=False,
        start_date=date(2026, 3, 2),
        created_at=T0,
    )
    return attrs.evolve(base, **changes)


def closed(journey: Trajectory, **changes: Any) -> Trajectory:
    """``journey`` closed by hand a month on, changed by ``changes``."""
    closing = {
        "closed_at": T0 + timedelta(days=30),
        "closed_reason": ClosedReason.BY_HAND,
        "end_date": date(2026, 4, 1),
    }
    return attrs.evolve(journey, **{**closing, **changes})


def extension_of(parent: Trajectory, number: int, **changes: Any) -> Trajectory:
    """A one-session extension of ``parent``, open unless ``changes`` close it."""
    return attrs.evolve(
        parent,
        id=new_id(),
        number=number,
        type_code="ONC-VERL-1",
        type_name="ONC - verlenging individuele coaching (1 gesprek)",
        sessions=1,
        is_extension=True,
        held=0,
        planned=0,
        closed_at=None,
        closed_reason=None,
        end_date=None,
        parent_id=parent.id,
        **changes,
    )


def appointment(journey: Trajectory, external_id: str | None = None, **changes: Any) -> Appointment:
    """A planned appointment of ``journey``, a week after ``T0``."""
    base = Appointment(
        id=new_id(),
        trajectory_id=journey.id,
        employer_id=journey.employer_id,
        employee_id=journey.employee_id,
        external_id=external_id or new_id(),
        starts_at=T0 + timedelta(days=7),
        created_at=T0,
        updated_at=T0,
    )
    return attrs.evolve(base, **changes)


def task(journey: Trajectory, **changes: Any) -> Task:
    """An open request to extend ``journey`` by one session."""
    base = Task(
        id=new_id(),
        employer_id=journey.employer_id,
        employee_id=journey.employee_id,
        trajectory_id=journey.id,
        kind=TaskKind.EXTENSION_REQUEST,
        note="Graag nog een gesprek.",
        sessions=1,
        created_at=T0,
    )
    return attrs.evolve(base, **changes)


def race(actions: list[Callable[[], object]]) -> list[object]:
    """Start ``actions`` together, one thread each; what each returned or raised."""
    results: list[object] = [None] * len(actions)
    barrier = threading.Barrier(len(actions))

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = actions[index]()
        except BaseException as exc:  # pragma: no cover - reported by the assertion
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


#: How long another transaction gets to go through where it has to wait.
PATIENCE = 0.3


class Background:
    """``action`` in a thread of its own, as another process's transaction."""

    def __init__(self, action: Callable[[], object]) -> None:
        self._action = action
        self._started = threading.Event()
        self._outcome: list[BaseException | None] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        assert self._started.wait(5)

    def still_waiting(self) -> bool:
        """Whether the action has not finished ``PATIENCE`` seconds after it started."""
        self._thread.join(PATIENCE)
        return self._thread.is_alive()

    def finish(self) -> None:
        """Wait for the action; it must have succeeded."""
        self._thread.join(30)
        assert not self._thread.is_alive(), "still waiting after the other transaction ended"
        assert self._outcome == [None]

    def _run(self) -> None:
        self._started.set()
        try:
            self._action()
        except BaseException as exc:  # pragma: no cover - reported by finish()
            self._outcome.append(exc)
        else:
            self._outcome.append(None)
