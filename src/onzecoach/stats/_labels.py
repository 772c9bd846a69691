"""The dashboard's words: each figure's Dutch label, the breakdown's headers and sorts.

The dashboard page, the export and any other screen name a figure alike: ``FIGURES`` holds
every figure that a ``Dashboard`` and each ``DashboardRow`` carry, in the dashboard's order,
and ``SORT_OPTIONS`` every ``sort`` that ``portal.stats.dashboard`` takes.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Final

import attrs

from onzecoach.stats._model import Level

__all__ = ["DEFAULT_SORT", "FIGURES", "ROW_HEADERS", "SORT_OPTIONS", "Figure", "SortOption"]


@attrs.frozen
class Figure:
    """A figure of the dashboard and of each breakdown row, and how it is named."""

    #: The attribute of ``Dashboard`` and ``DashboardRow``, and the ``sort`` by it.
    key: str
    #: The label on its own, as a key figure: "Live gesprekken".
    label: str
    #: The header of its column beside the other figures: "Live".
    header: str
    #: What the value counts in, where that is not in the label: "dagen".
    unit: str | None = None


FIGURES: Final[tuple[Figure, ...]] = (
    Figure("held_sessions", "Gehouden gesprekken", "Gehouden gesprekken"),
    Figure("planned_sessions", "Geplande gesprekken", "Geplande gesprekken"),
    Figure("cancelled_sessions", "Geannuleerde gesprekken", "Geannuleerde gesprekken"),
    Figure("no_show_sessions", "Niet verschenen", "Niet verschenen"),
    Figure("late_cancelled_sessions", "Te laat geannuleerd", "Te laat geannuleerd"),
    Figure("live_sessions", "Live gesprekken", "Live"),
    Figure("online_sessions", "Online gesprekken", "Online"),
    Figure("trajectories_started", "Trajecten gestart", "Trajecten gestart"),
    Figure("extensions_started", "Verlengingen gestart", "Verlengingen gestart"),
    Figure("trajectories_completed", "Trajecten afgerond", "Trajecten afgerond"),
    Figure(
        "average_trajectory_days",
        "Gemiddelde duur traject",
        "Gemiddelde duur traject (dagen)",
        unit="dagen",
    ),
)

#: The header of the breakdown's first column, by the level its rows are of.
ROW_HEADERS: Final[Mapping[Level, str]] = types.MappingProxyType(
    {
        Level.EMPLOYER: "Werkgever",
        Level.DEPARTMENT: "Afdeling",
        Level.EMPLOYEE: "Werknemer",
    }
)


@attrs.frozen
class SortOption:
    """An order of the breakdown: ``key`` is the ``sort`` that ``portal.stats.dashboard`` takes."""

    key: str
    #: The Dutch label, with the direction: "Gehouden gesprekken (meeste eerst)".
    label: str
    #: Largest first; otherwise A-Z.
    descending: bool


SORT_OPTIONS: Final[tuple[SortOption, ...]] = (
    SortOption("label", "Naam (A-Z)", descending=False),
    *(
        SortOption(
            figure.key,
            f"{figure.label} ({'langste' if figure.unit == 'dagen' else 'meeste'} eerst)",
            descending=True,
        )
        for figure in FIGURES
    ),
)

#: The order of the breakdown when none is asked for.
DEFAULT_SORT: Final = "held_sessions"
