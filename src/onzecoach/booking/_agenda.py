"""The agenda's rules, shared by the employee's booking link and the coach's workspace.

Every write goes through the trajectories' ``AppointmentLedger`` (quota, state machine,
statistics, audit) after the employee's lock, and the database refuses two overlapping
sessions of one coach whatever passed the checks here: a race between two bookings of one
time ends with one booked and the other ``SlotTaken``.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import attrs

from onzecoach.booking._model import BookedSession, CoachOffer, SlotOffer
from onzecoach.booking._notices import SessionNotices
from onzecoach.clock import amsterdam, require_utc
from onzecoach.coaches import (
    MAX_BUFFER_MINUTES,
    MAX_HORIZON_DAYS,
    MAX_SESSION_MINUTES,
    Location,
    Mode,
    Slot,
    TakenTimes,
    distance_km,
    free_slots,
    offered_slot,
)
from onzecoach.employers import EmployerPolicy, employer_policy
from onzecoach.errors import Conflict, SlotTaken, ValidationError
from onzecoach.ids import new_id
from onzecoach.notifications import (
    OutboxStatus,
)
from onzecoach.trajectories import (
    BOOKING_NUDGE,
    Appointment,
    AppointmentLedger,
    AppointmentMode,
    AppointmentStatus,
    Trajectory,
)

if TYPE_CHECKING:
    from onzecoach.actors import Actor
    from onzecoach.booking._ports import BookingUnitOfWork, Client
    from onzecoach.clock import Clock
    from onzecoach.coaches import Coach
    from onzecoach.settings import Settings

__all__ = ["Agenda"]

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
#: The windows the search for the first free slots widens through, from the earliest
#: time any of the coaches can be booked; the last reaches past every horizon.
_SEARCH_SPANS = (
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=21),
    timedelta(days=MAX_HORIZON_DAYS + 1),
)
#: How far before a slot a taken time can keep it from being offered, and after its start.
_BEFORE = timedelta(minutes=MAX_BUFFER_MINUTES)
_AFTER = timedelta(minutes=MAX_SESSION_MINUTES + MAX_BUFFER_MINUTES)


class Agenda:
    """The PlanningsAgenda's rules inside a caller's unit of work."""

    def __init__(self, *, clock: Clock, settings: Settings, ledger: AppointmentLedger) -> None:
        self._clock = clock
        self._settings = settings
        self.ledger = ledger
        self.notices = SessionNotices(clock=clock, settings=settings)

    def policy(self, uow: BookingUnitOfWork, employer_id: str) -> EmployerPolicy:
        return employer_policy(uow, employer_id, self._settings)

    # Coaches and slots ------------------------------------------------------------------------

    def offers(
        self,
        coaches: Iterable[Coach],
        *,
        mode: Mode,
        postcode: str | None,
    ) -> list[CoachOffer]:
        """The coaches as the employee sees them; for live sessions the nearest first
        (by their nearest location), those at an unknown distance after them by name."""
        found = []
        for coach in coaches:
            profile = coach.profile
            place, km = _nearest(coach, postcode) if mode is Mode.LIVE else (None, None)
            found.append(
                CoachOffer(
                    id=coach.id,
                    name=profile.name,
                    bio=profile.bio,
                    languages=profile.languages,
                    specialisms=profile.specialisms,
                    modes=tuple(m.value for m in profile.modes),
                    city=None if place is None else place.city,
                    distance_km=None if km is None else round(km, 1),
                )
            )
        return sorted(
            found,
            key=lambda o: (o.distance_km is None, o.distance_km or 0.0, o.name.casefold()),
        )

    def free(
        self,
        uow: BookingUnitOfWork,
        coaches: Sequence[Coach],
        *,
        start: datetime,
        end: datetime,
        without: str | None = None,
    ) -> list[SlotOffer]:
        """The free slots of ``coaches`` that start in ``[start, end)``, by start time.

        Taken are the coaches' sessions (but ``without``, the session being moved) and the
        busy times pulled from their own calendars: both read from the database, so a
        search never waits on a calendar server.
        """
        return [
            SlotOffer(slot.starts_at, slot.ends_at, coach.id, coach.profile.name)
            for slot, coach in self._free(uow, coaches, start=start, end=end, without=without)
        ]

    def _free(
        self,
        uow: BookingUnitOfWork,
        coaches: Sequence[Coach],
        *,
        start: datetime,
        end: datetime,
        without: str | None = None,
    ) -> list[tuple[Slot, Coach]]:
        """``free`` as (slot, coach) pairs.

        Each coach's slots come in order, so merging them keeps the order ``free``
        promises: by start, then end, then the coaches' order, the order
        ``sorted(offers)`` gives.
        """
        now = self._clock.now()
        # A coach with a maximum per day needs every session of the dates; the others only
        # the taken times near the slots.
        daily = [c.id for c in coaches if c.availability.max_per_day is not None]
        others = [c.id for c in coaches if c.availability.max_per_day is None]
        taken, per_day = self._taken(
            uow,
            [(daily, *_whole_dates(start, end)), (others, start - _BEFORE, end + _AFTER)],
            without=without,
        )
        merged = heapq.merge(
            *(
                [
                    (slot, coach)
                    for slot in free_slots(
                        coach.availability,
                        now=now,
                        start=start,
                        end=end,
                        taken=taken[coach.id],
                        booked_per_day=per_day[coach.id],
                    )
                ]
                for coach in coaches
            ),
            key=_slot_time,
        )
        return list(merged)

    def first_free(
        self, uow: BookingUnitOfWork, coaches: Sequence[Coach], *, limit: int
    ) -> list[SlotOffer]:
        """The first ``limit`` free slots of ``coaches`` together, earliest first: the
        search widens from a few days to the longest horizon until it has enough."""
        if not coaches:
            return []
        now = self._clock.now()
        # Nothing starts before the shortest notice: the spans count from there.
        earliest = now + min(c.availability.notice for c in coaches)
        latest = now + max(c.availability.horizon for c in coaches)
        found: list[tuple[Slot, Coach]] = []
        start = earliest
        for span in _SEARCH_SPANS:
            end = min(earliest + span, latest + _MINUTE)
            if end <= start:
                continue
            found += self._first_untaken(
                uow, coaches, start=start, end=end, limit=limit - len(found)
            )
            if len(found) >= limit or end > latest:
                break
            start = end
        return [
            SlotOffer(slot.starts_at, slot.ends_at, coach.id, coach.profile.name)
            for slot, coach in found
        ]

    def _first_untaken(
        self,
        uow: BookingUnitOfWork,
        coaches: Sequence[Coach],
        *,
        start: datetime,
        end: datetime,
        limit: int,
    ) -> list[tuple[Slot, Coach]]:
        """The first ``limit`` free slots of ``coaches`` that start in ``[start, end)``.

        The grid's slots (notice and horizon applied) come first, earliest first; then, in
        growing batches, the taken times of just the coaches in the batch around just its
        times are read, until ``limit`` slots are free or none are left. The first free
        slots are usually among the first few: this reads a few coaches' sessions, not
        every coach's.
        """
        now = self._clock.now()
        grid = heapq.merge(
            *(
                [
                    (slot, coach)
                    for slot in free_slots(coach.availability, now=now, start=start, end=end)
                ]
                for coach in coaches
            ),
            key=_slot_time,
        )
        found: list[tuple[Slot, Coach]] = []
        batch = 2 * limit
        while len(found) < limit:
            chunk = list(itertools.islice(grid, batch))
            if not chunk:
                break
            batch *= 2
            first, last = chunk[0][0].starts_at, chunk[-1][0].starts_at + _MINUTE
            among = {coach.id: coach for _, coach in chunk}
            daily = [i for i, c in among.items() if c.availability.max_per_day is not None]
            others = [i for i, c in among.items() if c.availability.max_per_day is None]
            taken, per_day = self._taken(
                uow,
                [(daily, *_whole_dates(first, last)), (others, first - _BEFORE, last + _AFTER)],
                without=None,
            )
            times = {coach_id: TakenTimes.of(taken[coach_id]) for coach_id in among}
            for slot, coach in chunk:
                if (
                    offered_slot(
                        coach.availability,
                        slot.starts_at,
                        now=now,
                        taken=times[coach.id],
                        booked_per_day=per_day[coach.id],
                    )
                    is not None
                ):
                    found.append((slot, coach))
                    if len(found) == limit:
                        break
        return found

    def checked_slot(
        self,
        uow: BookingUnitOfWork,
        coach: Coach,
        starts_at: object,
        *,
        without: str | None = None,
        by_coach: bool = False,
    ) -> Slot:
        """The slot the coach offers at ``starts_at`` now, or why not: ``SlotTaken`` when
        it lies on the coach's grid but another session or a busy time took it, a
        ``ValidationError`` on ``starts_at`` when it is not one of the coach's times. The
        coach, moving a session of their own, is not held to their minimum notice."""
        if not isinstance(starts_at, datetime) or starts_at.utcoffset() is None:
            raise ValidationError.single("starts_at", "invalid")
        moment = require_utc(starts_at, "starts_at")
        now = self._clock.now()
        if moment < now:
            raise ValidationError.single("starts_at", "in_past")
        taken, per_day = self._taken(
            uow, [([coach.id], moment - _DAY, moment + _DAY)], without=without
        )
        availability = (
            attrs.evolve(coach.availability, notice=timedelta(0))
            if by_coach
            else coach.availability
        )
        slot = offered_slot(
            availability,
            moment,
            now=now,
            taken=taken[coach.id],
            booked_per_day=per_day[coach.id],
        )
        if slot is not None:
            return slot
        if offered_slot(availability, moment, now=now) is not None:
            raise SlotTaken("booking.slot_taken")
        raise ValidationError.single("starts_at", "not_offered")

    # Writing ------------------------------------------------------------------------------------

    def book(
        self,
        uow: BookingUnitOfWork,
        actor: Actor | None,
        holder: Trajectory,
        client: Client,
        coach: Coach,
        *,
        starts_at: object,
        mode: Mode,
        link: str | None,
    ) -> Appointment:
        """Book a session in the trajectory's chain (``holder`` holds the link)."""
        coachee = self.ledger.lock(uow, holder)
        if not coach.profile.active or not coach.profile.serves(holder.employer_id):
            raise ValidationError.single("coach_id", "invalid")
        if not coach.profile.offers(mode):
            raise ValidationError.single("mode", "not_offered")
        slot = self.checked_slot(uow, coach, starts_at)
        now = self._clock.now()
        appointment_id = new_id()
        draft = Appointment(
            id=appointment_id,
            trajectory_id="",
            employer_id="",
            employee_id="",
            external_id=f"portal-{appointment_id}",
            starts_at=slot.starts_at,
            created_at=now,
            updated_at=now,
            status=AppointmentStatus.PLANNED,
            mode=AppointmentMode(mode.value),
            coach=coach.profile.name,
            coach_id=coach.id,
            ends_at=slot.ends_at,
            location=_location(coach, mode, client.postcode),
        )
        placed = self.ledger.place(
            uow, actor, holder, draft, existing=None, coachee=coachee, action="booking.booked"
        )
        for nudge in uow.outbox.list(
            status=OutboxStatus.PENDING, kind=BOOKING_NUDGE, reference=holder.id
        ):
            uow.outbox.save(attrs.evolve(nudge, status=OutboxStatus.SUPPRESSED))
        self.notices.announce(uow, placed, coach, client, change="booked", link=link)
        return placed

    def move(
        self,
        uow: BookingUnitOfWork,
        actor: Actor | None,
        *,
        holder: Trajectory,
        appointment: Appointment,
        client: Client,
        coach: Coach,
        starts_at: object,
        link: str | None,
        by_coach: bool,
    ) -> Appointment:
        """Move a planned session to another of its coach's free slots."""
        coachee = self.ledger.lock(uow, holder)
        current = self._planned(uow, appointment.id)
        if not by_coach and not self.before_notice(uow, current):
            hours = int(
                self.policy(uow, current.employer_id).cancellation_notice / timedelta(hours=1)
            )
            raise Conflict("booking.too_late_to_move", hours=hours)
        slot = self.checked_slot(uow, coach, starts_at, without=current.id, by_coach=by_coach)
        moved = attrs.evolve(current, starts_at=slot.starts_at, ends_at=slot.ends_at)
        placed = self.ledger.place(
            uow, actor, holder, moved, existing=current, coachee=coachee, action="booking.moved"
        )
        self.notices.announce(
            uow, placed, coach, client, change="moved", link=link, by_coach=by_coach
        )
        return placed

    def cancel(
        self,
        uow: BookingUnitOfWork,
        actor: Actor | None,
        *,
        holder: Trajectory,
        appointment: Appointment,
        client: Client,
        coach: Coach,
        link: str | None,
        by_coach: bool,
    ) -> Appointment:
        """Cancel a planned session. The employee's cancellation after the employer's
        notice is a late one (``late_cancelled``), which counts as used when the
        employer's settings say so; the coach's never counts. Once a session has begun
        only its coach changes it (``booking.already_begun``): held or a no-show."""
        coachee = self.ledger.lock(uow, holder)
        current = self._planned(uow, appointment.id)
        if not by_coach and current.starts_at <= self._clock.now():
            raise Conflict("booking.already_begun")
        late = not by_coach and not self.before_notice(uow, current)
        status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
        placed = self.ledger.place(
            uow,
            actor,
            holder,
            attrs.evolve(current, status=status),
            existing=current,
            coachee=coachee,
            action="booking.cancelled",
        )
        self.notices.announce(
            uow, placed, coach, client, change="cancelled", link=link, by_coach=by_coach, late=late
        )
        return placed

    def _notice_hours(self, uow: BookingUnitOfWork, appointment: Appointment) -> int:
        notice = self.policy(uow, appointment.employer_id).cancellation_notice
        return int(notice / timedelta(hours=1))

    def before_notice(self, uow: BookingUnitOfWork, appointment: Appointment) -> bool:
        """Whether the session starts later than the employer's cancellation notice."""
        notice = self.policy(uow, appointment.employer_id).cancellation_notice
        return self._clock.now() + notice <= appointment.starts_at

    def session(self, appointment: Appointment, uow: BookingUnitOfWork) -> BookedSession:
        return BookedSession(
            id=appointment.id,
            coach_id=appointment.coach_id or "",
            coach_name=appointment.coach or "",
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at or appointment.starts_at,
            mode=appointment.mode,
            location=appointment.location,
            status=appointment.status,
            can_change=appointment.status is AppointmentStatus.PLANNED
            and self.before_notice(uow, appointment),
        )

    # Reading what is taken ------------------------------------------------------------------

    def _planned(self, uow: BookingUnitOfWork, appointment_id: str) -> Appointment:
        current = uow.appointments.get(appointment_id, for_update=True)
        if current is None or current.coach_id is None:
            raise Conflict("booking.not_planned")
        if current.status is not AppointmentStatus.PLANNED:
            raise Conflict("booking.not_planned")
        return current

    def _taken(
        self,
        uow: BookingUnitOfWork,
        reads: Sequence[tuple[Sequence[str], datetime, datetime]],
        *,
        without: str | None,
    ) -> tuple[dict[str, list[tuple[datetime, datetime]]], dict[str, Counter[date]]]:
        """The taken times of the coaches of each read (coach ids, from, up to) and their
        sessions per local date, but the session ``without``."""
        taken: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        per_day: dict[str, Counter[date]] = defaultdict(Counter)
        zone = amsterdam()
        for coach_ids, start, end in reads:
            if not coach_ids:
                continue
            for session in uow.appointments.coach_times(coach_ids, start=start, end=end):
                if session.id == without:
                    continue
                taken[session.coach_id].append((session.starts_at, session.ends_at))
                per_day[session.coach_id][session.starts_at.astimezone(zone).date()] += 1
            for busy in uow.busy_times.overlapping(coach_ids, start, end):
                taken[busy.coach_id].append((busy.starts_at, busy.ends_at))
        return taken, per_day


def _slot_time(pair: tuple[Slot, Coach]) -> tuple[datetime, datetime]:
    return pair[0].starts_at, pair[0].ends_at


def _whole_dates(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """What to read for the slots that start in ``[start, end)`` of a coach with a maximum
    per day: the taken times that can keep one of them from being offered, and every
    session on their local dates."""
    zone = amsterdam()
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date() + _DAY
    return (
        min(start - _BEFORE, _midnight(first)),
        max(end + _AFTER, _midnight(last)),
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=amsterdam()).astimezone(UTC)


def _nearest(coach: Coach, postcode: str | None) -> tuple[Location | None, float | None]:
    places = coach.profile.locations
    if not places:
        return None, None
    if postcode is None:
        return places[0], None
    measured = [(distance_km(postcode, place.postcode), place) for place in places]
    known = [(km, place) for km, place in measured if km is not None]
    if not known:
        return places[0], None
    km, place = min(known, key=lambda pair: pair[0])
    return place, km


def _location(coach: Coach, mode: Mode, postcode: str | None) -> str | None:
    if mode is Mode.ONLINE:
        return coach.profile.video_url
    place, _ = _nearest(coach, postcode)
    return None if place is None else f"{place.city} ({place.postcode})"
