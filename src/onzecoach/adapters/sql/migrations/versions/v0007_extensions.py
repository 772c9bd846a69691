"""An extension runs beside the trajectory it extends.

Revision ID: 0007
Revises: 0006

Until this revision an employee had at most one open trajectory. Now the rule is one open
trajectory that extends nothing per employee, and one open extension per trajectory, each
held by a partial unique index, so that two requests racing to start either can never
both win. Existing rows already satisfy both rules.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN_MAIN = "closed_at IS NULL AND parent_id IS NULL"
OPEN_EXTENSION = "closed_at IS NULL AND parent_id IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_onzecoach_trajectories_open", table_name="onzecoach_trajectories")
    op.create_index(
        "ix_onzecoach_trajectories_open",
        "onzecoach_trajectories",
        ["employee_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_MAIN),
        postgresql_where=sa.text(OPEN_MAIN),
    )
    op.create_index(
        "ix_onzecoach_trajectories_open_extension",
        "onzecoach_trajectories",
        ["parent_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_EXTENSION),
        postgresql_where=sa.text(OPEN_EXTENSION),
    )


def downgrade() -> None:
    op.drop_index("ix_onzecoach_trajectories_open_extension", table_name="onzecoach_trajectories")
    op.drop_index("ix_onzecoach_trajectories_open", table_name="onzecoach_trajectories")
    op.create_index(
        "ix_onzecoach_trajectories_open",
        "onzecoach_trajectories",
        ["employee_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
