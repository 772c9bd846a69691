"""Coaches: when they can be booked (``Availability``) and the slots that follow from it.

The availability and the slot grid are pure: no storage, no clock of their own. A caller
gives ``free_slots`` the time now, the coach's taken intervals and sessions per date.
"""

from onzecoach.coaches._availability import (
    FIRST_DATE,
    LAST_DATE,
    MAX_BUFFER_MINUTES,
    MAX_DATES,
    MAX_HORIZON_DAYS,
    MAX_NOTICE,
    MAX_PER_DAY,
    MAX_SESSION_MINUTES,
    MAX_WINDOWS_PER_DAY,
    MIN_SESSION_MINUTES,
    WEEKDAYS,
    Availability,
    Window,
    merged,
)
from onzecoach.coaches._slots import Slot, TakenTimes, free_slots, grid, offered_slot

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_BUFFER_MINUTES",
    "MAX_DATES",
    "MAX_HORIZON_DAYS",
    "MAX_NOTICE",
    "MAX_PER_DAY",
    "MAX_SESSION_MINUTES",
    "MAX_WINDOWS_PER_DAY",
    "MIN_SESSION_MINUTES",
    "WEEKDAYS",
    "Availability",
    "Slot",
    "TakenTimes",
    "Window",
    "free_slots",
    "grid",
    "merged",
    "offered_slot",
]
