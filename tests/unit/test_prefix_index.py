"""The memory search index's bulk add: all of a batch, or nothing of it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onzecoach.adapters.memory._prefix_index import IndexEntry, PrefixIndex

WORDS = st.text(alphabet="abcdefg", min_size=1, max_size=6)


def entry(employee_id: str, *tokens: str) -> tuple[str, IndexEntry]:
    key = f"{min(tokens)}\x01{employee_id}"
    return employee_id, IndexEntry("werkgever", frozenset(tokens), key)


@given(
    st.lists(st.lists(WORDS, min_size=1, max_size=3), min_size=1, max_size=30), st.integers(1, 7)
)
def test_adding_in_batches_finds_what_adding_one_by_one_finds(
    people: list[list[str]], batch: int
) -> None:
    made = [entry(f"id{n:03d}", *tokens) for n, tokens in enumerate(people)]
    one_by_one, in_batches = PrefixIndex(), PrefixIndex()
    for employee_id, item in made:
        one_by_one.put(employee_id, item)
    for start in range(0, len(made), batch):
        in_batches.add_many(made[start : start + batch])
    for word in {token[:n] for _, item in made for token in item.tokens for n in (1, 2, 3)}:
        assert in_batches.query("werkgever", [word], limit=100, offset=0) == one_by_one.query(
            "werkgever", [word], limit=100, offset=0
        )


@pytest.mark.parametrize(
    "batch",
    [
        [entry("nieuw", "aal"), entry("anna", "aal")],  # anna is held already
        [entry("nieuw", "aal"), entry("nieuw", "aal")],  # named twice
    ],
)
def test_a_refused_batch_changes_nothing(batch: list[tuple[str, IndexEntry]]) -> None:
    index = PrefixIndex()
    index.add_many([entry("anna", "berg")])
    with pytest.raises(ValueError, match="once each"):
        index.add_many(batch)
    assert len(index) == 1
    assert index.query("werkgever", ["aal"], limit=10, offset=0) == ([], 0)
    assert index.query("werkgever", ["ber"], limit=10, offset=0) == (["anna"], 1)
