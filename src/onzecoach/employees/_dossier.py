from __future__ import annotations

from datetime import date, datetime

import attrs

from onzecoach.employees._model import Employee
from onzecoach.employers import Department
from onzecoach.tasks import Task
from onzecoach.trajectories import Appointment, AppointmentStatus, Trajectory, TrajectoryStatus

__all__ = ["Dossier", "InvitationState", "NotBooked", "TrajectoryRow"]


@attrs.frozen
class InvitationState:
    """Where the employee's booking invitation stands: ``"due"``, ``"sent"`` or ``"failed"``."""

    status: str
    due_at: datetime
    sent_at: datetime | None = None
    error: str | None = None


@attrs.frozen
class TrajectoryRow:
    """One line of the trajectory tab (Trajectendossier), with its appointments.

    The appointments carry no theme: what one person discusses is not the employer's (the
    statistics count themes only for groups). ``booked`` and ``first_held`` give the
    trajectory's place in the invitation funnel, which ``booking_label`` words.
    """

    id: str
    number: int
    type_code: str
    type_name: str
    start_date: date
    end_date: date | None
    duration_days: int | None
    percentage: int
    status: TrajectoryStatus
    status_label: str
    classification: str | None
    sessions: int
    held: int
    planned: int
    appointments: tuple[Appointment, ...]
    invitation: InvitationState | None
    #: An extension (ONC-VERL-1) names the trajectory it extends, which may still run.
    is_extension: bool = False
    parent_id: str | None = None
    booked: bool = False
    first_held: bool = False

    @property
    def booking_label(self) -> str:
        """ "Eerste gesprek gehouden", "Ingepland", "Uitgenodigd" or "Uitnodiging volgt"."""
        if self.first_held:
            return "Eerste gesprek gehouden"
        if self.booked:
            return "Ingepland"
        if self.invitation is not None and self.invitation.status == "sent":
            return "Uitgenodigd"
        return "Uitnodiging volgt"

    @classmethod
    def of(
        cls,
        trajectory: Trajectory,
        appointments: list[Appointment],
        invitation: InvitationState | None,
    ) -> TrajectoryRow:
        return cls(
            id=trajectory.id,
            number=trajectory.number,
            type_code=trajectory.type_code,
            type_name=trajectory.type_name,
            start_date=trajectory.start_date,
            end_date=trajectory.end_date,
            duration_days=trajectory.duration_days,
            percentage=trajectory.percentage,
            status=trajectory.status,
            status_label=trajectory.status.label,
            classification=trajectory.classification,
            sessions=trajectory.sessions,
            held=trajectory.held,
            planned=trajectory.planned,
            appointments=tuple(attrs.evolve(a, theme=None) for a in appointments),
            invitation=invitation,
            is_extension=trajectory.is_extension,
            parent_id=trajectory.parent_id,
            booked=any(a.status in _BOOKED for a in appointments),
            first_held=any(a.status is AppointmentStatus.HELD for a in appointments),
        )


#: The statuses that say the employee has (had) a session booked.
_BOOKED = frozenset(
    {
        AppointmentStatus.PLANNED,
        AppointmentStatus.HELD,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.LATE_CANCELLED,
    }
)


@attrs.frozen
class NotBooked:
    """A line of HR's list "Nog niet ingepland": invited, and no session booked since."""

    employee_id: str
    name: str
    trajectory_id: str
    type_name: str
    invited_at: datetime


@attrs.frozen
class Dossier:
    """An employee's dossier: the overview tab and the trajectory tab.

    ``trajectories`` are newest first; ``invitation`` is that of the newest trajectory.
    """

    employee: Employee
    department: Department | None
    trajectories: tuple[TrajectoryRow, ...]
    open_tasks: tuple[Task, ...]

    @property
    def invitation(self) -> InvitationState | None:
        return self.trajectories[0].invitation if self.trajectories else None

    @property
    def recent_trajectories(self) -> tuple[TrajectoryRow, ...]:
        """The overview tab's "Recente trajecten": the newest three."""
        return self.trajectories[:3]
