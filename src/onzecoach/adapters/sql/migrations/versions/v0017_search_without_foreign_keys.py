"""The search index's token and prefix rows lose their foreign key to the employees.

Revision ID: 0017
Revises: 0016

The index is derived data, as the statistics' rollups are (which never had foreign keys):
``SearchIndexRepository.remove`` takes an employee's rows out before the employee is
deleted (the indexer does so on ``EmployeeRemoved``, and erasure does), and a rebuild
makes the index anew from the employees. The key checked on every row cost PostgreSQL
about two fifths of the work of an import's writes: a trigger per row, 600,000 of them
per 100,000 employees, 2.9 to 3.6 s of 8.0 to 8.8 s (docs/benchmarks.md).

PostgreSQL drops the constraints. SQLite cannot drop a constraint, so each table is made
anew without it (``WITHOUT ROWID``, as before), its rows copied over; the index on
``employee_id`` stays on both. Downgrading first deletes the rows of employees that are
no longer there and counts the prefixes again, then adds the keys back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: Each table, its text column (the token or the prefix) and that column's length.
_TABLES = (("onzecoach_search_tokens", "token", 100), ("onzecoach_search_prefixes", "prefix", 3))


def _key(table: str) -> str:
    return f"fk_{table}_employee_id_onzecoach_employees"


def _in_code_point_order(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _remake_on_sqlite(table: str, text: str, length: int, *, with_key: bool) -> None:
    """``table`` made anew, with or without the foreign key, its rows kept."""
    made = f"{table}_0017"
    key = (
        [
            sa.ForeignKeyConstraint(
                ["employee_id"], ["onzecoach_employees.id"], name=_key(table), ondelete="CASCADE"
            )
        ]
        if with_key
        else []
    )
    op.create_table(
        made,
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column(text, _in_code_point_order(length), nullable=False),
        sa.Column("sort_key", _in_code_point_order(400), nullable=False),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("employer_id", text, "sort_key", name=f"pk_{table}"),
        *key,
        sqlite_with_rowid=False,
    )
    columns = f"employer_id, {text}, sort_key, employee_id"
    op.execute(f"INSERT INTO {made} ({columns}) SELECT {columns} FROM {table}")  # noqa: S608
    op.drop_table(table)  # and its index
    op.rename_table(made, table)
    op.create_index(f"ix_{table}_employee_id", table, ["employee_id"])


def upgrade() -> None:
    for table, text, length in _TABLES:
        if op.get_context().dialect.name == "sqlite":
            _remake_on_sqlite(table, text, length, with_key=False)
        else:
            op.drop_constraint(_key(table), table, type_="foreignkey")


#: Each prefix's count, as the prefix rows left give it (rows of a count stay, at 0).
_RECOUNT = (
    "UPDATE onzecoach_search_prefix_counts SET count = (SELECT count(*)"
    " FROM onzecoach_search_prefixes AS p"
    " WHERE p.employer_id = onzecoach_search_prefix_counts.employer_id"
    " AND p.prefix = onzecoach_search_prefix_counts.prefix)"
)


def downgrade() -> None:
    for table, _, _ in _TABLES:
        op.execute(
            f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM onzecoach_employees AS e"  # noqa: S608
            f" WHERE e.id = {table}.employee_id)"
        )
    op.execute(_RECOUNT)
    for table, text, length in _TABLES:
        if op.get_context().dialect.name == "sqlite":
            _remake_on_sqlite(table, text, length, with_key=True)
        else:
            op.create_foreign_key(
                _key(table),
                table,
                "onzecoach_employees",
                ["employee_id"],
                ["id"],
                ondelete="CASCADE",
            )
