"""The ids of erased employees."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from onzecoach.privacy import ErasedEmployee

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlErasures"]

_GET = t.erased_employees.select().where(t.erased_employees.c.employee_id == sa.bindparam("_id"))


class SqlErasures(Repository):
    def add(self, erased: ErasedEmployee) -> None:
        values = {
            "employee_id": erased.employee_id,
            "employer_id": erased.employer_id,
            "erased_at": erased.erased_at,
        }
        insert = (
            pg_insert(t.erased_employees)
            if self._dialect == "postgresql"
            else sqlite_insert(t.erased_employees)
        )
        self._execute(
            insert.values(values).on_conflict_do_nothing(index_elements=["employee_id"]),
            "listing an erased employee",
        )

    def get(self, employee_id: str) -> ErasedEmployee | None:
        row = self._execute(_GET, "reading the erased employees", {"_id": employee_id}).first()
        return None if row is None else structure_row(row, ErasedEmployee)

    def page(self, *, after: str | None, limit: int) -> list[ErasedEmployee]:
        c = t.erased_employees.c
        query = t.erased_employees.select().order_by(c.employee_id).limit(limit)
        if after is not None:
            query = query.where(c.employee_id > after)
        rows = self._execute(query, "reading the erased employees")
        return [structure_row(row, ErasedEmployee) for row in rows]
