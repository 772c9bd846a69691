"""The statistics rollups: counters per employer, department, employee and month, and themes.

Revision ID: 0006
Revises: 0005

The tables start empty: the appointments and trajectories stored before this revision
count once their employer's rollups are rebuilt. The trajectories get an index on their
employer, which that rebuild reads them by.

Trajectories and appointments get the department their statistics count in: the
employee's when the trajectory started or the appointment was first reported. Those
stored before this revision get the employee's department of today, the best there is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# As ``onzecoach.stats.COUNTER_FIELDS`` when this revision was written: a migration keeps
# the schema it made, whatever the code later counts.
COUNTERS = (
    "held",
    "planned",
    "cancelled",
    "no_show",
    "live",
    "online",
    "themed",
    "started",
    "completed",
    "completed_days",
    "people",
)


# The tables that get a department, each with the name of its foreign key.
DEPARTMENT_OF_THEIR_TIME = {
    "onzecoach_trajectories": "fk_onzecoach_trajectories_department_id_onzecoach_departments",
    "onzecoach_appointments": "fk_onzecoach_appointments_department_id_onzecoach_departments",
}

EMPLOYEES = sa.table("onzecoach_employees", sa.column("id"), sa.column("department_id"))


def upgrade() -> None:
    for table, foreign_key in DEPARTMENT_OF_THEIR_TIME.items():
        # One ADD COLUMN with the reference inline, which both databases take: SQLite
        # adds no constraint to an existing table otherwise, but by copying the table,
        # which other tables' foreign keys refer to.
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN department_id VARCHAR(32) "
            f"CONSTRAINT {foreign_key} REFERENCES onzecoach_departments (id)"
        )
        rows = sa.table(table, sa.column("employee_id"), sa.column("department_id"))
        op.execute(
            rows.update().values(
                department_id=sa.select(EMPLOYEES.c.department_id)
                .where(EMPLOYEES.c.id == rows.c.employee_id)
                .scalar_subquery()
            )
        )

    op.create_table(
        "onzecoach_stats_cells",
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("department_id", sa.String(32), nullable=False),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
            for name in COUNTERS
        ),
        sa.PrimaryKeyConstraint(
            "employer_id",
            "level",
            "department_id",
            "employee_id",
            "month",
            name="pk_onzecoach_stats_cells",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_onzecoach_stats_cells_level_month", "onzecoach_stats_cells", ["level", "month"]
    )
    op.create_index(
        "ix_onzecoach_stats_cells_employer_id_level_employee_id_month",
        "onzecoach_stats_cells",
        ["employer_id", "level", "employee_id", "month"],
    )

    op.create_table(
        "onzecoach_stats_themes",
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("department_id", sa.String(32), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(100), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint(
            "employer_id",
            "level",
            "department_id",
            "month",
            "theme",
            name="pk_onzecoach_stats_themes",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_onzecoach_stats_themes_level_month", "onzecoach_stats_themes", ["level", "month"]
    )

    op.create_index(
        "ix_onzecoach_trajectories_employer_id", "onzecoach_trajectories", ["employer_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_onzecoach_trajectories_employer_id", "onzecoach_trajectories")
    op.drop_table("onzecoach_stats_themes")
    op.drop_table("onzecoach_stats_cells")
    for table in DEPARTMENT_OF_THEIR_TIME:
        # SQLite drops no column of a foreign key: batch mode copies the table without it.
        # Dropping the old trajectories fails while PRAGMA foreign_keys is on and
        # appointments or tasks refer to them: downgrade such a database with it off.
        with op.batch_alter_table(table) as batch:
            batch.drop_column("department_id")
