"""Employees, their trajectories and appointments, and the employers' tasks."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import CursorResult, Row

from onzecoach.employees import Employee
from onzecoach.errors import Conflict, NotFound
from onzecoach.tasks import Task, TaskStatus
from onzecoach.trajectories import Appointment, Trajectory

from . import _tables as t
from ._errors import translate_errors
from ._repositories import Repository
from ._rows import fields_except, row_values, structure_row

__all__ = ["SqlAppointments", "SqlEmployees", "SqlTasks", "SqlTrajectories"]


def _unique_keys(table: sa.Table) -> dict[tuple[str, ...], str]:
    """The columns of each unique constraint and unique index of ``table``, to its name."""
    keys = {
        tuple(column.name for column in constraint.columns): str(constraint.name)
        for constraint in table.constraints
        if isinstance(constraint, sa.PrimaryKeyConstraint | sa.UniqueConstraint)
    }
    keys.update(
        (tuple(column.name for column in index.columns), str(index.name))
        for index in table.indexes
        if index.unique
    )
    return keys


_UNIQUE_KEYS = {table.name: _unique_keys(table) for table in (t.employees, t.trajectories)}
_SQLITE_UNIQUE = "UNIQUE constraint failed: "


def _broken_unique(table: sa.Table, error: sa_exc.IntegrityError) -> str | None:
    """The name of the unique constraint or index of ``table`` that a write broke, if any."""
    origin = error.orig
    diagnosis = getattr(origin, "diag", None)  # psycopg names the constraint
    if diagnosis is not None:
        return None if getattr(origin, "sqlstate", None) != "23505" else diagnosis.constraint_name
    # SQLite names its columns instead: "UNIQUE constraint failed: table.a, table.b".
    message = str(origin)
    if not message.startswith(_SQLITE_UNIQUE):
        return None
    columns = message.removeprefix(_SQLITE_UNIQUE).split(", ")
    key = tuple(column.removeprefix(f"{table.name}.") for column in columns)
    return _UNIQUE_KEYS[table.name].get(key)


class _GuardedRepository(Repository):
    def _write(
        self,
        statement: sa.Executable,
        action: str,
        parameters: dict[str, Any] | list[dict[str, Any]],
        *,
        table: sa.Table,
        conflicts: Mapping[str, str],
    ) -> CursorResult[Any]:
        """Execute a write; a broken unique rule named in ``conflicts`` raises its message."""
        with translate_errors(action):
            try:
                return self._connection.execute(statement, parameters)
            except sa_exc.IntegrityError as exc:
                message = conflicts.get(_broken_unique(table, exc) or "")
                if message is None:
                    raise
                raise Conflict(message) from exc


# Employees ---------------------------------------------------------------------------

_EMPLOYEE_EXISTS = "Deze werknemer bestaat al."
_EMPLOYEE_NUMBER = "uq_onzecoach_employees_employer_id_employee_number"
_NUMBERS_TAKEN = "Een van deze personeelsnummers is al in gebruik bij deze werkgever."
_EMPLOYEE_STATE = fields_except(Employee, "id", "created_at")
_EMPLOYEE_COLUMNS = ("id", "created_at", *_EMPLOYEE_STATE)


def _employee_row(employee: Employee) -> tuple[Any, ...]:
    """The employee's values in the order of ``_EMPLOYEE_COLUMNS``, enums as stored."""
    values = (getattr(employee, name) for name in _EMPLOYEE_COLUMNS)
    return tuple(value.value if isinstance(value, enum.Enum) else value for value in values)


def _employee(row: Row[Any]) -> Employee:
    return structure_row(row, Employee)


_EMPLOYEE_CLASHES = sa.select(t.employees.c.id).where(
    sa.or_(
        t.employees.c.id == sa.bindparam("_id"),
        sa.and_(
            t.employees.c.employer_id == sa.bindparam("_employer_id"),
            t.employees.c.employee_number == sa.bindparam("_employee_number"),
        ),
    )
)
_SAVE_EMPLOYEE = (
    t.employees.update()
    .where(t.employees.c.id == sa.bindparam("_id"))
    .values({name: sa.bindparam(name) for name in _EMPLOYEE_STATE})
)

