"""Coaches: who they are (``Profile``), when they can be booked (``Availability``) and the
slots that follow from it, the calendars they keep elsewhere, and ``CoachService``
(``portal.coaches``).

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
from onzecoach.coaches._model import (
    BIO_MAX_LENGTH,
    DEFAULT_SPECIALISMS,
    MAX_LOCATIONS,
    NAME_MAX_LENGTH,
    PROFILE_FIELDS,
    CalendarLink,
    CalendarStatus,
    Coach,
    CoachBusyTime,
    CoachView,
    Location,
    Mode,
    Profile,
    PullReport,
    check_profile,
)
from onzecoach.coaches._ports import (
    BusyTimeRepository,
    CoachRepositories,
    CoachRepository,
    CoachUnitOfWork,
)
from onzecoach.coaches._postcodes import centroid, distance_km, pc4_of
from onzecoach.coaches._service import ME, CoachService, calendar_context
from onzecoach.coaches._slots import Slot, TakenTimes, free_slots, grid, offered_slot

__all__ = [
    "BIO_MAX_LENGTH",
    "DEFAULT_SPECIALISMS",
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_BUFFER_MINUTES",
    "MAX_DATES",
    "MAX_HORIZON_DAYS",
    "MAX_LOCATIONS",
    "MAX_NOTICE",
    "MAX_PER_DAY",
    "MAX_SESSION_MINUTES",
    "MAX_WINDOWS_PER_DAY",
    "ME",
    "MIN_SESSION_MINUTES",
    "NAME_MAX_LENGTH",
    "PROFILE_FIELDS",
    "WEEKDAYS",
    "Availability",
    "BusyTimeRepository",
    "CalendarLink",
    "CalendarStatus",
    "Coach",
    "CoachBusyTime",
    "CoachRepositories",
    "CoachRepository",
    "CoachService",
    "CoachUnitOfWork",
    "CoachView",
    "Location",
    "Mode",
    "Profile",
    "PullReport",
    "Slot",
    "TakenTimes",
    "Window",
    "calendar_context",
    "centroid",
    "check_profile",
    "distance_km",
    "free_slots",
    "grid",
    "merged",
    "offered_slot",
    "pc4_of",
]
