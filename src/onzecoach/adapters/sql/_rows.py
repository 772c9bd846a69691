"""Rows to entities: one cattrs converter instead of a constructor call per table."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar

import attrs
import cattrs
from sqlalchemy.engine import Row

__all__ = ["fields_except", "row_values", "structure_row"]

T = TypeVar("T")

_converter = cattrs.Converter()
# The driver hands these over already typed (UtcDateTime makes datetimes aware UTC).
_converter.register_structure_hook(datetime, lambda value, _: value)
_converter.register_structure_hook(date, lambda value, _: value)


def structure_row(row: Row[Any], kind: type[T], **overrides: Any) -> T:
    """The entity ``kind`` from a row; columns the entity lacks (search keys) are ignored."""
    return _converter.structure({**row._asdict(), **overrides}, kind)


def fields_except(kind: type[Any], *excluded: str) -> tuple[str, ...]:
    """The entity's field names but ``excluded``: the columns an update writes."""
    return tuple(f.name for f in attrs.fields(kind) if f.name not in excluded)


def row_values(entity: Any, names: Iterable[str]) -> dict[str, Any]:
    """The columns ``names`` of an entity, enums as their stored values."""
    values = {name: getattr(entity, name) for name in names}
    return {k: v.value if isinstance(v, enum.Enum) else v for k, v in values.items()}
