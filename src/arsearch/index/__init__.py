"""The public ``Index``: open or create, add, update, delete, commit, search, suggest, stats."""

from .core import DEFAULT_BATCH_SIZE, DEFAULT_ENGINE, AddSummary, Index
from .searching import MAX_LIMIT, MAX_OFFSET

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_ENGINE",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "AddSummary",
    "Index",
]
