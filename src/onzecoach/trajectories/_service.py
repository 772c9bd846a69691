from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import EMPLOYER_STAFF, load, load_visible, require_role
from onzecoach.actors import Actor, Role
from onzecoach.audit import audit_entry
from onzecoach.crypto import hash_token, new_token
from onzecoach.errors import Conflict, FieldError, NotFound, ValidationError
from onzecoach.ids import new_id
from onzecoach.notifications import OutboxStatus
from onzecoach.tasks import Task, TaskKind
from onzecoach.trajectories._appointments import checked_appointment, same_report
from onzecoach.trajectories._events import CoachingChanged
from onzecoach.trajectories._ledger import AppointmentLedger, link_holder
from onzecoach.trajectories._model import (
    Appointment,
    AppointmentMode,
    AppointmentModeName,
    AppointmentStatus,
    AppointmentStatusName,
    Trajectory,
    TrajectoryType,
)
from onzecoach.trajectories._starting import (
    BOOKING_INVITATION,
    BOOKING_NUDGE,
    TrajectoryStarter,
)
from onzecoach.validation import is_printable

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings
    from onzecoach.trajectories._ports import TrajectoryUnitOfWork

__all__ = ["TrajectoryService", "add_extension_request", "checked_extension_request"]

_MAX_NOTE = 2000
_MAX_EXTENSION = 5
#: Who reports appointments and asks for extensions: the outside booking system (an
#: integration) or, acting for it, the service desk.
_BOOKING_SIDE = (Role.INTEGRATION, Role.SERVICE_DESK)


