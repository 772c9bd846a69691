from __future__ import annotations

import enum
from datetime import datetime

import attrs

from onzecoach.clock import optional_utc, utc

__all__ = ["Decision", "Task", "TaskKind", "TaskStatus"]


class TaskKind(enum.StrEnum):
    EXTENSION_REQUEST = "extension_request"

    @property
    def label(self) -> str:
        return {TaskKind.EXTENSION_REQUEST: "Verzoek tot verlenging"}[self]


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"  # "uitgevoerd"


class Decision(enum.StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


@attrs.frozen
class Task:
    """A task in an employer's inbox, such as a request to extend a trajectory."""

    id: str
    employer_id: str
    employee_id: str
    trajectory_id: str
    kind: TaskKind
    note: str
    sessions: int
    created_at: datetime = attrs.field(converter=utc)
    status: TaskStatus = TaskStatus.OPEN
    completed_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    completed_by: str | None = None
    decision: Decision | None = None
    decision_note: str | None = None
    extension_trajectory_id: str | None = None
