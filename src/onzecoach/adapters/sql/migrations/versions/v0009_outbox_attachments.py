"""A queued mail may carry attachments: a column ``attachments`` in the outbox.

Revision ID: 0009
Revises: 0008

The column holds one sealed JSON list of a mail's attachments (file name, content type and
data), sealed under the message's own context as its bodies are. Messages queued before
this revision have none: the column stays empty for them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("onzecoach_outbox", sa.Column("attachments", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("onzecoach_outbox") as batch:
        batch.drop_column("attachments")
