"""The Whoosh engine: pure Python, for places where a compiled wheel cannot go."""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from whoosh import fields, index, query, scoring, sorting
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.index import LockError

from ..errors import IndexLockedError
from .base import (
    AllNode,
    EngineHit,
    EngineResults,
    FilterSpec,
    PhraseNode,
    PlanNode,
    Record,
    SortOrder,
    TermNode,
)
from .records import unpack_id

__all__ = ["WhooshEngine", "WhooshFactory"]

NAME = "whoosh"
_LOCKED = (
    "Another process is writing to this index; wait for it to finish "
    "(one writer at a time, any number of readers)."
)


def _schema() -> fields.Schema:
    terms = SpaceSeparatedTokenizer()
    return fields.Schema(
        id=fields.ID(unique=True),
        idhash=fields.ID(),
        title=fields.TEXT(analyzer=terms, phrase=False),
        body=fields.TEXT(analyzer=terms, phrase=False),
        title_exact=fields.TEXT(analyzer=terms, phrase=True),
        body_exact=fields.TEXT(analyzer=terms, phrase=True),
        category=fields.ID(sortable=True),
        source=fields.ID(sortable=True),
        date_key=fields.NUMERIC(numtype=int, bits=64, signed=True, sortable=True),
        doc=fields.STORED(),
    )


