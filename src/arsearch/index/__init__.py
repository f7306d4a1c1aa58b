"""The public ``Index`` (create, open, add, delete, commit) and ``Searcher`` (one commit)."""

from .core import DEFAULT_ENGINE, DEFAULT_REFRESH_INTERVAL, AddSummary, Index
from .filters import filter_names
from .labels import Labels
from .options import IndexOptions
from .ranking import DEFAULT_RANKING, Ranking
from .searcher import MAX_SUGGESTIONS, Searcher
from .searching import MAX_LIMIT, MAX_OFFSET, SORT_ORDERS
from .settings import Settings, read_settings
from .synonyms import Synonyms, read_synonyms
from .variants import SpellingPairs

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_RANKING",
    "DEFAULT_REFRESH_INTERVAL",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_SUGGESTIONS",
    "SORT_ORDERS",
    "AddSummary",
    "Index",
    "IndexOptions",
    "Labels",
    "Ranking",
    "Searcher",
    "Settings",
    "SpellingPairs",
    "Synonyms",
    "filter_names",
    "read_settings",
    "read_synonyms",
]
