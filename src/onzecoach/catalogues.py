"""What the portal offers to choose from, configured in ``Settings``: the trajectory types.

These are values of configuration, so they live beside the settings and need nothing of
any feature; ``onzecoach.trajectories`` re-exports them.
"""

from __future__ import annotations

import attrs

__all__ = ["DEFAULT_TRAJECTORY_TYPES", "TrajectoryType"]


@attrs.frozen
class TrajectoryType:
    """A kind of coaching trajectory (protocol) an employer can start."""

    code: str
    name: str
    sessions: int
    is_extension: bool = False


#: The manual's three protocols.
DEFAULT_TRAJECTORY_TYPES = (
    TrajectoryType("ONC-IND-4", "ONC - individuele coaching (4 gesprekken)", 4),
    TrajectoryType("ONC-IND-5", "ONC - individuele coaching (5 gesprekken)", 5),
    TrajectoryType(
        "ONC-VERL-1", "ONC - verlenging individuele coaching (1 gesprek)", 1, is_extension=True
    ),
)