class _LuceneIdfScorer(scoring.BM25FScorer):  # type: ignore[misc]
    """Whoosh's BM25 with Lucene's (and tantivy's) idf, so engines rank alike."""

    def __init__(self, searcher: Any, fieldname: str, text: str, B: float, K1: float, qf: int = 1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        total = searcher.doc_count_all()
        freq = searcher.doc_frequency(fieldname, text)
        self.idf = math.log(1 + (total - freq + 0.5) / (freq + 0.5))


class _LuceneBM25(scoring.BM25F):  # type: ignore[misc]
    """BM25 with k1=1.2, b=0.75 and Lucene's idf."""

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _LuceneIdfScorer(searcher, fieldname, text, self.B, self.K1, qf=qf)


def _compile(node: PlanNode) -> Any:
    if isinstance(node, TermNode):
        return query.Term(node.field, node.term, boost=node.boost)
    if isinstance(node, PhraseNode):
        if len(node.terms) == 1:
            return query.Term(node.field, node.terms[0], boost=node.boost)
        # Whoosh counts slop from 1 (adjacent); the plan counts words between.
        return query.Phrase(node.field, list(node.terms), slop=node.slop + 1, boost=node.boost)
    if isinstance(node, AllNode):
        return query.Every()
    positive: Any
    must = [_compile(child) for child in node.must]
    should = [_compile(child) for child in node.should]
    if must and should:
        positive = query.AndMaybe(query.And(must), query.Or(should))
    elif must:
        positive = query.And(must)
    elif should:
        positive = query.Or(should)
    else:
        positive = query.Every()
    if node.must_not:
        return query.AndNot(positive, query.Or([_compile(child) for child in node.must_not]))
    return positive


def _filter(filters: FilterSpec) -> Any:
    if filters.is_empty():
        return None
    parts: list[Any] = []
    if filters.categories:
        parts.append(query.Or([query.Term("category", value) for value in filters.categories]))
    if filters.sources:
        parts.append(query.Or([query.Term("source", value) for value in filters.sources]))
    if filters.date_min is not None or filters.date_max is not None:
        parts.append(query.NumericRange("date_key", filters.date_min, filters.date_max))
    return query.And(parts)


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _serialized(method: _Method) -> _Method:
    """Run the method under the reader's lock: whoosh searchers share open files."""

    @functools.wraps(method)
    def locked(self: WhooshReader, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return cast(_Method, locked)


class WhooshReader:
    """Searches the last committed state of a whoosh index; safe to share between threads."""

    def __init__(self, ix: Any) -> None:
        self._ix = ix
        self._lock = threading.RLock()
        self._searcher = self._open()

    def _open(self) -> Any:
        return self._ix.searcher(weighting=_LuceneBM25(B=0.75, K1=1.2))

    @_serialized
    def refresh(self) -> None:
        if not self._searcher.up_to_date():
            old, self._searcher = self._searcher, self._open()
            old.close()

    @_serialized
    def close(self) -> None:
        self._searcher.close()

    @_serialized
    def count(self) -> int:
        return int(self._searcher.doc_count())

    @_serialized
    def search(
        self,
        node: PlanNode,
        *,
        filters: FilterSpec,
        offset: int,
        limit: int,
        sort: SortOrder,
    ) -> EngineResults:
        facets = sorting.Facets()
        facets.add_field("category", maptype=sorting.Count)
        facets.add_field("source", maptype=sorting.Count)
        options: dict[str, Any] = {"filter": _filter(filters), "groupedby": facets}
        if sort == "date":
            options.update(sortedby="date_key", reverse=True, limit=offset + limit)
        else:
            options.update(limit=offset + limit + 8)
        results = self._searcher.search(_compile(node), **options)
        rows = []
        # Facet counting makes whoosh keep every match: load only the page's hits.
        for hit in results[: options["limit"]]:
            blob = hit["doc"]
            score = 0.0 if sort == "date" else float(hit.score or 0.0)
            rows.append(EngineHit(unpack_id(blob), score, blob))
        if sort == "relevance":
            rows.sort(key=lambda row: (-round(row.score, 5), row.id))
        total = len(results)
        counts = {
            name: {str(k): int(v) for k, v in results.groups(name).items() if k}
            for name in ("category", "source")
        }
        return EngineResults(total=total, hits=rows[offset : offset + limit], facets=counts)

    @_serialized
    def get(self, doc_id: str) -> bytes | None:
        stored = self._searcher.document(id=doc_id)
        return None if stored is None else bytes(stored["doc"])

    @_serialized
    def contains(self, doc_id: str, content_hash: str | None = None) -> bool:
        if content_hash is None:
            return self._searcher.document_number(id=doc_id) is not None
        key = f"{doc_id}\x1f{content_hash}"
        return self._searcher.document_number(idhash=key) is not None

    @_serialized
    def doc_freq(self, field: str, term: str) -> int:
        return int(self._searcher.doc_frequency(field, term))

    @_serialized
    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        reader = self._searcher.reader()
        found = []
        for term in reader.expand_prefix(field, prefix):
            text = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            found.append((text, int(reader.doc_frequency(field, text))))
        found.sort(key=lambda row: (-row[1], row[0]))
        return found[:limit]

    @_serialized
    def all_ids(self) -> list[str]:
        return [unpack_id(stored["doc"]) for stored in self._searcher.all_stored_fields()]


class WhooshWriter:
    """Adds and deletes documents; a fresh whoosh writer per batch."""

    def __init__(self, ix: Any) -> None:
        self._ix = ix
        self._writer: Any = None
        self._open()

    def _open(self) -> None:
        try:
            self._writer = self._ix.writer(limitmb=256)
        except LockError:
            raise IndexLockedError(_LOCKED) from None

    def add(self, record: Record) -> None:
        fields_ = {**record.fields(), "idhash": f"{record.id}\x1f{record.content_hash}"}
        if record.replaces:
            self._writer.update_document(**fields_)
        else:
            self._writer.add_document(**fields_)

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term("id", doc_id)

    def commit(self) -> None:
        self._writer.commit()
        self._open()

    def rollback(self) -> None:
        self._writer.cancel()
        self._open()

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()


class WhooshEngine:
    """A whoosh index in one directory."""

    name = NAME

    def __init__(self, ix: Any) -> None:
        self._ix = ix

    def reader(self) -> WhooshReader:
        return WhooshReader(self._ix)

    def writer(self) -> WhooshWriter:
        return WhooshWriter(self._ix)

    def close(self) -> None:
        self._ix.close()


class WhooshFactory:
    """Creates and opens whoosh engines."""

    name = NAME

    def create(self, path: Path) -> WhooshEngine:
        return WhooshEngine(index.create_in(str(path), _schema()))

    def open(self, path: Path) -> WhooshEngine:
        return WhooshEngine(index.open_dir(str(path)))
