"""The employee's PlanningsAgenda: the booking link, without an account (``portal.booking``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from onzecoach.access import load
from onzecoach.booking._agenda import Agenda
from onzecoach.booking._model import BookedSession, BookingContext, CoachOffer, SlotOffer
from onzecoach.catalogues import LANGUAGES
from onzecoach.clock import amsterdam
from onzecoach.coaches import Mode
from onzecoach.crypto import hash_token
from onzecoach.errors import FieldError, InvalidToken, NotFound, Throttled, ValidationError
from onzecoach.throttling import rate_key
from onzecoach.trajectories import Appointment, Trajectory, chain_of

if TYPE_CHECKING:
    from onzecoach.booking._ports import BookingUnitOfWork, Client
    from onzecoach.clock import Clock
    from onzecoach.coaches import Coach
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["BookingService"]

#: The most slots one call lists, and the longest stretch of days one call covers.
MAX_SLOTS = 100
MAX_DAYS = 14
_WINDOW = timedelta(minutes=1)


class BookingService:
    """The booking link's operations: open it, find a coach and a time, book, move, cancel.

    The link (the secret in the employee's invitation) is the only credential: it serves
    its own trajectory and that trajectory's extension, stops working when they are all
    closed (``InvalidToken``), and is throttled (``Throttled``, ``booking.throttled``).
    """

    def __init__(
        self,
        *,
        storage: Transactions[BookingUnitOfWork],
        clock: Clock,
        settings: Settings,
        agenda: Agenda,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._agenda = agenda

    def open(self, token: str) -> BookingContext:
        """What the link opens: the employee's name, the trajectory and its sessions."""
        with self._storage.unit_of_work() as uow:
            holder, chain, client = self._scope(uow, token)
            uow.commit()  # the throttle's count
            employer = uow.employers.get(holder.employer_id)
            booked = self._booked(uow, chain)
            open_member = next(t for t in chain if t.is_open)
            policy = self._agenda.policy(uow, holder.employer_id)
            return BookingContext(
                trajectory_id=holder.id,
                given_name=client.given_name,
                employer_name=employer.name if employer else "",
                type_name=open_member.type_name,
                sessions=sum(t.sessions for t in chain if t.takes_appointments),
                sessions_left=self._agenda.ledger.sessions_left(uow, holder),
                cancellation_notice=policy.cancellation_notice,
                postcode=client.postcode,
                booked=tuple(self._agenda.session(a, uow) for a in booked),
                late_cancellations_count=policy.late_cancellations_count,
            )

    def coaches(
        self,
        token: str,
        *,
        mode: Mode | str,
        language: str | None = None,
        specialism: str | None = None,
        postcode: str | None = None,
    ) -> list[CoachOffer]:
        """The coaches who fit: they serve the employer, offer ``mode``, speak ``language``
        and know ``specialism`` (each where given); for live sessions the nearest to
        ``postcode`` (the employee's own when not given) first."""
        chosen, language, specialism = self._filters(mode, language, specialism)
        with self._storage.unit_of_work() as uow:
            holder, _, client = self._scope(uow, token)
            uow.commit()
            found = uow.coaches.bookable(holder.employer_id, chosen, language, specialism)
            return self._agenda.offers(found, mode=chosen, postcode=postcode or client.postcode)

    def slots(
        self, token: str, coach_id: str, *, start: date | None = None, days: int = 7
    ) -> list[SlotOffer]:
        """One coach's free slots on ``days`` local dates from ``start`` (today)."""
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            raise ValidationError.single("days", "out_of_range", max_days=MAX_DAYS)
        with self._storage.unit_of_work() as uow:
            holder, _, _ = self._scope(uow, token)
            uow.commit()
            coach = self._coach(uow, holder, coach_id)
            today = self._clock.now().astimezone(amsterdam()).date()
            first = start if isinstance(start, date) else today
            return self._agenda.free(
                uow,
                [coach],
                start=local_midnight(first),
                end=local_midnight(first + timedelta(days=days)),
            )

    def first_slots(
        self,
        token: str,
        *,
        mode: Mode | str,
        language: str | None = None,
        specialism: str | None = None,
        limit: int = 20,
    ) -> list[SlotOffer]:
        """The first ``limit`` free slots of every coach who fits, earliest first."""
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_SLOTS:
            raise ValidationError.single(
                "limit", "out_of_range", key="limit.out_of_range.slots", max_slots=MAX_SLOTS
            )
        chosen, language, specialism = self._filters(mode, language, specialism)
        with self._storage.unit_of_work() as uow:
            holder, _, _ = self._scope(uow, token)
            uow.commit()
            found = uow.coaches.bookable(holder.employer_id, chosen, language, specialism)
            return self._agenda.first_free(uow, found, limit=limit)

    def book(
        self, token: str, *, coach_id: str, starts_at: datetime, mode: Mode | str
    ) -> BookedSession:
        """Book the slot: ``SlotTaken`` when someone was just quicker, ``QuotaExceeded``
        (with the sessions left) when the trajectory has none left."""
        chosen = _mode(mode)
        with self._storage.unit_of_work() as uow:
            holder, _, client = self._scope(uow, token)
            coach = self._coach(uow, holder, coach_id)
            placed = self._agenda.book(
                uow,
                None,
                holder,
                client,
                coach,
                starts_at=starts_at,
                mode=chosen,
                link=self._link(token),
            )
            session = self._agenda.session(placed, uow)
            uow.commit()
        return session

    def reschedule(self, token: str, appointment_id: str, *, starts_at: datetime) -> BookedSession:
        """Move a session to another free slot of its coach, until the employer's
        cancellation notice (``Conflict`` ``booking.too_late_to_move`` after it)."""
        return self._change(token, appointment_id, self._agenda.move, starts_at=starts_at)

    def cancel(self, token: str, appointment_id: str) -> BookedSession:
        """Cancel a session; after the employer's notice it is a late cancellation."""
        return self._change(token, appointment_id, self._agenda.cancel)

    # Helpers --------------------------------------------------------------------------------

    def _change(
        self,
        token: str,
        appointment_id: str,
        change: Callable[..., Appointment],
        **details: object,
    ) -> BookedSession:
        """``change`` (the agenda's move or cancel) one of the link's own sessions."""
        with self._storage.unit_of_work() as uow:
            holder, chain, client = self._scope(uow, token)
            appointment = self._own(uow, chain, appointment_id)
            coach = self._coach(uow, holder, appointment.coach_id or "", any_coach=True)
            placed = change(
                uow,
                None,
                holder=holder,
                appointment=appointment,
                client=client,
                coach=coach,
                link=self._link(token),
                by_coach=False,
                **details,
            )
            session = self._agenda.session(placed, uow)
            uow.commit()
        return session

    def _link(self, token: str) -> str:
        return f"{self._settings.effective_booking_url}/{token}"

    def _scope(
        self, uow: BookingUnitOfWork, token: object
    ) -> tuple[Trajectory, list[Trajectory], Client]:
        """The trajectory the link holds, its chain and its employee; counts the request.

        Only a link that exists is counted, so a guess writes nothing (guessing a 256-bit
        token is hopeless; an embedding app may limit requests per address besides).
        """
        if not isinstance(token, str) or not 20 <= len(token) <= 200:
            raise InvalidToken("link.invalid")
        holder = uow.trajectories.by_booking_token(hash_token(token))
        if holder is None:
            raise InvalidToken("link.invalid")
        now = self._clock.now()
        count = uow.rate_limits.hit(rate_key("booking", holder.id), now=now, window=_WINDOW)
        if count > self._settings.booking_link_limit:
            at = now + _WINDOW
            raise Throttled("booking.throttled", retry_at=at, at=at.strftime("%H:%M"))
        chain = chain_of(uow.trajectories.for_employee(holder.employee_id), holder)
        if not any(t.is_open for t in chain):
            raise InvalidToken("link.invalid")
        client = uow.employees.get(holder.employee_id)
        if client is None:
            raise InvalidToken("link.invalid")
        return holder, chain, client

    @staticmethod
    def _booked(uow: BookingUnitOfWork, chain: Sequence[Trajectory]) -> list[Appointment]:
        found = [
            a
            for t in chain
            for a in uow.appointments.for_trajectory(t.id)
            if a.coach_id is not None
        ]
        return sorted(found, key=lambda a: a.starts_at)

    def _own(
        self, uow: BookingUnitOfWork, chain: Sequence[Trajectory], appointment_id: object
    ) -> Appointment:
        members = {t.id for t in chain}
        found = load(appointment_id, uow.appointments.get, missing="appointment.not_found")
        if found.trajectory_id not in members or found.coach_id is None:
            raise NotFound("appointment.not_found")
        return found

    @staticmethod
    def _coach(
        uow: BookingUnitOfWork, holder: Trajectory, coach_id: object, *, any_coach: bool = False
    ) -> Coach:
        coach = load(coach_id, uow.coaches.get, missing="coach.not_found")
        if not any_coach and (
            not coach.profile.active or not coach.profile.serves(holder.employer_id)
        ):
            raise NotFound("coach.not_found")
        return coach

    @staticmethod
    def _filters(
        mode: object, language: object, specialism: object
    ) -> tuple[Mode, str | None, str | None]:
        problems: list[FieldError] = []
        chosen = None
        try:
            chosen = _mode(mode)
        except ValidationError as exc:
            problems += exc.details
        if language is not None and language not in LANGUAGES:
            problems.append(FieldError.of("language", "invalid"))
        if specialism is not None and (not isinstance(specialism, str) or len(specialism) > 64):
            problems.append(FieldError.of("specialism", "invalid"))
        if problems or chosen is None:
            raise ValidationError(problems)
        return chosen, language, specialism  # type: ignore[return-value]


def _mode(value: object) -> Mode:
    if isinstance(value, str) and value in {m.value for m in Mode}:
        return Mode(value)
    raise ValidationError.single("mode", "invalid")


def local_midnight(day: date) -> datetime:
    """The start of a local (Amsterdam) date, in UTC."""
    return datetime.combine(day, time(0), tzinfo=amsterdam()).astimezone(UTC)
