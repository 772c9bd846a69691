"""What the portal offers to choose from: the trajectory types (configured in ``Settings``)
and the languages a coach can hold sessions in.

These are values of configuration, so they live beside the settings and need nothing of
any feature; ``onzecoach.trajectories`` re-exports them.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Final

import attrs

__all__ = ["DEFAULT_TRAJECTORY_TYPES", "LANGUAGES", "TrajectoryType"]


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

#: The languages a coach can hold sessions in: ISO 639-1 code -> Dutch name, in the order
#: a form lists them.
LANGUAGES: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "nl": "Nederlands",
        "en": "Engels",
        "de": "Duits",
        "fr": "Frans",
        "es": "Spaans",
        "pt": "Portugees",
        "it": "Italiaans",
        "pl": "Pools",
        "tr": "Turks",
        "ar": "Arabisch",
        "uk": "Oekraïens",
        "fy": "Fries",
    }
)
