from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from onzecoach.catalogues import DEFAULT_TRAJECTORY_TYPES, TrajectoryType
from onzecoach.clock import optional_utc, utc

__all__ = [
    "DEFAULT_TRAJECTORY_TYPES",
    "Appointment",
    "AppointmentMode",
    "AppointmentStatus",
    "ClosedReason",
    "Trajectory",
    "TrajectoryStatus",
    "TrajectoryType",
]


class TrajectoryStatus(enum.StrEnum):
    """started: no appointment yet; running: appointments made; closed ("Traject afgesloten")."""

    STARTED = "started"
    RUNNING = "running"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    TrajectoryStatus.STARTED: "Traject gestart",
    TrajectoryStatus.RUNNING: "Traject loopt",
    TrajectoryStatus.CLOSED: "Traject afgesloten",
}


class ClosedReason(enum.StrEnum):
    COMPLETED = "completed"  # every session held
    BY_HAND = "by_hand"


class AppointmentStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class AppointmentMode(enum.StrEnum):
    LIVE = "live"
    ONLINE = "online"


@attrs.frozen
class Trajectory:
    """A coaching trajectory (coachtraject) of one employee.

    ``number`` counts the employee's trajectories (1, 2, ...). ``held`` and ``planned``
    are kept with every appointment change, so lists need not read the appointments.
    ``parent_id`` links an extension to the trajectory it extends.
    """

    id: str
    employer_id: str
    employee_id: str
    number: int
    type_code: str
    type_name: str
    sessions: int
    is_extension: bool
    start_date: date
    created_at: datetime = attrs.field(converter=utc)
    held: int = 0
    planned: int = 0
    closed_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    closed_reason: ClosedReason | None = None
    end_date: date | None = None
    parent_id: str | None = None
    classification: str | None = None
    booking_token_hash: str | None = attrs.field(default=None, repr=False)
    #: The employee's department when the trajectory started: its statistics count there.
    department_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def status(self) -> TrajectoryStatus:
        if self.closed_at is not None:
            return TrajectoryStatus.CLOSED
        return TrajectoryStatus.RUNNING if self.held or self.planned else TrajectoryStatus.STARTED

    @property
    def percentage(self) -> int:
        """Held sessions as a whole percentage of the trajectory's sessions (0-100)."""
        return min(100, round(100 * self.held / self.sessions)) if self.sessions else 0

    @property
    def duration_days(self) -> int | None:
        return None if self.end_date is None else (self.end_date - self.start_date).days


@attrs.frozen
class Appointment:
    """An appointment (gesprek) as the booking side reports it; ``external_id`` is its key."""

    id: str
    trajectory_id: str
    employer_id: str
    employee_id: str
    external_id: str
    starts_at: datetime = attrs.field(converter=utc)
    created_at: datetime = attrs.field(converter=utc)
    updated_at: datetime = attrs.field(converter=utc)
    status: AppointmentStatus = AppointmentStatus.PLANNED
    mode: AppointmentMode = AppointmentMode.LIVE
    theme: str | None = None
    coach: str | None = None
    #: The employee's department when the booking side first reported the appointment:
    #: its statistics count there, so moving an employee later rewrites no history.
    department_id: str | None = None

    @property
    def counts_against_quota(self) -> bool:
        return self.status in {AppointmentStatus.PLANNED, AppointmentStatus.HELD}
