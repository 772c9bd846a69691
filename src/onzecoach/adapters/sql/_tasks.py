"""The employers' tasks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from onzecoach.errors import NotFound
from onzecoach.tasks import Task, TaskStatus

from . import _tables as t
from ._base import Repository, fields_except, row_values, structure_row

__all__ = ["SqlTasks"]

_TASK_STATE = fields_except(Task, "id")


def _task(row: Row[Any]) -> Task:
    return structure_row(row, Task)


_SAVE_TASK = (
    t.tasks.update()
    .where(t.tasks.c.id == sa.bindparam("_id"))
    .values({name: sa.bindparam(name) for name in _TASK_STATE})
)


def _open_tasks(column: sa.Column[str]) -> sa.Select[Any]:
    return (
        t.tasks.select()
        .where(column == sa.bindparam("_owner"), t.tasks.c.status == TaskStatus.OPEN.value)
        .order_by(t.tasks.c.created_at.desc(), t.tasks.c.id.desc())
    )


_OPEN_TASKS_OF_EMPLOYER = _open_tasks(t.tasks.c.employer_id)
_OPEN_TASKS_OF_EMPLOYEE = _open_tasks(t.tasks.c.employee_id)


class SqlTasks(Repository):
    def add(self, task: Task) -> None:
        self._execute(
            t.tasks.insert(),
            "adding a task",
            {"id": task.id, **self._state(task)},
            conflict="task.exists",
        )

    def get(self, task_id: str, *, for_update: bool = False) -> Task | None:
        query = t.tasks.select().where(t.tasks.c.id == task_id)
        if for_update:
            query = query.with_for_update()
        row = self._execute(query, "reading a task").one_or_none()
        return None if row is None else _task(row)

    def save(self, task: Task) -> None:
        result = self._execute(_SAVE_TASK, "updating a task", {"_id": task.id, **self._state(task)})
        if result.rowcount != 1:
            raise NotFound("task.not_found")

    def open_for_employer(self, employer_id: str) -> list[Task]:
        rows = self._execute(_OPEN_TASKS_OF_EMPLOYER, "listing tasks", {"_owner": employer_id})
        return [_task(row) for row in rows]

    def open_for_employee(self, employee_id: str) -> list[Task]:
        rows = self._execute(_OPEN_TASKS_OF_EMPLOYEE, "listing tasks", {"_owner": employee_id})
        return [_task(row) for row in rows]

    def for_employee(self, employee_id: str) -> list[Task]:
        c = t.tasks.c
        rows = self._execute(
            t.tasks.select()
            .where(c.employee_id == employee_id)
            .order_by(c.created_at.desc(), c.id.desc()),
            "listing tasks",
        )
        return [_task(row) for row in rows]

    @staticmethod
    def _state(task: Task) -> dict[str, Any]:
        return row_values(task, _TASK_STATE)
