"""The engine protocol and the engine-neutral query plan every engine compiles.

The index layer analyzes text in Python and hands engines ready terms; an
engine only stores, matches and ranks them. The plan is a small tree of nodes
over the physical fields below. A reader is one immutable snapshot of one
commit: it never moves to a newer commit, so every call on it sees the same
documents. Over-fetching, tie-breaking, paging and decoding stored bytes are the
index layer's; an engine returns hits in its own order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..models import FieldTable

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
    "EngineDocument",
    "EngineFactory",
    "EngineHit",
    "EngineReader",
    "EngineResults",
    "EngineWriter",
    "FilterSpec",
    "PhraseNode",
    "PlanNode",
    "TermNode",
    "date_column",
]

# Physical search fields. Stem fields hold light stems, stop words dropped, no
# positions (the body's has them in an index created with stem positions);
# exact fields hold normalized words with stop words and positions, so quoted
# phrases are precise.
TITLE = "title"
BODY = "body"
TITLE_EXACT = "title_exact"
BODY_EXACT = "body_exact"
STEM_FIELDS = (TITLE, BODY)
EXACT_FIELDS = (TITLE_EXACT, BODY_EXACT)


def date_column(name: str) -> str:
    """The engine field holding the date field ``name`` as seconds since 1970.

    >>> date_column("date")
    'date_key'
    """
    return f"{name}_key"


@dataclass(frozen=True, slots=True)
class EngineDocument:
    """One document ready for an engine: analyzed terms plus what to store."""

    id: str
    content_hash: str
    title_exact: str
    title_stem: str
    body_exact: str
    body_stem: str
    stored: bytes
    #: Keyword fields of the field table: name -> the value (absent ones left out).
    keywords: Mapping[str, str] = field(default_factory=dict)
    #: Date fields of the field table: name -> seconds since 1970 (absent ones left out).
    dates: Mapping[str, int] = field(default_factory=dict)
    #: Whether a document with this id may already be in the index (False skips
    #: the delete-by-id, which matters when building a fresh index).
    replaces: bool = True

    def terms(self) -> dict[str, str]:
        """The space-separated terms of each search field."""
        return {
            TITLE: self.title_stem,
            BODY: self.body_stem,
            TITLE_EXACT: self.title_exact,
            BODY_EXACT: self.body_exact,
        }


@dataclass(frozen=True, slots=True)
class TermNode:
    """One term in one field."""

    field: str
    term: str
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class PhraseNode:
    """Terms in order in one field with positions (an exact field, or the body stem field of
    an engine created with stem positions), adjacent or with up to ``slop`` words between."""

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
    """Non-scoring restrictions by field name; values as stored, date ranges inclusive."""

    #: keyword field -> any of these values
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: date field -> (lowest, highest) seconds since 1970, either end open
    ranges: Mapping[str, tuple[int | None, int | None]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return not any(self.keywords.values()) and not any(
            low is not None or high is not None for low, high in self.ranges.values()
        )


@dataclass(frozen=True, slots=True)
class EngineHit:
    """A matched document: its id, score (0.0 when sorted by date) and stored bytes."""

    id: str
    score: float
    stored: bytes


@dataclass(frozen=True, slots=True)
class EngineResults:
    """The first hits in the engine's order, the total and the facet counts over all matches."""

    total: int
    hits: Sequence[EngineHit]
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


class EngineReader(Protocol):
    """One commit of the index, immutable; safe to share between threads."""

    def count(self) -> int:
        """Live documents."""

    def search(
        self,
        node: PlanNode,
        *,
        filters: FilterSpec,
        limit: int,
        sort_by: str | None,
        facets: Sequence[str],
    ) -> EngineResults:
        """The first ``limit`` hits, best first (or newest first by the date field ``sort_by``),
        with the counts of the values of each field in ``facets`` over every match."""

    def get(self, doc_id: str) -> bytes | None:
        """The stored bytes of a document, or None when absent."""

    def contains(self, doc_id: str, content_hash: str | None = None) -> bool:
        """Whether a live document has this id (and this content hash, when given)."""

    def doc_freq(self, field: str, term: str) -> int:
        """How many documents hold ``term`` in ``field`` (deleted ones may count)."""

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` most frequent terms of ``field`` starting with ``prefix``."""

    def all_ids(self) -> list[str]:
        """The ids of every live document."""

    def close(self) -> None:
        """Release the reader's files; no other call may follow."""


class EngineWriter(Protocol):
    """The single writer of an index; holds the engine's lock until closed."""

    def add(self, document: EngineDocument) -> None:
        """Add a document, replacing any document with the same id."""

    def delete(self, doc_id: str) -> None:
        """Delete the document with this id, if any."""

    def commit(self) -> None:
        """Make every change so far durable and visible to new readers, atomically."""

    def rollback(self) -> None:
        """Forget every change since the last commit."""

    def close(self) -> None:
        """Release the lock (uncommitted changes are dropped)."""


class Engine(Protocol):
    """A storage engine: creates and opens its files in one directory."""

    name: str

    def reader(self) -> EngineReader:
        """A new reader of the newest commit."""

    def writer(self) -> EngineWriter:
        """The writer; raises IndexLockedError when another one is open."""

    def close(self) -> None:
        """Release every resource the engine holds itself (readers close on their own)."""


class EngineFactory(Protocol):
    """Creates or opens an engine in a directory, for documents described by a field table."""

    #: Documents an add commits at a time unless told otherwise (a crash loses at most
    #: one batch): each engine's own, for what its commits and merges cost.
    batch_size: int

    def create(self, path: Path, fields: FieldTable, *, stem_positions: bool = False) -> Engine:
        """Make a new, empty engine in ``path`` (which exists and is empty of engine files);
        ``stem_positions`` keeps the positions of the body stem field's terms."""

    def open(self, path: Path, fields: FieldTable) -> Engine:
        """Open an existing engine in ``path``."""
