"""Coaching trajectories, their types, appointments, the booking invitation and extensions."""

from onzecoach.trajectories._events import CoachingChanged
from onzecoach.trajectories._ledger import AppointmentLedger, chain_of, link_holder
from onzecoach.trajectories._model import (
    DEFAULT_TRAJECTORY_TYPES,
    Appointment,
    AppointmentMode,
    AppointmentModeName,
    AppointmentStatus,
    AppointmentStatusName,
    ClosedReason,
    Trajectory,
    TrajectoryStatus,
    TrajectoryType,
)
from onzecoach.trajectories._ports import (
    AppointmentRepository,
    Coachee,
    CoacheeRepository,
    Coachees,
    SessionTime,
    TrajectoryRepositories,
    TrajectoryRepository,
    TrajectoryUnitOfWork,
)
from onzecoach.trajectories._service import (
    TrajectoryService,
    add_extension_request,
    checked_extension_request,
)
from onzecoach.trajectories._starting import BOOKING_INVITATION, BOOKING_NUDGE, TrajectoryStarter

__all__ = [
    "BOOKING_INVITATION",
    "BOOKING_NUDGE",
    "DEFAULT_TRAJECTORY_TYPES",
    "Appointment",
    "AppointmentLedger",
    "AppointmentMode",
    "AppointmentModeName",
    "AppointmentRepository",
    "AppointmentStatus",
    "AppointmentStatusName",
    "ClosedReason",
    "Coachee",
    "CoacheeRepository",
    "Coachees",
    "CoachingChanged",
    "SessionTime",
    "Trajectory",
    "TrajectoryRepositories",
    "TrajectoryRepository",
    "TrajectoryService",
    "TrajectoryStarter",
    "TrajectoryStatus",
    "TrajectoryType",
    "TrajectoryUnitOfWork",
    "add_extension_request",
    "chain_of",
    "checked_extension_request",
    "link_holder",
]
