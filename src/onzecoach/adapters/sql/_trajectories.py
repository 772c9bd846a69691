"""Trajectories and their appointments."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from onzecoach.errors import Conflict, NotFound
from onzecoach.trajectories import Appointment, SessionTime, Trajectory

from . import _tables as t
from ._base import GuardedRepository, Repository, fields_except, row_values, structure_row

__all__ = ["SqlAppointments", "SqlTrajectories"]


# Trajectories ------------------------------------------------------------------------

_TRAJECTORY_EXISTS = "trajectory.exists"
_TRAJECTORY_NUMBER_TAKEN = "trajectory.number_taken"
_ALREADY_OPEN = "trajectory.already_open"
_LINK_TAKEN = "trajectory.booking_link_taken"
_TRAJECTORY_CONFLICTS = {
    "uq_onzecoach_trajectories_employee_id_number": _TRAJECTORY_NUMBER_TAKEN,
    "ix_onzecoach_trajectories_open": _ALREADY_OPEN,
    "ix_onzecoach_trajectories_open_extension": _ALREADY_OPEN,
    "uq_onzecoach_trajectories_booking_token_hash": _LINK_TAKEN,
}
_TRAJECTORY_STATE = fields_except(Trajectory, "id")


def _trajectory(row: Row[Any]) -> Trajectory:
    return structure_row(row, Trajectory)


_TRAJECTORY_CLASHES = sa.select(
    t.trajectories.c.id,
    t.trajectories.c.number,
    t.trajectories.c.closed_at,
    t.trajectories.c.parent_id,
    t.trajectories.c.booking_token_hash,
).where(
    sa.or_(
        t.trajectories.c.id == sa.bindparam("_id"),
        t.trajectories.c.booking_token_hash == sa.bindparam("_booking"),
        sa.and_(
            t.trajectories.c.employee_id == sa.bindparam("_employee_id"),
            sa.or_(
                t.trajectories.c.number == sa.bindparam("_number"),
                t.trajectories.c.closed_at.is_(None),
            ),
        ),
    )
)
_GET_TRAJECTORY = t.trajectories.select().where(t.trajectories.c.id == sa.bindparam("_id"))
# PostgreSQL: SELECT ... FOR UPDATE. SQLite: its write lock, taken before it (``_sqlite``).
_LOCK_TRAJECTORY = _GET_TRAJECTORY.with_for_update()
_SAVE_TRAJECTORY = (
    t.trajectories.update()
    .where(t.trajectories.c.id == sa.bindparam("_id"))
    .values({name: sa.bindparam(name) for name in _TRAJECTORY_STATE})
)
_TRAJECTORIES_OF_EMPLOYEE = (
    t.trajectories.select()
    .where(t.trajectories.c.employee_id == sa.bindparam("_employee_id"))
    .order_by(t.trajectories.c.number.desc())
)
_TRAJECTORIES_OF_EMPLOYER = t.trajectories.select().where(
    t.trajectories.c.employer_id == sa.bindparam("_employer_id")
)
_OPEN_TRAJECTORIES = (
    t.trajectories.select()
    .where(
        t.trajectories.c.employee_id == sa.bindparam("_employee_id"),
        t.trajectories.c.closed_at.is_(None),
    )
    .order_by(t.trajectories.c.number)
)
_BY_BOOKING_TOKEN = t.trajectories.select().where(
    t.trajectories.c.booking_token_hash == sa.bindparam("_hash")
)
_SET_BOOKING_TOKEN = (
    t.trajectories.update()
    .where(t.trajectories.c.id == sa.bindparam("_id"))
    .values(booking_token_hash=sa.bindparam("_hash"))
)


class SqlTrajectories(GuardedRepository):
    def add(self, trajectory: Trajectory, *, booking_token_hash: str | None = None) -> None:
        # As for employees: the memory adapter's order of complaints, the database's word.
        clashes = self._execute(
            _TRAJECTORY_CLASHES,
            "adding a trajectory",
            {
                "_id": trajectory.id,
                "_employee_id": trajectory.employee_id,
                "_number": trajectory.number,
                "_booking": booking_token_hash,
            },
        ).all()
        if any(row.id == trajectory.id for row in clashes):
            raise Conflict(_TRAJECTORY_EXISTS)
        if booking_token_hash and any(
            row.booking_token_hash == booking_token_hash for row in clashes
        ):
            raise Conflict(_LINK_TAKEN)
        if any(row.number == trajectory.number for row in clashes):
            raise Conflict(_TRAJECTORY_NUMBER_TAKEN)
        if trajectory.is_open and any(
            row.closed_at is None and row.parent_id == trajectory.parent_id for row in clashes
        ):
            # Both open and extending nothing, or both open extensions of one trajectory.
            raise Conflict(_ALREADY_OPEN)
        self._write(
            t.trajectories.insert(),
            "adding a trajectory",
            {
                "id": trajectory.id,
                "booking_token_hash": booking_token_hash,
                **self._state(trajectory),
            },
            table=t.trajectories,
            conflicts={"pk_onzecoach_trajectories": _TRAJECTORY_EXISTS, **_TRAJECTORY_CONFLICTS},
        )

    def get(self, trajectory_id: str, *, for_update: bool = False) -> Trajectory | None:
        row = self._execute(
            _LOCK_TRAJECTORY if for_update else _GET_TRAJECTORY,
            "reading a trajectory",
            {"_id": trajectory_id},
        ).one_or_none()
        return None if row is None else _trajectory(row)

    def save(self, trajectory: Trajectory) -> None:
        result = self._write(
            _SAVE_TRAJECTORY,
            "updating a trajectory",
            {"_id": trajectory.id, **self._state(trajectory)},
            table=t.trajectories,
            conflicts=_TRAJECTORY_CONFLICTS,
        )
        if result.rowcount != 1:
            raise NotFound("trajectory.not_found")

    def set_booking_token(self, trajectory_id: str, booking_token_hash: str) -> None:
        result = self._write(
            _SET_BOOKING_TOKEN,
            "giving a trajectory a new booking link",
            {"_id": trajectory_id, "_hash": booking_token_hash},
            table=t.trajectories,
            conflicts=_TRAJECTORY_CONFLICTS,
        )
        if result.rowcount != 1:
            raise NotFound("trajectory.not_found")

    def by_booking_token(self, booking_token_hash: str) -> Trajectory | None:
        row = self._execute(
            _BY_BOOKING_TOKEN, "finding a booking link", {"_hash": booking_token_hash}
        ).one_or_none()
        return None if row is None else _trajectory(row)

    def for_employee(self, employee_id: str) -> list[Trajectory]:
        rows = self._execute(
            _TRAJECTORIES_OF_EMPLOYEE, "listing trajectories", {"_employee_id": employee_id}
        )
        return [_trajectory(row) for row in rows]

    def open_for_employee(self, employee_id: str) -> list[Trajectory]:
        rows = self._execute(
            _OPEN_TRAJECTORIES, "reading the open trajectories", {"_employee_id": employee_id}
        )
        return [_trajectory(row) for row in rows]

    def for_employer(self, employer_id: str) -> list[Trajectory]:
        rows = self._execute(
            _TRAJECTORIES_OF_EMPLOYER, "listing trajectories", {"_employer_id": employer_id}
        )
        return [_trajectory(row) for row in rows]

    @staticmethod
    def _state(trajectory: Trajectory) -> dict[str, Any]:
        return row_values(trajectory, _TRAJECTORY_STATE)


# Appointments ------------------------------------------------------------------------

_APPOINTMENT_STATE = fields_except(Appointment, "id", "employer_id", "external_id")


def _appointment(row: Row[Any]) -> Appointment:
    return structure_row(row, Appointment)


_BY_EXTERNAL_ID = t.appointments.select().where(
    t.appointments.c.employer_id == sa.bindparam("_employer_id"),
    t.appointments.c.external_id == sa.bindparam("_external_id"),
)
# The key (employer, external id) is part of the condition: an appointment keeps it.
_SAVE_APPOINTMENT = (
    t.appointments.update()
    .where(
        t.appointments.c.id == sa.bindparam("_id"),
        t.appointments.c.employer_id == sa.bindparam("_employer_id"),
        t.appointments.c.external_id == sa.bindparam("_external_id"),
    )
    .values({name: sa.bindparam(name) for name in _APPOINTMENT_STATE})
)
_APPOINTMENT_EXISTS = sa.select(t.appointments.c.id).where(
    t.appointments.c.id == sa.bindparam("_id")
)
_APPOINTMENTS_OF_TRAJECTORY = (
    t.appointments.select()
    .where(t.appointments.c.trajectory_id == sa.bindparam("_trajectory_id"))
    .order_by(t.appointments.c.starts_at, t.appointments.c.id)
)


# The unique key (employer, external id) leads with the employer: its index serves this.
_APPOINTMENTS_OF_EMPLOYER = t.appointments.select().where(
    t.appointments.c.employer_id == sa.bindparam("_employer_id")
)


_APPOINTMENT = t.appointments.select().where(t.appointments.c.id == sa.bindparam("_id"))
_APPOINTMENT_FOR_UPDATE = _APPOINTMENT.with_for_update()


_A = t.appointments.c
# The partial index (coach_id, starts_at) serves these: a session that meets the range
# starts before its end, and after its start minus the longest session there can be. Built
# once, with the coach ids as one expanding parameter: a search runs them many times.
_MEETS = (
    _A.coach_id.in_(sa.bindparam("_ids", expanding=True)),
    _A.starts_at < sa.bindparam("_end"),
    _A.starts_at > sa.bindparam("_earliest"),
    _A.ends_at > sa.bindparam("_start"),
)
_COACH_SESSIONS = t.appointments.select().where(*_MEETS).order_by(_A.starts_at, _A.id)
_COACH_SESSIONS_TAKING_TIME = _COACH_SESSIONS.where(_A.status.in_(t.COACH_TIME_STATUSES))
_COACH_TIMES = (
    sa.select(_A.id, _A.coach_id, _A.starts_at, _A.ends_at)
    .where(*_MEETS, _A.status.in_(t.COACH_TIME_STATUSES))
    .order_by(_A.starts_at, _A.id)
)


#: Longer than any session a coach's availability allows (``MAX_SESSION_MINUTES``).
_LONGEST_SESSION = timedelta(days=1)


def _range(coach_ids: Collection[str], start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "_ids": list(coach_ids),
        "_start": start,
        "_end": end,
        "_earliest": start - _LONGEST_SESSION,
    }


class SqlAppointments(Repository):
    def get(self, appointment_id: str, *, for_update: bool = False) -> Appointment | None:
        statement = _APPOINTMENT_FOR_UPDATE if for_update else _APPOINTMENT
        row = self._execute(statement, "reading an appointment", {"_id": appointment_id}).first()
        return None if row is None else _appointment(row)

    def for_coaches(
        self,
        coach_ids: Collection[str],
        *,
        start: datetime,
        end: datetime,
        taking_time: bool = True,
    ) -> list[Appointment]:
        if not coach_ids:
            return []
        statement = _COACH_SESSIONS_TAKING_TIME if taking_time else _COACH_SESSIONS
        rows = self._execute(statement, "listing a coach's sessions", _range(coach_ids, start, end))
        return [_appointment(row) for row in rows]

    def coach_times(
        self, coach_ids: Collection[str], *, start: datetime, end: datetime
    ) -> list[SessionTime]:
        if not coach_ids:
            return []
        rows = self._execute(_COACH_TIMES, "reading coaches' times", _range(coach_ids, start, end))
        return [SessionTime(row.id, row.coach_id, row.starts_at, row.ends_at) for row in rows]

    def add(self, appointment: Appointment) -> None:
        self._execute(
            t.appointments.insert(),
            "adding an appointment",
            {
                "id": appointment.id,
                "employer_id": appointment.employer_id,
                "external_id": appointment.external_id,
                **self._state(appointment),
            },
            conflict="appointment.exists",
        )

    def by_external_id(self, employer_id: str, external_id: str) -> Appointment | None:
        row = self._execute(
            _BY_EXTERNAL_ID,
            "reading an appointment",
            {"_employer_id": employer_id, "_external_id": external_id},
        ).one_or_none()
        return None if row is None else _appointment(row)

    def save(self, appointment: Appointment) -> None:
        result = self._execute(
            _SAVE_APPOINTMENT,
            "updating an appointment",
            {
                "_id": appointment.id,
                "_employer_id": appointment.employer_id,
                "_external_id": appointment.external_id,
                **self._state(appointment),
            },
        )
        if result.rowcount == 1:
            return
        known = self._execute(
            _APPOINTMENT_EXISTS, "reading an appointment", {"_id": appointment.id}
        ).first()
        if known is None:
            raise NotFound("appointment.not_found")
        raise ValueError("an appointment keeps its external id")

    def replace_external_id(self, appointment_id: str, external_id: str) -> None:
        result = self._execute(
            t.appointments.update()
            .where(t.appointments.c.id == appointment_id)
            .values(external_id=external_id),
            "renaming an appointment",
            conflict="appointment.exists",
        )
        if result.rowcount != 1:
            raise NotFound("appointment.not_found")

    def for_trajectory(self, trajectory_id: str) -> list[Appointment]:
        rows = self._execute(
            _APPOINTMENTS_OF_TRAJECTORY, "listing appointments", {"_trajectory_id": trajectory_id}
        )
        return [_appointment(row) for row in rows]

    def for_employer(self, employer_id: str) -> list[Appointment]:
        rows = self._execute(
            _APPOINTMENTS_OF_EMPLOYER, "listing appointments", {"_employer_id": employer_id}
        )
        return [_appointment(row) for row in rows]

    @staticmethod
    def _state(appointment: Appointment) -> dict[str, Any]:
        return row_values(appointment, _APPOINTMENT_STATE)
