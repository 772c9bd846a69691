"""Employers, their departments and their settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from onzecoach.employers import Department, Employer, EmployerSettings, name_key
from onzecoach.errors import Conflict

from . import _tables as t
from ._base import Repository, structure_row

__all__ = ["SqlDepartments", "SqlEmployerSettings", "SqlEmployers"]


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

    def get(self, employer_id: str, *, for_update: bool = False) -> Employer | None:
        query = t.employers.select().where(t.employers.c.id == employer_id)
        if for_update:
            query = query.with_for_update()
        row = self._execute(query, "reading an employer").one_or_none()
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


class SqlEmployerSettings(Repository):
    def get(self, employer_id: str) -> EmployerSettings | None:
        table = t.employer_settings
        row = self._execute(
            table.select().where(table.c.employer_id == employer_id),
            "reading an employer's settings",
        ).one_or_none()
        if row is None:
            return None
        seconds = row.cancellation_notice_seconds
        return EmployerSettings(
            employer_id=row.employer_id,
            updated_at=row.updated_at,
            cancellation_notice=None if seconds is None else timedelta(seconds=seconds),
            late_cancellations_count=row.late_cancellations_count,
            no_shows_count=row.no_shows_count,
            passkey_login=row.passkey_login,
            retention_months=row.retention_months,
        )

    def save(self, settings: EmployerSettings) -> None:
        table = t.employer_settings
        notice = settings.cancellation_notice
        values = {
            "updated_at": settings.updated_at,
            "cancellation_notice_seconds": (
                None if notice is None else int(notice.total_seconds())
            ),
            "late_cancellations_count": settings.late_cancellations_count,
            "no_shows_count": settings.no_shows_count,
            "passkey_login": settings.passkey_login,
            "retention_months": settings.retention_months,
        }
        updated = self._execute(
            table.update().where(table.c.employer_id == settings.employer_id).values(**values),
            "saving an employer's settings",
        )
        if not updated.rowcount:
            self._execute(
                table.insert().values(employer_id=settings.employer_id, **values),
                "saving an employer's settings",
            )

    def any_passkey_login(self) -> bool:
        table = t.employer_settings
        found = self._execute(
            sa.select(table.c.employer_id).where(table.c.passkey_login.is_(True)).limit(1),
            "asking whether any employer allows passkey sign-in",
        ).first()
        return found is not None
