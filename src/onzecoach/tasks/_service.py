from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from onzecoach.actors import Actor, can_see
from onzecoach.audit import audit_entry
from onzecoach.clock import amsterdam
from onzecoach.errors import Conflict, NotFound, ValidationError
from onzecoach.tasks._model import Decision, Task, TaskStatus
from onzecoach.trajectories._model import Trajectory

if TYPE_CHECKING:
    from onzecoach.ports import Clock, Storage, UnitOfWork
    from onzecoach.settings import Settings
    from onzecoach.trajectories._service import TrajectoryService

__all__ = ["TaskService"]

_MAX_NOTE = 2000


class TaskService:
    """The employer's task inbox (``portal.tasks``): extension requests to decide on."""

    def __init__(
        self,
        *,
        storage: Storage,
        clock: Clock,
        settings: Settings,
        trajectories: TrajectoryService,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._trajectories = trajectories

    def open(self, actor: Actor) -> list[Task]:
        """The actor's employer's open tasks, newest first."""
        if actor.employer_id is None:
            return []
        with self._storage.unit_of_work() as uow:
            return uow.tasks.open_for_employer(actor.employer_id)

    def get(self, actor: Actor, task_id: str) -> Task:
        with self._storage.unit_of_work() as uow:
            return self._visible(uow, actor, task_id)

    def complete(self, actor: Actor, task_id: str) -> None:
        """Mark the task done ("uitgevoerd"): it leaves the open tasks."""
        self._finish(actor, task_id, decision=None, note=None)

    def decline(self, actor: Actor, task_id: str, *, note: str = "") -> None:
        """Decline an extension request, with a note for the record."""
        self._finish(actor, task_id, decision=Decision.DECLINED, note=note)

    def approve(self, actor: Actor, task_id: str, *, start_date: date | None = None) -> Trajectory:
        """Approve an extension request: its extension trajectory starts at once.

        The employee is invited to book, as with any start; the task is done.
        """
        now = self._clock.now()
        begin = start_date or now.astimezone(amsterdam()).date()
        with self._storage.unit_of_work() as uow:
            task = self._visible(uow, actor, task_id, for_update=True)
            if task.status is not TaskStatus.OPEN:
                raise Conflict("Deze taak is al afgehandeld.")
            kind = next(
                (
                    t
                    for t in self._settings.trajectory_types
                    if t.is_extension and t.sessions == task.sessions
                ),
                None,
            )
            if kind is None:
                raise Conflict(f"Er is geen verlenging van {task.sessions} gesprek(ken) ingesteld.")
            self._trajectories.checked_start(kind.code, begin)
            employee = uow.employees.get(task.employee_id)
            if employee is None:
                raise NotFound("Werknemer niet gevonden.")
            extension = self._trajectories.start_in(
                uow, actor, employee, kind, begin, parent_id=task.trajectory_id
            )
            self._save_done(
                uow, actor, task, decision=Decision.APPROVED, note=None, extension=extension.id
            )
            uow.commit()
        return extension

    def _finish(
        self, actor: Actor, task_id: str, *, decision: Decision | None, note: str | None
    ) -> None:
        if note is not None and (not isinstance(note, str) or len(note) > _MAX_NOTE):
            raise ValidationError.single(
                "note", "too_long", f"Een toelichting heeft hoogstens {_MAX_NOTE} tekens."
            )
        with self._storage.unit_of_work() as uow:
            task = self._visible(uow, actor, task_id, for_update=True)
            if task.status is not TaskStatus.OPEN:
                raise Conflict("Deze taak is al afgehandeld.")
            self._save_done(uow, actor, task, decision=decision, note=note, extension=None)
            uow.commit()

    def _save_done(
        self,
        uow: UnitOfWork,
        actor: Actor,
        task: Task,
        *,
        decision: Decision | None,
        note: str | None,
        extension: str | None,
    ) -> None:
        now = self._clock.now()
        uow.tasks.save(
            attrs.evolve(
                task,
                status=TaskStatus.DONE,
                completed_at=now,
                completed_by=actor.user_id,
                decision=decision,
                decision_note=" ".join(note.split()) if note else None,
                extension_trajectory_id=extension,
            )
        )
        uow.audit.append(
            audit_entry(
                actor,
                "task.done",
                at=now,
                employer_id=task.employer_id,
                subject_type="task",
                subject_id=task.id,
                decision=None if decision is None else decision.value,
            )
        )

    @staticmethod
    def _visible(
        uow: UnitOfWork, actor: Actor, task_id: object, *, for_update: bool = False
    ) -> Task:
        task = uow.tasks.get(task_id, for_update=for_update) if isinstance(task_id, str) else None
        if task is None or not can_see(actor, task.employer_id):
            raise NotFound("Taak niet gevonden.")
        return task
