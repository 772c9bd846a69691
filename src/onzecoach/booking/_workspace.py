"""The coach's workspace: their agenda, reports, notes and feed (``portal.coaching``).

A coach sees their own sessions and those sessions' clients, nothing else: another coach's
session answers ``NotFound``. Notes are the coach's alone, sealed at rest (context
``session-note:<session id>``), and never reach anything HR or the employer can see.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

import attrs

from onzecoach.access import load, require_service_desk
from onzecoach.actors import Actor, Role
from onzecoach.booking._agenda import Agenda
from onzecoach.booking._model import CoachSession, SessionNote, SlotOffer
from onzecoach.booking._notices import full_name
from onzecoach.booking._service import local_midnight
from onzecoach.calendars import CalendarAccount
from onzecoach.catalogues import find_theme
from onzecoach.coaches import calendar_context
from onzecoach.crypto import ResealReport, hash_token
from onzecoach.errors import (
    CalendarError,
    Conflict,
    DecryptionFailed,
    InvalidToken,
    NotFound,
    ValidationError,
)
from onzecoach.ics import calendar, session_event
from onzecoach.ids import is_id
from onzecoach.tasks import Task
from onzecoach.trajectories import (
    Appointment,
    AppointmentStatus,
    add_extension_request,
    checked_extension_request,
    link_holder,
)
from onzecoach.validation import is_printable

if TYPE_CHECKING:
    from onzecoach.booking._ports import BookingUnitOfWork
    from onzecoach.calendars import CalendarConnector
    from onzecoach.clock import Clock
    from onzecoach.coaches import Coach
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["CalendarWriter", "CoachingService"]

#: The longest private note, in characters; the most days an agenda call covers.
MAX_NOTE = 10_000
MAX_DAYS = 31
#: What a coach reports of a session that took place.
Outcome = Literal["held", "no_show"]


def note_context(appointment_id: str) -> str:
    return f"session-note:{appointment_id}"


class CoachingService:
    """What a signed-in coach does with their sessions."""

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

    def agenda(self, actor: Actor, *, start: date, days: int = 7) -> list[CoachSession]:
        """The coach's own sessions on ``days`` local dates from ``start`` (a day: 1, a
        week: 7), cancelled ones included, by start time."""
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            raise ValidationError.single("days", "out_of_range", max_days=MAX_DAYS)
        if not isinstance(start, date) or isinstance(start, datetime):
            raise ValidationError.single("start", "invalid")
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            found = uow.appointments.for_coaches(
                [coach.id],
                start=local_midnight(start),
                end=local_midnight(start + timedelta(days=days)),
                taking_time=False,
            )
            noted = uow.session_notes.noted([a.id for a in found])
            return [self._view(uow, a, a.id in noted) for a in found]

    def session(self, actor: Actor, appointment_id: str) -> CoachSession:
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            found = self._own(uow, coach, appointment_id)
            return self._view(uow, found, bool(uow.session_notes.noted([found.id])))

    def report(
        self,
        actor: Actor,
        appointment_id: str,
        *,
        status: Outcome | AppointmentStatus,
        theme: str | None = None,
    ) -> CoachSession:
        """Mark a session held (with its theme from the catalogue) or a no-show, once it
        has begun; a report can be corrected. Feeds the statistics."""
        chosen = _outcome(status)
        code = None
        if theme is not None and theme != "":
            found_theme = find_theme(self._settings.themes, theme)
            if found_theme is None:
                raise ValidationError.single("theme", "unknown")
            code = found_theme.code
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            current = self._own(uow, coach, appointment_id)
            holder = load(
                current.trajectory_id, uow.trajectories.get, missing="trajectory.not_found"
            )
            coachee = self._agenda.ledger.lock(uow, holder)
            current = self._own(uow, coach, appointment_id, for_update=True)
            if current.status not in (
                AppointmentStatus.PLANNED,
                AppointmentStatus.HELD,
                AppointmentStatus.NO_SHOW,
            ):
                raise Conflict("booking.not_planned")
            if current.starts_at > self._clock.now():
                raise Conflict("booking.not_begun")
            reported = attrs.evolve(
                current, status=chosen, theme=code if chosen is AppointmentStatus.HELD else None
            )
            placed = self._agenda.ledger.place(
                uow,
                actor,
                holder,
                reported,
                existing=current,
                coachee=coachee,
                action="session.reported",
            )
            self._agenda.notices.withdraw(uow, placed.id)
            view = self._view(uow, placed, bool(uow.session_notes.noted([placed.id])))
            uow.commit()
        return view

    def cancel(self, actor: Actor, appointment_id: str) -> CoachSession:
        """Cancel a planned session; it never counts as used, and the employee is mailed."""
        return self._change(actor, appointment_id, starts_at=None)

    def move(self, actor: Actor, appointment_id: str, *, starts_at: datetime) -> CoachSession:
        """Move a planned session to another of the coach's free slots; the employee is
        mailed the new time."""
        return self._change(actor, appointment_id, starts_at=starts_at)

    def free_slots(
        self, actor: Actor, appointment_id: str, *, start: date, days: int = 7
    ) -> list[SlotOffer]:
        """The coach's free slots on ``days`` local dates from ``start``, to move the session
        to (its own time counts as free)."""
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            raise ValidationError.single("days", "out_of_range", max_days=MAX_DAYS)
        if not isinstance(start, date) or isinstance(start, datetime):
            raise ValidationError.single("start", "invalid")
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            found = self._own(uow, coach, appointment_id)
            return self._agenda.free(
                uow,
                [coach],
                start=local_midnight(start),
                end=local_midnight(start + timedelta(days=days)),
                without=found.id,
            )

    def note(self, actor: Actor, appointment_id: str) -> str:
        """The coach's private note on the session ('' when there is none)."""
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            found = self._own(uow, coach, appointment_id)
            stored = uow.session_notes.get(found.id)
            if stored is None:
                return ""
            return self._settings.sealer.open(stored.text, context=note_context(found.id))

    def write_note(self, actor: Actor, appointment_id: str, text: str) -> None:
        """Keep a private note on the session (an empty text removes it)."""
        if not isinstance(text, str) or not is_printable(
            text.replace("\n", " ").replace("\r", " ").replace("\t", " "), max_length=MAX_NOTE
        ):
            raise ValidationError.single(
                "note", "invalid", key="note.invalid.session", max_length=MAX_NOTE
            )
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            found = self._own(uow, coach, appointment_id)
            if not text.strip():
                uow.session_notes.delete(found.id)
            else:
                uow.session_notes.put(
                    SessionNote(
                        appointment_id=found.id,
                        coach_id=coach.id,
                        text=self._settings.sealer.seal(text, context=note_context(found.id)),
                        updated_at=self._clock.now(),
                    )
                )
            uow.commit()

    def request_extension(
        self, actor: Actor, appointment_id: str, *, note: str, sessions: int = 1
    ) -> Task:
        """Ask the employer for more sessions from one of the coach's sessions: the
        extension request reaches HR's task inbox."""
        text = checked_extension_request(note, sessions)
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            found = self._own(uow, coach, appointment_id)
            trajectory = load(
                found.trajectory_id, uow.trajectories.get, missing="trajectory.not_found"
            )
            task = add_extension_request(
                uow, actor, trajectory, note=text, sessions=sessions, now=self._clock.now()
            )
            uow.commit()
        return task

    def feed(self, token: str) -> bytes:
        """The coach's private ICS feed (the secret URL of ``portal.coaches.rotate_feed``):
        their planned and held sessions from four weeks back over their horizon."""
        if not isinstance(token, str) or not 20 <= len(token) <= 200:
            raise InvalidToken("link.invalid")
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            coach = uow.coaches.by_feed_token(hash_token(token))
            if coach is None:
                raise InvalidToken("link.invalid")
            found = uow.appointments.for_coaches(
                [coach.id],
                start=now - timedelta(weeks=4),
                end=now + coach.availability.horizon + timedelta(days=1),
            )
            events = [
                session_event(
                    uid=self._settings.portal_uid(a.id),
                    starts_at=a.starts_at,
                    ends_at=a.ends_at or a.starts_at,
                    summary=f"Coachgesprek met {_client_name(uow, a)}",
                    now=now,
                    location=a.location,
                    private=True,
                )
                for a in found
            ]
        if not events:
            return _empty_calendar(coach.profile.name)
        return calendar(events, method=None, name=f"OnzeCoach: {coach.profile.name}")

    def reseal(self, actor: Actor, *, batch_size: int = 500) -> ResealReport:
        """Seal every note sealed under an old key again under the current
        ``Settings.secret_key``: a step of a key rotation (``onzecoach keys reseal``).

        A note no configured key opens is left as it is and counted as ``unreadable``; a
        note its coach changed meanwhile is left to the coach's newer text. Each batch is
        its own transaction.
        """
        require_service_desk(actor)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValidationError.single("batch_size", "out_of_range")
        sealer = self._settings.sealer
        resealed = unreadable = 0
        after: str | None = None
        while True:
            with self._storage.unit_of_work() as uow:
                batch = uow.session_notes.page(after=after, limit=batch_size)
                for note in batch:
                    try:
                        renewed = sealer.renewed(
                            note.text, context=note_context(note.appointment_id)
                        )
                    except DecryptionFailed:
                        unreadable += 1
                        continue
                    if renewed is not None and uow.session_notes.replace_text(
                        note.appointment_id, old=note.text, new=renewed
                    ):
                        resealed += 1
                uow.commit()
            if len(batch) < batch_size:
                return ResealReport(resealed=resealed, unreadable=unreadable)
            after = batch[-1].appointment_id

    # Helpers ---------------------------------------------------------------------------------

    def _change(
        self, actor: Actor, appointment_id: str, *, starts_at: datetime | None
    ) -> CoachSession:
        with self._storage.unit_of_work() as uow:
            coach = self._me(uow, actor)
            current = self._own(uow, coach, appointment_id)
            holder = load(
                current.trajectory_id, uow.trajectories.get, missing="trajectory.not_found"
            )
            holder = link_holder(uow, holder)
            client = load(current.employee_id, uow.employees.get, missing="employee.not_found")
            # The link's secret is the employee's alone (only its hash is kept): the mail
            # points to the invitation they have.
            link = None
            if starts_at is None:
                placed = self._agenda.cancel(
                    uow,
                    actor,
                    holder=holder,
                    appointment=current,
                    client=client,
                    coach=coach,
                    link=link,
                    by_coach=True,
                )
            else:
                placed = self._agenda.move(
                    uow,
                    actor,
                    holder=holder,
                    appointment=current,
                    client=client,
                    coach=coach,
                    starts_at=starts_at,
                    link=link,
                    by_coach=True,
                )
            view = self._view(uow, placed, bool(uow.session_notes.noted([placed.id])))
            uow.commit()
        return view

    @staticmethod
    def _me(uow: BookingUnitOfWork, actor: Actor) -> Coach:
        if not isinstance(actor, Actor) or actor.role is not Role.COACH or not actor.user_id:
            raise NotFound("coach.not_found")
        coach = uow.coaches.by_user(actor.user_id)
        if coach is None:
            raise NotFound("coach.not_found")
        return coach

    @staticmethod
    def _own(
        uow: BookingUnitOfWork, coach: Coach, appointment_id: object, *, for_update: bool = False
    ) -> Appointment:
        if not is_id(appointment_id):
            raise NotFound("appointment.not_found")
        found = uow.appointments.get(appointment_id, for_update=for_update)
        if found is None or found.coach_id != coach.id:
            raise NotFound("appointment.not_found")
        return found

    def _view(self, uow: BookingUnitOfWork, appointment: Appointment, noted: bool) -> CoachSession:
        client = uow.employees.get(appointment.employee_id)
        return CoachSession(
            id=appointment.id,
            trajectory_id=appointment.trajectory_id,
            client_name="" if client is None else full_name(client),
            client_email=client.email if client else "",
            client_phone=client.phone if client else None,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at or appointment.starts_at,
            mode=appointment.mode,
            location=appointment.location,
            status=appointment.status,
            theme=appointment.theme,
            has_note=noted,
        )


