from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import (
    EMPLOYER_STAFF,
    load_visible,
    refuse_coach,
    require_actor,
    require_role,
    scope_of,
)
from onzecoach.actors import Actor
from onzecoach.audit import audit_entry
from onzecoach.clock import amsterdam
from onzecoach.errors import Conflict, ValidationError
from onzecoach.ids import new_id
from onzecoach.tasks._events import ExtensionApproved
from onzecoach.tasks._model import Decision, Task, TaskStatus
from onzecoach.validation import is_printable

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.tasks._ports import TaskUnitOfWork

__all__ = ["TaskService"]

_MAX_NOTE = 2000


class TaskService:
    """The employer's task inbox (``portal.tasks``): extension requests to decide on."""

    def __init__(self, *, storage: Transactions[TaskUnitOfWork], clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def open(self, actor: Actor) -> list[Task]:
        """The actor's employer's open tasks, newest first."""
        scope = scope_of(refuse_coach(actor))
        if scope.every or len(scope.employer_ids) != 1 or actor.employer_id is None:
            # The inbox is an employer's: the service desk and integrations have none.
            return []
        with self._storage.unit_of_work() as uow:
            return uow.tasks.open_for_employer(actor.employer_id)

    def get(self, actor: Actor, task_id: str) -> Task:
        """One task, open or done; another employer's answers ``NotFound``."""
        with self._storage.unit_of_work() as uow:
            return self._visible(uow, actor, task_id)

    def complete(self, actor: Actor, task_id: str) -> None:
        """Mark the task done ("uitgevoerd"): it leaves the open tasks."""
        self._finish(actor, task_id, decision=None, note=None)

    def decline(self, actor: Actor, task_id: str, *, note: str = "") -> None:
        """Decline an extension request, with a note for the record."""
        self._finish(actor, task_id, decision=Decision.DECLINED, note=note)

    def approve(self, actor: Actor, task_id: str, *, start_date: date | None = None) -> Task:
        """Approve an extension request: its extension trajectory starts at once.

        The extension is its own trajectory (the extension type of the task's sessions),
        linked to the trajectory it extends, which may still be running. Returns the task,
        done, with ``extension_trajectory_id`` naming the extension
        (``portal.trajectories.get`` reads it).
        """
        require_actor(actor)
        now = self._clock.now()
        begin = start_date if start_date is not None else now.astimezone(amsterdam()).date()
        with self._storage.unit_of_work() as uow:
            task = self._open_task(uow, actor, task_id)
            extension_id = new_id()
            # The extension first: the task names it.
            uow.emit(
                ExtensionApproved(
                    actor=actor,
                    task_id=task.id,
                    employer_id=task.employer_id,
                    employee_id=task.employee_id,
                    trajectory_id=task.trajectory_id,
                    sessions=task.sessions,
                    start_date=begin,
                    extension_id=extension_id,
                )
            )
            done = self._save_done(
                uow, actor, task, decision=Decision.APPROVED, note=None, extension=extension_id
            )
            uow.commit()
        return done

    def _finish(
        self, actor: Actor, task_id: str, *, decision: Decision | None, note: str | None
    ) -> None:
        require_actor(actor)
        if note is not None and not is_printable(note, max_length=_MAX_NOTE):
            raise ValidationError.single("note", "too_long", max_length=_MAX_NOTE)
        with self._storage.unit_of_work() as uow:
            task = self._open_task(uow, actor, task_id)
            self._save_done(uow, actor, task, decision=decision, note=note, extension=None)
            uow.commit()

    def _open_task(self, uow: TaskUnitOfWork, actor: Actor, task_id: object) -> Task:
        task = self._visible(uow, actor, task_id, for_update=True)
        if task.status is not TaskStatus.OPEN:
            raise Conflict("task.done")
        return task

    def _save_done(
        self,
        uow: TaskUnitOfWork,
        actor: Actor,
        task: Task,
        *,
        decision: Decision | None,
        note: str | None,
        extension: str | None,
    ) -> Task:
        now = self._clock.now()
        done = attrs.evolve(
            task,
            status=TaskStatus.DONE,
            completed_at=now,
            completed_by=actor.user_id,
            decision=decision,
            decision_note=" ".join(note.split()) if note else None,
            extension_trajectory_id=extension,
        )
        uow.tasks.save(done)
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
        return done

    @staticmethod
    def _visible(
        uow: TaskUnitOfWork, actor: Actor, task_id: object, *, for_update: bool = False
    ) -> Task:
        require_role(actor, *EMPLOYER_STAFF)
        return load_visible(
            actor,
            task_id,
            lambda key: uow.tasks.get(key, for_update=for_update),
            missing="task.not_found",
        )
