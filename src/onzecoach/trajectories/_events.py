"""What the trajectories tell other features."""

from __future__ import annotations

import attrs

from onzecoach.events import Event
from onzecoach.trajectories._model import Appointment, Trajectory

__all__ = ["CoachingChanged"]


@attrs.frozen
class CoachingChanged(Event):
    """Trajectories and appointments of one employee changed: what they were, what they are.

    Everything that counts coaching (the statistics) moves from ``before`` to ``after``;
    both hold the same trajectories (``before`` without those just started) and the same
    appointments (``before`` without those just recorded).
    """

    employer_id: str
    employee_id: str
    trajectories_before: tuple[Trajectory, ...] = ()
    trajectories_after: tuple[Trajectory, ...] = ()
    appointments_before: tuple[Appointment, ...] = ()
    appointments_after: tuple[Appointment, ...] = ()
