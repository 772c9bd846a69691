from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import EMPLOYER_STAFF, load, load_visible, require_role
from onzecoach.actors import Actor, Role
from onzecoach.audit import audit_entry
from onzecoach.crypto import hash_token, new_token
from onzecoach.employers import EmployerPolicy, employer_policy
from onzecoach.errors import Conflict, FieldError, QuotaExceeded, ValidationError
from onzecoach.ids import new_id
from onzecoach.notifications import OutboxStatus
from onzecoach.tasks import Task, TaskKind
from onzecoach.trajectories._appointments import checked_appointment, same_report
from onzecoach.trajectories._events import CoachingChanged
from onzecoach.trajectories._model import (
    Appointment,
    AppointmentMode,
    AppointmentModeName,
    AppointmentStatus,
    AppointmentStatusName,
    Trajectory,
    TrajectoryType,
)
from onzecoach.trajectories._starting import BOOKING_INVITATION, TrajectoryStarter
from onzecoach.validation import is_printable

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings
    from onzecoach.trajectories._ports import TrajectoryUnitOfWork

__all__ = ["TrajectoryService"]

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
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._starter = starter

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
            holder = self._link_holder(uow, trajectory)
            coachee = load(trajectory.employee_id, uow.employees.get, missing=_NO_EMPLOYEE)
            secret = new_token()
            uow.trajectories.set_booking_token(holder.id, hash_token(secret))
            # An invitation still waiting for its delay would carry the dead link: it stays.
            for waiting in uow.outbox.list(
                status=OutboxStatus.PENDING, kind=BOOKING_INVITATION, reference=holder.id
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
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            named = self._visible(uow, actor, trajectory_id)
            # The employee's lock orders this write with every other write to the employee's
            # trajectories and statistics; the trajectory's lock comes after it, always.
            coachee = uow.employees.get(named.employee_id, for_update=True)
            chain = _chain(uow.trajectories.for_employee(named.employee_id), named)
            existing = uow.appointments.by_external_id(named.employer_id, checked.external_id)
            if existing is not None and existing.trajectory_id not in {t.id for t in chain}:
                raise Conflict("appointment.other_trajectory")
            if existing is not None and same_report(existing, checked):
                return existing
            policy = employer_policy(uow, named.employer_id, self._settings)
            target, others = self._target(uow, chain, named, existing, checked, policy=policy)
            trajectory = self._visible(uow, actor, target.id, for_update=True)
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
                    else coachee.department_id
                    if coachee
                    else None
                ),
            )
            if appointment.counts_against_quota(policy) and not trajectory.has_room(
                others, policy=policy
            ):
                raise QuotaExceeded("trajectory.quota_exceeded", sessions=trajectory.sessions)
            if existing is None:
                uow.appointments.add(appointment)
            else:
                uow.appointments.save(appointment)
            updated = trajectory.after([*others, appointment], now=now, policy=policy)
            if updated.is_open and not trajectory.is_open and _extended(chain, trajectory):
                # A correction to a finished trajectory whose extension already runs: the
                # counts follow, the trajectory stays closed.
                updated = attrs.evolve(
                    updated,
                    closed_at=trajectory.closed_at,
                    closed_reason=trajectory.closed_reason,
                    end_date=trajectory.end_date,
                )
            uow.trajectories.save(updated)
            uow.emit(
                CoachingChanged(
                    employer_id=updated.employer_id,
                    employee_id=updated.employee_id,
                    trajectories_before=(trajectory,),
                    trajectories_after=(updated,),
                    appointments_before=() if existing is None else (existing,),
                    appointments_after=(appointment,),
                )
            )
            uow.audit.append(
                audit_entry(
                    actor,
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

    def request_extension(
        self, actor: Actor, trajectory_id: str, *, note: str, sessions: int = 1
    ) -> Task:
        """Put a request to extend the trajectory in its employer's task inbox.

        ``actor`` is the booking system (``Actor.integration``) or the service desk.
        """
        require_role(actor, *_BOOKING_SIDE)
        problems: list[FieldError] = []
        text = " ".join(note.split()) if is_printable(note, max_length=10 * _MAX_NOTE) else None
        if text is None or len(text) > _MAX_NOTE:
            problems.append(FieldError.of("note", "invalid", max_length=_MAX_NOTE))
        if (
            not isinstance(sessions, int)
            or isinstance(sessions, bool)
            or not 1 <= sessions <= _MAX_EXTENSION
        ):
            problems.append(FieldError.of("sessions", "out_of_range", max_sessions=_MAX_EXTENSION))
        if problems:
            raise ValidationError(problems)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            trajectory = self._visible(uow, actor, trajectory_id)
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

    @staticmethod
    def _link_holder(uow: TrajectoryUnitOfWork, trajectory: Trajectory) -> Trajectory:
        """The trajectory whose booking link serves ``trajectory``: itself, or for an
        extension that runs beside the trajectory it extends, that trajectory."""
        if trajectory.parent_id is None:
            return trajectory
        parent = uow.trajectories.get(trajectory.parent_id)
        if parent is not None and parent.is_open:
            return parent
        return trajectory

    @staticmethod
    def _target(
        uow: TrajectoryUnitOfWork,
        chain: Sequence[Trajectory],
        named: Trajectory,
        existing: Appointment | None,
        reported: Appointment,
        *,
        policy: EmployerPolicy,
    ) -> tuple[Trajectory, list[Appointment]]:
        """The trajectory an appointment belongs to, with that trajectory's other
        appointments.

        A known appointment stays where it is. A new one that counts goes to the first
        trajectory of the chain (the trajectory, then its extensions) with a session left;
        one that does not count, to the trajectory named. A trajectory closed by hand
        takes no new appointments.
        """
        if existing is not None:
            holder = next(t for t in chain if t.id == existing.trajectory_id)
            others = [a for a in uow.appointments.for_trajectory(holder.id) if a.id != existing.id]
            return holder, others
        candidates = [t for t in chain if t.takes_appointments]
        if not candidates:
            raise Conflict("trajectory.closed")
        booked = {t.id: uow.appointments.for_trajectory(t.id) for t in candidates}
        if reported.counts_against_quota(policy):
            for candidate in candidates:
                if candidate.has_room(booked[candidate.id], policy=policy):
                    return candidate, booked[candidate.id]
        if not named.takes_appointments:
            raise Conflict("trajectory.closed")
        return named, booked[named.id]


_NO_EMPLOYEE = "employee.not_found"


def _chain(trajectories: Sequence[Trajectory], named: Trajectory) -> list[Trajectory]:
    """The trajectory ``named`` belongs with: the one it extends (or itself), then every
    extension of that, oldest first."""
    by_id = {t.id: t for t in trajectories}
    by_id.setdefault(named.id, named)

    def root(trajectory: Trajectory) -> str:
        seen = set()
        while trajectory.parent_id is not None and trajectory.parent_id in by_id:
            if trajectory.id in seen:  # pragma: no cover - a cycle is never written
                break
            seen.add(trajectory.id)
            trajectory = by_id[trajectory.parent_id]
        return trajectory.id

    top = root(named)
    members = [t for t in by_id.values() if root(t) == top]
    return sorted(members, key=lambda t: t.number)


def _extended(chain: Sequence[Trajectory], trajectory: Trajectory) -> bool:
    """Whether an extension of ``trajectory`` runs."""
    return any(t.parent_id == trajectory.id and t.is_open for t in chain)
