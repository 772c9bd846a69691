"""Sessions booked in the portal: their coach, end and place; the coach's private notes.

Revision ID: 0011
Revises: 0010

Two of one coach's sessions that keep the coach's time taken (planned, held, no-show) may
not overlap, and the database itself says so, whatever code writes:

- on PostgreSQL an exclusion constraint over ``tstzrange(starts_at, ends_at)``, which needs
  the ``btree_gist`` extension for the equality on ``coach_id``. The migration creates it;
  a role that may not create extensions needs a superuser to run
  ``CREATE EXTENSION btree_gist SCHEMA public`` in the database once (docs/deployment.md);
- on SQLite a trigger before insert and one before update, which abort with the message
  ``onzecoach_coach_overlap``; SQLite's writers take turns (``BEGIN IMMEDIATE``), so the
  check and the write are one step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_STATUSES = "('planned', 'held', 'no_show')"
_OVERLAP = """
    SELECT RAISE(ABORT, 'onzecoach_coach_overlap')
    WHERE NEW.coach_id IS NOT NULL AND NEW.ends_at IS NOT NULL
      AND NEW.status IN ('planned', 'held', 'no_show')
      AND EXISTS (
        SELECT 1 FROM onzecoach_appointments AS other
        WHERE other.coach_id = NEW.coach_id
          AND other.id != NEW.id
          AND other.status IN ('planned', 'held', 'no_show')
          AND other.ends_at IS NOT NULL
          AND other.starts_at < NEW.ends_at
          AND NEW.starts_at < other.ends_at
      );
"""


def upgrade() -> None:
    with op.batch_alter_table("onzecoach_appointments") as batch:
        batch.add_column(sa.Column("coach_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("location", sa.String(300), nullable=True))
    op.create_index(
        "ix_onzecoach_appointments_coach_time",
        "onzecoach_appointments",
        ["coach_id", "starts_at"],
        sqlite_where=sa.text("coach_id IS NOT NULL"),
        postgresql_where=sa.text("coach_id IS NOT NULL"),
    )
    op.create_table(
        "onzecoach_session_notes",
        sa.Column("appointment_id", sa.String(32), nullable=False),
        sa.Column("coach_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["onzecoach_appointments.id"],
            name=op.f("fk_onzecoach_session_notes_appointment_id_onzecoach_appointments"),
        ),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_onzecoach_session_notes")),
    )
    if op.get_context().dialect.name == "postgresql":
        # In public, never in the schema the portal's tables live in: an extension is one
        # per database, and a constraint that uses it goes when its schema is dropped, so
        # one portal's schema must not hold what another's constraint depends on.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public")
        op.execute(
            "ALTER TABLE onzecoach_appointments"
            " ADD CONSTRAINT ex_onzecoach_appointments_coach_overlap"
            " EXCLUDE USING gist (coach_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
            f" WHERE (coach_id IS NOT NULL AND ends_at IS NOT NULL AND status IN {_STATUSES})"
        )
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER onzecoach_appointments_coach_overlap_{event.lower()}"
                f" BEFORE {event} ON onzecoach_appointments"
                f" BEGIN {_OVERLAP} END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE onzecoach_appointments"
            " DROP CONSTRAINT ex_onzecoach_appointments_coach_overlap"
        )
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER onzecoach_appointments_coach_overlap_{event}")
    op.drop_table("onzecoach_session_notes")
    op.drop_index("ix_onzecoach_appointments_coach_time", table_name="onzecoach_appointments")
    with op.batch_alter_table("onzecoach_appointments") as batch:
        batch.drop_column("location")
        batch.drop_column("ends_at")
        batch.drop_column("coach_id")
