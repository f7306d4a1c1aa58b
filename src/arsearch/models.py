"""Frozen value types shared by every layer: tokens, documents, hits, results, stats."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["Document", "Hit", "IndexStats", "Results", "Token"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: the original slice, its offsets and its two index terms.

    ``text == original[start:end]`` always holds; ``exact`` is the normalized,
    unstemmed form and ``stem`` the light stem of it.
    """

    text: str
    start: int
    end: int
    exact: str
    stem: str

    def to_dict(self) -> dict[str, Any]:
        """The token as plain JSON-ready data."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "stem": self.stem,
        }


#: The metadata fields a document may carry besides id, title and text.
METADATA_FIELDS = ("date", "source", "category", "url", "author")


@dataclass(frozen=True, slots=True)
class Document:
    """An article: ``id``, ``title``, ``text`` and optional metadata.

    ``extra`` holds any other fields of the input record; they are stored and
    returned, never searched.
    """

    id: str
    title: str
    text: str
    date: str | None = None
    source: str | None = None
    category: str | None = None
    url: str | None = None
    author: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def to_dict(self) -> dict[str, Any]:
        """The document as plain JSON-ready data; absent metadata is omitted."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "text": self.text}
        for name in METADATA_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        """Build a document from :meth:`to_dict` output (stored records)."""
        known = {"id", "title", "text", *METADATA_FIELDS}
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            text=str(data.get("text") or ""),
            date=data.get("date"),
            source=data.get("source"),
            category=data.get("category"),
            url=data.get("url"),
            author=data.get("author"),
            extra=MappingProxyType(extra) if extra else _EMPTY,
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result, with its title and snippet marked up."""

    id: str
    score: float
    title: str
    title_html: str
    snippet: str
    date: str | None = None
    source: str | None = None
    category: str | None = None
    url: str | None = None
    #: The snippet and title as plain text and with ANSI bold marks, for terminals.
    snippet_plain: str = ""
    snippet_ansi: str = ""
    title_ansi: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a hit, shared by the CLI and the web API."""
        return {
            "id": self.id,
            "score": round(self.score, 6),
            "title": self.title,
            "title_html": self.title_html,
            "snippet": self.snippet,
            "date": self.date,
            "source": self.source,
            "category": self.category,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Results:
    """A page of search results with the total, facets and a "did you mean"."""

    query: str
    total: int
    page: int
    limit: int
    took_ms: float
    hits: tuple[Hit, ...] = ()
    did_you_mean: str | None = None
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: _EMPTY)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Exactly the JSON of ``arsearch query --json`` and ``GET /api/search``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "took_ms": round(self.took_ms, 3),
            "did_you_mean": self.did_you_mean,
            "facets": {
                "category": dict(self.facets.get("category", {})),
                "source": dict(self.facets.get("source", {})),
            },
            "hits": [hit.to_dict() for hit in self.hits],
        }


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What ``arsearch stats`` reports about an index."""

    path: str
    documents: int
    engine: str
    analyzer: Mapping[str, Any]
    format_version: int
    size_bytes: int
    last_commit: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``arsearch stats --json`` and ``GET /api/stats``."""
        return {
            "path": self.path,
            "documents": self.documents,
            "engine": self.engine,
            "analyzer": dict(self.analyzer),
            "format_version": self.format_version,
            "size_bytes": self.size_bytes,
            "last_commit": self.last_commit,
        }
