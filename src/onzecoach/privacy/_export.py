"""The right of access and portability (AVG art. 15 and 20), and who read a dossier.

``export`` gathers everything the portal holds about one employee: their details, their
trajectories, appointments and tasks, the messages sent to them or about them, and every
audited read and change of their dossier. ``access_log`` is that last part alone, for the
dossier's "Inzage" tab.

The coaches' notes rule (docs/privacy.md): an export made by HR never holds the notes a
coach keeps on the sessions, nor the theme the coach reported for a session, since HR may
never read them (the dossier leaves themes out too: what one person discusses is not the
employer's); the service desk's export, made on the person's own request, holds both,
since they are personal data about the person (art. 15).

Readers appear by role and organisation, never by a person's name: "HR, <employer>",
"Servicedesk", "Coach", "Koppeling <system>".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import EMPLOYER_STAFF, load_visible, require_role
from onzecoach.actors import Role
from onzecoach.audit import audit_entry
from onzecoach.booking import REMINDER, SESSION_MAIL, note_context
from onzecoach.employees import EmployeeDetails
from onzecoach.errors import DecryptionFailed, NotFound
from onzecoach.notifications import Channel, outbox_context
from onzecoach.privacy._archive import (
    AccessEntry,
    ExportedAppointment,
    ExportedMessage,
    ExportedTask,
    ExportedTrajectory,
    PersonalData,
)
from onzecoach.privacy._labels import (
    ACTION_LABELS,
    LINK_LEFT_OUT,
    OTHER_ACTION,
    READER_LABELS,
    UNKNOWN_READER,
    UNREADABLE,
)
from onzecoach.trajectories import BOOKING_INVITATION, BOOKING_NUDGE

if TYPE_CHECKING:
    from datetime import datetime

    from onzecoach.actors import Actor
    from onzecoach.audit import AuditEntry
    from onzecoach.clock import Clock
    from onzecoach.crypto import Sealer
    from onzecoach.employees import Employee
    from onzecoach.events import Transactions
    from onzecoach.notifications import OutboxMessage
    from onzecoach.privacy._ports import PrivacyUnitOfWork as UnitOfWork
    from onzecoach.settings import Settings
    from onzecoach.trajectories import Appointment, Trajectory

__all__ = ["PersonalDataService"]

#: A link in a message's text: it may carry a one-time token (a booking link).
_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
#: The employee's details in the export, in the form's order; the department by its name.
_DETAILS = tuple(f.name for f in attrs.fields(EmployeeDetails) if f.name != "department_id")
#: The outbox kinds that go to the employee themself, at the address or number they had
#: then: the booking invitation and the nudge to book (on a trajectory), a session's mails
#: and its reminders by mail and SMS (on the session). Any other kind on these references
#: (a write to the coach's calendar) went to someone else.
_TO_EMPLOYEE = frozenset({BOOKING_INVITATION, BOOKING_NUDGE, SESSION_MAIL, REMINDER})
#: How many messages to read at a time; more are read until none is left out.
_PAGE = 500


class PersonalDataService:
    """A person's export and their dossier's access log (``portal.privacy``)."""

    def __init__(
        self, *, storage: Transactions[UnitOfWork], clock: Clock, settings: Settings
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings

    def export(self, actor: Actor, employee_id: str) -> PersonalData:
        """Everything held about the employee; ``.archive()`` gives the zip file.

        HR exports its own employer's employees (another's answer ``NotFound``), without the
        coaches' notes and the sessions' themes; the service desk any, with them. Coaches
        and integrations may not. The export is audited as ``privacy.exported``, with
        nothing personal.
        """
        require_role(actor, *EMPLOYER_STAFF)
        includes_notes = actor.is_service_desk
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            employee = self._visible(uow, actor, employee_id)
            uow.audit.append(
                audit_entry(
                    actor,
                    "privacy.exported",
                    at=now,
                    employer_id=employee.employer_id,
                    subject_type="employee",
                    subject_id=employee.id,
                    includes_notes=includes_notes,
                )
            )
            data = self._gather(uow, actor, employee, includes_notes=includes_notes, now=now)
            uow.commit()
        return data

    def access_log(self, actor: Actor, employee_id: str) -> list[AccessEntry]:
        """Every audited read and change of the employee's dossier (the employee, its
        trajectories, which their sessions' changes are audited on, and its tasks), newest
        first. HR of the employer and the service desk; reading it is not itself audited."""
        require_role(actor, *EMPLOYER_STAFF)
        with self._storage.unit_of_work() as uow:
            employee = self._visible(uow, actor, employee_id)
            trajectories = uow.trajectories.for_employee(employee.id)
            tasks = uow.tasks.for_employee(employee.id)
            return self._access_log(uow, employee, trajectories, [t.id for t in tasks])

    @staticmethod
    def _visible(uow: UnitOfWork, actor: Actor, employee_id: str) -> Employee:
        employee = load_visible(actor, employee_id, uow.employees.get, missing="employee.not_found")
        if employee.is_erased:
            raise NotFound("employee.not_found")
        return employee

    def _gather(
        self,
        uow: UnitOfWork,
        actor: Actor,
        employee: Employee,
        *,
        includes_notes: bool,
        now: datetime,
    ) -> PersonalData:
        employer = uow.employers.get(employee.employer_id)
        department = (
            None if employee.department_id is None else uow.departments.get(employee.department_id)
        )
        trajectories = uow.trajectories.for_employee(employee.id)
        appointments = sorted(
            (a for t in trajectories for a in uow.appointments.for_trajectory(t.id)),
            key=lambda a: (a.starts_at, a.id),
        )
        tasks = uow.tasks.for_employee(employee.id)
        references = [
            employee.id,
            *(t.id for t in trajectories),
            *(a.id for a in appointments),
            *(t.id for t in tasks),
        ]
        messages = {
            message.id: message for reference in references for message in _all(uow, reference)
        }
        return PersonalData(
            made_at=now,
            made_by=_reader(actor.role, employer.name if employer else None, actor.user_id),
            includes_notes=includes_notes,
            employee_id=employee.id,
            employer="" if employer is None else employer.name,
            department=None if department is None else department.name,
            employee={name: getattr(employee, name) for name in _DETAILS},
            registered_at=employee.created_at,
            updated_at=employee.updated_at,
            trajectories=tuple(_trajectory(t) for t in trajectories),
            appointments=tuple(
                self._appointment(uow, a, includes_notes=includes_notes) for a in appointments
            ),
            tasks=tuple(
                ExportedTask(
                    id=task.id,
                    trajectory_id=task.trajectory_id,
                    kind=task.kind.value,
                    kind_label=task.kind.label,
                    note=task.note,
                    sessions=task.sessions,
                    status=task.status.value,
                    decision=None if task.decision is None else task.decision.value,
                    decision_note=task.decision_note,
                    created_at=task.created_at,
                    completed_at=task.completed_at,
                )
                for task in tasks
            ),
            messages=tuple(
                self._message(message)
                for message in sorted(messages.values(), key=lambda m: (m.created_at, m.id))
            ),
            access_log=tuple(self._access_log(uow, employee, trajectories, [t.id for t in tasks])),
        )

    def _appointment(
        self, uow: UnitOfWork, appointment: Appointment, *, includes_notes: bool
    ) -> ExportedAppointment:
        coach = appointment.coach
        if appointment.coach_id is not None:
            found = uow.coaches.get(appointment.coach_id)
            coach = coach if found is None else found.profile.name
        note = None
        if includes_notes:
            stored = uow.session_notes.get(appointment.id)
            if stored is not None:
                note = _opened(
                    self._settings.sealer, stored.text, context=note_context(stored.appointment_id)
                )
        return ExportedAppointment(
            id=appointment.id,
            trajectory_id=appointment.trajectory_id,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            status=appointment.status.value,
            status_label=appointment.status.label,
            mode=appointment.mode.value,
            # The theme is the coach's report of what was discussed: like the note, HR
            # never reads it (the dossier leaves it out too).
            theme=None
            if appointment.theme is None or not includes_notes
            else self._settings.theme_name(appointment.theme),
            coach=coach,
            location=appointment.location,
            external_id=appointment.external_id,
            note=note,
            created_at=appointment.created_at,
        )

    def _message(self, message: OutboxMessage) -> ExportedMessage:
        # By what the message is, not by comparing addresses: a mail to a former address
        # went to the person all the same.
        to_employee = message.channel is not Channel.CALENDAR and message.kind in _TO_EMPLOYEE
        text = (
            _opened(self._settings.sealer, message.text, context=outbox_context(message.id))
            if message.text
            else ""
        )
        return ExportedMessage(
            id=message.id,
            channel=message.channel.value,
            kind=message.kind,
            recipient=message.recipient if to_employee else None,
            to_employee=to_employee,
            subject=message.subject,
            text=_LINK.sub(LINK_LEFT_OUT, text),
            status=message.status.value,
            reference=message.reference,
            created_at=message.created_at,
            sent_at=message.sent_at,
        )

    @staticmethod
    def _access_log(
        uow: UnitOfWork,
        employee: Employee,
        trajectories: list[Trajectory],
        task_ids: list[str],
    ) -> list[AccessEntry]:
        # A session's changes are audited on its trajectory (the ledger's entries), so the
        # sessions need no query of their own.
        subjects = [
            ("employee", employee.id),
            *(("trajectory", t.id) for t in trajectories),
            *(("task", task_id) for task_id in task_ids),
        ]
        entries = [
            entry
            for subject_type, subject_id in subjects
            for entry in uow.audit.for_subject(subject_type, subject_id)
        ]
        employers: dict[str, str | None] = {}

        def organisation(entry: AuditEntry) -> str | None:
            # The organisation is the employer the entry was written for (its
            # employer_id): for HR, the employer whose staff acted.
            key = entry.employer_id
            if key is None:
                return None
            if key not in employers:
                found = uow.employers.get(key)
                employers[key] = None if found is None else found.name
            return employers[key]

        # Newest first; entries of one moment in the reverse of the order they were written
        # (the log's own order, across subjects).
        ordered = sorted(
            enumerate(entries),
            key=lambda pair: (pair[1].at, pair[1].seq or 0, pair[0]),
            reverse=True,
        )
        return [
            AccessEntry(
                at=entry.at,
                action=entry.action,
                label=ACTION_LABELS.get(entry.action, OTHER_ACTION),
                reader=_reader(entry.actor_role, organisation(entry), entry.actor_id),
                role=entry.actor_role,
                subject_type=entry.subject_type,
                subject_id=entry.subject_id,
                details=entry.details,
            )
            for _, entry in ordered
        ]


def _all(uow: UnitOfWork, reference: str) -> list[OutboxMessage]:
    """Every message on ``reference``: the outbox lists at most ``limit``, so ask for more
    until fewer come back than were asked for."""
    limit = _PAGE
    while True:
        found = uow.outbox.list(reference=reference, limit=limit)
        if len(found) < limit:
            return found
        limit *= 4


def _opened(sealer: Sealer, sealed: str, *, context: str) -> str:
    """A sealed text opened; one that no configured key opens any more (sealed before a
    key was rotated out) is marked, so that the rest of the export still goes out."""
    try:
        return sealer.open(sealed, context=context)
    except DecryptionFailed:
        return UNREADABLE


def _reader(role: Role | None, employer: str | None, actor_id: str | None) -> str:
    """Who acted, by role and organisation: HR names its employer, an integration its
    system's name (``Actor.integration(name, ...)`` keeps it as the actor's id); no person
    is named."""
    if role is None:
        return UNKNOWN_READER
    label = READER_LABELS.get(role, role.value)
    if role is Role.HR and employer:
        return f"{label}, {employer}"
    if role is Role.INTEGRATION and actor_id:
        return f"{label} {actor_id}"
    return label


def _trajectory(trajectory: Trajectory) -> ExportedTrajectory:
    return ExportedTrajectory(
        id=trajectory.id,
        number=trajectory.number,
        type_code=trajectory.type_code,
        type_name=trajectory.type_name,
        sessions=trajectory.sessions,
        is_extension=trajectory.is_extension,
        parent_id=trajectory.parent_id,
        start_date=trajectory.start_date,
        end_date=trajectory.end_date,
        status=trajectory.status.value,
        closed_reason=None if trajectory.closed_reason is None else trajectory.closed_reason.value,
        classification=trajectory.classification,
        held=trajectory.held,
        planned=trajectory.planned,
        created_at=trajectory.created_at,
    )
