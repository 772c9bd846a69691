"""PrefixIndex: the dossier search in memory, sorted arrays with binary search.

Per employer, every (token, sort key) pair sits in one sorted list, so the employees
whose token starts with a prefix are one contiguous slice found by two bisections. The
common search, three letters typed into the search bar, is answered from a second
structure without touching the matches at all: per 3-letter prefix, the sorted, distinct
sort keys of the employees having a token that starts with it. Its length is the total
and its first slice the first page.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

import attrs

from onzecoach.search import SEPARATOR, matches

__all__ = ["IndexEntry", "PrefixIndex"]

_TOKEN_END = "\x00"  # noqa: S105 - a separator, not a secret
_MAX_CHAR = "\U0010ffff"
_BUCKET = 3


@attrs.frozen
class IndexEntry:
    """What the index holds for one employee."""

    employer_id: str
    tokens: frozenset[str]
    key: str  # the sort key, ending in the employee's id


@attrs.define
class _Shelf:
    """One employer's part of the index."""

    entries: list[str] = attrs.Factory(list)  # token + "\x00" + key, sorted
    buckets: dict[str, list[str]] = attrs.Factory(dict)  # 3-letter prefix -> sorted keys


def _id_of(key: str) -> str:
    return key.rsplit(SEPARATOR, 1)[1]


def _prefixes(tokens: Iterable[str]) -> set[str]:
    return {token[:_BUCKET] for token in tokens if len(token) >= _BUCKET}


class PrefixIndex:
    """The search index of ``MemoryStorage``; not thread-safe on its own (the storage locks)."""

    def __init__(self) -> None:
        self._shelves: dict[str, _Shelf] = {}
        self._entries: dict[str, IndexEntry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, employee_id: str) -> IndexEntry | None:
        return self._entries.get(employee_id)

    def put(self, employee_id: str, entry: IndexEntry | None) -> IndexEntry | None:
        """Set (or, with ``None``, drop) the employee's entry; return the previous one."""
        previous = self._entries.pop(employee_id, None)
        if previous is not None:
            self._unshelve(previous)
        if entry is not None:
            self._entries[employee_id] = entry
            self._shelve(entry)
        return previous

    def employees_of(self, employer_id: str) -> list[str]:
        """The ids of the employer's employees in the index."""
        return [i for i, entry in self._entries.items() if entry.employer_id == employer_id]

    def bulk_load(self, entries: Iterable[tuple[str, IndexEntry]]) -> None:
        """Fill an empty index at once: one sort per list instead of an insert per entry."""
        if self._entries:
            raise ValueError("bulk_load fills an empty index")
        self.add_many(entries)

    def add_many(self, entries: Iterable[tuple[str, IndexEntry]]) -> None:
        """Add employees the index does not hold: appended, then one sort per list touched.

        The lists are sorted already, so each sort merges the new run into the old one.
        An employee already held, or named twice, is a ``ValueError`` before anything
        changes.
        """
        entries = list(entries)
        ids = [employee_id for employee_id, _ in entries]
        if len(set(ids)) != len(ids) or any(i in self._entries for i in ids):
            raise ValueError("add_many adds employees the index does not hold, once each")
        touched: set[str] = set()
        buckets: set[tuple[str, str]] = set()
        for employee_id, entry in entries:
            self._entries[employee_id] = entry
            shelf = self._shelves.setdefault(entry.employer_id, _Shelf())
            shelf.entries.extend(f"{token}{_TOKEN_END}{entry.key}" for token in entry.tokens)
            touched.add(entry.employer_id)
            for prefix in _prefixes(entry.tokens):
                shelf.buckets.setdefault(prefix, []).append(entry.key)
                buckets.add((entry.employer_id, prefix))
        for employer_id in touched:
            self._shelves[employer_id].entries.sort()
        for employer_id, prefix in buckets:
            self._shelves[employer_id].buckets[prefix].sort()

    def query(
        self, employer_id: str, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """Employee ids in sort-key order and the total; see ``SearchIndexRepository.query``."""
        shelf = self._shelves.get(employer_id)
        if shelf is None or not words:
            return [], 0
        first = words[0]
        if len(words) == 1 and len(first) == _BUCKET:
            keys = shelf.buckets.get(first, [])
            return [_id_of(key) for key in keys[offset : offset + limit]], len(keys)
        if len(first) == _BUCKET:
            candidates: Iterable[str] = shelf.buckets.get(first, [])
        else:
            candidates = sorted(self._keys_with_prefix(shelf, first))
        rest = words[1:]
        if rest:
            candidates = [
                key for key in candidates if matches(self._entries[_id_of(key)].tokens, rest)
            ]
        found = list(candidates)
        return [_id_of(key) for key in found[offset : offset + limit]], len(found)

    @staticmethod
    def _keys_with_prefix(shelf: _Shelf, prefix: str) -> set[str]:
        entries = shelf.entries
        start = bisect.bisect_left(entries, prefix)
        stop = bisect.bisect_left(entries, prefix + _MAX_CHAR, start)
        return {entry.split(_TOKEN_END, 1)[1] for entry in entries[start:stop]}

    def _shelve(self, entry: IndexEntry) -> None:
        shelf = self._shelves.setdefault(entry.employer_id, _Shelf())
        for token in entry.tokens:
            bisect.insort(shelf.entries, f"{token}{_TOKEN_END}{entry.key}")
        for prefix in _prefixes(entry.tokens):
            bisect.insort(shelf.buckets.setdefault(prefix, []), entry.key)

    def _unshelve(self, entry: IndexEntry) -> None:
        shelf = self._shelves[entry.employer_id]
        for token in entry.tokens:
            _remove_sorted(shelf.entries, f"{token}{_TOKEN_END}{entry.key}")
        for prefix in _prefixes(entry.tokens):
            keys = shelf.buckets[prefix]
            _remove_sorted(keys, entry.key)
            if not keys:
                del shelf.buckets[prefix]


def _remove_sorted(items: list[str], item: str) -> None:
    at = bisect.bisect_left(items, item)
    if at < len(items) and items[at] == item:
        del items[at]
