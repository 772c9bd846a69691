"""The breakdown's page: the same rows, in the same order, as sorting every row would give."""

from __future__ import annotations

from collections.abc import Collection

from hypothesis import given
from hypothesis import strategies as st

from onzecoach.stats import Counters
from onzecoach.stats._model import COUNTER_FIELDS
from onzecoach.stats._service import _FIGURE, SORTS, Sort, _page

# Few values and few names, so that figures and names tie often.
SMALL_COUNTERS = st.builds(Counters, *(st.integers(0, 3) for _ in COUNTER_FIELDS))
NAMES = st.sampled_from(["Berg", "berg", "Bakker", "Straße", "STRASSE", "Ödegaard", "", "Zee"])
CHILDREN = st.dictionaries(st.text("abcdef", min_size=1, max_size=3), SMALL_COUNTERS, max_size=30)


def oracle(children: dict[str, Counters], labels: dict[str, str], sort: Sort) -> list[str]:
    """Every row sorted: by name, or by a figure (most first, none last), then by name."""

    def key(child: str) -> tuple[object, ...]:
        name = (labels[child].casefold(), child)
        if sort == "label":
            return name
        value = _FIGURE[sort](children[child])
        return (value is None, -(value or 0), *name)

    return sorted(children, key=key)


@given(
    children=CHILDREN,
    names=st.lists(NAMES, min_size=30, max_size=30),
    sort=st.sampled_from(SORTS),
    page=st.integers(1, 8),
    page_size=st.none() | st.integers(1, 7),
)
def test_a_page_is_the_slice_of_every_row_sorted(
    children: dict[str, Counters],
    names: list[str],
    sort: Sort,
    page: int,
    page_size: int | None,
) -> None:
    labels = {child: names[i] for i, child in enumerate(sorted(children))}
    asked: list[str] = []

    def labels_of(keys: Collection[str]) -> dict[str, str]:
        asked.extend(keys)
        return {key: labels[key] for key in keys}

    order, found = _page(children, sort, page, page_size, labels_of)
    every = oracle(children, labels, sort)
    expected = every if page_size is None else every[(page - 1) * page_size : page * page_size]
    assert order == expected
    assert all(found[key] == labels[key] for key in order)
    assert set(asked) <= set(children)


def test_sorted_by_a_figure_only_the_rows_that_tie_with_the_page_are_named() -> None:
    children = {f"e{n:03}": Counters(held=n) for n in range(100)}
    asked: list[str] = []

    def labels_of(keys: Collection[str]) -> dict[str, str]:
        asked.extend(keys)
        return {key: key.upper() for key in keys}

    order, _ = _page(children, "held_sessions", 2, 10, labels_of)
    assert order == [f"e{n:03}" for n in range(89, 79, -1)]
    assert sorted(asked) == sorted(order)
