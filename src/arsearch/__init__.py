"""arsearch: full-text search for Arabic.

>>> from arsearch import normalize
>>> normalize("الْقَاهِرَة")
'القاهره'
"""

from .analysis import Analyzer, analyze, normalize
from .errors import (
    ArsearchError,
    DocumentError,
    IndexExistsError,
    IndexFormatError,
    IndexLockedError,
    NoIndexError,
    QueryTooLongError,
    UsageError,
)
from .models import Document, Hit, IndexStats, Results, Token

__version__ = "0.1.0"

__all__ = [
    "Analyzer",
    "ArsearchError",
    "Document",
    "DocumentError",
    "Hit",
    "IndexExistsError",
    "IndexFormatError",
    "IndexLockedError",
    "IndexStats",
    "NoIndexError",
    "QueryTooLongError",
    "Results",
    "Token",
    "UsageError",
    "__version__",
    "analyze",
    "normalize",
]
