from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

import attrs

from onzecoach.catalogues import DEFAULT_TRAJECTORY_TYPES, TrajectoryType
from onzecoach.clock import amsterdam, optional_utc, utc
from onzecoach.employers import EmployerPolicy

__all__ = [
    "DEFAULT_TRAJECTORY_TYPES",
    "Appointment",
    "AppointmentMode",
    "AppointmentModeName",
    "AppointmentStatus",
    "AppointmentStatusName",
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
    COMPLETED = "completed"  # every session used
    BY_HAND = "by_hand"


class AppointmentStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    #: Cancelled after the employer's cancellation notice.
    LATE_CANCELLED = "late_cancelled"

    @property
    def label(self) -> str:
        """The status in Dutch, as the dossier and the coach's agenda show it."""
        return _APPOINTMENT_STATUS_LABELS[self]


_APPOINTMENT_STATUS_LABELS = {
    AppointmentStatus.PLANNED: "Gepland",
    AppointmentStatus.HELD: "Gehouden",
    AppointmentStatus.CANCELLED: "Geannuleerd",
    AppointmentStatus.NO_SHOW: "Niet verschenen",
    AppointmentStatus.LATE_CANCELLED: "Te laat geannuleerd",
}


class AppointmentMode(enum.StrEnum):
    LIVE = "live"
    ONLINE = "online"


#: ``AppointmentStatus``'s values, as a booking system's message carries them.
AppointmentStatusName = Literal["planned", "held", "cancelled", "no_show", "late_cancelled"]
#: ``AppointmentMode``'s values.
AppointmentModeName = Literal["live", "online"]


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

    @property
    def takes_appointments(self) -> bool:
        """Whether new appointments may be recorded: not closed by hand."""
        return self.closed_reason is not ClosedReason.BY_HAND

    def has_room(self, appointments: Iterable[Appointment], *, policy: EmployerPolicy) -> bool:
        """The quota rule: planned and used sessions never exceed the sessions.

        ``appointments`` are the trajectory's others; whether one more fits. What counts
        as used (a no-show, a late cancellation) is the employer's ``policy``.
        """
        return sum(a.counts_against_quota(policy) for a in appointments) < self.sessions

    def after(
        self, appointments: Iterable[Appointment], *, now: datetime, policy: EmployerPolicy
    ) -> Trajectory:
        """The state machine: the counts and state that all of ``appointments`` give.

        started -> running (an appointment planned or held) -> closed as completed when
        the used sessions (held, and no-shows and late cancellations where ``policy``
        counts them) reach the sessions; a used session corrected to another status opens
        it again. A trajectory closed by hand stays closed, whatever is reported later.
        """
        appointments = list(appointments)
        held = sum(a.status is AppointmentStatus.HELD for a in appointments)
        used = [a for a in appointments if a.uses_session(policy)]
        planned = sum(a.status is AppointmentStatus.PLANNED for a in appointments)
        updated = attrs.evolve(self, held=held, planned=planned)
        if self.closed_reason is ClosedReason.BY_HAND:
            return updated
        if used and len(used) >= self.sessions:
            last = max(a.starts_at for a in used)
            return attrs.evolve(
                updated,
                closed_at=self.closed_at or now,
                closed_reason=ClosedReason.COMPLETED,
                end_date=last.astimezone(amsterdam()).date(),
            )
        if self.closed_reason is ClosedReason.COMPLETED:
            return attrs.evolve(updated, closed_at=None, closed_reason=None, end_date=None)
        return updated

    def closed_by_hand(self, *, now: datetime) -> Trajectory:
        """Closed by HR ("Traject afgesloten"), today."""
        return attrs.evolve(
            self,
            closed_at=now,
            closed_reason=ClosedReason.BY_HAND,
            end_date=now.astimezone(amsterdam()).date(),
        )


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
    #: The portal's own coach, for a session booked in the PlanningsAgenda; an outside
    #: booking system's appointment names its coach only in ``coach``.
    coach_id: str | None = None
    #: When a session booked in the portal ends (its length is real time).
    ends_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    #: Where a live session is held (the coach's location), or the video link of an
    #: online one.
    location: str | None = None

    def uses_session(self, policy: EmployerPolicy) -> bool:
        """Whether the appointment used one of the trajectory's sessions: held, or under
        the employer's ``policy`` a no-show or a late cancellation."""
        status = self.status
        return (
            status is AppointmentStatus.HELD
            or (status is AppointmentStatus.NO_SHOW and policy.no_shows_count)
            or (status is AppointmentStatus.LATE_CANCELLED and policy.late_cancellations_count)
        )

    def counts_against_quota(self, policy: EmployerPolicy) -> bool:
        """Whether the appointment takes one of the trajectory's sessions: planned, or used."""
        return self.status is AppointmentStatus.PLANNED or self.uses_session(policy)

    @property
    def takes_coach_time(self) -> bool:
        """Whether the session keeps its coach's time taken: a portal session that was
        not cancelled. Two of one coach's such sessions never overlap."""
        return self.coach_id is not None and self.ends_at is not None and self.status in _TAKES_TIME

    def overlaps(self, other: Appointment) -> bool:
        """Whether both keep the same coach's time taken and their times meet."""
        if not (self.takes_coach_time and other.takes_coach_time):
            return False
        if self.coach_id != other.coach_id or self.ends_at is None or other.ends_at is None:
            return False
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


#: The statuses in which a portal session keeps its coach's time taken; the database
#: refuses two of one coach's such sessions that overlap (see the SQL adapter).
_TAKES_TIME = frozenset(
    {AppointmentStatus.PLANNED, AppointmentStatus.HELD, AppointmentStatus.NO_SHOW}
)
