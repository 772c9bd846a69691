from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import attrs

from onzecoach.actors import Actor, can_see
from onzecoach.audit import audit_entry
from onzecoach.clock import amsterdam
from onzecoach.crypto import hash_token, new_token
from onzecoach.errors import (
    Conflict,
    FieldError,
    NotFound,
    QuotaExceeded,
    ValidationError,
)
from onzecoach.ids import new_id
from onzecoach.notifications import OutboxStatus, new_email
from onzecoach.stats._rollup import Rollups, contribution
from onzecoach.tasks._model import Task, TaskKind
from onzecoach.trajectories._mails import booking_invitation_mail
from onzecoach.trajectories._model import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    ClosedReason,
    Trajectory,
    TrajectoryType,
)

if TYPE_CHECKING:
    from onzecoach.employees._model import Employee
    from onzecoach.ports import Clock, Storage, UnitOfWork
    from onzecoach.settings import Settings

__all__ = ["BOOKING_INVITATION", "TrajectoryService"]

#: The outbox kind of the employee's booking invitation; its reference is the trajectory.
BOOKING_INVITATION = "booking_invitation"
_MAX_TEXT = 100
_MAX_KEY = 64
_MAX_NOTE = 2000
_MAX_EXTENSION = 5
#: How far from today a start date may lie, either way.
_START_WINDOW = timedelta(days=366)


