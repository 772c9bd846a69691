"""The task inbox: extension requests to decide on and mark done."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from onzecoach.errors import Conflict, NotFound
from onzecoach.tasks import Task, TaskStatus

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["MemoryTasks", "TaskTables"]


@attrs.define
class TaskTables:
    """Tasks by id."""

    tasks: dict[str, Task] = attrs.Factory(dict)


class MemoryTasks:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> TaskTables:
        return self._uow.tables(TaskTables)

    def add(self, task: Task) -> None:
        if task.id in self._tables.tasks:
            raise Conflict("task.exists")
        self._uow.put(self._tables.tasks, task.id, task)

    def get(self, task_id: str, *, for_update: bool = False) -> Task | None:
        return self._tables.tasks.get(task_id)

    def save(self, task: Task) -> None:
        if task.id not in self._tables.tasks:
            raise NotFound("task.not_found")
        self._uow.put(self._tables.tasks, task.id, task)

    def open_for_employer(self, employer_id: str) -> list[Task]:
        return self._open(lambda t: t.employer_id == employer_id)

    def open_for_employee(self, employee_id: str) -> list[Task]:
        return self._open(lambda t: t.employee_id == employee_id)

    def for_employee(self, employee_id: str) -> list[Task]:
        found = [t for t in self._tables.tasks.values() if t.employee_id == employee_id]
        return sorted(found, key=lambda t: (t.created_at, t.id), reverse=True)

    def _open(self, wanted: Callable[[Task], bool]) -> list[Task]:
        found = [
            t for t in self._tables.tasks.values() if t.status is TaskStatus.OPEN and wanted(t)
        ]
        return sorted(found, key=lambda t: (t.created_at, t.id), reverse=True)
