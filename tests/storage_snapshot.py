"""Everything a storage holds, in a form two readings can be compared in.

For the checks that a refused call writes nothing: the throttling counters aside, a
reading before and after must be equal. Order does not count (a rolled-back write may put
a key back in another place); content does.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.adapters.sql._tables import VERSION_TABLE
from onzecoach.ports import Storage

#: What a refused call may still write: the tries it counts.
THROTTLING_TABLES = frozenset({"onzecoach_throttles", "onzecoach_rate_limits"})


def _canonical(value: Any) -> Any:
    if attrs.has(type(value)):
        return (type(value).__name__, _canonical(attrs.asdict(value, recurse=False)))
    if isinstance(value, Mapping):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(repr(_canonical(item)) for item in value))
    if isinstance(
        value, str | int | float | bool | bytes | date | datetime | timedelta | enum.Enum
    ) or (value is None):
        return value
    return (type(value).__name__, _canonical(vars(value)))


def snapshot(storage: Storage) -> Any:
    """What ``storage`` holds, but for its throttling counters."""
    if isinstance(storage, MemoryStorage):
        tables = {
            kind.__name__: instance
            for kind, instance in storage._tables.items()
            if kind.__name__ != "ThrottlingTables"
        }
        return _canonical(tables)
    if isinstance(storage, SqlStorage):
        with storage.engine.connect() as connection:
            found = {}
            for table in _tables(storage, connection):
                if table.name in THROTTLING_TABLES:
                    continue
                rows = connection.execute(table.select()).all()
                found[table.name] = sorted(repr(tuple(row)) for row in rows)
        return found
    raise TypeError(f"no snapshot for {storage!r}")


# Reflecting the schema costs more than reading a small database's rows: once per engine
# and schema revision, since a test compares many readings of one database.
_reflected: weakref.WeakKeyDictionary[sa.Engine, tuple[str | None, list[sa.Table]]] = (
    weakref.WeakKeyDictionary()
)


def _tables(storage: SqlStorage, connection: sa.Connection) -> list[sa.Table]:
    """The storage's tables, as the database has them."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    revision = context.get_current_revision()
    known = _reflected.get(storage.engine)
    if known is not None and known[0] == revision:
        return known[1]
    metadata = sa.MetaData()
    metadata.reflect(connection)
    tables = [table for table in metadata.sorted_tables if table.name.startswith("onzecoach_")]
    _reflected[storage.engine] = (revision, tables)
    return tables


def rows(storage: Storage) -> Iterator[tuple[str, Any, str]]:
    """Every row of every table as ``(table, key, text)``: the table's name without the
    ``onzecoach_`` prefix (the memory storage's attribute), the row's key (its first column,
    a dict's key, ``None`` in a list) and the text of the whole row; the memory storage's
    indexes are tables of their own."""
    if isinstance(storage, MemoryStorage):
        instance: Any
        for instance in storage._tables.values():
            held = (
                {f.name: getattr(instance, f.name) for f in attrs.fields(type(instance))}
                if attrs.has(type(instance))
                else dict(vars(instance))
            )
            for name, table in held.items():
                if isinstance(table, Mapping):
                    for key, item in table.items():
                        yield name, key, repr((key, _canonical(item)))
                elif isinstance(table, list | tuple):
                    for item in table:
                        yield name, None, repr(_canonical(item))
        return
    assert isinstance(storage, SqlStorage)
    with storage.engine.connect() as connection:
        for table in _tables(storage, connection):
            for row in connection.execute(table.select()):
                yield table.name.removeprefix("onzecoach_"), row[0], repr(tuple(row))


@attrs.frozen
class Record:
    """One row of the raw dump: its table (without ``onzecoach_``), its key, whether that
    key is the id of the row itself (an entity, not an index that points at one), and its
    values by column (the memory storage's fields, nested ones as ``outer.inner``)."""

    table: str
    key: Any
    is_entity: bool
    values: tuple[tuple[str, Any], ...]


def _leaves(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _leaves(
                f"{name}.{field.name}" if name else field.name, getattr(value, field.name)
            )
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(f"{name}.{key}" if name else str(key), inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for inner in value:
            yield from _leaves(name, inner)
    else:
        yield name, value


def records(storage: Storage) -> Iterator[Record]:
    """Every row of every table as a ``Record``, the memory storage's indexes as tables of
    their own: what a dump of the database holds, to follow a person's ids through it."""
    if isinstance(storage, MemoryStorage):
        instance: Any
        for instance in storage._tables.values():
            held = (
                {f.name: getattr(instance, f.name) for f in attrs.fields(type(instance))}
                if attrs.has(type(instance))
                else dict(vars(instance))
            )
            for name, table in held.items():
                if isinstance(table, Mapping):
                    for key, item in table.items():
                        entity = attrs.has(type(item)) and getattr(item, "id", None) == key
                        yield Record(name, key, entity, (("key", key), *_leaves("", item)))
                elif isinstance(table, list | tuple):
                    for item in table:
                        yield Record(name, None, False, tuple(_leaves("", item)))
        return
    assert isinstance(storage, SqlStorage)
    with storage.engine.connect() as connection:
        for table in _tables(storage, connection):
            columns = [c.name for c in table.columns]
            for row in connection.execute(table.select()):
                yield Record(
                    table.name.removeprefix("onzecoach_"),
                    row[0],
                    columns[0] == "id",
                    tuple(zip(columns, row, strict=True)),
                )
