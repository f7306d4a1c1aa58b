"""The Whoosh engine: pure Python, for places where a compiled wheel cannot go."""

from __future__ import annotations

import functools
import math
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from whoosh import fields, formats, query, scoring, sorting
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.index import FileIndex, LockError
from whoosh.reading import MultiReader, SegmentReader
from whoosh.system import pack_uint

from ..errors import IndexLockedError
from ..models import FieldTable
from .base import (
    BODY,
    BODY_EXACT,
    TITLE,
    TITLE_EXACT,
    AllNode,
    EngineDocument,
    EngineHit,
    EngineResults,
    FilterSpec,
    PhraseNode,
    PlanNode,
    TermNode,
    date_column,
)
from .whoosh_helper import SegmentHelper
from .whoosh_writing import SegmentWriter, storage

__all__ = ["WhooshEngine", "WhooshFactory"]

NAME = "whoosh"
_LOCKED = (
    "Another process is writing to this index; wait for it to finish "
    "(one writer at a time, any number of readers)."
)


#: Megabytes of postings the writer pools before it spills a sorted run to disk. At 256,
#: 20,000 news articles peaked at 358 MB of memory; at 64, at 118 MB, with the same index
#: and about the same time (research for issue 12).
WRITER_POOL_MB = 64

#: Documents a writer adds on its own (over all its commits) before it starts a helper
#: process: a small add is done before a process would have started.
PARALLEL_AFTER = 2000

#: Documents in a row that go to one writer (the parent's or the helper's).
SHARE = 32


class _ClosingIndex(FileIndex):  # type: ignore[misc]
    """A whoosh index whose readers never leave a segment file open behind them.

    whoosh 2.7 opens a reader's segments one by one; when a writer in another
    process has just merged away a later segment's file, it retries from the
    start without closing the segments it had opened, leaving their file handles
    to the collector (a ResourceWarning in the concurrency tests).
    """

    @staticmethod
    def _reader(
        storage: Any, schema: Any, segments: list[Any], generation: int, reuse: Any = None
    ) -> Any:
        if reuse is not None or len(segments) < 2:
            return FileIndex._reader(storage, schema, segments, generation, reuse=reuse)
        opened: list[Any] = []
        try:
            for segment in segments:
                opened.append(SegmentReader(storage, schema, segment, generation=generation))
        except BaseException:
            for reader in opened:
                reader.close()
            raise
        return MultiReader(opened, generation=generation)

    def writer(self, **kwargs: Any) -> SegmentWriter:
        return SegmentWriter(self, **kwargs)


class TermsField(fields.TEXT):  # type: ignore[misc]
    """A TEXT field of space-separated, ready-made terms, indexed without per-token objects.

    Whoosh's own path runs every word through a tokenizer that yields a token object,
    then a loop per format; the terms arrive analyzed already, so a split and a count
    give the same postings (text, frequency, weight, encoded value) in the same bytes,
    for less work. Queries still go through the analyzer, which splits on spaces alike.

    >>> field = TermsField(analyzer=SpaceSeparatedTokenizer(), phrase=True)
    >>> list(field.index("a b a")) == list(fields.TEXT.index(field, "a b a"))
    True
    """

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        form = self.format
        boost = float(form.field_boost)
        words = value.split()
        if isinstance(form, formats.Positions):
            places: dict[str, list[int]] = {}
            for number, word in enumerate(words):
                seen = places.get(word)
                if seen is None:
                    places[word] = [number]
                else:
                    seen.append(number)
            for word, where in places.items():
                yield word.encode(), len(where), len(where) * boost, form.encode(where)
        elif isinstance(form, formats.Frequency):
            for word, count in Counter(words).items():
                yield word.encode(), count, count * boost, pack_uint(count)
        else:  # pragma: no cover - the schema uses only the two formats above
            yield from super().index(value, **kwargs)


def _schema(table: FieldTable, stem_positions: bool = False) -> fields.Schema:
    terms = SpaceSeparatedTokenizer()
    columns: dict[str, Any] = {
        "id": fields.ID(unique=True, stored=True),
        "idhash": fields.ID(),
        TITLE: TermsField(analyzer=terms, phrase=False),
        BODY: TermsField(analyzer=terms, phrase=stem_positions),
        TITLE_EXACT: TermsField(analyzer=terms, phrase=True),
        BODY_EXACT: TermsField(analyzer=terms, phrase=True),
        "doc": fields.STORED(),
    }
    for keyword in table.keywords():
        columns[keyword.name] = fields.ID(sortable=True)
    for day in table.dates():
        columns[date_column(day.name)] = fields.NUMERIC(
            numtype=int, bits=64, signed=True, sortable=True
        )
    return fields.Schema(**columns)


