"""Employers, departments, the audit log and the outbox.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from onzecoach.adapters.sql._tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UNSENT = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    op.create_table(
        "onzecoach_employers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_employers"),
        sa.UniqueConstraint("name_key", name="uq_onzecoach_employers_name_key"),
    )
    op.create_table(
        "onzecoach_departments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_departments"),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["onzecoach_employers.id"],
            name="fk_onzecoach_departments_employer_id_onzecoach_employers",
        ),
        sa.UniqueConstraint(
            "employer_id", "name_key", name="uq_onzecoach_departments_employer_id_name_key"
        ),
    )
    op.create_table(
        "onzecoach_audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=True),
        sa.Column("actor_role", sa.String(32), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=True),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("details", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_audit_log"),
    )
    op.create_index(
        "ix_onzecoach_audit_log_employer_id_id", "onzecoach_audit_log", ["employer_id", "id"]
    )
    op.create_index(
        "ix_onzecoach_audit_log_subject_type_subject_id_id",
        "onzecoach_audit_log",
        ["subject_type", "subject_id", "id"],
    )
    op.create_table(
        "onzecoach_outbox",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(250), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(32), nullable=True),
        sa.Column("employer_id", sa.String(32), nullable=True),
        sa.Column("message_id", sa.String(250), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_outbox"),
    )
    op.create_index(
        "ix_onzecoach_outbox_due",
        "onzecoach_outbox",
        ["not_before"],
        sqlite_where=UNSENT,
        postgresql_where=UNSENT,
    )
    op.create_index("ix_onzecoach_outbox_reference", "onzecoach_outbox", ["reference"])
    op.create_index("ix_onzecoach_outbox_created_at", "onzecoach_outbox", ["created_at"])


def downgrade() -> None:
    op.drop_table("onzecoach_outbox")
    op.drop_table("onzecoach_audit_log")
    op.drop_table("onzecoach_departments")
    op.drop_table("onzecoach_employers")
