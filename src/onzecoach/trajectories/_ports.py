"""The trajectories' ports: their repositories, and what they need to know of an employee."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple, Protocol

from onzecoach.audit import AuditRepositories
from onzecoach.employers import EmployerRepositories
from onzecoach.events import UnitOfWork
from onzecoach.notifications import OutboxRepositories
from onzecoach.tasks import TaskRepositories
from onzecoach.trajectories._model import Appointment, Trajectory

__all__ = [
    "AppointmentRepository",
    "Coachee",
    "CoacheeRepository",
    "Coachees",
    "SessionTime",
    "TrajectoryRepositories",
    "TrajectoryRepository",
    "TrajectoryUnitOfWork",
]


class Coachee(Protocol):
    """What a trajectory needs to know of the employee it coaches.

    The employees feature keeps employees; a trajectory only reads these of one.
    """

    @property
    def id(self) -> str: ...
    @property
    def employer_id(self) -> str: ...
    @property
    def department_id(self) -> str | None: ...
    @property
    def given_name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def is_erased(self) -> bool:
        """Whether the person was erased (``portal.privacy``): nobody to coach any more."""
        ...


class CoacheeRepository(Protocol):
    def get(self, employee_id: str, *, for_update: bool = False) -> Coachee | None:
        """One employee; ``for_update`` locks it until the transaction ends."""
        ...


class TrajectoryRepository(Protocol):
    def add(self, trajectory: Trajectory, *, booking_token_hash: str | None = None) -> None:
        """Store a new trajectory, with the hash of its booking link if it has one of its own.

        ``Conflict`` when the employee has an open trajectory that is not an extension
        already and this one is not an extension either, or when the parent of an
        extension has an open extension already.
        """
        ...

    def get(self, trajectory_id: str, *, for_update: bool = False) -> Trajectory | None:
        """One trajectory; ``for_update`` locks it until the transaction ends."""
        ...

    def save(self, trajectory: Trajectory) -> None: ...

    def set_booking_token(self, trajectory_id: str, booking_token_hash: str) -> None:
        """Give the trajectory a new booking link (its hash); the old one stops working."""
        ...

    def by_booking_token(self, booking_token_hash: str) -> Trajectory | None:
        """The trajectory whose booking link has this hash."""
        ...

    def for_employee(self, employee_id: str) -> list[Trajectory]:
        """The employee's trajectories, newest (highest number) first."""
        ...

    def open_for_employee(self, employee_id: str) -> list[Trajectory]:
        """The employee's open trajectories (a running one and its extension), oldest first."""
        ...

    def for_employer(self, employer_id: str) -> list[Trajectory]:
        """Every trajectory of the employer, in no particular order."""
        ...


class SessionTime(NamedTuple):
    """When one of a coach's portal sessions keeps the coach's time taken."""

    id: str
    coach_id: str
    starts_at: datetime
    ends_at: datetime


class AppointmentRepository(Protocol):
    def add(self, appointment: Appointment) -> None:
        """Store a new appointment; ``Conflict`` when the employer has that external id."""
        ...

    def by_external_id(self, employer_id: str, external_id: str) -> Appointment | None: ...

    def get(self, appointment_id: str, *, for_update: bool = False) -> Appointment | None:
        """One appointment; ``for_update`` locks it until the transaction ends."""
        ...

    def save(self, appointment: Appointment) -> None: ...

    def replace_external_id(self, appointment_id: str, external_id: str) -> None:
        """Give the appointment another external id (``save`` keeps it): for an erasure,
        which leaves nothing that points to an outside system's record of the person.
        ``Conflict`` when the employer has that external id; ``NotFound`` when there is no
        such appointment."""
        ...

    def for_coaches(
        self,
        coach_ids: Collection[str],
        *,
        start: datetime,
        end: datetime,
        taking_time: bool = True,
    ) -> list[Appointment]:
        """The coaches' portal sessions that meet ``[start, end)``, by start time; with
        ``taking_time`` only those that keep the coach's time taken.

        ``add`` and ``save`` raise ``SlotTaken`` for a session that would overlap another
        of its coach's that keeps the coach's time taken (the database refuses it).
        """
        ...

    def coach_times(
        self, coach_ids: Collection[str], *, start: datetime, end: datetime
    ) -> list[SessionTime]:
        """``for_coaches`` with ``taking_time``, as bare times: what a search for free slots
        reads, many times per request."""
        ...

    def for_trajectory(self, trajectory_id: str) -> list[Appointment]:
        """The trajectory's appointments by start time."""
        ...

    def for_employer(self, employer_id: str) -> list[Appointment]:
        """Every appointment of the employer, in no particular order."""
        ...


class TrajectoryRepositories(Protocol):
    @property
    def trajectories(self) -> TrajectoryRepository: ...
    @property
    def appointments(self) -> AppointmentRepository: ...


class Coachees(Protocol):
    @property
    def employees(self) -> CoacheeRepository: ...


class TrajectoryUnitOfWork(
    TrajectoryRepositories,
    Coachees,
    TaskRepositories,
    EmployerRepositories,
    OutboxRepositories,
    AuditRepositories,
    UnitOfWork,
    Protocol,
):
    """What the trajectories' use cases touch in one transaction."""