class TrajectoryService:
    """Coaching trajectories and their appointments (``portal.trajectories``)."""

    def __init__(
        self,
        *,
        storage: Storage,
        clock: Clock,
        settings: Settings,
        rollups: Rollups | None = None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._rollups = Rollups() if rollups is None else rollups

    def types(self) -> list[TrajectoryType]:
        """The trajectory types that can be chosen, in the configured order."""
        return list(self._settings.trajectory_types)

    # Starting -----------------------------------------------------------------------------

    def start(
        self, actor: Actor, employee_id: str, *, type_code: str, start_date: date
    ) -> Trajectory:
        """Start a trajectory; the employee's booking invitation goes out after a delay.

        The employee may have one open trajectory at a time (``Conflict``); an extension
        is started by approving an extension request (``portal.tasks.approve``).
        """
        kind = self.checked_start(type_code, start_date)
        if kind.is_extension:
            raise ValidationError.single(
                "type_code",
                "extension_by_request",
                "Een verlenging start je door een verzoek tot verlenging goed te keuren.",
            )
        with self._storage.unit_of_work() as uow:
            employee = self.visible_employee(uow, actor, employee_id)
            trajectory = self.start_in(uow, actor, employee, kind, start_date)
            uow.commit()
        return trajectory

    def checked_start(self, type_code: object, start_date: object) -> TrajectoryType:
        problems: list[FieldError] = []
        kind = self._settings.trajectory_type(type_code) if isinstance(type_code, str) else None
        if kind is None:
            problems.append(FieldError("type_code", "unknown", "Kies een traject."))
        today = self._clock.now().astimezone(amsterdam()).date()
        if not isinstance(start_date, date) or isinstance(start_date, datetime):
            problems.append(FieldError("start_date", "required", "Kies een startdatum."))
        elif abs(start_date - today) > _START_WINDOW:
            problems.append(
                FieldError(
                    "start_date",
                    "out_of_range",
                    "Kies een startdatum binnen een jaar van vandaag.",
                )
            )
        if problems or kind is None:
            raise ValidationError(problems)
        return kind

    def start_in(
        self,
        uow: UnitOfWork,
        actor: Actor | None,
        employee: Employee,
        kind: TrajectoryType,
        start_date: date,
        *,
        parent_id: str | None = None,
    ) -> Trajectory:
        """Start a trajectory inside the caller's transaction, with its booking invitation."""
        # The employee's lock orders this start with a move to another department.
        employee = uow.employees.get(employee.id, for_update=True) or employee
        if uow.trajectories.open_for_employee(employee.id) is not None:
            raise Conflict("Deze werknemer heeft al een lopend traject.")
        now = self._clock.now()
        number = max((t.number for t in uow.trajectories.for_employee(employee.id)), default=0)
        secret = new_token()
        trajectory = Trajectory(
            id=new_id(),
            employer_id=employee.employer_id,
            employee_id=employee.id,
            number=number + 1,
            type_code=kind.code,
            type_name=kind.name,
            sessions=kind.sessions,
            is_extension=kind.is_extension,
            start_date=start_date,
            created_at=now,
            parent_id=parent_id,
            booking_token_hash=hash_token(secret),
            department_id=employee.department_id,
        )
        uow.trajectories.add(trajectory)
        self._rollups.changed(
            uow,
            employer_id=trajectory.employer_id,
            employee_id=employee.id,
            before=contribution(),
            after=contribution(trajectories=[trajectory]),
        )
        self._invite(
            uow, employee, trajectory, secret, not_before=now + self._settings.invitation_delay
        )
        uow.audit.append(
            audit_entry(
                actor,
                "trajectory.started",
                at=now,
                employer_id=trajectory.employer_id,
                subject_type="trajectory",
                subject_id=trajectory.id,
                employee_id=employee.id,
                type_code=kind.code,
                start_date=start_date.isoformat(),
            )
        )
        return trajectory

    def resend_invitation(self, actor: Actor, trajectory_id: str) -> None:
        """Send the booking invitation again, now; the earlier link stops working, and an
        earlier invitation that has not gone out yet never will."""
        with self._storage.unit_of_work() as uow:
            trajectory = self.visible_trajectory(uow, actor, trajectory_id, for_update=True)
            if not trajectory.is_open:
                raise Conflict("Dit traject is afgesloten.")
            employee = uow.employees.get(trajectory.employee_id)
            if employee is None:
                raise NotFound("Werknemer niet gevonden.")
            secret = new_token()
            uow.trajectories.save(attrs.evolve(trajectory, booking_token_hash=hash_token(secret)))
            # An invitation still waiting for its delay would carry the dead link: it stays.
            for waiting in uow.outbox.list(
                status=OutboxStatus.PENDING, kind=BOOKING_INVITATION, reference=trajectory.id
            ):
                uow.outbox.save(attrs.evolve(waiting, status=OutboxStatus.SUPPRESSED))
            self._invite(uow, employee, trajectory, secret, not_before=self._clock.now())
            uow.audit.append(
                audit_entry(
                    actor,
                    "trajectory.invitation_resent",
                    at=self._clock.now(),
                    employer_id=trajectory.employer_id,
                    subject_type="trajectory",
                    subject_id=trajectory.id,
                )
            )
            uow.commit()

    def close(self, actor: Actor, trajectory_id: str) -> Trajectory:
        """Close a trajectory by hand ("Traject afgesloten")."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            trajectory = self.visible_trajectory(uow, actor, trajectory_id, for_update=True)
            if not trajectory.is_open:
                raise Conflict("Dit traject is al afgesloten.")
            closed = attrs.evolve(
                trajectory,
                closed_at=now,
                closed_reason=ClosedReason.BY_HAND,
                end_date=now.astimezone(amsterdam()).date(),
            )
            uow.trajectories.save(closed)
            uow.employees.get(trajectory.employee_id, for_update=True)
            self._count(uow, trajectory, closed)
            uow.audit.append(
                audit_entry(
                    actor,
                    "trajectory.closed",
                    at=now,
                    employer_id=trajectory.employer_id,
                    subject_type="trajectory",
                    subject_id=trajectory.id,
                )
            )
            uow.commit()
        return closed

    def get(self, actor: Actor, trajectory_id: str) -> Trajectory:
        with self._storage.unit_of_work() as uow:
            return self.visible_trajectory(uow, actor, trajectory_id)

    # The booking side ---------------------------------------------------------------------

    def record_appointment(
        self,
        trajectory_id: str,
        *,
        external_id: str,
        starts_at: datetime,
        status: str,
        mode: str,
        theme: str | None = None,
        coach: str | None = None,
    ) -> Appointment:
        """Record an appointment as the booking side reports it; idempotent per ``external_id``.

        A later call with the same ``external_id`` updates status, time, mode, theme and
        coach. Planned and held appointments never exceed the trajectory's sessions
        (``QuotaExceeded``); when every session is held, the trajectory closes.
        """
        checked = _checked_appointment(
            external_id=external_id,
            starts_at=starts_at,
            status=status,
            mode=mode,
            theme=theme,
            coach=coach,
        )
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            trajectory = (
                uow.trajectories.get(trajectory_id, for_update=True)
                if isinstance(trajectory_id, str)
                else None
            )
            if trajectory is None:
                raise NotFound("Traject niet gevonden.")
            # The employee's lock orders this write with others to the employee's statistics.
            employee = uow.employees.get(trajectory.employee_id, for_update=True)
            existing = uow.appointments.by_external_id(trajectory.employer_id, checked.external_id)
            if existing is not None and existing.trajectory_id != trajectory.id:
                raise Conflict("Deze afspraak hoort bij een ander traject.")
            if existing is not None and _same(existing, checked):
                return existing
            if existing is None and trajectory.closed_reason is ClosedReason.BY_HAND:
                raise Conflict("Dit traject is afgesloten.")
            others = [
                a
                for a in uow.appointments.for_trajectory(trajectory.id)
                if a.id != getattr(existing, "id", None)
            ]
            appointment = attrs.evolve(
                checked,
                id=existing.id if existing else new_id(),
                trajectory_id=trajectory.id,
                employer_id=trajectory.employer_id,
                employee_id=trajectory.employee_id,
                created_at=existing.created_at if existing else now,
                updated_at=now,
                # A session counts under the department of its first report, for good.
                department_id=(
                    existing.department_id
                    if existing
                    else employee.department_id
                    if employee
                    else None
                ),
            )
            used = sum(a.counts_against_quota for a in others)
            if appointment.counts_against_quota and used + 1 > trajectory.sessions:
                raise QuotaExceeded(
                    f"Dit traject heeft {trajectory.sessions} gesprekken; die zijn al gepland "
                    "of gehouden."
                )
            if existing is None:
                uow.appointments.add(appointment)
            else:
                uow.appointments.save(appointment)
            updated = _after_appointments(trajectory, [*others, appointment], now)
            if updated.is_open and not trajectory.is_open:
                successor = uow.trajectories.open_for_employee(trajectory.employee_id)
                if successor is not None:
                    # A correction to a finished trajectory whose extension already runs:
                    # the counts follow, the trajectory stays closed.
                    updated = attrs.evolve(
                        updated,
                        closed_at=trajectory.closed_at,
                        closed_reason=trajectory.closed_reason,
                        end_date=trajectory.end_date,
                    )
            uow.trajectories.save(updated)
            self._count(
                uow, trajectory, updated, before=[existing] if existing else [], after=[appointment]
            )
            uow.audit.append(
                audit_entry(
                    None,
                    "appointment.recorded",
                    at=now,
                    employer_id=trajectory.employer_id,
                    subject_type="trajectory",
                    subject_id=trajectory.id,
                    external_id=appointment.external_id,
                    status=appointment.status.value,
                )
            )
            uow.commit()
        return appointment

    def request_extension(self, trajectory_id: str, *, note: str, sessions: int = 1) -> Task:
        """Put a request to extend the trajectory in its employer's task inbox."""
        problems: list[FieldError] = []
        text = " ".join(note.split()) if isinstance(note, str) else None
        if text is None or len(text) > _MAX_NOTE:
            problems.append(
                FieldError(
                    "note", "invalid", f"Een toelichting heeft hoogstens {_MAX_NOTE} tekens."
                )
            )
        if (
            not isinstance(sessions, int)
            or isinstance(sessions, bool)
            or not 1 <= sessions <= _MAX_EXTENSION
        ):
            problems.append(
                FieldError(
                    "sessions",
                    "out_of_range",
                    f"Vraag 1 tot {_MAX_EXTENSION} gesprekken extra aan.",
                )
            )
        if problems:
            raise ValidationError(problems)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            trajectory = (
                uow.trajectories.get(trajectory_id) if isinstance(trajectory_id, str) else None
            )
            if trajectory is None:
                raise NotFound("Traject niet gevonden.")
            task = Task(
                id=new_id(),
                employer_id=trajectory.employer_id,
                employee_id=trajectory.employee_id,
                trajectory_id=trajectory.id,
                kind=TaskKind.EXTENSION_REQUEST,
                note=text or "",
                sessions=sessions,
                created_at=now,
            )
            uow.tasks.add(task)
            uow.audit.append(
                audit_entry(
                    None,
                    "task.created",
                    at=now,
                    employer_id=task.employer_id,
                    subject_type="task",
                    subject_id=task.id,
                    kind=task.kind.value,
                    trajectory_id=trajectory.id,
                )
            )
            uow.commit()
        return task

    # Shared with the other services --------------------------------------------------------

    @staticmethod
    def visible_employee(uow: UnitOfWork, actor: Actor, employee_id: object) -> Employee:
        employee = uow.employees.get(employee_id) if isinstance(employee_id, str) else None
        if employee is None or not can_see(actor, employee.employer_id):
            raise NotFound("Werknemer niet gevonden.")
        return employee

    @staticmethod
    def visible_trajectory(
        uow: UnitOfWork, actor: Actor, trajectory_id: object, *, for_update: bool = False
    ) -> Trajectory:
        trajectory = (
            uow.trajectories.get(trajectory_id, for_update=for_update)
            if isinstance(trajectory_id, str)
            else None
        )
        if trajectory is None or not can_see(actor, trajectory.employer_id):
            raise NotFound("Traject niet gevonden.")
        return trajectory

    def _count(
        self,
        uow: UnitOfWork,
        old: Trajectory,
        new: Trajectory,
        *,
        before: list[Appointment] | None = None,
        after: list[Appointment] | None = None,
    ) -> None:
        """Move the statistics from the old to the new state of a trajectory and appointment."""
        self._rollups.changed(
            uow,
            employer_id=new.employer_id,
            employee_id=new.employee_id,
            before=contribution(trajectories=[old], appointments=before or []),
            after=contribution(trajectories=[new], appointments=after or []),
        )

    def _invite(
        self,
        uow: UnitOfWork,
        employee: Employee,
        trajectory: Trajectory,
        secret: str,
        *,
        not_before: datetime,
    ) -> None:
        employer = uow.employers.get(employee.employer_id)
        content = booking_invitation_mail(
            given_name=employee.given_name,
            employer_name=employer.name if employer else "Je werkgever",
            type_name=trajectory.type_name,
            link=f"{self._settings.effective_booking_url}/{secret}",
        )
        uow.outbox.add(
            new_email(
                self._settings,
                to=employee.email,
                content=content,
                kind=BOOKING_INVITATION,
                now=self._clock.now(),
                not_before=not_before,
                reference=trajectory.id,
                employer_id=employee.employer_id,
            )
        )


def _checked_appointment(
    *,
    external_id: object,
    starts_at: object,
    status: object,
    mode: object,
    theme: object,
    coach: object,
) -> Appointment:
    """The reported appointment, checked; ids and times of record are filled in later."""
    problems: list[FieldError] = []
    key = external_id.strip() if isinstance(external_id, str) else ""
    if not key or len(key) > _MAX_KEY:
        problems.append(
            FieldError(
                "external_id", "invalid", "Een afspraak heeft een kenmerk van 1 tot 64 tekens."
            )
        )
    moment = starts_at if isinstance(starts_at, datetime) else None
    if moment is None or moment.utcoffset() is None:
        problems.append(FieldError("starts_at", "invalid", "Geef het tijdstip met tijdzone."))
    status_value = _enum(AppointmentStatus, status)
    if status_value is None:
        problems.append(FieldError("status", "invalid", "Onbekende status van de afspraak."))
    mode_value = _enum(AppointmentMode, mode)
    if mode_value is None:
        problems.append(FieldError("mode", "invalid", "Kies live of online."))
    texts: dict[str, str | None] = {}
    for name, value in (("theme", theme), ("coach", coach)):
        if value is not None and (not isinstance(value, str) or len(value) > _MAX_TEXT):
            problems.append(FieldError(name, "invalid", f"Hoogstens {_MAX_TEXT} tekens."))
        elif isinstance(value, str) and any(
            unicodedata.category(char).startswith("C") and not char.isspace() for char in value
        ):
            problems.append(FieldError(name, "invalid", "Gebruik geen stuurtekens."))
        texts[name] = " ".join(value.split()) or None if isinstance(value, str) else None
    if problems or moment is None or status_value is None or mode_value is None:
        raise ValidationError(problems)
    return Appointment(
        id="",
        trajectory_id="",
        employer_id="",
        employee_id="",
        external_id=key,
        starts_at=moment,
        created_at=moment,
        updated_at=moment,
        status=status_value,
        mode=mode_value,
        theme=texts["theme"],
        coach=texts["coach"],
    )


E = TypeVar("E", bound=enum.Enum)


def _enum(kind: type[E], value: object) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None


def _same(existing: Appointment, reported: Appointment) -> bool:
    fields = ("starts_at", "status", "mode", "theme", "coach")
    return all(getattr(existing, name) == getattr(reported, name) for name in fields)


def _after_appointments(
    trajectory: Trajectory, appointments: list[Appointment], now: datetime
) -> Trajectory:
    """The trajectory's counts and state, recomputed from all its appointments."""
    held = [a for a in appointments if a.status is AppointmentStatus.HELD]
    planned = sum(a.status is AppointmentStatus.PLANNED for a in appointments)
    updated = attrs.evolve(trajectory, held=len(held), planned=planned)
    if trajectory.closed_reason is ClosedReason.BY_HAND:
        return updated
    if len(held) >= trajectory.sessions:
        last = max(a.starts_at for a in held)
        return attrs.evolve(
            updated,
            closed_at=trajectory.closed_at or now,
            closed_reason=ClosedReason.COMPLETED,
            end_date=last.astimezone(amsterdam()).date(),
        )
    if trajectory.closed_reason is ClosedReason.COMPLETED:
        # A held session was corrected to another status: the trajectory runs again.
        return attrs.evolve(updated, closed_at=None, closed_reason=None, end_date=None)
    return updated
