"""Ids: UUID version 7 in hex, sorting by the millisecond they were made."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onzecoach.ids import new_id, new_ids

MILLIS = st.integers(min_value=0, max_value=(1 << 48) - 1)


def made_at(monkeypatch: pytest.MonkeyPatch, millis: int) -> str:
    monkeypatch.setattr(time, "time_ns", lambda: millis * 1_000_000 + 999_999)
    return new_id()


def test_an_id_is_a_version_7_uuid_in_32_hex_digits() -> None:
    made = new_id()
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    parsed = uuid.UUID(made)
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122


def test_ids_do_not_repeat_and_their_random_part_varies() -> None:
    made = [new_id() for _ in range(20_000)]
    assert len(set(made)) == len(made)
    assert len({m[16:] for m in made}) == len(made)


@given(first=MILLIS, second=MILLIS)
def test_an_id_of_a_later_millisecond_sorts_later(first: int, second: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        earlier, later = made_at(patch, min(first, second)), made_at(patch, max(first, second))
        assert int(earlier[:12], 16) == min(first, second)
        assert uuid.UUID(earlier).version == uuid.UUID(later).version == 7
    if first != second:
        assert earlier < later


def test_ids_made_in_bulk_are_ids_of_their_millisecond_and_do_not_repeat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    millis = 1_767_225_600_123
    monkeypatch.setattr(time, "time_ns", lambda: millis * 1_000_000 + 999_999)
    made = new_ids(20_000)
    assert len(made) == 20_000
    assert len({m[16:] for m in made}) == len(made)
    for each in made[:200]:
        assert re.fullmatch(r"[0-9a-f]{32}", each)
        parsed = uuid.UUID(each)
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
        assert int(each[:12], 16) == millis
    assert new_ids(0) == []
