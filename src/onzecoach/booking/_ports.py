"""The booking feature's ports: its notes, and what it reads of employees and coaches."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from onzecoach.booking._model import SessionNote
from onzecoach.coaches import CoachRepositories
from onzecoach.throttling import ThrottlingRepositories
from onzecoach.trajectories import Coachee, TrajectoryUnitOfWork

__all__ = [
    "BookingRepositories",
    "BookingUnitOfWork",
    "Client",
    "ClientRepository",
    "NoteRepository",
]


class Client(Coachee, Protocol):
    """What a booking needs to know of the employee beyond what a trajectory does: whom to
    address by full name, text and find the nearest coach for."""

    @property
    def name_infix(self) -> str | None: ...
    @property
    def last_name(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def postcode(self) -> str | None: ...


class ClientRepository(Protocol):
    def get(self, employee_id: str, *, for_update: bool = False) -> Client | None: ...


class NoteRepository(Protocol):
    def get(self, appointment_id: str) -> SessionNote | None: ...

    def put(self, note: SessionNote) -> None:
        """Store the note, replacing the session's earlier one."""
        ...

    def delete(self, appointment_id: str) -> None: ...

    def noted(self, appointment_ids: Collection[str]) -> set[str]:
        """Which of the sessions have a note."""
        ...

    def page(self, *, after: str | None, limit: int) -> list[SessionNote]:
        """Up to ``limit`` notes by session id, those after ``after``: for a key rotation."""
        ...

    def replace_text(self, appointment_id: str, *, old: str, new: str) -> bool:
        """Replace the sealed text if it is still ``old``; whether it was."""
        ...


class BookingRepositories(Protocol):
    @property
    def session_notes(self) -> NoteRepository: ...


class BookingUnitOfWork(
    BookingRepositories,
    CoachRepositories,
    ThrottlingRepositories,
    TrajectoryUnitOfWork,
    Protocol,
):
    """What the PlanningsAgenda and the coach's workspace touch in one transaction."""

    @property
    def employees(self) -> ClientRepository: ...
