"""Employers and their departments."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from onzecoach.employers import Department, Employer, name_key
from onzecoach.errors import Conflict

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlDepartments", "SqlEmployers"]


def _employer(row: Row[Any]) -> Employer:
    return structure_row(row, Employer)


def _department(row: Row[Any]) -> Department:
    return structure_row(row, Department)


class SqlEmployers(Repository):
    def add(self, employer: Employer) -> None:
        self._execute(
            t.employers.insert(),
            "adding an employer",
            {
                "id": employer.id,
                "name": employer.name,
                "name_key": name_key(employer.name),
                "created_at": employer.created_at,
            },
            conflict=Conflict("employer.name_taken", name=employer.name),
        )

    def get(self, employer_id: str) -> Employer | None:
        row = self._execute(
            t.employers.select().where(t.employers.c.id == employer_id), "reading an employer"
        ).one_or_none()
        return None if row is None else _employer(row)

    def list(self) -> list[Employer]:
        rows = self._execute(
            t.employers.select().order_by(t.employers.c.name_key, t.employers.c.id),
            "listing employers",
        )
        return [_employer(row) for row in rows]


class SqlDepartments(Repository):
    def add(self, department: Department) -> None:
        self._execute(
            t.departments.insert(),
            "adding a department",
            {
                "id": department.id,
                "employer_id": department.employer_id,
                "name": department.name,
                "name_key": name_key(department.name),
                "created_at": department.created_at,
            },
            conflict=Conflict("department.name_taken", name=department.name),
        )

    def get(self, department_id: str) -> Department | None:
        row = self._execute(
            t.departments.select().where(t.departments.c.id == department_id),
            "reading a department",
        ).one_or_none()
        return None if row is None else _department(row)

    def for_employer(self, employer_id: str) -> list[Department]:
        rows = self._execute(
            t.departments.select()
            .where(t.departments.c.employer_id == employer_id)
            .order_by(t.departments.c.name_key, t.departments.c.id),
            "listing departments",
        )
        return [_department(row) for row in rows]
