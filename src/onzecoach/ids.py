"""Identifiers: opaque, unguessable, URL-safe strings that sort by when they were made.

An id is a UUID version 7 (RFC 9562) in its 32 hex digits: 48 bits of Unix time in
milliseconds, then 74 random bits. An id made in a later millisecond sorts later (within
one millisecond the order is random), so new rows land at the end of every B-tree keyed
by an id (primary keys, and the indexes of the rows that point at them) instead of at
random places: a batch of inserts touches a few pages rather than nearly all of them. The
time an id was made can be read from it; nothing secret is ever an id (tokens and codes
come from ``secrets``).
"""

from __future__ import annotations

import os
import secrets
import time
from typing import TypeGuard

__all__ = ["is_id", "new_id", "new_ids"]

_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62
_RANDOM_A = (1 << 12) - 1
_RANDOM_B = (1 << 62) - 1


def new_id() -> str:
    """A new identifier: a UUID version 7 in 32 lower-case hex digits."""
    return _id(_time_bits(), secrets.randbits(74))


def new_ids(count: int) -> list[str]:
    """``count`` new identifiers, as ``new_id`` makes them, from one read of the system's
    randomness (``secrets`` reads it per id): for bulk writes."""
    time_bits = _time_bits()
    data = os.urandom(10 * count)
    # 74 of each 80 random bits.
    return [
        _id(time_bits, int.from_bytes(data[start : start + 10]) >> 6)
        for start in range(0, 10 * count, 10)
    ]


def _time_bits() -> int:
    """The millisecond of now, placed with the version and variant bits."""
    return (time.time_ns() // 1_000_000 & ((1 << 48) - 1)) << 80 | _VERSION | _VARIANT


def _id(time_bits: int, random: int) -> str:
    """The id of ``_time_bits`` and 74 random bits."""
    return f"{time_bits | (random >> 62 & _RANDOM_A) << 64 | random & _RANDOM_B:032x}"


_HEX = frozenset("0123456789abcdef")


def is_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` has the form of an id: anything else names nothing, and is never
    sent to a database (where a NUL or a lone surrogate would fail the driver)."""
    return isinstance(value, str) and len(value) == 32 and _HEX.issuperset(value)
