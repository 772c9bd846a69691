"""Coaches: their profiles, availability and calendar links, and the busy times pulled
from their own calendars.

Revision ID: 0010
Revises: 0009

A coach's profile and availability are kept as JSON; what a search for bookable coaches
filters on (active, the modes offered, the languages, specialisms and employers) has
columns and tables of its own. The calendar password is sealed; the private feed's token
is kept only as its SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from onzecoach.adapters.sql._tables import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.String(32)
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "onzecoach_coaches",
        sa.Column("id", Id, primary_key=True),
        sa.Column(
            "user_id",
            Id,
            sa.ForeignKey(
                "onzecoach_users.id", name="fk_onzecoach_coaches_user_id_onzecoach_users"
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "name_key",
            sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("offers_live", sa.Boolean(), nullable=False),
        sa.Column("offers_online", sa.Boolean(), nullable=False),
        sa.Column("serves_all", sa.Boolean(), nullable=False),
        sa.Column("profile", Json, nullable=False),
        sa.Column("availability", Json, nullable=False),
        sa.Column("calendar_url", sa.String(500), nullable=True),
        sa.Column("calendar_username", sa.String(500), nullable=True),
        sa.Column("calendar_password_sealed", sa.Text(), nullable=True),
        sa.Column("calendar_linked_at", UtcDateTime(), nullable=True),
        sa.Column("calendar_pulled_at", UtcDateTime(), nullable=True),
        sa.Column("calendar_synced_at", UtcDateTime(), nullable=True),
        sa.Column("calendar_error", sa.String(64), nullable=True),
        sa.Column("feed_token_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_coaches"),
        sa.UniqueConstraint("user_id", name="uq_onzecoach_coaches_user_id"),
        sa.UniqueConstraint("feed_token_hash", name="uq_onzecoach_coaches_feed_token_hash"),
    )
    op.create_index("ix_onzecoach_coaches_name_key_id", "onzecoach_coaches", ["name_key", "id"])
    for table, column, kind, length in (
        ("onzecoach_coach_languages", "language", "language", 8),
        ("onzecoach_coach_specialisms", "specialism", "specialism", 64),
    ):
        op.create_table(
            table,
            sa.Column(
                "coach_id",
                Id,
                sa.ForeignKey(
                    "onzecoach_coaches.id", name=f"fk_{table}_coach_id_onzecoach_coaches"
                ),
                nullable=False,
            ),
            sa.Column(column, sa.String(length), nullable=False),
            sa.PrimaryKeyConstraint("coach_id", column, name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_{kind}_coach_id", table, [column, "coach_id"])
    op.create_table(
        "onzecoach_coach_employers",
        sa.Column(
            "coach_id",
            Id,
            sa.ForeignKey(
                "onzecoach_coaches.id",
                name="fk_onzecoach_coach_employers_coach_id_onzecoach_coaches",
            ),
            nullable=False,
        ),
        sa.Column(
            "employer_id",
            Id,
            sa.ForeignKey(
                "onzecoach_employers.id",
                name="fk_onzecoach_coach_employers_employer_id_onzecoach_employers",
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("coach_id", "employer_id", name="pk_onzecoach_coach_employers"),
    )
    op.create_index(
        "ix_onzecoach_coach_employers_employer_id_coach_id",
        "onzecoach_coach_employers",
        ["employer_id", "coach_id"],
    )
    op.create_table(
        "onzecoach_coach_busy_times",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "coach_id",
            Id,
            sa.ForeignKey(
                "onzecoach_coaches.id",
                name="fk_onzecoach_coach_busy_times_coach_id_onzecoach_coaches",
            ),
            nullable=False,
        ),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_coach_busy_times"),
    )
    op.create_index(
        "ix_onzecoach_coach_busy_times_coach_id_starts_at",
        "onzecoach_coach_busy_times",
        ["coach_id", "starts_at"],
    )


def downgrade() -> None:
    for table in (
        "onzecoach_coach_busy_times",
        "onzecoach_coach_employers",
        "onzecoach_coach_specialisms",
        "onzecoach_coach_languages",
        "onzecoach_coaches",
    ):
        op.drop_table(table)
