"""arsearch: full-text search for Arabic.

>>> from arsearch import normalize
>>> normalize("الْقَاهِرَة")
'القاهره'
"""

from .analysis import Analyzer, analyze, normalize
from .documents import read_documents
from .errors import (
    ArsearchError,
    DocumentError,
    DocumentNotFoundError,
    IndexExistsError,
    IndexFormatError,
    IndexIOError,
    IndexLockedError,
    NoIndexError,
    QueryTooComplexError,
    QueryTooLongError,
    SettingsError,
    ShardUnavailableError,
    SynonymsError,
    UsageError,
)
from .index import AddSummary, Index, Ranking, Searcher, Synonyms
from .models import (
    Document,
    Expansion,
    Field,
    FieldTable,
    Hit,
    IndexStats,
    Marked,
    Results,
    Token,
)
from .query import parse_query

__version__ = "0.1.0"

__all__ = [
    "AddSummary",
    "Analyzer",
    "ArsearchError",
    "Document",
    "DocumentError",
    "DocumentNotFoundError",
    "Expansion",
    "Field",
    "FieldTable",
    "Hit",
    "Index",
    "IndexExistsError",
    "IndexFormatError",
    "IndexIOError",
    "IndexLockedError",
    "IndexStats",
    "Marked",
    "NoIndexError",
    "QueryTooComplexError",
    "QueryTooLongError",
    "Ranking",
    "Results",
    "Searcher",
    "SettingsError",
    "ShardUnavailableError",
    "Synonyms",
    "SynonymsError",
    "Token",
    "UsageError",
    "__version__",
    "analyze",
    "normalize",
    "parse_query",
    "read_documents",
]
