"""Retention: an employer's own retention period, and when an import last named a person.

Revision ID: 0016
Revises: 0015

- A column ``retention_months`` in ``onzecoach_employer_settings``: the employer's own
  retention period (bewaartermijn) in months, ``NULL`` for the portal's default.
- A column ``last_named_at`` in ``onzecoach_employees``: when an import last named the
  person, changed or not; the retention of an employee without trajectories counts from
  the later of it and ``created_at``. Existing rows start without one.

Both are a plain ``ADD COLUMN`` of a nullable column, on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._types import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "onzecoach_employer_settings", sa.Column("retention_months", sa.Integer(), nullable=True)
    )
    op.add_column("onzecoach_employees", sa.Column("last_named_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("onzecoach_employees") as batch:
        batch.drop_column("last_named_at")
    with op.batch_alter_table("onzecoach_employer_settings") as batch:
        batch.drop_column("retention_months")
