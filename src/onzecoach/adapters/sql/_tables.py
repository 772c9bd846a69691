"""The schema as SQLAlchemy Core tables. The migrations create it; a test checks they agree."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from onzecoach.adapters.sql._types import UtcDateTime
from onzecoach.stats import COUNTER_FIELDS

__all__ = ["VERSION_TABLE", "UtcDateTime", "metadata"]

#: Alembic's version table of onzecoach, apart from any table of an embedding app.
VERSION_TABLE = "onzecoach_alembic_version"

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


Id = sa.String(32)
Json = sa.JSON().with_variant(JSONB(), "postgresql")

employers = sa.Table(
    "onzecoach_employers",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_key", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

departments = sa.Table(
    "onzecoach_departments",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_key", sa.String(200), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("employer_id", "name_key"),
)

# Each employer's own settings: its overrides of the portal's defaults, NULL where it
# follows the default (revision 0010).
employer_settings = sa.Table(
    "onzecoach_employer_settings",
    metadata,
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), primary_key=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("cancellation_notice_seconds", sa.Integer(), nullable=True),
    sa.Column("late_cancellations_count", sa.Boolean(), nullable=True),
    sa.Column("no_shows_count", sa.Boolean(), nullable=True),
    sa.Column("passkey_login", sa.Boolean(), nullable=True),
    sa.Column("retention_months", sa.Integer(), nullable=True),  # revision 0016
)

audit_log = sa.Table(
    "onzecoach_audit_log",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor_id", Id, nullable=True),
    sa.Column("actor_role", sa.String(32), nullable=True),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("employer_id", Id, nullable=True),
    sa.Column("subject_type", sa.String(32), nullable=False),
    sa.Column("subject_id", Id, nullable=False),
    sa.Column("details", Json, nullable=False),
    sa.Index(None, "employer_id", "id"),
    sa.Index(None, "subject_type", "subject_id", "id"),
)

outbox = sa.Table(
    "onzecoach_outbox",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("subject", sa.String(250), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("html", sa.Text(), nullable=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("reference", Id, nullable=True),
    sa.Column("employer_id", Id, nullable=True),
    sa.Column("message_id", sa.String(250), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("not_before", UtcDateTime(), nullable=False),
    sa.Column("locked_until", UtcDateTime(), nullable=True),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    # One sealed JSON list of the mail's attachments (revision 0009).
    sa.Column("attachments", sa.Text(), nullable=True),
    # What dispatchers scan: only messages still to send, in due order.
    sa.Index(
        "ix_onzecoach_outbox_due",
        "not_before",
        sqlite_where=sa.text("status IN ('pending', 'sending')"),
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    ),
    sa.Index(None, "reference"),
    sa.Index(None, "created_at"),
)

users = sa.Table(
    "onzecoach_users",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), nullable=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("username_key", sa.String(64), nullable=False, unique=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("email_key", sa.String(254), nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("password_changed_at", UtcDateTime(), nullable=True),
    sa.Index(None, "employer_id"),
)

tokens = sa.Table(
    "onzecoach_tokens",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    sa.Index(None, "user_id", "purpose"),
)

password_history = sa.Table(
    "onzecoach_password_history",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Index(None, "user_id", "id"),
)

sessions = sa.Table(
    "onzecoach_sessions",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("ended_at", UtcDateTime(), nullable=True),
    sa.Index(None, "user_id"),
)

rate_limits = sa.Table(
    "onzecoach_rate_limits",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("count", sa.Integer(), nullable=False),
)

mfa_factors = sa.Table(
    "onzecoach_mfa_factors",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("confirmed_at", UtcDateTime(), nullable=True),
    sa.Column("phone", sa.String(16), nullable=True),
    # One YubiKey, one account. Both databases let any number of rows leave it NULL.
    sa.Column("public_id", sa.String(12), nullable=True, unique=True),
    sa.Column("secret_sealed", sa.Text(), nullable=True),
    sa.Column("last_step", sa.BigInteger(), nullable=True),
    # WebAuthn (revision 0013): public keys, counters, names and a random user handle.
    sa.Column("credential_id", sa.String(1400), nullable=True),
    sa.Column("public_key", sa.Text(), nullable=True),
    sa.Column("sign_count", sa.BigInteger(), nullable=True),
    sa.Column("transports", sa.String(200), nullable=True),
    sa.Column("name", sa.String(64), nullable=True),
    sa.Column("user_handle", sa.String(100), nullable=True),
    sa.Column("last_used_at", UtcDateTime(), nullable=True),
    sa.Index(None, "user_id"),
    # One credential, one key (revision 0014); a passkey sign-in finds its key by it.
    sa.Index(None, "credential_id", unique=True),
)

backup_codes = sa.Table(
    "onzecoach_backup_codes",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Index(None, "user_id", "code_hash"),
)

login_challenges = sa.Table(
    "onzecoach_login_challenges",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    # The offered methods' values in order, joined by ",".
    sa.Column("methods", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Column("ip", sa.String(45), nullable=True),
)

sms_codes = sa.Table(
    "onzecoach_sms_codes",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("ref", sa.String(32), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("tries", sa.Integer(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Index(None, "ref", "created_at"),
)

# WebAuthn challenges (revision 0014), as keyed hashes, bound to their step by ``ref``.
webauthn_challenges = sa.Table(
    "onzecoach_webauthn_challenges",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("ref", sa.String(64), nullable=False),
    sa.Column("challenge_hash", sa.String(64), nullable=False),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Index(None, "ref", "created_at"),
)

throttles = sa.Table(
    "onzecoach_throttles",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer(), nullable=False),
    sa.Column("last_failure_at", UtcDateTime(), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_failures", sa.Integer(), nullable=False),
)

employees = sa.Table(
    "onzecoach_employees",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("last_name", sa.String(100), nullable=False),
    sa.Column("given_name", sa.String(100), nullable=False),
    sa.Column("initials", sa.String(30), nullable=False),
    sa.Column("gender", sa.String(8), nullable=False),
    sa.Column("birth_date", sa.Date(), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    # The form allows 100 characters (``MAX_LENGTHS``), though configured types are short.
    sa.Column("registration_type", sa.String(100), nullable=False),
    sa.Column("employee_number", sa.String(30), nullable=True),
    sa.Column("name_infix", sa.String(30), nullable=True),
    sa.Column("phone", sa.String(20), nullable=True),  # E.164: at most 16
    sa.Column("street", sa.String(200), nullable=True),
    sa.Column("house_number", sa.String(10), nullable=True),
    sa.Column("postcode", sa.String(10), nullable=True),
    sa.Column("city", sa.String(100), nullable=True),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("department_id", Id, sa.ForeignKey(departments.c.id), nullable=True),
    sa.Column("job_title", sa.String(100), nullable=True),
    sa.Column("cost_centre", sa.String(50), nullable=True),
    sa.Column("po_number", sa.String(50), nullable=True),
    # When the person was erased: the row is a tombstone (revision 0015).
    sa.Column("erased_at", UtcDateTime(), nullable=True),
    sa.Column("last_named_at", UtcDateTime(), nullable=True),  # an import's (0016)
    # Both databases let any number of an employer's employees go without a number.
    sa.UniqueConstraint("employer_id", "employee_number"),
    sa.Index(None, "employer_id", "last_name", "given_name", "id"),
)

trajectories = sa.Table(
    "onzecoach_trajectories",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), nullable=False),
    sa.Column("employee_id", Id, sa.ForeignKey(employees.c.id), nullable=False),
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
    sa.Column("parent_id", Id, sa.ForeignKey("onzecoach_trajectories.id"), nullable=True),
    sa.Column("classification", sa.String(100), nullable=True),
    sa.Column("booking_token_hash", sa.String(64), nullable=True, unique=True),
    # The employee's department when the trajectory started, which its statistics count
    # in. Last, as a migration added it.
    sa.Column("department_id", Id, sa.ForeignKey(departments.c.id), nullable=True),
    sa.UniqueConstraint("employee_id", "number"),
    # A statistics rebuild reads every trajectory of an employer.
    sa.Index(None, "employer_id"),
    # At most one open trajectory that extends nothing per employee, and one open
    # extension per trajectory, held by the database even when two requests start one
    # at the same moment (revision 0007).
    sa.Index(
        "ix_onzecoach_trajectories_open",
        "employee_id",
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL AND parent_id IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL AND parent_id IS NULL"),
    ),
    sa.Index(
        "ix_onzecoach_trajectories_open_extension",
        "parent_id",
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL AND parent_id IS NOT NULL"),
        postgresql_where=sa.text("closed_at IS NULL AND parent_id IS NOT NULL"),
    ),
)

_PORTAL_SESSION = sa.text("coach_id IS NOT NULL")
appointments = sa.Table(
    "onzecoach_appointments",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("trajectory_id", Id, sa.ForeignKey(trajectories.c.id), nullable=False),
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), nullable=False),
    sa.Column("employee_id", Id, sa.ForeignKey(employees.c.id), nullable=False),
    sa.Column("external_id", sa.String(64), nullable=False),
    sa.Column("starts_at", UtcDateTime(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("theme", sa.String(100), nullable=True),
    sa.Column("coach", sa.String(100), nullable=True),
    # The department of the first report, where its statistics count (a later column).
    sa.Column("department_id", Id, sa.ForeignKey(departments.c.id), nullable=True),
    # A portal session's coach, end and place. One coach's never overlap: an exclusion
    # constraint (PostgreSQL) or triggers (SQLite), made by migration 0011.
    sa.Column("coach_id", Id, nullable=True),
    sa.Column("ends_at", UtcDateTime(), nullable=True),
    sa.Column("location", sa.String(300), nullable=True),
    sa.UniqueConstraint("employer_id", "external_id"),
    sa.Index(None, "trajectory_id", "starts_at"),
    sa.Index(
        "ix_onzecoach_appointments_coach_time",
        *("coach_id", "starts_at"),
        sqlite_where=_PORTAL_SESSION,
        postgresql_where=_PORTAL_SESSION,
    ),
)

#: The statuses in which a portal session keeps its coach's time taken.
COACH_TIME_STATUSES = ("planned", "held", "no_show")

#: The coach's private notes on a session, sealed (context ``session-note:<id>``).
session_notes = sa.Table(
    "onzecoach_session_notes",
    metadata,
    sa.Column("appointment_id", Id, sa.ForeignKey(appointments.c.id), primary_key=True),
    sa.Column("coach_id", Id, nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

tasks = sa.Table(
    "onzecoach_tasks",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), nullable=False),
    sa.Column("employee_id", Id, sa.ForeignKey(employees.c.id), nullable=False),
    sa.Column("trajectory_id", Id, sa.ForeignKey(trajectories.c.id), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("sessions", sa.Integer(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("completed_at", UtcDateTime(), nullable=True),
    # A user's id, like the audit log's actor_id: no foreign key, so that the record
    # outlives the account.
    sa.Column("completed_by", Id, nullable=True),
    sa.Column("decision", sa.String(16), nullable=True),
    sa.Column("decision_note", sa.Text(), nullable=True),
    sa.Column(
        "extension_trajectory_id",
        Id,
        # The conventional name would pass PostgreSQL's 63 characters.
        sa.ForeignKey(trajectories.c.id, name="fk_onzecoach_tasks_extension_trajectory_id"),
        nullable=True,
    ),
    sa.Index(None, "employer_id", "status", "created_at"),
    sa.Index(None, "employee_id", "status"),
)


def _in_code_point_order(length: int) -> sa.types.TypeEngine[str]:
    """Text that compares as Python's ``str`` does, so that indexes serve search's ranges.

    SQLite's default BINARY collation already compares UTF-8 bytes, which is code point
    order. PostgreSQL compares by the database's locale unless told otherwise, and an
    index only serves the collation it was built with: hence "C" on the column itself.
    """
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


# The dossier search (``onzecoach.search``). One row per token of each employee: the
# primary key serves "range on token, then in sort_key order" from one B-tree.
# WITHOUT ROWID makes that B-tree the table on SQLite, so employee_id comes with it.
# The index is derived data, like the statistics' rollups: no foreign key (revision 0017).
# SqlSearchIndex.remove takes an employee's rows out before the employee goes, and a
# rebuild makes the index anew; a key checked per row cost PostgreSQL about two fifths
# of the work of an import's writes.
search_tokens = sa.Table(
    "onzecoach_search_tokens",
    metadata,
    sa.Column("employer_id", Id, primary_key=True),
    sa.Column("token", _in_code_point_order(100), primary_key=True),
    sa.Column("sort_key", _in_code_point_order(400), primary_key=True),
    sa.Column("employee_id", Id, nullable=False, index=True),
    sqlite_with_rowid=False,
)

# One row per employee and distinct first three characters of its tokens of three or
# more, so that the commonest search, three letters, reads one page of the index.
search_prefixes = sa.Table(
    "onzecoach_search_prefixes",
    metadata,
    sa.Column("employer_id", Id, primary_key=True),
    sa.Column("prefix", _in_code_point_order(3), primary_key=True),
    sa.Column("sort_key", _in_code_point_order(400), primary_key=True),
    sa.Column("employee_id", Id, nullable=False, index=True),
    sqlite_with_rowid=False,
)

# How many employees each prefix of ``search_prefixes`` has: the total of a three-letter
# search without counting. Rows stay when their count drops to 0.
search_prefix_counts = sa.Table(
    "onzecoach_search_prefix_counts",
    metadata,
    sa.Column("employer_id", Id, primary_key=True),
    sa.Column("prefix", _in_code_point_order(3), primary_key=True),
    sa.Column("count", sa.Integer(), nullable=False),
    sqlite_with_rowid=False,
)


# The statistics rollups (``onzecoach.stats``): a row of counters per employer, department
# or employee and month. The primary key serves every scope's range of months and every
# breakdown from one B-tree (WITHOUT ROWID makes it the table on SQLite); the (level,
# month) index serves every employer together, and the (employer, level, employee, month)
# index an employee's cells, which may lie under several departments. No foreign keys: a
# rollup is derived data, written on every appointment change and rebuilt from the
# appointments when in doubt.
stats_cells = sa.Table(
    "onzecoach_stats_cells",
    metadata,
    sa.Column("employer_id", Id, primary_key=True),
    sa.Column("level", sa.SmallInteger(), primary_key=True),  # ``Level``
    # "" for an employer's cells and for employees without a department.
    sa.Column("department_id", Id, primary_key=True),
    sa.Column("employee_id", Id, primary_key=True),  # "" but for an employee's cells
    sa.Column("month", sa.Integer(), primary_key=True),  # YYYYMM
    *(
        sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
        for name in COUNTER_FIELDS
    ),
    sa.Index(None, "level", "month"),
    sa.Index(None, "employer_id", "level", "employee_id", "month"),
    sqlite_with_rowid=False,
)

# Held sessions per theme in an employer's or a department's month; never per employee.
stats_themes = sa.Table(
    "onzecoach_stats_themes",
    metadata,
    sa.Column("employer_id", Id, primary_key=True),
    sa.Column("level", sa.SmallInteger(), primary_key=True),  # ``Level``: 0 or 1
    sa.Column("department_id", Id, primary_key=True),
    sa.Column("month", sa.Integer(), primary_key=True),
    sa.Column("theme", sa.String(100), primary_key=True),
    sa.Column("held", sa.Integer(), nullable=False, server_default=sa.text("0")),
    sa.Index(None, "level", "month"),
    sqlite_with_rowid=False,
)

# Coaches (revision 0010): profile and availability whole, as JSON; what a search for
# bookable coaches filters on in columns and tables of its own.

coaches = sa.Table(
    "onzecoach_coaches",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey(users.c.id), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    # The name casefolded, compared as Python compares it (the memory storage's order).
    sa.Column("name_key", _in_code_point_order(200), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("offers_live", sa.Boolean(), nullable=False),
    sa.Column("offers_online", sa.Boolean(), nullable=False),
    # No employer named: the coach serves every employer.
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
    sa.Column("feed_token_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index(None, "name_key", "id"),
)

coach_languages = sa.Table(
    "onzecoach_coach_languages",
    metadata,
    sa.Column("coach_id", Id, sa.ForeignKey(coaches.c.id), primary_key=True),
    sa.Column("language", sa.String(8), primary_key=True),
    sa.Index(None, "language", "coach_id"),
)

coach_specialisms = sa.Table(
    "onzecoach_coach_specialisms",
    metadata,
    sa.Column("coach_id", Id, sa.ForeignKey(coaches.c.id), primary_key=True),
    sa.Column("specialism", sa.String(64), primary_key=True),
    sa.Index(None, "specialism", "coach_id"),
)

coach_employers = sa.Table(
    "onzecoach_coach_employers",
    metadata,
    sa.Column("coach_id", Id, sa.ForeignKey(coaches.c.id), primary_key=True),
    sa.Column("employer_id", Id, sa.ForeignKey(employers.c.id), primary_key=True),
    sa.Index(None, "employer_id", "coach_id"),
)

coach_busy_times = sa.Table(
    "onzecoach_coach_busy_times",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("coach_id", Id, sa.ForeignKey(coaches.c.id), nullable=False),
    sa.Column("uid", sa.Text(), nullable=False),
    sa.Column("starts_at", UtcDateTime(), nullable=False),
    sa.Column("ends_at", UtcDateTime(), nullable=False),
    sa.Index(None, "coach_id", "starts_at"),
)
