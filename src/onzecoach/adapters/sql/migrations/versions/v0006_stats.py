"""The statistics rollups: counters per employer, department, employee and month, and themes.

Revision ID: 0006
Revises: 0005

The tables start empty: the appointments and trajectories stored before this revision
count once their employer's rollups are rebuilt. The trajectories get an index on their
employer, which that rebuild reads them by.
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
    "started",
    "completed",
    "completed_days",
    "people",
)


def upgrade() -> None:
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
