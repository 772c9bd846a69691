"""The task inbox: extension requests to decide on and mark done ("uitgevoerd")."""

from onzecoach.tasks._events import ExtensionApproved
from onzecoach.tasks._model import Decision, Task, TaskKind, TaskStatus
from onzecoach.tasks._ports import TaskRepositories, TaskRepository, TaskUnitOfWork
from onzecoach.tasks._service import TaskService

__all__ = [
    "Decision",
    "ExtensionApproved",
    "Task",
    "TaskKind",
    "TaskRepositories",
    "TaskRepository",
    "TaskService",
    "TaskStatus",
    "TaskUnitOfWork",
]
