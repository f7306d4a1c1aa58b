"""The engine protocol and the engine-neutral query plan every engine compiles.

The index layer analyzes text in Python and hands engines ready terms; an
engine only stores, matches and ranks them. The plan is a small tree of nodes
over the physical fields below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

__all__ = [
    "BODY",
    "BODY_EXACT",
    "EXACT_FIELDS",
    "STEM_FIELDS",
    "TITLE",
    "TITLE_EXACT",
    "AllNode",
    "BoolNode",
    "Engine",
    "EngineHit",
    "EngineReader",
    "EngineResults",
    "EngineWriter",
    "FilterSpec",
    "PhraseNode",
    "PlanNode",
    "Record",
    "SortOrder",
    "TermNode",
]

# Physical search fields. Stem fields hold light stems, stop words dropped, no
# positions; exact fields hold normalized words with stop words and positions,
# so quoted phrases are precise.
TITLE = "title"
BODY = "body"
TITLE_EXACT = "title_exact"
BODY_EXACT = "body_exact"
STEM_FIELDS = (TITLE, BODY)
EXACT_FIELDS = (TITLE_EXACT, BODY_EXACT)

SortOrder = Literal["relevance", "date"]


@dataclass(frozen=True, slots=True)
class Record:
    """One document ready for an engine: analyzed terms plus what to store."""

    id: str
    content_hash: str
    title_exact: str
    title_stem: str
    body_exact: str
    body_stem: str
    stored: bytes
    date_key: int | None
    source: str | None
    category: str | None
    #: Whether a document with this id may already be in the index (False skips
    #: the delete-by-id, which matters when building a fresh index).
    replaces: bool = True

    def fields(self) -> dict[str, str | int | bytes]:
        """The values every engine indexes or stores, by field name; absent metadata left out."""
        values: dict[str, str | int | bytes] = {
            "id": self.id,
            TITLE: self.title_stem,
            BODY: self.body_stem,
            TITLE_EXACT: self.title_exact,
            BODY_EXACT: self.body_exact,
            "doc": self.stored,
        }
        optional = (("category", self.category), ("source", self.source))
        values.update({name: value for name, value in optional if value is not None})
        if self.date_key is not None:
            values["date_key"] = self.date_key
        return values


@dataclass(frozen=True, slots=True)
class TermNode:
    """One term in one field."""

    field: str
    term: str
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class PhraseNode:
    """Terms in order in one exact field, adjacent or with up to ``slop`` words between."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0
    slop: int = 0


@dataclass(frozen=True, slots=True)
class AllNode:
    """Every document (for purely negative queries)."""


@dataclass(frozen=True, slots=True)
class BoolNode:
    """Scores add up. With no ``must`` clause, at least one ``should`` must match."""

    should: tuple[PlanNode, ...] = ()
    must: tuple[PlanNode, ...] = ()
    must_not: tuple[PlanNode, ...] = ()


PlanNode = TermNode | PhraseNode | AllNode | BoolNode


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """Non-scoring restrictions; values as stored, the date range inclusive."""

    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_min: int | None = None
    date_max: int | None = None

    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return (
            not (self.categories or self.sources)
            and self.date_min is None
            and (self.date_max is None)
        )


@dataclass(frozen=True, slots=True)
class EngineHit:
    """A matched document: its id, score and stored bytes."""

    id: str
    score: float
    stored: bytes


@dataclass(frozen=True, slots=True)
class EngineResults:
    """One page of hits, the total and the facet counts over all matches."""

    total: int
    hits: Sequence[EngineHit]
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


class EngineReader(Protocol):
    """A view of the last committed state; ``refresh`` moves it to the newest commit."""

    def refresh(self) -> None:
        """See the newest committed state."""

    def count(self) -> int:
        """Live documents."""

    def search(
        self,
        node: PlanNode,
        *,
        filters: FilterSpec,
        offset: int,
        limit: int,
        sort: SortOrder,
    ) -> EngineResults:
        """Hits ``offset..offset+limit`` best first (or newest first), with facets."""

    def get(self, doc_id: str) -> bytes | None:
        """The stored bytes of a document, or None when absent."""

    def contains(self, doc_id: str, content_hash: str | None = None) -> bool:
        """Whether a live document has this id (and this content hash, when given)."""

    def doc_freq(self, field: str, term: str) -> int:
        """How many documents hold ``term`` in ``field`` (deleted ones may count)."""

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` most frequent terms of ``field`` starting with ``prefix``."""

    def all_ids(self) -> list[str]:
        """The ids of every live document (tests and rebuilds)."""

    def close(self) -> None:
        """Release the reader's files."""


class EngineWriter(Protocol):
    """The single writer of an index; holds the engine's lock until closed."""

    def add(self, record: Record) -> None:
        """Add a document, replacing any document with the same id."""

    def delete(self, doc_id: str) -> None:
        """Delete the document with this id, if any."""

    def commit(self) -> None:
        """Make every change so far durable and visible, atomically."""

    def rollback(self) -> None:
        """Forget every change since the last commit."""

    def close(self) -> None:
        """Release the lock (uncommitted changes are dropped)."""


class Engine(Protocol):
    """A storage engine: creates and opens its files in one directory."""

    name: str

    def reader(self) -> EngineReader:
        """A reader of the last committed state."""

    def writer(self) -> EngineWriter:
        """The writer; raises IndexLockedError when another one is open."""

    def close(self) -> None:
        """Release every resource."""


class EngineFactory(Protocol):
    """Creates or opens an engine in a directory."""

    def create(self, path: Path) -> Engine:
        """Make a new, empty engine in ``path`` (which exists and is empty of engine files)."""

    def open(self, path: Path) -> Engine:
        """Open an existing engine in ``path``."""
