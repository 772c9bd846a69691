"""Dossier search: Dutch name normalisation and the prefix index."""

from onzecoach.search._index import IndexEntry, PrefixIndex
from onzecoach.search._normalise import SEPARATOR, fold, matches, name_tokens, query_words, sort_key
from onzecoach.search._service import SearchHit, SearchResult, SearchService

__all__ = [
    "SEPARATOR",
    "IndexEntry",
    "PrefixIndex",
    "SearchHit",
    "SearchResult",
    "SearchService",
    "fold",
    "matches",
    "name_tokens",
    "query_words",
    "sort_key",
]
