"""Dossier search: Dutch name normalisation and the index kept on every employee write."""

from onzecoach.search._indexer import SearchIndexer
from onzecoach.search._normalise import (
    SEPARATOR,
    fold,
    fold_words,
    matches,
    name_tokens,
    query_words,
    sort_key,
)
from onzecoach.search._ports import SearchIndexRepository, SearchRepositories, SearchUnitOfWork
from onzecoach.search._service import SearchHit, SearchResult, SearchService

__all__ = [
    "SEPARATOR",
    "SearchHit",
    "SearchIndexRepository",
    "SearchIndexer",
    "SearchRepositories",
    "SearchResult",
    "SearchService",
    "SearchUnitOfWork",
    "fold",
    "fold_words",
    "matches",
    "name_tokens",
    "query_words",
    "sort_key",
]