class _LuceneIdfScorer(scoring.BM25FScorer):  # type: ignore[misc]
    """Whoosh's BM25 with Lucene's (and tantivy's) idf, so engines rank alike.

    The idf counts the whole commit: whoosh scores each segment with a searcher of
    its own, whose parent sees every segment (as whoosh's own BM25F does).
    """

    def __init__(self, searcher: Any, fieldname: str, text: str, B: float, K1: float, qf: int = 1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        whole = searcher.get_parent()  # itself when the commit has one segment
        total = whole.doc_count_all()
        freq = whole.doc_frequency(fieldname, text)
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
    for field, values in filters.keywords.items():
        if values:
            parts.append(query.Or([query.Term(field, value) for value in values]))
    for field, (low, high) in filters.ranges.items():
        if low is not None or high is not None:
            parts.append(query.NumericRange(date_column(field), low, high))
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
    """One commit of a whoosh index: a whoosh searcher, which is a snapshot.

    Whoosh's searcher shares open files between its calls, so calls on one reader
    take turns.
    """

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher
        self._lock = threading.RLock()
        # Its segment files are open file handles (see _storage): a reader dropped
        # without close still closes them, instead of leaving them to the collector.
        self._closer = weakref.finalize(self, searcher.close)

    @_serialized
    def close(self) -> None:
        self._closer()

    @_serialized
    def count(self) -> int:
        return int(self._searcher.doc_count())

    @_serialized
    def search(
        self,
        node: PlanNode,
        *,
        filters: FilterSpec,
        limit: int,
        sort_by: str | None,
        facets: Sequence[str],
    ) -> EngineResults:
        grouped = sorting.Facets()
        for name in facets:
            grouped.add_field(name, maptype=sorting.Count)
        options: dict[str, Any] = {"filter": _filter(filters), "limit": limit}
        if facets:
            options["groupedby"] = grouped
        if sort_by is not None:
            options.update(sortedby=date_column(sort_by), reverse=True)
        results = self._searcher.search(_compile(node), **options)
        hits = []
        # Facet counting makes whoosh keep every match: load only the first hits.
        for hit in results[:limit]:
            score = 0.0 if sort_by is not None else float(hit.score or 0.0)
            hits.append(EngineHit(str(hit["id"]), score, bytes(hit["doc"])))
        counts = {
            name: {str(k): int(v) for k, v in results.groups(name).items() if k} for name in facets
        }
        return EngineResults(total=len(results), hits=hits, facets=counts)

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
        return [str(stored["id"]) for stored in self._searcher.all_stored_fields()]


class WhooshWriter:
    """Adds and deletes documents; a fresh whoosh writer per batch.

    Past :data:`PARALLEL_AFTER` documents a helper process writes every other
    :data:`SHARE` documents into a segment of its own (see whoosh_helper), so that
    a large add uses both cores; a commit names both segments at once.
    """

    def __init__(self, ix: Any) -> None:
        self._ix = ix
        self._writer: Any = None
        self._helper: SegmentHelper | None = None
        # Counted over the writer's life, not per commit: a build commits every
        # WhooshFactory.batch_size documents, and each batch shares from its start.
        self._added = 0
        self._open()

    def _open(self) -> None:
        try:
            # A segment stays one compound file: a reader opens it whole, so a
            # merge by another writer that deletes it leaves the reader its commit.
            # (Separate files are opened when first read, and went missing so.)
            self._writer = self._ix.writer(limitmb=WRITER_POOL_MB)
        except LockError:
            raise IndexLockedError(_LOCKED) from None

    def add(self, document: EngineDocument) -> None:
        fields_: dict[str, Any] = {
            "id": document.id,
            "idhash": f"{document.id}\x1f{document.content_hash}",
            **document.terms(),
            "doc": document.stored,
            **document.keywords,
        }
        fields_.update({date_column(name): key for name, key in document.dates.items()})
        if document.replaces:
            # What whoosh's update_document does: delete the committed version
            # (only a committed one is ever replaced), then add.
            self._writer.delete_by_term("id", document.id)
        self._added += 1
        if self._added > PARALLEL_AFTER and (self._added // SHARE) % 2:
            if self._helper is None:
                self._helper = SegmentHelper(self._ix.storage.folder, WRITER_POOL_MB)
            self._helper.add(fields_)
        else:
            self._writer.add_document(**fields_)

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term("id", doc_id)

    def commit(self) -> None:
        helper, self._helper = self._helper, None
        if helper is None:
            self._writer.commit()
        else:
            # Both write their segments at once; the commit names both, or neither.
            helper.start_finishing()
            try:
                self._writer.commit(helpers=helper.finished)
            except BaseException:
                helper.cancel()
                raise
        self._open()

    def rollback(self) -> None:
        self._cancel()
        self._open()

    def close(self) -> None:
        self._cancel()

    def _cancel(self) -> None:
        helper, self._helper = self._helper, None
        writer, self._writer = self._writer, None
        try:
            if helper is not None:
                helper.cancel()
        finally:
            if writer is not None:
                writer.cancel()


class WhooshEngine:
    """A whoosh index in one directory."""

    name = NAME

    def __init__(self, ix: Any) -> None:
        self._ix = ix

    def reader(self) -> WhooshReader:
        return WhooshReader(self._ix.searcher(weighting=_LuceneBM25(B=0.75, K1=1.2)))

    def writer(self) -> WhooshWriter:
        return WhooshWriter(self._ix)

    def close(self) -> None:
        self._ix.close()


class WhooshFactory:
    """Creates and opens whoosh engines."""

    name = NAME
    #: A commit of a large add makes two segments (the second writer's and its own), and
    #: whoosh's merge policy re-indexes the small segments, in this process, once about 21
    #: exist: commits of 5,000 reached that at 55,000 documents of the news corpus, and the
    #: build took 4.2x the whoosh_ar anchor instead of 0.93x (bench/RESULTS.md).
    batch_size = 10_000

    def create(
        self, path: Path, fields: FieldTable, *, stem_positions: bool = False
    ) -> WhooshEngine:
        schema = _schema(fields, stem_positions)
        return WhooshEngine(storage(path).create_index(schema, indexclass=_ClosingIndex))

    def open(self, path: Path, fields: FieldTable) -> WhooshEngine:
        return WhooshEngine(storage(path).open_index(indexclass=_ClosingIndex))
