"""Rows to entities: one cattrs converter instead of a constructor call per table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import cattrs
from sqlalchemy.engine import Row

__all__ = ["structure_row"]

T = TypeVar("T")

_converter = cattrs.Converter()
# The driver hands these over already typed (UtcDateTime makes datetimes aware UTC).
_converter.register_structure_hook(datetime, lambda value, _: value)
_converter.register_structure_hook(date, lambda value, _: value)


def structure_row(row: Row[Any], kind: type[T], **overrides: Any) -> T:
    """The entity ``kind`` from a row; columns the entity lacks (search keys) are ignored."""
    return _converter.structure({**row._asdict(), **overrides}, kind)