_GET_EMPLOYEE = t.employees.select().where(t.employees.c.id == sa.bindparam("_id"))
# PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores it; BEGIN IMMEDIATE already serialises.
_LOCK_EMPLOYEE = _GET_EMPLOYEE.with_for_update()
_GET_EMPLOYEES = t.employees.select().where(
    t.employees.c.id.in_(sa.bindparam("_ids", expanding=True))
)
# The unique key (employer, employee number) has an index that serves this.
_BY_NUMBER_IN = t.employees.select().where(
    t.employees.c.employer_id == sa.bindparam("_employer_id"),
    t.employees.c.employee_number.in_(sa.bindparam("_numbers", expanding=True)),
)
# PostgreSQL: the numbers as one array, joined. During a bulk import the table's
# statistics lag far behind its size, and with the IN list above the planner then reads
# every employee of the employer and compares each with every number of the batch.
_numbers = (
    sa.func.unnest(sa.bindparam("_numbers", type_=postgresql.ARRAY(sa.String())))
    .table_valued("number")
    .render_derived(name="numbers")
)
_BY_NUMBER_JOINED = (
    t.employees.select()
    .join(_numbers, t.employees.c.employee_number == _numbers.c.number)
    .where(t.employees.c.employer_id == sa.bindparam("_employer_id"))
)
_EMPLOYEES_BY_NUMBER = {"postgresql": _BY_NUMBER_JOINED, "sqlite": _BY_NUMBER_IN}
#: Ids (or numbers) per IN list of ``get_many`` and ``by_numbers``: far below either
#: database's limit on parameters.
_IDS_PER_QUERY = 500

_DELETE_EMPLOYEE = t.employees.delete().where(t.employees.c.id == sa.bindparam("_id"))


