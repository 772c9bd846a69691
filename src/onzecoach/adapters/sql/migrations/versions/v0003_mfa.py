"""Second factors, backup codes, login challenges, SMS codes and throttles.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "onzecoach_mfa_factors",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("confirmed_at", UtcDateTime(), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("public_id", sa.String(12), nullable=True),
        sa.Column("secret_sealed", sa.Text(), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_mfa_factors"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["onzecoach_users.id"],
            name="fk_onzecoach_mfa_factors_user_id_onzecoach_users",
        ),
        sa.UniqueConstraint("public_id", name="uq_onzecoach_mfa_factors_public_id"),
    )
    op.create_index("ix_onzecoach_mfa_factors_user_id", "onzecoach_mfa_factors", ["user_id"])

    op.create_table(
        "onzecoach_backup_codes",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_backup_codes"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["onzecoach_users.id"],
            name="fk_onzecoach_backup_codes_user_id_onzecoach_users",
        ),
    )
    op.create_index(
        "ix_onzecoach_backup_codes_user_id_code_hash",
        "onzecoach_backup_codes",
        ["user_id", "code_hash"],
    )

    op.create_table(
        "onzecoach_login_challenges",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("methods", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_login_challenges"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["onzecoach_users.id"],
            name="fk_onzecoach_login_challenges_user_id_onzecoach_users",
        ),
        sa.UniqueConstraint("token_hash", name="uq_onzecoach_login_challenges_token_hash"),
    )

    op.create_table(
        "onzecoach_sms_codes",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_sms_codes"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["onzecoach_users.id"],
            name="fk_onzecoach_sms_codes_user_id_onzecoach_users",
        ),
    )
    op.create_index(
        "ix_onzecoach_sms_codes_ref_created_at", "onzecoach_sms_codes", ["ref", "created_at"]
    )

    op.create_table(
        "onzecoach_throttles",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UtcDateTime(), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("window_failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_onzecoach_throttles"),
    )


def downgrade() -> None:
    op.drop_table("onzecoach_throttles")
    op.drop_table("onzecoach_sms_codes")
    op.drop_table("onzecoach_login_challenges")
    op.drop_table("onzecoach_backup_codes")
    op.drop_table("onzecoach_mfa_factors")
