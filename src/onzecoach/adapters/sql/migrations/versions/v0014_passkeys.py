"""Passkey sign-in: WebAuthn challenges of their own, credentials unique, an employer switch.

Revision ID: 0014
Revises: 0013

- A table ``onzecoach_webauthn_challenges``: the WebAuthn challenges as keyed hashes, bound
  to their step by ``ref``; ``user_id`` is empty for a passkey sign-in, whose user the
  answer names. Until this revision they were kept among the SMS codes; those still there
  expire within 5 minutes and are left to do so.
- A unique index on ``onzecoach_mfa_factors.credential_id``: one credential, one key.
- A column ``passkey_login`` in ``onzecoach_employer_settings`` (NULL: the portal's default).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._types import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "onzecoach_webauthn_challenges",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("challenge_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_webauthn_challenges"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["onzecoach_users.id"],
            name="fk_onzecoach_webauthn_challenges_user_id_onzecoach_users",
        ),
    )
    op.create_index(
        "ix_onzecoach_webauthn_challenges_ref_created_at",
        "onzecoach_webauthn_challenges",
        ["ref", "created_at"],
    )
    op.create_index(
        "ix_onzecoach_mfa_factors_credential_id",
        "onzecoach_mfa_factors",
        ["credential_id"],
        unique=True,
    )
    with op.batch_alter_table("onzecoach_employer_settings") as batch:
        batch.add_column(sa.Column("passkey_login", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("onzecoach_employer_settings") as batch:
        batch.drop_column("passkey_login")
    op.drop_index("ix_onzecoach_mfa_factors_credential_id", table_name="onzecoach_mfa_factors")
    op.drop_index(
        "ix_onzecoach_webauthn_challenges_ref_created_at",
        table_name="onzecoach_webauthn_challenges",
    )
    op.drop_table("onzecoach_webauthn_challenges")