class TrajectoryService:
    """Coaching trajectories and their appointments (``portal.trajectories``)."""

    def __init__(
        self,
        *,
        storage: Transactions[TrajectoryUnitOfWork],
        clock: Clock,
        settings: Settings,
        starter: TrajectoryStarter,
        ledger: AppointmentLedger | None = None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._starter = starter
        self._ledger = ledger or AppointmentLedger(clock=clock, settings=settings)

    def types(self) -> list[TrajectoryType]:
        """The trajectory types that can be chosen, in the configured order."""
        return list(self._settings.trajectory_types)

    # Starting -----------------------------------------------------------------------------

    def start(
        self, actor: Actor, employee_id: str, *, type_code: str, start_date: date
    ) -> Trajectory:
        """Start a trajectory; the employee's booking invitation goes out after a delay.

        The employee may have one running trajectory at a time (``Conflict``); an
        extension is started by approving an extension request (``portal.tasks.approve``).
        """
        require_role(actor, *EMPLOYER_STAFF)
        kind = self._starter.checked(type_code, start_date)
        if kind.is_extension:
            raise ValidationError.single("type_code", "extension_by_request")
        with self._storage.unit_of_work() as uow:
            coachee = load_visible(actor, employee_id, uow.employees.get, missing=_NO_EMPLOYEE)
            if coachee.is_erased:
                raise NotFound(_NO_EMPLOYEE)
            trajectory = self._starter.start(uow, actor, coachee, kind, start_date)
            uow.commit()
        return trajectory

    def resend_invitation(self, actor: Actor, trajectory_id: str) -> None:
        """Send the booking invitation again, now; the earlier link stops working, and an
        earlier invitation that has not gone out yet never will.

        An extension that runs beside the trajectory it extends shares that trajectory's
        link: its invitation is the one sent again.
        """
        require_role(actor, *EMPLOYER_STAFF)
        with self._storage.unit_of_work() as uow:
            trajectory = self._locked(uow, actor, trajectory_id)
            if not trajectory.is_open:
                raise Conflict("trajectory.closed")
            holder = link_holder(uow, trajectory)
            coachee = load(trajectory.employee_id, uow.employees.get, missing=_NO_EMPLOYEE)
            secret = new_token()
            uow.trajectories.set_booking_token(holder.id, hash_token(secret))
            # An invitation still waiting for its delay would carry the dead link: it stays.
            for kind in (BOOKING_INVITATION, BOOKING_NUDGE):
                for waiting in uow.outbox.list(
                    status=OutboxStatus.PENDING, kind=kind, reference=holder.id
                ):
                    uow.outbox.save(attrs.evolve(waiting, status=OutboxStatus.SUPPRESSED))
            self._starter.invite(uow, coachee, holder, secret, not_before=self._clock.now())
            uow.audit.append(
                audit_entry(
                    actor,
                    "trajectory.invitation_resent",
                    at=self._clock.now(),
                    employer_id=trajectory.employer_id,
                    subject_type="trajectory",
                    subject_id=holder.id,
                )
            )
            uow.commit()

    def close(self, actor: Actor, trajectory_id: str) -> Trajectory:
        """Close a trajectory by hand ("Traject afgesloten")."""
        require_role(actor, *EMPLOYER_STAFF)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            trajectory = self._locked(uow, actor, trajectory_id)
            if not trajectory.is_open:
                raise Conflict("trajectory.already_closed")
            closed = trajectory.closed_by_hand(now=now)
            uow.trajectories.save(closed)
            uow.emit(
                CoachingChanged(
                    employer_id=closed.employer_id,
                    employee_id=closed.employee_id,
                    trajectories_before=(trajectory,),
                    trajectories_after=(closed,),
                )
            )
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
        """One trajectory (an extension names its parent in ``parent_id``); another
        employer's answers ``NotFound``."""
        require_role(actor, *EMPLOYER_STAFF)
        with self._storage.unit_of_work() as uow:
            return self._visible(uow, actor, trajectory_id)

    # The booking side ---------------------------------------------------------------------

    def record_appointment(
        self,
        actor: Actor,
        trajectory_id: str,
        *,
        external_id: str,
        starts_at: datetime,
        status: AppointmentStatus | AppointmentStatusName,
        mode: AppointmentMode | AppointmentModeName,
        theme: str | None = None,
        coach: str | None = None,
    ) -> Appointment:
        """Record an appointment as the booking side reports it; idempotent per ``external_id``.

        ``actor`` is the booking system (``Actor.integration``) or the service desk. A
        later call with the same ``external_id`` updates status, time, mode, theme and
        coach. ``theme`` is one of ``Settings.themes``, by its code or its name (case,
        accents and extra whitespace aside), and is stored as its code. Planned and used
        appointments never exceed a trajectory's sessions (``QuotaExceeded``); when the
        used sessions reach them, the trajectory closes. A session is used when held, and
        when a no-show (``no_show``) or cancelled after the notice (``late_cancelled``)
        where the employer's policy counts those (``portal.admin.employer_policy``). Where an
        extension runs beside the trajectory it extends, a new appointment counts against
        the trajectory until its sessions are used, and then against the extension,
        whichever of the two the booking side names.
        """
        require_role(actor, *_BOOKING_SIDE)
        checked = checked_appointment(
            external_id=external_id,
            starts_at=starts_at,
            status=status,
            mode=mode,
            theme=theme,
            coach=coach,
            themes=self._settings.themes,
        )
        with self._storage.unit_of_work() as uow:
            named = self._visible(uow, actor, trajectory_id)
            coachee = self._ledger.lock(uow, named)
            existing = uow.appointments.by_external_id(named.employer_id, checked.external_id)
            if (
                existing is not None
                and existing.coach_id is None
                and same_report(existing, checked)
                and existing.trajectory_id in {t.id for t in self._ledger.chain(uow, named)}
            ):
                return existing
            if existing is not None and existing.coach_id is not None:
                # A session booked in the portal belongs to its agenda, not to a report.
                raise Conflict("appointment.portal_session")
            appointment = self._ledger.place(
                uow, actor, named, checked, existing=existing, coachee=coachee
            )
            uow.commit()
        return appointment

    def request_extension(
        self, actor: Actor, trajectory_id: str, *, note: str, sessions: int = 1
    ) -> Task:
        """Put a request to extend the trajectory in its employer's task inbox.

        ``actor`` is the booking system (``Actor.integration``) or the service desk.
        """
        require_role(actor, *_BOOKING_SIDE)
        text = checked_extension_request(note, sessions)
        with self._storage.unit_of_work() as uow:
            trajectory = self._visible(uow, actor, trajectory_id)
            task = add_extension_request(
                uow, actor, trajectory, note=text, sessions=sessions, now=self._clock.now()
            )
            uow.commit()
        return task

    # Helpers --------------------------------------------------------------------------------

    @staticmethod
    def _visible(
        uow: TrajectoryUnitOfWork, actor: Actor, trajectory_id: object, *, for_update: bool = False
    ) -> Trajectory:
        return load_visible(
            actor,
            trajectory_id,
            lambda key: uow.trajectories.get(key, for_update=for_update),
            missing="trajectory.not_found",
        )

    def _locked(self, uow: TrajectoryUnitOfWork, actor: Actor, trajectory_id: object) -> Trajectory:
        """The trajectory, locked after its employee: every writer takes the two locks in
        that order, so that none waits for another that waits for it."""
        found = self._visible(uow, actor, trajectory_id)
        uow.employees.get(found.employee_id, for_update=True)
        return self._visible(uow, actor, found.id, for_update=True)


_NO_EMPLOYEE = "employee.not_found"


def checked_extension_request(note: object, sessions: object) -> str:
    """An extension request's note, tidied, if it and the sessions asked for are valid."""
    problems: list[FieldError] = []
    text = (
        " ".join(note.split())
        if isinstance(note, str) and is_printable(note, max_length=10 * _MAX_NOTE)
        else None
    )
    if text is None or len(text) > _MAX_NOTE:
        problems.append(FieldError.of("note", "invalid", max_length=_MAX_NOTE))
    if (
        not isinstance(sessions, int)
        or isinstance(sessions, bool)
        or not 1 <= sessions <= _MAX_EXTENSION
    ):
        problems.append(FieldError.of("sessions", "out_of_range", max_sessions=_MAX_EXTENSION))
    if problems or text is None:
        raise ValidationError(problems)
    return text


def add_extension_request(
    uow: TrajectoryUnitOfWork,
    actor: Actor,
    trajectory: Trajectory,
    *,
    note: str,
    sessions: int,
    now: datetime,
) -> Task:
    """Put a request to extend ``trajectory`` in its employer's task inbox, inside the
    caller's unit of work (the caller checked ``note`` with ``checked_extension_request``
    and that ``actor`` may ask): the booking side's request, or a coach's from a session."""
    task = Task(
        id=new_id(),
        employer_id=trajectory.employer_id,
        employee_id=trajectory.employee_id,
        trajectory_id=trajectory.id,
        kind=TaskKind.EXTENSION_REQUEST,
        note=note,
        sessions=sessions,
        created_at=now,
    )
    uow.tasks.add(task)
    uow.audit.append(
        audit_entry(
            actor,
            "task.created",
            at=now,
            employer_id=task.employer_id,
            subject_type="task",
            subject_id=task.id,
            kind=task.kind.value,
            trajectory_id=trajectory.id,
        )
    )
    return task
