"""Users, one-time tokens, password history, sessions and rate limits.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._tables import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AUTOINCREMENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "onzecoach_users",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("username_key", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("password_changed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_users"),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["onzecoach_employers.id"],
            name="fk_onzecoach_users_employer_id_onzecoach_employers",
        ),
        sa.UniqueConstraint("username_key", name="uq_onzecoach_users_username_key"),
    )
    op.create_index("ix_onzecoach_users_email_key", "onzecoach_users", ["email_key"])
    op.create_index("ix_onzecoach_users_employer_id", "onzecoach_users", ["employer_id"])

    op.create_table(
        "onzecoach_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_tokens"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["onzecoach_users.id"], name="fk_onzecoach_tokens_user_id_onzecoach_users"
        ),
        sa.UniqueConstraint("token_hash", name="uq_onzecoach_tokens_token_hash"),
    )
    op.create_index(
        "ix_onzecoach_tokens_user_id_purpose", "onzecoach_tokens", ["user_id", "purpose"]
    )

    op.create_table(
        "onzecoach_password_history",
        sa.Column("id", AUTOINCREMENT_ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_password_history"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["onzecoach_users.id"],
            name="fk_onzecoach_password_history_user_id_onzecoach_users",
        ),
    )
    op.create_index(
        "ix_onzecoach_password_history_user_id_id",
        "onzecoach_password_history",
        ["user_id", "id"],
    )

    op.create_table(
        "onzecoach_sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["onzecoach_users.id"],
            name="fk_onzecoach_sessions_user_id_onzecoach_users",
        ),
        sa.UniqueConstraint("token_hash", name="uq_onzecoach_sessions_token_hash"),
    )
    op.create_index("ix_onzecoach_sessions_user_id", "onzecoach_sessions", ["user_id"])

    op.create_table(
        "onzecoach_rate_limits",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_onzecoach_rate_limits"),
    )


def downgrade() -> None:
    op.drop_table("onzecoach_rate_limits")
    op.drop_table("onzecoach_sessions")
    op.drop_table("onzecoach_password_history")
    op.drop_table("onzecoach_tokens")
    op.drop_table("onzecoach_users")