class CalendarWriter:
    """Writes the outbox's calendar messages to the coaches' own calendars (CalDAV)."""

    def __init__(
        self,
        *,
        storage: Transactions[BookingUnitOfWork],
        settings: Settings,
        connector: CalendarConnector,
    ) -> None:
        self._storage = storage
        self._settings = settings
        self._connector = connector

    def write(self, *, coach_id: str, uid: str, ics: bytes | None) -> None:
        with self._storage.unit_of_work() as uow:
            coach = uow.coaches.get(coach_id)
        if coach is None or coach.calendar is None:
            if ics is None:
                return  # nothing to remove from a calendar that is no longer linked
            raise CalendarError("the coach has no linked calendar", code="calendar.refused")
        link = coach.calendar
        password = self._settings.sealer.open(
            link.password_sealed, context=calendar_context(coach.id)
        )
        target = self._connector.open(
            CalendarAccount(url=link.url, username=link.username, password=password)
        )
        try:
            if ics is None:
                target.delete(uid)
            else:
                target.put(uid, ics)
        finally:
            target.close()


def _outcome(value: object) -> AppointmentStatus:
    for chosen in (AppointmentStatus.HELD, AppointmentStatus.NO_SHOW):
        if value == chosen.value:
            return chosen
    raise ValidationError.single("status", "invalid", key="status.invalid.report")


def _client_name(uow: BookingUnitOfWork, appointment: Appointment) -> str:
    client = uow.employees.get(appointment.employee_id)
    return "" if client is None else full_name(client)


def _empty_calendar(name: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//OnzeCoach//Portaal//NL",
        f"X-WR-CALNAME:OnzeCoach: {name}",
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")
