from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from onzecoach.access import EMPLOYER_STAFF, load_visible, require_role, scope_of
from onzecoach.actors import Actor, Role
from onzecoach.audit import audit_entry
from onzecoach.clock import amsterdam
from onzecoach.employees._dossier import Dossier, InvitationState, NotBooked, TrajectoryRow
from onzecoach.employees._events import EmployeeChanged, EmployeeRemoved, EmployeesAdded
from onzecoach.employees._model import Employee
from onzecoach.employees._validation import EmployeeDetails, validate_employee
from onzecoach.errors import Conflict, FieldError, NotFound, ValidationError
from onzecoach.ids import is_id, new_id
from onzecoach.notifications import OutboxStatus
from onzecoach.trajectories import BOOKING_INVITATION, AppointmentStatus

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.employees._ports import EmployeeUnitOfWork as UnitOfWork
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["EmployeeService"]


def _json(value: object) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


class EmployeeService:
    """Registering employees and reading their dossiers (``portal.employees``)."""

    def __init__(
        self, *, storage: Transactions[UnitOfWork], clock: Clock, settings: Settings
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings

    def register(
        self, actor: Actor, data: Mapping[str, object], *, employer_id: str | None = None
    ) -> Employee:
        """Register an employee with the form's fields (``data``: field -> value).

        Every bad field is named at once (``ValidationError``); an employee number the
        employer uses already answers ``Conflict``. Nothing is written when it raises.
        An HR actor registers for its own employer; the service desk names ``employer_id``.
        """
        require_role(actor, *EMPLOYER_STAFF)
        employer = actor.employer_id if not actor.is_service_desk else employer_id
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            if employer is None or not is_id(employer) or employer not in scope_of(actor):
                raise NotFound("employer.not_found")
            if uow.employers.get(employer) is None:
                raise NotFound("employer.not_found")
            details = self._validated(uow, employer, data)
            employee = Employee.create(id=new_id(), employer_id=employer, details=details, now=now)
            uow.employees.add(employee)
            uow.emit(EmployeesAdded((employee,)))
            uow.audit.append(
                audit_entry(
                    actor,
                    "employee.registered",
                    at=now,
                    employer_id=employer,
                    subject_type="employee",
                    subject_id=employee.id,
                    fields={k: _json(v) for k, v in attrs.asdict(details, recurse=False).items()},
                )
            )
            uow.commit()
        return employee

    def update(self, actor: Actor, employee_id: str, changes: Mapping[str, object]) -> Employee:
        """Change some of an employee's fields; the audit log keeps the old and new values."""
        require_role(actor, *EMPLOYER_STAFF)
        if not isinstance(changes, Mapping):
            raise ValidationError.single("changes", "invalid")
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            # Locked: an erasure running beside this waits for it, or it for the erasure,
            # which this then finds (NotFound); a save never brings an erased row back.
            employee = self._visible(uow, actor, employee_id, for_update=True)
            merged: dict[str, object] = {**attrs.asdict(employee.details, recurse=False), **changes}
            details = self._validated(uow, employee.employer_id, merged)
            updated = employee.with_details(details, now=now)
            before = attrs.asdict(employee.details, recurse=False)
            after = attrs.asdict(details, recurse=False)
            diff = {
                name: [_json(before[name]), _json(after[name])]
                for name in after
                if before[name] != after[name]
            }
            if not diff:
                return employee
            uow.employees.save(updated)
            uow.emit(EmployeeChanged(updated))
            uow.audit.append(
                audit_entry(
                    actor,
                    "employee.updated",
                    at=now,
                    employer_id=employee.employer_id,
                    subject_type="employee",
                    subject_id=employee.id,
                    changes=diff,
                )
            )
            uow.commit()
        return updated

    def remove(self, actor: Actor, employee_id: str) -> None:
        """Remove an employee registered by mistake: one without any trajectory.

        An employee with trajectories stays (``Conflict``): the trajectories, appointments
        and statistics refer to it.
        """
        require_role(actor, *EMPLOYER_STAFF)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            employee = self._visible(uow, actor, employee_id)
            if uow.trajectories.for_employee(employee.id):
                raise Conflict("employee.has_trajectories")
            uow.emit(EmployeeRemoved(employer_id=employee.employer_id, employee_id=employee.id))
            uow.employees.delete(employee.id)
            uow.audit.append(
                audit_entry(
                    actor,
                    "employee.removed",
                    at=now,
                    employer_id=employee.employer_id,
                    subject_type="employee",
                    subject_id=employee.id,
                )
            )
            uow.commit()

    def get(self, actor: Actor, employee_id: str) -> Employee:
        """One employee; another employer's answers ``NotFound``."""
        with self._storage.unit_of_work() as uow:
            return self._visible(uow, actor, employee_id)

    def dossier(self, actor: Actor, employee_id: str) -> Dossier:
        """The employee's dossier; every read is recorded in the audit log."""
        require_role(actor, *EMPLOYER_STAFF)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            employee = self._visible(uow, actor, employee_id)
            department = (
                uow.departments.get(employee.department_id) if employee.department_id else None
            )
            rows = tuple(
                TrajectoryRow.of(
                    trajectory,
                    uow.appointments.for_trajectory(trajectory.id),
                    self._invitation(uow, trajectory.id),
                )
                for trajectory in uow.trajectories.for_employee(employee.id)
            )
            open_tasks = tuple(uow.tasks.open_for_employee(employee.id))
            uow.audit.append(
                audit_entry(
                    actor,
                    "dossier.read",
                    at=now,
                    employer_id=employee.employer_id,
                    subject_type="employee",
                    subject_id=employee.id,
                )
            )
            uow.commit()
        return Dossier(
            employee=employee, department=department, trajectories=rows, open_tasks=open_tasks
        )

    def not_booked(self, actor: Actor, *, employer_id: str | None = None) -> list[NotBooked]:
        """HR's list "Nog niet ingepland": employees whose booking invitation went out more
        than ``Settings.not_booked_after`` ago and who have booked no session since, the
        longest waiting first. HR sees their own employer; the service desk names one.
        ``portal.trajectories.resend_invitation`` sends the invitation again.
        """
        require_role(actor, *EMPLOYER_STAFF)
        chosen = actor.employer_id if actor.role is Role.HR else employer_id
        if chosen is None:
            raise ValidationError.single("employer_id", "required")
        cutoff = self._clock.now() - self._settings.not_booked_after
        found: list[NotBooked] = []
        with self._storage.unit_of_work() as uow:
            load_visible(actor, chosen, uow.employers.get, missing="employer.not_found")
            booked = {
                a.employee_id
                for a in uow.appointments.for_employer(chosen)
                if a.status is not AppointmentStatus.CANCELLED
            }
            for trajectory in uow.trajectories.for_employer(chosen):
                if not trajectory.is_open or trajectory.employee_id in booked:
                    continue
                invitation = self._invitation(uow, trajectory.id)
                if invitation is None or invitation.sent_at is None:
                    continue
                if invitation.status != "sent" or invitation.sent_at > cutoff:
                    continue
                employee = uow.employees.get(trajectory.employee_id)
                if employee is None:
                    continue
                found.append(
                    NotBooked(
                        employee_id=employee.id,
                        name=employee.display_name,
                        trajectory_id=trajectory.id,
                        type_name=trajectory.type_name,
                        invited_at=invitation.sent_at,
                    )
                )
        return sorted(found, key=lambda row: (row.invited_at, row.name))

    def _validated(
        self, uow: UnitOfWork, employer_id: str, data: Mapping[str, object]
    ) -> EmployeeDetails:
        """The form's details, with every bad field named at once, the department's
        belonging to the employer included."""
        if not isinstance(data, Mapping):
            raise ValidationError.single("data", "invalid")
        today = self._clock.now().astimezone(amsterdam()).date()
        problems: list[FieldError] = []
        details: EmployeeDetails | None = None
        try:
            details = validate_employee(
                dict(data), registration_types=self._settings.registration_types, today=today
            )
        except ValidationError as invalid:
            problems.extend(invalid.details)
        department = details.department_id if details is not None else data.get("department_id")
        if isinstance(department, str):
            department = department.strip()
        if not any(p.field == "department_id" for p in problems) and department not in (None, ""):
            found = uow.departments.get(department) if is_id(department) else None
            if found is None or found.employer_id != employer_id:
                problems.append(FieldError.of("department_id", "unknown"))
        if problems or details is None:
            raise ValidationError(problems)
        return details

    @staticmethod
    def _visible(
        uow: UnitOfWork, actor: Actor, employee_id: object, *, for_update: bool = False
    ) -> Employee:
        require_role(actor, *EMPLOYER_STAFF)

        def present(key: str) -> Employee | None:
            # An erased employee is gone for every use case: only its tombstone is left.
            found = uow.employees.get(key, for_update=for_update)
            return None if found is None or found.is_erased else found

        return load_visible(actor, employee_id, present, missing="employee.not_found")

    @staticmethod
    def _invitation(uow: UnitOfWork, trajectory_id: str) -> InvitationState | None:
        messages = uow.outbox.list(kind=BOOKING_INVITATION, reference=trajectory_id, limit=1)
        if not messages:
            return None
        latest = messages[0]
        if latest.status is OutboxStatus.SENT:
            return InvitationState("sent", due_at=latest.not_before, sent_at=latest.sent_at)
        if latest.status is OutboxStatus.DEAD:
            return InvitationState("failed", due_at=latest.not_before, error=latest.last_error)
        return InvitationState("due", due_at=latest.not_before)
