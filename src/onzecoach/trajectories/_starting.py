"""Starting a trajectory: the checks, the row, the booking invitation and the audit entry.

A trajectory starts two ways: HR starts one (``portal.trajectories.start``), or HR approves
an extension request and the task inbox emits ``ExtensionApproved``, which
``TrajectoryStarter.on_extension_approved`` handles in the approval's transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from onzecoach.access import load
from onzecoach.audit import audit_entry
from onzecoach.clock import amsterdam
from onzecoach.crypto import hash_token, new_token
from onzecoach.errors import Conflict, FieldError, NotFound, ValidationError
from onzecoach.ids import new_id
from onzecoach.notifications import new_email
from onzecoach.trajectories._events import CoachingChanged
from onzecoach.trajectories._mails import booking_invitation_mail, nudge_mail
from onzecoach.trajectories._model import Trajectory, TrajectoryType

if TYPE_CHECKING:
    from onzecoach.actors import Actor
    from onzecoach.clock import Clock
    from onzecoach.settings import Settings
    from onzecoach.tasks import ExtensionApproved
    from onzecoach.trajectories._ports import Coachee, TrajectoryUnitOfWork

__all__ = ["BOOKING_INVITATION", "BOOKING_NUDGE", "TrajectoryStarter"]

#: The outbox kind of the employee's booking invitation; its reference is the trajectory.
BOOKING_INVITATION = "booking_invitation"
#: The outbox kind of the reminder to book, queued with the invitation and withdrawn
#: (suppressed) when the employee books; its reference is the trajectory.
BOOKING_NUDGE = "booking.nudge"
#: How far from today a start date may lie, either way.
_START_WINDOW = timedelta(days=366)


class TrajectoryStarter:
    """Starts trajectories inside a caller's transaction, and handles approved extensions."""

    def __init__(self, *, clock: Clock, settings: Settings) -> None:
        self._clock = clock
        self._settings = settings

    def checked(self, type_code: object, start_date: object) -> TrajectoryType:
        """The trajectory type, if the code names one and the start date lies within a
        year of today; every bad field is named at once."""
        problems: list[FieldError] = []
        kind = self._settings.trajectory_type(type_code) if isinstance(type_code, str) else None
        if kind is None:
            problems.append(FieldError.of("type_code", "unknown"))
        today = self._clock.now().astimezone(amsterdam()).date()
        if not isinstance(start_date, date) or isinstance(start_date, datetime):
            problems.append(FieldError.of("start_date", "required"))
        elif abs(start_date - today) > _START_WINDOW:
            problems.append(FieldError.of("start_date", "out_of_range"))
        if problems or kind is None:
            raise ValidationError(problems)
        return kind

    def start(
        self,
        uow: TrajectoryUnitOfWork,
        actor: Actor | None,
        coachee: Coachee,
        kind: TrajectoryType,
        start_date: date,
        *,
        parent: Trajectory | None = None,
        trajectory_id: str | None = None,
    ) -> Trajectory:
        """Start a trajectory for ``coachee``; an extension names the trajectory it extends.

        An employee has one running trajectory at a time; an extension may run beside the
        trajectory it extends, and then shares its booking link (no new invitation).
        """
        # The employee's lock orders this start with a move to another department, and
        # with an erasure: the caller's check may have read the employee before one.
        coachee = uow.employees.get(coachee.id, for_update=True) or coachee
        if coachee.is_erased:
            raise NotFound("employee.not_found")
        running = uow.trajectories.open_for_employee(coachee.id)
        beside = parent is not None and all(parent.id in (t.id, t.parent_id) for t in running)
        if running and not beside:
            raise Conflict("trajectory.already_open")
        if parent is not None and any(t.parent_id == parent.id for t in running):
            raise Conflict("trajectory.already_open")
        now = self._clock.now()
        number = max((t.number for t in uow.trajectories.for_employee(coachee.id)), default=0)
        trajectory = Trajectory(
            id=trajectory_id or new_id(),
            employer_id=coachee.employer_id,
            employee_id=coachee.id,
            number=number + 1,
            type_code=kind.code,
            type_name=kind.name,
            sessions=kind.sessions,
            is_extension=kind.is_extension,
            start_date=start_date,
            created_at=now,
            parent_id=None if parent is None else parent.id,
            department_id=coachee.department_id,
        )
        shares_link = parent is not None and parent.is_open
        secret = None if shares_link else new_token()
        uow.trajectories.add(
            trajectory, booking_token_hash=None if secret is None else hash_token(secret)
        )
        uow.emit(
            CoachingChanged(
                employer_id=trajectory.employer_id,
                employee_id=coachee.id,
                trajectories_after=(trajectory,),
            )
        )
        if secret is not None:
            self.invite(
                uow,
                coachee,
                trajectory,
                secret,
                not_before=now + self._settings.invitation_delay,
            )
        uow.audit.append(
            audit_entry(
                actor,
                "trajectory.started",
                at=now,
                employer_id=trajectory.employer_id,
                subject_type="trajectory",
                subject_id=trajectory.id,
                employee_id=coachee.id,
                type_code=kind.code,
                start_date=start_date.isoformat(),
                parent_id=trajectory.parent_id,
            )
        )
        return trajectory

    def invite(
        self,
        uow: TrajectoryUnitOfWork,
        coachee: Coachee,
        trajectory: Trajectory,
        secret: str,
        *,
        not_before: datetime,
    ) -> None:
        """Queue the employee's invitation to book, carrying the trajectory's link, and the
        reminder to book ``Settings.booking_nudge_after`` later, which a booking withdraws."""
        employer = uow.employers.get(coachee.employer_id)
        link = f"{self._settings.effective_booking_url}/{secret}"
        content = booking_invitation_mail(
            given_name=coachee.given_name,
            employer_name=employer.name if employer else "Je werkgever",
            type_name=trajectory.type_name,
            link=link,
        )
        for kind, mail, at in (
            (BOOKING_INVITATION, content, not_before),
            (
                BOOKING_NUDGE,
                nudge_mail(given_name=coachee.given_name, link=link),
                not_before + self._settings.booking_nudge_after,
            ),
        ):
            uow.outbox.add(
                new_email(
                    self._settings,
                    to=coachee.email,
                    content=mail,
                    kind=kind,
                    now=self._clock.now(),
                    not_before=at,
                    reference=trajectory.id,
                    employer_id=coachee.employer_id,
                )
            )

    def on_extension_approved(self, uow: TrajectoryUnitOfWork, event: ExtensionApproved) -> None:
        """Start the extension an approved request asks for (``tasks.ExtensionApproved``).

        The extension type is the configured one of the request's sessions; the approval
        fails with the reason when there is none or the extension cannot start.
        """
        kind = next(
            (
                t
                for t in self._settings.trajectory_types
                if t.is_extension and t.sessions == event.sessions
            ),
            None,
        )
        if kind is None:
            raise Conflict("extension.not_configured", sessions=event.sessions)
        self.checked(kind.code, event.start_date)
        coachee = load(event.employee_id, uow.employees.get, missing="employee.not_found")
        parent = load(event.trajectory_id, uow.trajectories.get, missing="trajectory.not_found")
        self.start(
            uow,
            event.actor,
            coachee,
            kind,
            event.start_date,
            parent=parent,
            trajectory_id=event.extension_id,
        )
