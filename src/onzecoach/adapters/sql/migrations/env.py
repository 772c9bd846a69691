"""Alembic's entry point for onzecoach's own migrations.

Run through ``SqlStorage.upgrade()``, which hands over its connection; onzecoach keeps
its version in its own table so that an embedding application's alembic is untouched.
"""

from __future__ import annotations

from alembic import context

from onzecoach.adapters.sql._tables import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run onzecoach's migrations through SqlStorage.upgrade()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
