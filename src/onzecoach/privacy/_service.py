"""Erasure (AVG art. 17): the person's data goes from every table, the statistics stay.

What goes, and how (one unit of work per employee: a failure leaves nothing half-erased):

- the employee row becomes a tombstone (``Employee.erased``): personal columns empty,
  ``erased_at`` set; it shows as "Verwijderde werknemer", search and the dossier no longer
  find it and lists leave it out;
- the person's search index rows;
- future planned sessions are cancelled through the booking's own path (``Agenda.cancel``
  as the coach cancels, or the ledger for an outside booking system's appointment), so the
  coach's calendar event is removed through the outbox and queued reminders are withdrawn;
  open trajectories are closed by hand and their booking link no longer opens;
- every appointment's external id (replaced by ``verwijderd:<appointment id>``) and
  location; the coaches' notes on the sessions; the notes of the employee's tasks (an open
  request for an extension is declined);
- every outbox message about the person's trajectories and sessions, sent or not:
  address, subject, bodies and attachments emptied, those not sent suppressed; only the
  removals of calendar events (which name nobody) still go out;
- in the audit log, the details of every entry about the employee or its trajectories
  become ``[verwijderd]`` (``AuditRepository.redact``); the entries themselves stay.

What stays is what the statistics count: trajectories (type, dates, department),
appointments (time, status, mode, theme, department) and the rollups. A session in the
past keeps its status; a future one the erasure cancels counts as a cancellation in its
own month, as when its coach cancels it, and a rebuild gives the same figures.

The reason for an erasure is required but never stored: an HR contact types it, and it
may well name the person. The audit entry ``privacy.erased`` holds only its length.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import EMPLOYER_STAFF, load_visible, require_role, require_service_desk
from onzecoach.audit import audit_entry
from onzecoach.errors import NotFound, ValidationError
from onzecoach.notifications import CALENDAR_DELETE, OutboxStatus
from onzecoach.privacy._erasure_list import merge_erasures
from onzecoach.privacy._export import PersonalDataService
from onzecoach.privacy._model import ERASED_EXTERNAL_ID_PREFIX, MAX_REASON_LENGTH, ErasedEmployee
from onzecoach.privacy._retention import Retention
from onzecoach.tasks import Decision, TaskStatus
from onzecoach.trajectories import AppointmentStatus, CoachingChanged, link_holder

if TYPE_CHECKING:
    from datetime import datetime

    from onzecoach.actors import Actor
    from onzecoach.booking import Agenda
    from onzecoach.clock import Clock
    from onzecoach.employees import Employee
    from onzecoach.events import Transactions
    from onzecoach.privacy._archive import AccessEntry, PersonalData
    from onzecoach.privacy._ports import RetentionUnitOfWork as UnitOfWork
    from onzecoach.privacy._report import PurgeReport, PurgeRun
    from onzecoach.privacy._retention import Progress
    from onzecoach.settings import Settings
    from onzecoach.trajectories import Appointment, Trajectory

__all__ = ["PrivacyService"]

#: Details an audit entry about the person keeps: ids, codes and states, nothing typed.
_KEPT_DETAILS = frozenset(
    {
        "employee_id",
        "trajectory_id",
        "type_code",
        "status",
        "kind",
        "decision",
        "method",
        # An earlier erasure's own entry holds nothing personal.
        "again",
        "cancelled_sessions",
        "reason_length",
        # An export's own entry: whether it held the coaches' notes.
        "includes_notes",
        "retention",
    }
)
#: How many erased employees ``reapply`` reads at a time.
_PAGE = 200


class PrivacyService:
    """Erasing employees, their export and their dossier's access log (``portal.privacy``)."""

    def __init__(
        self,
        *,
        storage: Transactions[UnitOfWork],
        clock: Clock,
        agenda: Agenda,
        settings: Settings,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._agenda = agenda
        self._retention = Retention(
            storage=storage,
            clock=clock,
            settings=settings,
            erase=lambda uow, actor, employee: self._erase(
                uow, actor, employee, reason_length=None, again=False, retention=True
            ),
        )
        self._data = PersonalDataService(storage=storage, clock=clock, settings=settings)

    def export(self, actor: Actor, employee_id: str) -> PersonalData:
        """Everything held about the employee (AVG art. 15 and 20); ``.archive()`` gives
        the zip file. See ``PersonalDataService.export``."""
        return self._data.export(actor, employee_id)

    def access_log(self, actor: Actor, employee_id: str) -> list[AccessEntry]:
        """Who read or changed the employee's dossier, newest first (the "Inzage" tab).
        See ``PersonalDataService.access_log``."""
        return self._data.access_log(actor, employee_id)

    def erase(self, actor: Actor, employee_id: str, reason: str) -> None:
        """Erase the employee's personal data from every table (see the module's text).

        HR erases its own employer's employees (another's answer ``NotFound``), the service
        desk any; coaches and integrations may not. ``reason`` is required (at most
        ``MAX_REASON_LENGTH`` characters) and is not stored. An employee erased already
        answers ``NotFound``, as it does everywhere else.
        """
        require_role(actor, *EMPLOYER_STAFF)
        length = _reason_length(reason)
        with self._storage.unit_of_work() as uow:
            employee = load_visible(
                actor,
                employee_id,
                lambda key: uow.employees.get(key, for_update=True),
                missing="employee.not_found",
            )
            if employee.is_erased:
                raise NotFound("employee.not_found")
            self._erase(uow, actor, employee, reason_length=length, again=False)
            uow.commit()

    def erasures(self, actor: Actor) -> list[ErasedEmployee]:
        """Every erased employee the list holds (id, employer, time; nothing personal),
        by id: what ``onzecoach privacy erasures export`` writes to a file kept outside the
        database. Service desk only."""
        require_service_desk(actor)
        listed: list[ErasedEmployee] = []
        with self._storage.unit_of_work() as uow:
            while page := uow.erasures.page(
                after=listed[-1].employee_id if listed else None, limit=_PAGE
            ):
                listed.extend(page)
        return listed

    def reapply(self, actor: Actor, *, listed: Iterable[ErasedEmployee] = ()) -> int:
        """Erase again every erased employee whose row holds personal data again (a restored
        backup from before the erasure); return how many. Service desk only. Each employee
        is erased in its own transaction.

        ``listed`` (the list read from outside the database, ``read_erasure_list``) is first
        merged into the database's own list, in one transaction: a backup taken before an
        erasure does not hold that erasure in its list. An entry whose employee exists under
        another employer is refused (``ValidationError`` on ``listed``) before anything is
        written: the list belongs to another portal.
        """
        require_service_desk(actor)
        entries = list(listed)
        if not all(isinstance(item, ErasedEmployee) for item in entries):
            raise ValidationError.single("listed", "invalid")
        if entries:
            self._merge(merge_erasures(entries))
        erased = 0
        after: str | None = None
        while True:
            with self._storage.unit_of_work() as uow:
                page = uow.erasures.page(after=after, limit=_PAGE)
            if not page:
                return erased
            after = page[-1].employee_id
            for item in page:
                with self._storage.unit_of_work() as uow:
                    employee = uow.employees.get(item.employee_id, for_update=True)
                    if employee is None:
                        continue
                    if employee.is_erased and not employee.holds_personal_data:
                        continue
                    self._erase(uow, actor, employee, reason_length=None, again=True)
                    uow.commit()
                    erased += 1

    def purge_due(
        self, actor: Actor, *, dry_run: bool = False, progress: Progress | None = None
    ) -> PurgeReport:
        """Erase every employee past their employer's retention period, each in its own
        transaction, and clean up what is kept for a while only; audited as
        ``privacy.purged``. ``dry_run`` lists the same and changes nothing. Service desk
        only. See ``onzecoach.privacy._retention``."""
        return self._retention.purge_due(actor, dry_run=dry_run, progress=progress)

    def purge_runs(self, actor: Actor, *, limit: int = 20) -> list[PurgeRun]:
        """The last ``limit`` retention runs, newest first (service desk only)."""
        return self._retention.runs(actor, limit=limit)

    def _merge(self, listed: list[ErasedEmployee]) -> None:
        with self._storage.unit_of_work() as uow:
            for item in listed:
                employee = uow.employees.get(item.employee_id)
                if employee is not None and employee.employer_id != item.employer_id:
                    raise ValidationError.single("listed", "employer_mismatch")
            for item in listed:
                uow.erasures.add(item)
            uow.commit()

    def _erase(
        self,
        uow: UnitOfWork,
        actor: Actor,
        employee: Employee,
        *,
        reason_length: int | None,
        again: bool,
        retention: bool = False,
    ) -> None:
        now = self._clock.now()
        cancelled = self._cancel_future_sessions(uow, actor, employee, now=now)
        trajectories = self._close_trajectories(uow, employee, now=now)
        appointments = [a for t in trajectories for a in uow.appointments.for_trajectory(t.id)]
        for appointment in appointments:
            if appointment.location is not None:
                uow.appointments.save(attrs.evolve(appointment, location=None))
            erased_id = f"{ERASED_EXTERNAL_ID_PREFIX}{appointment.id}"
            if appointment.external_id != erased_id:
                uow.appointments.replace_external_id(appointment.id, erased_id)
            uow.session_notes.delete(appointment.id)
        references = [employee.id, *(t.id for t in trajectories), *(a.id for a in appointments)]
        uow.outbox.empty(
            [
                message.id
                for reference in references
                for message in uow.outbox.list(reference=reference, limit=100_000)
                if not (message.kind == CALENDAR_DELETE and message.status is OutboxStatus.PENDING)
            ]
        )
        tasks = self._withdraw_tasks(uow, actor, employee, now=now)
        uow.search.remove(employee.id)
        uow.audit.redact("employee", [employee.id], keep=_KEPT_DETAILS)
        uow.audit.redact("trajectory", [t.id for t in trajectories], keep=_KEPT_DETAILS)
        uow.audit.redact("task", tasks, keep=_KEPT_DETAILS)
        uow.employees.save(employee.erased(now=now))
        uow.erasures.add(
            ErasedEmployee(employee_id=employee.id, employer_id=employee.employer_id, erased_at=now)
        )
        details: dict[str, object] = {"cancelled_sessions": cancelled, "again": again}
        if reason_length is not None:
            details["reason_length"] = reason_length
        if retention:
            details["retention"] = True
        uow.audit.append(
            audit_entry(
                actor,
                "privacy.erased",
                at=now,
                employer_id=employee.employer_id,
                subject_type="employee",
                subject_id=employee.id,
                **details,
            )
        )

    def _cancel_future_sessions(
        self, uow: UnitOfWork, actor: Actor, employee: Employee, *, now: datetime
    ) -> int:
        """Cancel the planned sessions that have not begun, as their coach would; how many."""
        cancelled = 0
        for trajectory in uow.trajectories.for_employee(employee.id):
            for appointment in uow.appointments.for_trajectory(trajectory.id):
                if appointment.status is not AppointmentStatus.PLANNED:
                    continue
                if appointment.starts_at <= now:
                    continue
                self._cancel(uow, actor, employee, appointment)
                cancelled += 1
        return cancelled

    def _cancel(
        self, uow: UnitOfWork, actor: Actor, employee: Employee, appointment: Appointment
    ) -> None:
        trajectory = uow.trajectories.get(appointment.trajectory_id)
        if trajectory is None:  # pragma: no cover - an appointment has its trajectory
            return
        coach = None if appointment.coach_id is None else uow.coaches.get(appointment.coach_id)
        if coach is not None:
            self._agenda.cancel(
                uow,
                actor,
                holder=link_holder(uow, trajectory),
                appointment=appointment,
                client=employee,
                coach=coach,
                link=None,
                by_coach=True,
            )
            return
        # An outside booking system's appointment: the ledger alone.
        self._agenda.ledger.place(
            uow,
            actor,
            trajectory,
            attrs.evolve(appointment, status=AppointmentStatus.CANCELLED),
            existing=appointment,
            coachee=employee,
            action="privacy.cancelled",
        )

    @staticmethod
    def _withdraw_tasks(
        uow: UnitOfWork, actor: Actor, employee: Employee, *, now: datetime
    ) -> list[str]:
        """Empty the notes of the employee's tasks (a coach's request for an extension, HR's
        answer: typed text); an open one is declined, as its trajectory closed. Their ids."""
        ids = []
        for task in uow.tasks.for_employee(employee.id):
            emptied = attrs.evolve(
                task, note="", decision_note=None if task.decision_note is None else ""
            )
            if task.status is TaskStatus.OPEN:
                emptied = attrs.evolve(
                    emptied,
                    status=TaskStatus.DONE,
                    decision=Decision.DECLINED,
                    completed_at=now,
                    completed_by=actor.user_id,
                )
            if emptied != task:
                uow.tasks.save(emptied)
            ids.append(task.id)
        return ids

    @staticmethod
    def _close_trajectories(
        uow: UnitOfWork, employee: Employee, *, now: datetime
    ) -> list[Trajectory]:
        """Close the open trajectories by hand (which no statistic counts) and make their
        booking links open nothing; every trajectory of the employee, as it is after."""
        trajectories = []
        for found in uow.trajectories.for_employee(employee.id):
            trajectory = found
            if found.is_open:
                trajectory = found.closed_by_hand(now=now)
                uow.trajectories.save(trajectory)
                uow.emit(
                    CoachingChanged(
                        employer_id=trajectory.employer_id,
                        employee_id=trajectory.employee_id,
                        trajectories_before=(found,),
                        trajectories_after=(trajectory,),
                    )
                )
            # A hash of a secret nobody holds: the old link opens nothing.
            unknown = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
            uow.trajectories.set_booking_token(trajectory.id, unknown)
            trajectories.append(trajectory)
        return trajectories


def _reason_length(reason: object) -> int:
    if not isinstance(reason, str):
        raise ValidationError.single("reason", "invalid")
    text = reason.strip()
    if not text:
        raise ValidationError.single("reason", "required")
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError.single("reason", "too_long", max_length=MAX_REASON_LENGTH)
    return len(text)
