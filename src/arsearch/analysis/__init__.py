"""Arabic text analysis: pure functions from text to tokens and index terms."""

from .analyzer import DEFAULT_STEMMER, Analyzer, analyze, default_analyzer
from .normalize import NORMALIZATION_VERSION, normalize, soften
from .stemmers import STEMMERS, get_stemmer, light10
from .stopwords import default_stopwords
from .tokenize import WORD_PATTERN, iter_words

__all__ = [
    "DEFAULT_STEMMER",
    "NORMALIZATION_VERSION",
    "STEMMERS",
    "WORD_PATTERN",
    "Analyzer",
    "analyze",
    "default_analyzer",
    "default_stopwords",
    "get_stemmer",
    "iter_words",
    "light10",
    "normalize",
    "soften",
]
