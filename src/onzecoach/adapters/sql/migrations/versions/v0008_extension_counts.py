"""The statistics count extensions started apart: a counter ``extensions`` in every cell.

Revision ID: 0008
Revises: 0007

The counter starts at 0 and is filled from the extension trajectories stored before this
revision, at each of the four levels their start counts in, where that cell exists: the
cells kept since revision 0006 (or rebuilt after it) hold every start already.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# ``onzecoach.stats.Level`` when this revision was written.
ALL, EMPLOYER, DEPARTMENT, EMPLOYEE = -1, 0, 1, 2

TRAJECTORIES = sa.table(
    "onzecoach_trajectories",
    sa.column("employer_id"),
    sa.column("employee_id"),
    sa.column("department_id"),
    sa.column("start_date", sa.Date()),
    sa.column("is_extension", sa.Boolean()),
)
CELLS = sa.table(
    "onzecoach_stats_cells",
    sa.column("employer_id"),
    sa.column("level"),
    sa.column("department_id"),
    sa.column("employee_id"),
    sa.column("month"),
    sa.column("extensions"),
)


def upgrade() -> None:
    op.add_column(
        "onzecoach_stats_cells",
        sa.Column("extensions", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    connection = op.get_bind()
    counts: Counter[tuple[str, int, str, str, int]] = Counter()
    rows = connection.execute(
        sa.select(
            TRAJECTORIES.c.employer_id,
            TRAJECTORIES.c.employee_id,
            TRAJECTORIES.c.department_id,
            TRAJECTORIES.c.start_date,
        ).where(TRAJECTORIES.c.is_extension.is_(True))
    )
    for employer, employee, department_id, start in rows:
        month = _month(start)
        department = department_id or ""
        counts[(employer, EMPLOYEE, department, employee, month)] += 1
        counts[(employer, DEPARTMENT, department, "", month)] += 1
        counts[(employer, EMPLOYER, "", "", month)] += 1
        counts[("", ALL, "", "", month)] += 1
    for (employer, level, department, employee, month), extensions in sorted(counts.items()):
        connection.execute(
            CELLS.update()
            .where(
                CELLS.c.employer_id == employer,
                CELLS.c.level == level,
                CELLS.c.department_id == department,
                CELLS.c.employee_id == employee,
                CELLS.c.month == month,
            )
            .values(extensions=extensions)
        )


def downgrade() -> None:
    with op.batch_alter_table("onzecoach_stats_cells") as batch:
        batch.drop_column("extensions")


def _month(day: date | str) -> int:
    # SQLite hands a DATE back as its text.
    start = date.fromisoformat(day) if isinstance(day, str) else day
    return start.year * 100 + start.month