def _employees_by_name(collation: str | None) -> sa.Select[Any]:
    # The memory adapter sorts by ``str.casefold`` in code point order. lower() agrees for
    # ASCII names (all the tests use); beyond ASCII SQLite's lower() leaves letters as they
    # are and PostgreSQL's follows its locale, and neither folds "ß" to "ss". PostgreSQL
    # compares in "C" order, as Python does, not by the database's locale, which would
    # skip spaces and hyphens: "de Vries" and "Jansen-Smit" would sort differently.
    c = t.employees.c

    def key(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
        lowered = sa.func.lower(column)
        return lowered if collation is None else lowered.collate(collation)

    return (
        t.employees.select()
        .where(c.employer_id == sa.bindparam("_employer_id"))
        .order_by(key(c.last_name), key(c.given_name), c.id)
        .limit(sa.bindparam("_limit"))
        .offset(sa.bindparam("_offset"))
    )


# SQLite compares text by code point already.
_EMPLOYEES_BY_NAME = {"postgresql": _employees_by_name("C"), "sqlite": _employees_by_name(None)}


class SqlEmployees(_GuardedRepository):
    def add(self, employee: Employee) -> None:
        # Complain in the memory adapter's order, whichever rule the database checks first;
        # the unique constraints below still decide between concurrent transactions.
        key = {
            "_id": employee.id,
            "_employer_id": employee.employer_id,
            "_employee_number": employee.employee_number,
        }
        clashes = self._execute(_EMPLOYEE_CLASHES, "adding an employee", key).scalars().all()
        if employee.id in clashes:
            raise Conflict(_EMPLOYEE_EXISTS)
        if clashes:
            raise Conflict(_number_taken(employee))
        self._write(
            t.employees.insert(),
            "adding an employee",
            {"id": employee.id, "created_at": employee.created_at, **self._state(employee)},
            table=t.employees,
            conflicts={
                "pk_onzecoach_employees": _EMPLOYEE_EXISTS,
                _EMPLOYEE_NUMBER: _number_taken(employee),
            },
        )

    def add_many(self, employees: Sequence[Employee]) -> None:
        if len(employees) == 1:
            self.add(employees[0])  # which can say which rule it broke
            return
        if not employees:
            return
        # One executemany; the unique constraints answer for clashes with stored rows
        # and within the batch alike. A failed statement may leave some of its rows: the
        # Conflict makes the unit of work roll back, as every Conflict does.
        with translate_errors("adding employees"):
            try:
                self._insert_untranslated(
                    t.employees, _EMPLOYEE_COLUMNS, [_employee_row(e) for e in employees]
                )
            except sa_exc.IntegrityError as exc:
                broken = _broken_unique(t.employees, exc)
                if broken is None:
                    raise
                exists = broken == "pk_onzecoach_employees"
                raise Conflict(_EMPLOYEE_EXISTS if exists else _NUMBERS_TAKEN) from exc

    def get(self, employee_id: str, *, for_update: bool = False) -> Employee | None:
        row = self._execute(
            _LOCK_EMPLOYEE if for_update else _GET_EMPLOYEE,
            "reading an employee",
            {"_id": employee_id},
        ).one_or_none()
        return None if row is None else _employee(row)

    def get_many(self, employee_ids: Collection[str]) -> dict[str, Employee]:
        ids = list(dict.fromkeys(employee_ids))
        found: dict[str, Employee] = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            rows = self._execute(
                _GET_EMPLOYEES,
                "reading employees",
                {"_ids": ids[start : start + _IDS_PER_QUERY]},
            )
            found.update((row.id, _employee(row)) for row in rows)
        return found

    def by_numbers(self, employer_id: str, numbers: Collection[str]) -> dict[str, Employee]:
        wanted = list(dict.fromkeys(numbers))
        found: dict[str, Employee] = {}
        for start in range(0, len(wanted), _IDS_PER_QUERY):
            rows = self._execute(
                _EMPLOYEES_BY_NUMBER[self._dialect],
                "reading employees",
                {"_employer_id": employer_id, "_numbers": wanted[start : start + _IDS_PER_QUERY]},
            )
            found.update((row.employee_number, _employee(row)) for row in rows)
        return found

    def save(self, employee: Employee) -> None:
        result = self._write(
            _SAVE_EMPLOYEE,
            "updating an employee",
            {"_id": employee.id, **self._state(employee)},
            table=t.employees,
            conflicts={_EMPLOYEE_NUMBER: _number_taken(employee)},
        )
        if result.rowcount != 1:
            raise NotFound("Werknemer niet gevonden.")

    def for_employer(
        self, employer_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Employee]:
        rows = self._execute(
            _EMPLOYEES_BY_NAME[self._dialect],
            "listing employees",
            {"_employer_id": employer_id, "_limit": limit, "_offset": offset},
        )
        return [_employee(row) for row in rows]

    def for_employer_by_id(
        self, employer_id: str, *, after: str | None, limit: int
    ) -> list[Employee]:
        c = t.employees.c
        query = t.employees.select().where(c.employer_id == employer_id)
        if after is not None:
            query = query.where(c.id > after)
        rows = self._execute(query.order_by(c.id).limit(limit), "listing employees")
        return [_employee(row) for row in rows]

    def delete(self, employee_id: str) -> None:
        """Delete the employee's row; ``NotFound`` if there is none.

        Its search rows go along (ON DELETE CASCADE), but not the search's prefix counts:
        take the employee out of the index first (``uow.search.remove``), as the
        service does. Rows that refer to the employee without a cascade (trajectories,
        appointments, tasks) make this fail with a ``StorageError``.
        """
        result = self._execute(_DELETE_EMPLOYEE, "deleting an employee", {"_id": employee_id})
        if result.rowcount != 1:
            raise NotFound("Werknemer niet gevonden.")

    @staticmethod
    def _state(employee: Employee) -> dict[str, Any]:
        return row_values(employee, _EMPLOYEE_STATE)


def _number_taken(employee: Employee) -> str:
    return f"Personeelsnummer {employee.employee_number!r} is al in gebruik bij deze werkgever."


# Trajectories ------------------------------------------------------------------------

_TRAJECTORY_EXISTS = "Dit traject bestaat al."
_TRAJECTORY_NUMBER_TAKEN = "Dit trajectnummer bestaat al voor deze werknemer."
_ALREADY_OPEN = "Deze werknemer heeft al een lopend traject."
_TRAJECTORY_CONFLICTS = {
    "uq_onzecoach_trajectories_employee_id_number": _TRAJECTORY_NUMBER_TAKEN,
    "ix_onzecoach_trajectories_open": _ALREADY_OPEN,
    # The memory adapter does not check this one: a 256-bit hash repeats only by mistake.
    "uq_onzecoach_trajectories_booking_token_hash": "Deze boekingslink bestaat al.",
}
_TRAJECTORY_STATE = fields_except(Trajectory, "id")


def _trajectory(row: Row[Any]) -> Trajectory:
    return structure_row(row, Trajectory)


_TRAJECTORY_CLASHES = sa.select(
    t.trajectories.c.id, t.trajectories.c.number, t.trajectories.c.closed_at
).where(
    sa.or_(
        t.trajectories.c.id == sa.bindparam("_id"),
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
# PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores it; BEGIN IMMEDIATE already serialises.
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
_OPEN_TRAJECTORY = t.trajectories.select().where(
    t.trajectories.c.employee_id == sa.bindparam("_employee_id"),
    t.trajectories.c.closed_at.is_(None),
)


class SqlTrajectories(_GuardedRepository):
    def add(self, trajectory: Trajectory) -> None:
        # As for employees: the memory adapter's order of complaints, the database's word.
        clashes = self._execute(
            _TRAJECTORY_CLASHES,
            "adding a trajectory",
            {
                "_id": trajectory.id,
                "_employee_id": trajectory.employee_id,
                "_number": trajectory.number,
            },
        ).all()
        if any(row.id == trajectory.id for row in clashes):
            raise Conflict(_TRAJECTORY_EXISTS)
        if any(row.number == trajectory.number for row in clashes):
            raise Conflict(_TRAJECTORY_NUMBER_TAKEN)
        if trajectory.is_open and any(row.closed_at is None for row in clashes):
            raise Conflict(_ALREADY_OPEN)
        self._write(
            t.trajectories.insert(),
            "adding a trajectory",
            {"id": trajectory.id, **self._state(trajectory)},
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
            raise NotFound("Traject niet gevonden.")

    def for_employee(self, employee_id: str) -> list[Trajectory]:
        rows = self._execute(
            _TRAJECTORIES_OF_EMPLOYEE, "listing trajectories", {"_employee_id": employee_id}
        )
        return [_trajectory(row) for row in rows]

    def open_for_employee(self, employee_id: str) -> Trajectory | None:
        row = self._execute(
            _OPEN_TRAJECTORY, "reading the open trajectory", {"_employee_id": employee_id}
        ).one_or_none()
        return None if row is None else _trajectory(row)

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


class SqlAppointments(Repository):
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
            conflict="Deze afspraak bestaat al.",
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
            raise NotFound("Afspraak niet gevonden.")
        raise ValueError("an appointment keeps its external id")

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


# Tasks -------------------------------------------------------------------------------

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
            conflict="Deze taak bestaat al.",
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
            raise NotFound("Taak niet gevonden.")

    def open_for_employer(self, employer_id: str) -> list[Task]:
        rows = self._execute(_OPEN_TASKS_OF_EMPLOYER, "listing tasks", {"_owner": employer_id})
        return [_task(row) for row in rows]

    def open_for_employee(self, employee_id: str) -> list[Task]:
        rows = self._execute(_OPEN_TASKS_OF_EMPLOYEE, "listing tasks", {"_owner": employee_id})
        return [_task(row) for row in rows]

    @staticmethod
    def _state(task: Task) -> dict[str, Any]:
        return row_values(task, _TASK_STATE)
