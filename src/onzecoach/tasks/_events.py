"""What the task inbox tells other features."""

from __future__ import annotations

from datetime import date

import attrs

from onzecoach.actors import Actor
from onzecoach.events import Event

__all__ = ["ExtensionApproved"]


@attrs.frozen
class ExtensionApproved(Event):
    """HR approved a request to extend a trajectory: the extension must start.

    ``extension_id`` is the id the extension trajectory gets, chosen when the task was
    decided, so that the task can name it once the extension stands. A handler that cannot
    start the extension raises, and the approval fails with it.
    """

    actor: Actor
    task_id: str
    employer_id: str
    employee_id: str
    trajectory_id: str
    sessions: int
    start_date: date
    extension_id: str
