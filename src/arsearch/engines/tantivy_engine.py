"""The Tantivy engine: the default, a compiled Rust index over pre-analyzed terms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tantivy

from ..errors import IndexLockedError
from .base import (
    BODY,
    BODY_EXACT,
    TITLE,
    TITLE_EXACT,
    AllNode,
    BoolNode,
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

__all__ = ["TantivyEngine", "TantivyFactory"]

NAME = "tantivy"
_WRITER_HEAP = 64_000_000
_FACET_SIZE = 1000
_LOCKED = (
    "Another process is writing to this index; wait for it to finish "
    "(one writer at a time, any number of readers)."
)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
    # The content hash as a column, read only for the one document an id finds:
    # cheaper on disk than a term per (id, hash) pair.
    builder.add_unsigned_field("hash", indexed=False, fast=True)
    for name in (TITLE, BODY):
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in (TITLE_EXACT, BODY_EXACT):
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in ("category", "source"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_integer_field("date_key", indexed=True, fast=True)
    builder.add_bytes_field("doc", stored=True)
    return builder.build()


def _hash_key(content_hash: str) -> int:
    return int(content_hash[:16], 16)


class _Compiler:
    """Turns plan nodes into tantivy queries."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema

    def term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value)

    def compile(self, node: PlanNode) -> tantivy.Query:
        if isinstance(node, TermNode):
            return self._boost(self.term(node.field, node.term), node.boost)
        if isinstance(node, PhraseNode):
            if len(node.terms) == 1:
                query = self.term(node.field, node.terms[0])
            else:
                query = tantivy.Query.phrase_query(
                    self.schema, node.field, list(node.terms), slop=node.slop
                )
            return self._boost(query, node.boost)
        if isinstance(node, AllNode):
            return tantivy.Query.all_query()
        return self._bool(node)

    def _bool(self, node: BoolNode) -> tantivy.Query:
        occur = tantivy.Occur
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        clauses += [(occur.Must, self.compile(child)) for child in node.must]
        clauses += [(occur.Should, self.compile(child)) for child in node.should]
        clauses += [(occur.MustNot, self.compile(child)) for child in node.must_not]
        if not node.must and not node.should:
            clauses.append((occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    @staticmethod
    def _boost(query: tantivy.Query, boost: float) -> tantivy.Query:
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def filtered(self, node: PlanNode, filters: FilterSpec) -> tantivy.Query:
        query = self.compile(node)
        if filters.is_empty():
            return query
        occur = tantivy.Occur
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(occur.Must, query)]
        for field, values in (("category", filters.categories), ("source", filters.sources)):
            if values:
                options = [(occur.Should, self.term(field, value)) for value in values]
                clauses.append((occur.Must, self._silent(tantivy.Query.boolean_query(options))))
        if filters.date_min is not None or filters.date_max is not None:
            date_range = tantivy.Query.range_query(
                self.schema,
                "date_key",
                tantivy.FieldType.Integer,
                filters.date_min,
                filters.date_max,
            )
            clauses.append((occur.Must, self._silent(date_range)))
        return tantivy.Query.boolean_query(clauses)

    @staticmethod
    def _silent(query: tantivy.Query) -> tantivy.Query:
        # Filters restrict, they must not move scores.
        return tantivy.Query.const_score_query(query, 0.0)


class TantivyReader:
    """Searches the last committed state of a tantivy index."""

    def __init__(self, index: tantivy.Index) -> None:
        self._index = index
        self._compiler = _Compiler(index.schema)
        index.reload()  # the index object may predate the newest commit
        self._searcher = index.searcher()

    def refresh(self) -> None:
        self._index.reload()
        self._searcher = self._index.searcher()

    def close(self) -> None:
        """Nothing to release: the searcher is freed with the object."""

    def count(self) -> int:
        return int(self._searcher.num_docs)

    def search(
        self,
        node: PlanNode,
        *,
        filters: FilterSpec,
        offset: int,
        limit: int,
        sort: SortOrder,
    ) -> EngineResults:
        query = self._compiler.filtered(node, filters)
        searcher = self._searcher
        if sort == "date":
            found = searcher.search(
                query, limit, count=True, order_by_field="date_key", offset=offset
            )
            scored = [(0.0, address) for _, address in found.hits]
        else:
            # Fetch a few more than asked so that ties at the page edge are
            # broken by id, the same on every engine.
            found = searcher.search(query, offset + limit + 8, count=True)
            scored = [(float(score), address) for score, address in found.hits]
        hits = []
        for score, address in scored:
            stored = searcher.doc(address).to_dict()
            blob = stored["doc"][0]
            hits.append((score, blob))
        return EngineResults(
            total=_count(found),
            hits=_page(hits, offset, limit, sort),
            facets=self._facets(query) if _count(found) else {},
        )

    def _facets(self, query: tantivy.Query) -> dict[str, dict[str, int]]:
        spec = {
            name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in ("category", "source")
        }
        result: dict[str, Any] = self._searcher.aggregate(query, spec)
        return {
            name: {str(b["key"]): int(b["doc_count"]) for b in result[name]["buckets"]}
            for name in spec
        }

    def get(self, doc_id: str) -> bytes | None:
        found = self._searcher.search(self._compiler.term("id", doc_id), 1, count=False)
        if not found.hits:
            return None
        blob: bytes = self._searcher.doc(found.hits[0][1]).to_dict()["doc"][0]
        return blob

    def contains(self, doc_id: str, content_hash: str | None = None) -> bool:
        found = self._searcher.search(self._compiler.term("id", doc_id), 1, count=False)
        if not found.hits:
            return False
        if content_hash is None:
            return True
        stored = self._searcher.fast_field_values("hash", [found.hits[0][1]])
        return bool(stored[0] == _hash_key(content_hash))

    def doc_freq(self, field: str, term: str) -> int:
        return int(self._searcher.doc_freq(field, term))

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        return [
            (str(term), int(count))
            for term, count in self._searcher.terms_with_prefix(field, prefix, limit=limit)
        ]

    def all_ids(self) -> list[str]:
        total = self.count()
        if not total:
            return []
        found = self._searcher.search(tantivy.Query.all_query(), total, count=False)
        return [unpack_id(self._searcher.doc(a).to_dict()["doc"][0]) for _, a in found.hits]


def _count(found: tantivy.SearchResult) -> int:
    # The stubs lack `count`, which the binding sets when count=True.
    return int(getattr(found, "count", 0) or 0)


def _page(
    hits: list[tuple[float, bytes]], offset: int, limit: int, sort: SortOrder
) -> list[EngineHit]:
    rows = [EngineHit(unpack_id(blob), score, blob) for score, blob in hits]
    if sort == "relevance":
        rows.sort(key=lambda hit: (-round(hit.score, 5), hit.id))
        rows = rows[offset : offset + limit]
    return rows


class TantivyWriter:
    """Adds and deletes documents; one per index, across processes."""

    def __init__(self, index: tantivy.Index) -> None:
        self._writer: tantivy.IndexWriter | None
        try:
            self._writer = index.writer(_WRITER_HEAP, 1)
        except ValueError as error:
            if "LockBusy" in str(error):
                raise IndexLockedError(_LOCKED) from None
            raise

    def _live(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError("the writer is closed")
        return self._writer

    def add(self, record: Record) -> None:
        writer = self._live()
        if record.replaces:
            writer.delete_documents_by_term("id", record.id)
        document = tantivy.Document(**record.fields())
        # Explicitly unsigned: a keyword argument would make small values signed.
        document.add_unsigned("hash", _hash_key(record.content_hash))
        writer.add_document(document)

    def delete(self, doc_id: str) -> None:
        self._live().delete_documents_by_term("id", doc_id)

    def commit(self) -> None:
        self._live().commit()

    def rollback(self) -> None:
        self._live().rollback()

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.rollback()
            writer.wait_merging_threads()


class TantivyEngine:
    """A tantivy index in one directory."""

    name = NAME

    def __init__(self, index: tantivy.Index) -> None:
        self._index = index

    def reader(self) -> TantivyReader:
        return TantivyReader(self._index)

    def writer(self) -> TantivyWriter:
        return TantivyWriter(self._index)

    def close(self) -> None:
        """Nothing to release: tantivy frees its files with the object."""


class TantivyFactory:
    """Creates and opens tantivy engines."""

    name = NAME

    def create(self, path: Path) -> TantivyEngine:
        return TantivyEngine(tantivy.Index(_schema(), str(path), reuse=False))

    def open(self, path: Path) -> TantivyEngine:
        return TantivyEngine(tantivy.Index.open(str(path)))
