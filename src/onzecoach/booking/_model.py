"""What the PlanningsAgenda shows the employee and the workspace shows the coach."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from onzecoach.clock import utc
from onzecoach.trajectories import AppointmentMode, AppointmentStatus

__all__ = [
    "BookedSession",
    "BookingContext",
    "BookingState",
    "CoachOffer",
    "CoachSession",
    "SessionNote",
    "SlotOffer",
]


@attrs.frozen
class CoachOffer:
    """A coach as the employee chooses one: never their calendar, never other clients.

    ``distance_km`` is the distance between the 4-digit postcode areas of the employee and
    the coach's nearest location, for live sessions when both are known.
    """

    id: str
    name: str
    bio: str
    languages: tuple[str, ...]
    specialisms: tuple[str, ...]
    modes: tuple[str, ...]
    city: str | None = None
    distance_km: float | None = None


@attrs.frozen(order=True)
class SlotOffer:
    """A free time of one coach, ordered by start."""

    starts_at: datetime = attrs.field(converter=utc)
    ends_at: datetime = attrs.field(converter=utc)
    coach_id: str = attrs.field(order=False)
    coach_name: str = attrs.field(order=False)


@attrs.frozen
class BookedSession:
    """One of the employee's sessions, as their link shows it.

    ``can_change`` says whether it may still be moved or cancelled without counting as a
    late cancellation: it starts after the employer's cancellation notice from now.
    """

    id: str
    coach_id: str
    coach_name: str
    starts_at: datetime
    ends_at: datetime
    mode: AppointmentMode
    location: str | None
    status: AppointmentStatus
    can_change: bool


@attrs.frozen
class BookingContext:
    """What the booking link opens: whose trajectory, how many sessions are left."""

    trajectory_id: str
    given_name: str
    employer_name: str
    type_name: str
    sessions: int
    sessions_left: int
    cancellation_notice: timedelta
    postcode: str | None
    booked: tuple[BookedSession, ...]
    #: Whether a cancellation after the notice uses one of the sessions (the employer's).
    late_cancellations_count: bool = True


@attrs.frozen
class BookingState:
    """A trajectory's place in the invitation funnel, as HR's dossier shows it."""

    trajectory_id: str
    invited_at: datetime | None
    booked: bool
    first_held: bool

    @property
    def label(self) -> str:
        if self.first_held:
            return "Eerste gesprek gehouden"
        if self.booked:
            return "Ingepland"
        return "Uitgenodigd" if self.invited_at else "Nog niet uitgenodigd"


@attrs.frozen
class CoachSession:
    """A session in the coach's own agenda: their client, the time, what they reported."""

    id: str
    trajectory_id: str
    client_name: str
    client_email: str
    client_phone: str | None
    starts_at: datetime
    ends_at: datetime
    mode: AppointmentMode
    location: str | None
    status: AppointmentStatus
    theme: str | None
    has_note: bool


@attrs.frozen
class SessionNote:
    """The coach's private note on one session, sealed at rest (``text`` sealed)."""

    appointment_id: str
    coach_id: str
    text: str = attrs.field(repr=False)
    updated_at: datetime = attrs.field(converter=utc)
