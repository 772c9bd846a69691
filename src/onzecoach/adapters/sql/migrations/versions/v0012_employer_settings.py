"""Employers' settings, late cancellations counted, and themes from a catalogue.

Revision ID: 0012
Revises: 0011

- A table ``onzecoach_employer_settings``: each employer's overrides of the portal's
  defaults (cancellation notice, whether late cancellations and no-shows use a session).
- A counter ``late_cancelled`` in every statistics cell, 0: no session was a late
  cancellation before this revision.
- An appointment's theme is a code from the theme catalogue now. A free-text theme stored
  before that matches a theme of the default catalogue (its code or its name, ignoring
  case, accents and extra whitespace) becomes that code, in the appointments and in the
  statistics' theme cells alike; any other text is kept as it is.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from onzecoach.adapters.sql._tables import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The default catalogue and its comparison as this revision was written
# (``onzecoach.catalogues``): a later change to either must not change what it did.
THEMES = {
    "werkdruk": "Werkdruk",
    "loopbaan": "Loopbaan",
    "communicatie": "Communicatie",
    "balans-werk-prive": "Balans werk-privé",
    "conflict": "Conflict",
    "zelfvertrouwen": "Zelfvertrouwen",
    "re-integratie": "Re-integratie",
}

APPOINTMENTS = sa.table("onzecoach_appointments", sa.column("id"), sa.column("theme"))
THEME_CELLS = sa.table(
    "onzecoach_stats_themes",
    sa.column("employer_id"),
    sa.column("level"),
    sa.column("department_id"),
    sa.column("month"),
    sa.column("theme"),
    sa.column("held"),
)


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


_CODES = {key: code for code, name in THEMES.items() for key in (code, _key(name))}


def mapped(theme: str) -> str:
    """The code a stored theme becomes, or the theme as it is."""
    return _CODES.get(_key(theme), theme)


def upgrade() -> None:
    op.create_table(
        "onzecoach_employer_settings",
        sa.Column("employer_id", sa.String(32), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("cancellation_notice_seconds", sa.Integer(), nullable=True),
        sa.Column("late_cancellations_count", sa.Boolean(), nullable=True),
        sa.Column("no_shows_count", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["onzecoach_employers.id"],
            name="fk_onzecoach_employer_settings_employer_id_onzecoach_employers",
        ),
        sa.PrimaryKeyConstraint("employer_id", name="pk_onzecoach_employer_settings"),
    )
    op.add_column(
        "onzecoach_stats_cells",
        sa.Column("late_cancelled", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(APPOINTMENTS.c.id, APPOINTMENTS.c.theme).where(APPOINTMENTS.c.theme.is_not(None))
    ).all()
    for appointment_id, theme in rows:
        if mapped(theme) != theme:
            connection.execute(
                APPOINTMENTS.update()
                .where(APPOINTMENTS.c.id == appointment_id)
                .values(theme=mapped(theme))
            )
    _map_theme_cells(connection)


def _map_theme_cells(connection: sa.Connection) -> None:
    """Rename the theme of every cell that maps; cells that meet under one code add up."""
    cells = THEME_CELLS.c
    rows = connection.execute(
        sa.select(
            cells.employer_id,
            cells.level,
            cells.department_id,
            cells.month,
            cells.theme,
            cells.held,
        )
    ).all()
    kept = {(e, lv, d, m, theme) for e, lv, d, m, theme, _ in rows if mapped(theme) == theme}
    moved: dict[tuple[str, int, str, int, str], int] = defaultdict(int)
    for employer, level, department, month, theme, held in rows:
        if mapped(theme) == theme:
            continue
        connection.execute(
            THEME_CELLS.delete().where(
                cells.employer_id == employer,
                cells.level == level,
                cells.department_id == department,
                cells.month == month,
                cells.theme == theme,
            )
        )
        moved[(employer, level, department, month, mapped(theme))] += held
    for (employer, level, department, month, code), held in sorted(moved.items()):
        if (employer, level, department, month, code) in kept:
            connection.execute(
                THEME_CELLS.update()
                .where(
                    cells.employer_id == employer,
                    cells.level == level,
                    cells.department_id == department,
                    cells.month == month,
                    cells.theme == code,
                )
                .values(held=cells.held + held)
            )
        else:
            connection.execute(
                THEME_CELLS.insert().values(
                    employer_id=employer,
                    level=level,
                    department_id=department,
                    month=month,
                    theme=code,
                    held=held,
                )
            )


def downgrade() -> None:
    # The themes stay codes: the text they were mapped from is not kept.
    with op.batch_alter_table("onzecoach_stats_cells") as batch:
        batch.drop_column("late_cancelled")
    op.drop_table("onzecoach_employer_settings")
