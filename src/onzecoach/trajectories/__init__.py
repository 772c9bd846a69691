"""Coaching trajectories, their types, appointments, the booking invitation and extensions."""

from onzecoach.trajectories._model import (
    DEFAULT_TRAJECTORY_TYPES,
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    ClosedReason,
    Trajectory,
    TrajectoryStatus,
    TrajectoryType,
)
from onzecoach.trajectories._service import BOOKING_INVITATION, TrajectoryService

__all__ = [
    "BOOKING_INVITATION",
    "DEFAULT_TRAJECTORY_TYPES",
    "Appointment",
    "AppointmentMode",
    "AppointmentStatus",
    "ClosedReason",
    "Trajectory",
    "TrajectoryService",
    "TrajectoryStatus",
    "TrajectoryType",
]
