"""Dossier search: Dutch name normalisation and the search service."""

from onzecoach.search._normalise import SEPARATOR, fold, matches, name_tokens, query_words, sort_key
from onzecoach.search._service import SearchHit, SearchResult, SearchService

__all__ = [
    "SEPARATOR",
    "SearchHit",
    "SearchResult",
    "SearchService",
    "fold",
    "matches",
    "name_tokens",
    "query_words",
    "sort_key",
]
