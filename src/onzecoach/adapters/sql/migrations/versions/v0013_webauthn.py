"""Security keys and passkeys (WebAuthn) as second factors.

Revision ID: 0013
Revises: 0012

Columns on ``onzecoach_mfa_factors`` for a factor of kind ``webauthn``: the credential id
and its public key (base64url), the signature counter, the transports, the name the user
gave, the random user handle and the last use. No secret is stored for such a factor.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._tables import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = (
    "credential_id",
    "public_key",
    "sign_count",
    "transports",
    "name",
    "user_handle",
    "last_used_at",
)


def upgrade() -> None:
    with op.batch_alter_table("onzecoach_mfa_factors") as batch:
        batch.add_column(sa.Column("credential_id", sa.String(1400), nullable=True))
        batch.add_column(sa.Column("public_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sign_count", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("transports", sa.String(200), nullable=True))
        batch.add_column(sa.Column("name", sa.String(64), nullable=True))
        batch.add_column(sa.Column("user_handle", sa.String(100), nullable=True))
        batch.add_column(sa.Column("last_used_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM onzecoach_mfa_factors WHERE kind = 'webauthn'"))
    with op.batch_alter_table("onzecoach_mfa_factors") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
