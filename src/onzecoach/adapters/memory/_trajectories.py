"""Trajectories and their appointments, with the indexes that keep them unique."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.errors import Conflict, NotFound, SlotTaken
from onzecoach.trajectories import Appointment, SessionTime, Trajectory

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = ["MemoryAppointments", "MemoryTrajectories", "TrajectoryTables"]


@attrs.define
class TrajectoryTables:
    """Trajectories and appointments, and the indexes over them."""

    trajectories: dict[str, Trajectory] = attrs.Factory(dict)
    #: The open trajectory of each employee that extends nothing: employee id -> its id.
    open_trajectory: dict[str, str] = attrs.Factory(dict)
    #: The open extension of each trajectory that has one: parent id -> extension id.
    open_extension: dict[str, str] = attrs.Factory(dict)
    #: Each trajectory's booking link (its hash), for those with a link of their own.
    booking_of: dict[str, str] = attrs.Factory(dict)
    trajectory_by_number: dict[tuple[str, int], str] = attrs.Factory(dict)
    trajectory_by_booking: dict[str, str] = attrs.Factory(dict)
    #: Employee id -> the ids of its trajectories (the inner dicts as ordered sets).
    employee_trajectories: dict[str, dict[str, None]] = attrs.Factory(dict)
    appointments: dict[str, Appointment] = attrs.Factory(dict)
    appointment_by_external: dict[tuple[str, str], str] = attrs.Factory(dict)
    #: Trajectory id -> the ids of its appointments.
    trajectory_appointments: dict[str, dict[str, None]] = attrs.Factory(dict)


class MemoryTrajectories:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> TrajectoryTables:
        return self._uow.tables(TrajectoryTables)

    def add(self, trajectory: Trajectory, *, booking_token_hash: str | None = None) -> None:
        tables = self._tables
        if trajectory.id in tables.trajectories:
            raise Conflict("trajectory.exists")
        if booking_token_hash and booking_token_hash in tables.trajectory_by_booking:
            raise Conflict("trajectory.booking_link_taken")
        self._store(trajectory)
        if booking_token_hash:
            self._link(trajectory.id, booking_token_hash)

    def get(self, trajectory_id: str, *, for_update: bool = False) -> Trajectory | None:
        # The unit of work's lock already excludes every other transaction.
        return self._tables.trajectories.get(trajectory_id)

    def save(self, trajectory: Trajectory) -> None:
        if trajectory.id not in self._tables.trajectories:
            raise NotFound("trajectory.not_found")
        self._store(trajectory)

    def set_booking_token(self, trajectory_id: str, booking_token_hash: str) -> None:
        tables = self._tables
        if trajectory_id not in tables.trajectories:
            raise NotFound("trajectory.not_found")
        holder = tables.trajectory_by_booking.get(booking_token_hash)
        if holder is not None and holder != trajectory_id:
            raise Conflict("trajectory.booking_link_taken")
        self._link(trajectory_id, booking_token_hash)

    def by_booking_token(self, booking_token_hash: str) -> Trajectory | None:
        tables = self._tables
        trajectory_id = tables.trajectory_by_booking.get(booking_token_hash)
        return None if trajectory_id is None else tables.trajectories[trajectory_id]

    def for_employee(self, employee_id: str) -> list[Trajectory]:
        tables = self._tables
        ids = tables.employee_trajectories.get(employee_id, {})
        found = [tables.trajectories[i] for i in ids]
        return sorted(found, key=lambda t: t.number, reverse=True)

    def open_for_employee(self, employee_id: str) -> list[Trajectory]:
        return sorted(
            (t for t in self.for_employee(employee_id) if t.is_open), key=lambda t: t.number
        )

    def for_employer(self, employer_id: str) -> list[Trajectory]:
        return [t for t in self._tables.trajectories.values() if t.employer_id == employer_id]

    def _link(self, trajectory_id: str, booking_token_hash: str) -> None:
        tables, uow = self._tables, self._uow
        old = tables.booking_of.get(trajectory_id)
        if old is not None:
            uow.discard(tables.trajectory_by_booking, old)
        uow.put(tables.booking_of, trajectory_id, booking_token_hash)
        uow.put(tables.trajectory_by_booking, booking_token_hash, trajectory_id)

    def _store(self, trajectory: Trajectory) -> None:
        tables = self._tables
        uow = self._uow
        number = (trajectory.employee_id, trajectory.number)
        if tables.trajectory_by_number.get(number, trajectory.id) != trajectory.id:
            raise Conflict("trajectory.number_taken")
        # At most one open trajectory per employee, and one open extension per trajectory.
        index, key = (
            (tables.open_trajectory, trajectory.employee_id)
            if trajectory.parent_id is None
            else (tables.open_extension, trajectory.parent_id)
        )
        holder = index.get(key)
        if trajectory.is_open:
            if holder is not None and holder != trajectory.id:
                raise Conflict("trajectory.already_open")
            uow.put(index, key, trajectory.id)
        elif holder == trajectory.id:
            uow.discard(index, key)
        old = tables.trajectories.get(trajectory.id)
        if old is not None:
            if (old.employee_id, old.number) != number:
                uow.discard(tables.trajectory_by_number, (old.employee_id, old.number))
            if old.employee_id != trajectory.employee_id:
                uow.discard(tables.employee_trajectories[old.employee_id], trajectory.id)
        uow.put(tables.trajectory_by_number, number, trajectory.id)
        uow.put(
            _members(uow, tables.employee_trajectories, trajectory.employee_id), trajectory.id, None
        )
        uow.put(tables.trajectories, trajectory.id, trajectory)


def _members(uow: MemoryUnitOfWork, index: dict[str, dict[str, None]], key: str) -> dict[str, None]:
    """The ids under ``key`` in a one-to-many ``index``, made (undoably) when missing."""
    members = index.get(key)
    if members is None:
        members = {}
        uow.put(index, key, members)
    return members


class MemoryAppointments:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> TrajectoryTables:
        return self._uow.tables(TrajectoryTables)

    def add(self, appointment: Appointment) -> None:
        tables = self._tables
        key = (appointment.employer_id, appointment.external_id)
        if key in tables.appointment_by_external or appointment.id in tables.appointments:
            raise Conflict("appointment.exists")
        self._refuse_overlap(appointment)
        self._uow.put(tables.appointments, appointment.id, appointment)
        self._uow.put(tables.appointment_by_external, key, appointment.id)
        members = _members(self._uow, tables.trajectory_appointments, appointment.trajectory_id)
        self._uow.put(members, appointment.id, None)

    def by_external_id(self, employer_id: str, external_id: str) -> Appointment | None:
        tables = self._tables
        appointment_id = tables.appointment_by_external.get((employer_id, external_id))
        return None if appointment_id is None else tables.appointments[appointment_id]

    def save(self, appointment: Appointment) -> None:
        tables = self._tables
        old = tables.appointments.get(appointment.id)
        if old is None:
            raise NotFound("appointment.not_found")
        if (old.employer_id, old.external_id) != (appointment.employer_id, appointment.external_id):
            raise ValueError("an appointment keeps its external id")
        self._refuse_overlap(appointment)
        if old.trajectory_id != appointment.trajectory_id:
            self._uow.discard(tables.trajectory_appointments[old.trajectory_id], appointment.id)
            members = _members(self._uow, tables.trajectory_appointments, appointment.trajectory_id)
            self._uow.put(members, appointment.id, None)
        self._uow.put(tables.appointments, appointment.id, appointment)

    def replace_external_id(self, appointment_id: str, external_id: str) -> None:
        tables = self._tables
        old = tables.appointments.get(appointment_id)
        if old is None:
            raise NotFound("appointment.not_found")
        key = (old.employer_id, external_id)
        if tables.appointment_by_external.get(key, appointment_id) != appointment_id:
            raise Conflict("appointment.exists")
        self._uow.discard(tables.appointment_by_external, (old.employer_id, old.external_id))
        self._uow.put(tables.appointment_by_external, key, appointment_id)
        renamed = attrs.evolve(old, external_id=external_id)
        self._uow.put(tables.appointments, appointment_id, renamed)

    def get(self, appointment_id: str, *, for_update: bool = False) -> Appointment | None:
        return self._tables.appointments.get(appointment_id)

    def for_coaches(
        self,
        coach_ids: Collection[str],
        *,
        start: datetime,
        end: datetime,
        taking_time: bool = True,
    ) -> list[Appointment]:
        wanted = set(coach_ids)
        found = [
            a
            for a in self._tables.appointments.values()
            if a.coach_id in wanted
            and a.ends_at is not None
            and a.starts_at < end
            and start < a.ends_at
            and (a.takes_coach_time or not taking_time)
        ]
        return sorted(found, key=lambda a: (a.starts_at, a.id))

    def coach_times(
        self, coach_ids: Collection[str], *, start: datetime, end: datetime
    ) -> list[SessionTime]:
        return [
            SessionTime(a.id, a.coach_id or "", a.starts_at, a.ends_at or a.starts_at)
            for a in self.for_coaches(coach_ids, start=start, end=end)
        ]

    def _refuse_overlap(self, appointment: Appointment) -> None:
        """What the SQL databases' constraint says: one coach's sessions never overlap."""
        if not appointment.takes_coach_time:
            return
        for other in self._tables.appointments.values():
            if other.id != appointment.id and appointment.overlaps(other):
                raise SlotTaken("booking.slot_taken")

    def for_trajectory(self, trajectory_id: str) -> list[Appointment]:
        tables = self._tables
        ids = tables.trajectory_appointments.get(trajectory_id, {})
        found = [tables.appointments[i] for i in ids]
        return sorted(found, key=lambda a: (a.starts_at, a.id))

    def for_employer(self, employer_id: str) -> list[Appointment]:
        return [a for a in self._tables.appointments.values() if a.employer_id == employer_id]
