"""The dossier search's index: tokens, three-letter prefixes and the prefixes' counts.

Revision ID: 0005
Revises: 0004

The tables start empty: an employee stored before this revision is found once it is
indexed (``SearchIndexRepository.index``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def in_code_point_order(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "onzecoach_search_tokens",
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("token", in_code_point_order(100), nullable=False),
        sa.Column("sort_key", in_code_point_order(400), nullable=False),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint(
            "employer_id", "token", "sort_key", name="pk_onzecoach_search_tokens"
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["onzecoach_employees.id"],
            name="fk_onzecoach_search_tokens_employee_id_onzecoach_employees",
            ondelete="CASCADE",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_onzecoach_search_tokens_employee_id", "onzecoach_search_tokens", ["employee_id"]
    )

    op.create_table(
        "onzecoach_search_prefixes",
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("prefix", in_code_point_order(3), nullable=False),
        sa.Column("sort_key", in_code_point_order(400), nullable=False),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint(
            "employer_id", "prefix", "sort_key", name="pk_onzecoach_search_prefixes"
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["onzecoach_employees.id"],
            name="fk_onzecoach_search_prefixes_employee_id_onzecoach_employees",
            ondelete="CASCADE",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_onzecoach_search_prefixes_employee_id", "onzecoach_search_prefixes", ["employee_id"]
    )

    op.create_table(
        "onzecoach_search_prefix_counts",
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("prefix", in_code_point_order(3), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("employer_id", "prefix", name="pk_onzecoach_search_prefix_counts"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("onzecoach_search_prefix_counts")
    op.drop_table("onzecoach_search_prefixes")
    op.drop_table("onzecoach_search_tokens")
