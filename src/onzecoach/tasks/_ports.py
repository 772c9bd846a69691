"""The task inbox's repository."""

from __future__ import annotations

from typing import Protocol

from onzecoach.audit import AuditRepositories
from onzecoach.events import UnitOfWork
from onzecoach.tasks._model import Task

__all__ = ["TaskRepositories", "TaskRepository", "TaskUnitOfWork"]


class TaskRepository(Protocol):
    def add(self, task: Task) -> None: ...

    def get(self, task_id: str, *, for_update: bool = False) -> Task | None:
        """One task; ``for_update`` locks it until the transaction ends."""
        ...

    def save(self, task: Task) -> None: ...

    def open_for_employer(self, employer_id: str) -> list[Task]:
        """The employer's open tasks, newest first."""
        ...

    def open_for_employee(self, employee_id: str) -> list[Task]:
        """The employee's open tasks, newest first."""
        ...

    def for_employee(self, employee_id: str) -> list[Task]:
        """Every task about the employee, open or done, newest first: for an erasure."""
        ...


class TaskRepositories(Protocol):
    @property
    def tasks(self) -> TaskRepository: ...


class TaskUnitOfWork(TaskRepositories, AuditRepositories, UnitOfWork, Protocol):
    """What the task inbox's use cases touch in one transaction."""
