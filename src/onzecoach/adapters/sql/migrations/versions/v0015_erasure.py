"""Erasure: employees become tombstones, and the ids of erased employees are kept.

Revision ID: 0015
Revises: 0014

- A column ``erased_at`` in ``onzecoach_employees``: when the person was erased; the row is
  then a tombstone with its personal columns empty. A plain ``ADD COLUMN`` on both
  databases, so that SQLite does not copy the table (and the search rows that cascade
  from it).
- A table ``onzecoach_erased_employees``: the ids of erased employees, their employer and
  the time, with nothing personal, for ``portal.privacy.reapply`` after a restore.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._types import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("onzecoach_employees", sa.Column("erased_at", UtcDateTime(), nullable=True))
    op.create_table(
        "onzecoach_erased_employees",
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("erased_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("employee_id", name="pk_onzecoach_erased_employees"),
    )


def downgrade() -> None:
    op.drop_table("onzecoach_erased_employees")
    with op.batch_alter_table("onzecoach_employees") as batch:
        batch.drop_column("erased_at")
