"""The PlanningsAgenda and the coach's workspace.

The employee books, moves and cancels sessions through the link in their invitation
(``BookingService``, ``portal.booking``); the coach keeps their agenda, reports sessions,
keeps private notes and asks for extensions (``CoachingService``, ``portal.coaching``).
Both write through the trajectories' ``AppointmentLedger``; calendar writes to the
coaches' own calendars go through the outbox (``CalendarWriter``).
"""

from onzecoach.booking._agenda import Agenda
from onzecoach.booking._model import (
    BookedSession,
    BookingContext,
    BookingState,
    CoachOffer,
    CoachSession,
    SessionNote,
    SlotOffer,
)
from onzecoach.booking._notices import REMINDER, SESSION_MAIL, SessionNotices
from onzecoach.booking._ports import (
    BookingRepositories,
    BookingUnitOfWork,
    Client,
    ClientRepository,
    NoteRepository,
)
from onzecoach.booking._service import BookingService
from onzecoach.booking._workspace import CalendarWriter, CoachingService, note_context

__all__ = [
    "REMINDER",
    "SESSION_MAIL",
    "Agenda",
    "BookedSession",
    "BookingContext",
    "BookingRepositories",
    "BookingService",
    "BookingState",
    "BookingUnitOfWork",
    "CalendarWriter",
    "Client",
    "ClientRepository",
    "CoachOffer",
    "CoachSession",
    "CoachingService",
    "NoteRepository",
    "SessionNote",
    "SessionNotices",
    "SlotOffer",
    "note_context",
]
