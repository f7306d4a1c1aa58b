"""The curated stop-word list, shipped as package data in normalized form."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["STOPWORDS_NAME", "default_stopwords"]

#: The name recorded in an index's analyzer configuration.
STOPWORDS_NAME = "arsearch-1"


@cache
def default_stopwords() -> frozenset[str]:
    """The shipped stop words, already normalized.

    >>> "في" in default_stopwords() and "شمال" not in default_stopwords()
    True
    """
    raw = files(__package__).joinpath("stopwords.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in raw.splitlines())
    return frozenset(word for word in words if word)
