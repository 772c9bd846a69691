"""Identifiers: opaque, random, URL-safe strings."""

from __future__ import annotations

import uuid

__all__ = ["new_id"]


def new_id() -> str:
    """A new random identifier (a UUID4 in its 32 hex digits)."""
    return uuid.uuid4().hex
