"""The ids of erased employees, in a table of the schema's one ``metadata``.

The table is declared here rather than in ``_tables`` (which holds every other one and
is at its size limit); ``SqlStorage`` imports this module, so the metadata always has it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from onzecoach.privacy import ErasedEmployee, RetentionFacts

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlErasures", "erased_employees"]

# Revision 0015. No foreign key to the employees: it holds whatever a restore does to them.
erased_employees = sa.Table(
    "onzecoach_erased_employees",
    t.metadata,
    sa.Column("employee_id", t.Id, primary_key=True),
    sa.Column("employer_id", t.Id, nullable=False),
    sa.Column("erased_at", t.UtcDateTime(), nullable=False),
)

_GET = erased_employees.select().where(erased_employees.c.employee_id == sa.bindparam("_id"))


class SqlErasures(Repository):
    def add(self, erased: ErasedEmployee) -> None:
        values = {
            "employee_id": erased.employee_id,
            "employer_id": erased.employer_id,
            "erased_at": erased.erased_at,
        }
        insert = (
            pg_insert(erased_employees)
            if self._dialect == "postgresql"
            else sqlite_insert(erased_employees)
        )
        self._execute(
            insert.values(values).on_conflict_do_nothing(index_elements=["employee_id"]),
            "listing an erased employee",
        )

    def get(self, employee_id: str) -> ErasedEmployee | None:
        row = self._execute(_GET, "reading the erased employees", {"_id": employee_id}).first()
        return None if row is None else structure_row(row, ErasedEmployee)

    def page(self, *, after: str | None, limit: int) -> list[ErasedEmployee]:
        c = erased_employees.c
        query = erased_employees.select().order_by(c.employee_id).limit(limit)
        if after is not None:
            query = query.where(c.employee_id > after)
        rows = self._execute(query, "reading the erased employees")
        return [structure_row(row, ErasedEmployee) for row in rows]

    def retention_facts(self, *, after: str | None, limit: int) -> list[RetentionFacts]:
        e = t.employees.c
        query = (
            sa.select(e.id, e.employer_id, e.created_at, e.last_named_at)
            .where(e.erased_at.is_(None))
            .order_by(e.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(e.id > after)
        employees = self._execute(query, "reading employees for retention").all()
        if not employees:
            return []
        c = t.trajectories.c
        counts = {
            row.employee_id: row
            for row in self._execute(
                sa.select(
                    c.employee_id,
                    sa.func.count().label("trajectories"),
                    sa.func.count(c.closed_at).label("closed"),
                    sa.func.max(c.closed_at).label("last_closed_at"),
                )
                .where(c.employee_id.in_([row.id for row in employees]))
                .group_by(c.employee_id),
                "reading trajectories for retention",
            )
        }
        found = []
        for row in employees:
            known = row.created_at
            if row.last_named_at is not None and row.last_named_at > known:
                known = row.last_named_at
            count = counts.get(row.id)
            total = 0 if count is None else int(count.trajectories)
            closed = 0 if count is None else int(count.closed)
            found.append(
                RetentionFacts(
                    employee_id=row.id,
                    employer_id=row.employer_id,
                    known_since=known,
                    trajectories=total,
                    open_trajectories=total - closed,
                    last_closed_at=None if count is None else count.last_closed_at,
                )
            )
        return found
