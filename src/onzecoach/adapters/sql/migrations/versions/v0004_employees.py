"""Employees, trajectories, appointments and tasks.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._tables import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OPEN = sa.text("closed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "onzecoach_employees",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("initials", sa.String(30), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("registration_type", sa.String(100), nullable=False),
        sa.Column("employee_number", sa.String(30), nullable=True),
        sa.Column("name_infix", sa.String(30), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("street", sa.String(200), nullable=True),
        sa.Column("house_number", sa.String(10), nullable=True),
        sa.Column("postcode", sa.String(10), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("department_id", sa.String(32), nullable=True),
        sa.Column("job_title", sa.String(100), nullable=True),
        sa.Column("cost_centre", sa.String(50), nullable=True),
        sa.Column("po_number", sa.String(50), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_employees"),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["onzecoach_employers.id"],
            name="fk_onzecoach_employees_employer_id_onzecoach_employers",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["onzecoach_departments.id"],
            name="fk_onzecoach_employees_department_id_onzecoach_departments",
        ),
        sa.UniqueConstraint(
            "employer_id",
            "employee_number",
            name="uq_onzecoach_employees_employer_id_employee_number",
        ),
    )
    op.create_index(
        "ix_onzecoach_employees_employer_id_last_name_given_name_id",
        "onzecoach_employees",
        ["employer_id", "last_name", "given_name", "id"],
    )

    op.create_table(
        "onzecoach_trajectories",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(64), nullable=False),
        sa.Column("type_name", sa.String(200), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("is_extension", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("closed_reason", sa.String(16), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("parent_id", sa.String(32), nullable=True),
        sa.Column("classification", sa.String(100), nullable=True),
        sa.Column("booking_token_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_trajectories"),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["onzecoach_employers.id"],
            name="fk_onzecoach_trajectories_employer_id_onzecoach_employers",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["onzecoach_employees.id"],
            name="fk_onzecoach_trajectories_employee_id_onzecoach_employees",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["onzecoach_trajectories.id"],
            name="fk_onzecoach_trajectories_parent_id_onzecoach_trajectories",
        ),
        sa.UniqueConstraint(
            "employee_id", "number", name="uq_onzecoach_trajectories_employee_id_number"
        ),
        sa.UniqueConstraint(
            "booking_token_hash", name="uq_onzecoach_trajectories_booking_token_hash"
        ),
    )
    op.create_index(
        "ix_onzecoach_trajectories_open",
        "onzecoach_trajectories",
        ["employee_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )

    op.create_table(
        "onzecoach_appointments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("trajectory_id", sa.String(32), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("theme", sa.String(100), nullable=True),
        sa.Column("coach", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_appointments"),
        sa.ForeignKeyConstraint(
            ["trajectory_id"],
            ["onzecoach_trajectories.id"],
            name="fk_onzecoach_appointments_trajectory_id_onzecoach_trajectories",
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["onzecoach_employers.id"],
            name="fk_onzecoach_appointments_employer_id_onzecoach_employers",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["onzecoach_employees.id"],
            name="fk_onzecoach_appointments_employee_id_onzecoach_employees",
        ),
        sa.UniqueConstraint(
            "employer_id", "external_id", name="uq_onzecoach_appointments_employer_id_external_id"
        ),
    )
    op.create_index(
        "ix_onzecoach_appointments_trajectory_id_starts_at",
        "onzecoach_appointments",
        ["trajectory_id", "starts_at"],
    )

    op.create_table(
        "onzecoach_tasks",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("trajectory_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("completed_at", UtcDateTime(), nullable=True),
        sa.Column("completed_by", sa.String(32), nullable=True),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("extension_trajectory_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_onzecoach_tasks"),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["onzecoach_employers.id"],
            name="fk_onzecoach_tasks_employer_id_onzecoach_employers",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["onzecoach_employees.id"],
            name="fk_onzecoach_tasks_employee_id_onzecoach_employees",
        ),
        sa.ForeignKeyConstraint(
            ["trajectory_id"],
            ["onzecoach_trajectories.id"],
            name="fk_onzecoach_tasks_trajectory_id_onzecoach_trajectories",
        ),
        sa.ForeignKeyConstraint(
            ["extension_trajectory_id"],
            ["onzecoach_trajectories.id"],
            name="fk_onzecoach_tasks_extension_trajectory_id",
        ),
    )
    op.create_index(
        "ix_onzecoach_tasks_employer_id_status_created_at",
        "onzecoach_tasks",
        ["employer_id", "status", "created_at"],
    )
    op.create_index(
        "ix_onzecoach_tasks_employee_id_status", "onzecoach_tasks", ["employee_id", "status"]
    )


def downgrade() -> None:
    op.drop_table("onzecoach_tasks")
    op.drop_table("onzecoach_appointments")
    op.drop_table("onzecoach_trajectories")
    op.drop_table("onzecoach_employees")
