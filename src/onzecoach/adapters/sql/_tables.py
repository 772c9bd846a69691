"""The schema as SQLAlchemy Core tables. The migrations create it; a test checks they agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

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


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    SQLite keeps naive ISO text, which sorts and compares correctly because every value is
    UTC; PostgreSQL keeps ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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
    sa.Index(None, "user_id"),
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

throttles = sa.Table(
    "onzecoach_throttles",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer(), nullable=False),
    sa.Column("last_failure_at", UtcDateTime(), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_failures", sa.Integer(), nullable=False),
)
