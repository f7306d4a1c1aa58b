"""The public ``Index`` (create, open, add, delete, commit) and ``Searcher`` (one commit)."""

from .core import DEFAULT_BATCH_SIZE, DEFAULT_ENGINE, DEFAULT_REFRESH_INTERVAL, AddSummary, Index
from .filters import filter_names
from .ranking import DEFAULT_RANKING, Ranking
from .searcher import MAX_SUGGESTIONS, Searcher
from .searching import MAX_LIMIT, MAX_OFFSET, SORT_ORDERS

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_ENGINE",
    "DEFAULT_RANKING",
    "DEFAULT_REFRESH_INTERVAL",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_SUGGESTIONS",
    "SORT_ORDERS",
    "AddSummary",
    "Index",
    "Ranking",
    "Searcher",
    "filter_names",
]
