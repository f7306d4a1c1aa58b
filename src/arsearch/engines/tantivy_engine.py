"""The Tantivy engine: the default, a compiled Rust index over pre-analyzed terms."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tantivy

from ..errors import IndexLockedError
from ..models import FieldTable
from .base import (
    BODY,
    BODY_EXACT,
    TITLE,
    TITLE_EXACT,
    AllNode,
    BoolNode,
    EngineDocument,
    EngineHit,
    EngineResults,
    FilterSpec,
    PhraseNode,
    PlanNode,
    TermNode,
    date_column,
)

__all__ = ["TantivyEngine", "TantivyFactory"]

NAME = "tantivy"
# Each fill of the writer's memory ends a segment, and every segment repeats the
# term dictionary: 128 MB holds the news corpus in two segments (measured: 98.8 MB
# on disk against 102.8 MB at 64 MB, one commit each, in the research for issue 12).
_WRITER_HEAP = 128_000_000
_FACET_SIZE = 1000
_LOCKED = (
    "Another process is writing to this index; wait for it to finish "
    "(one writer at a time, any number of readers)."
)


def _schema(fields: FieldTable, stem_positions: bool = False) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    # The content hash as a column, read only for the one document an id finds:
    # cheaper on disk than a term per (id, hash) pair.
    builder.add_unsigned_field("hash", indexed=False, fast=True)
    builder.add_text_field(TITLE, tokenizer_name="whitespace", index_option="freq")
    body_option = "position" if stem_positions else "freq"
    builder.add_text_field(BODY, tokenizer_name="whitespace", index_option=body_option)
    for name in (TITLE_EXACT, BODY_EXACT):
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for keyword in fields.keywords():
        builder.add_text_field(keyword.name, tokenizer_name="raw", index_option="basic", fast=True)
    for day in fields.dates():
        builder.add_integer_field(date_column(day.name), indexed=True, fast=True)
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
        for field, values in filters.keywords.items():
            if values:
                options = [(occur.Should, self.term(field, value)) for value in values]
                clauses.append((occur.Must, self._silent(tantivy.Query.boolean_query(options))))
        for field, (low, high) in filters.ranges.items():
            if low is None and high is None:
                continue
            span = tantivy.Query.range_query(
                self.schema, date_column(field), tantivy.FieldType.Integer, low, high
            )
            clauses.append((occur.Must, self._silent(span)))
        return tantivy.Query.boolean_query(clauses)

    @staticmethod
    def _silent(query: tantivy.Query) -> tantivy.Query:
        # Filters restrict, they must not move scores.
        return tantivy.Query.const_score_query(query, 0.0)


class TantivyReader:
    """One commit of a tantivy index: a tantivy searcher, which is a snapshot."""

    def __init__(self, searcher: tantivy.Searcher, compiler: _Compiler) -> None:
        self._searcher = searcher
        self._compiler = compiler

    def close(self) -> None:
        """Nothing to release: the searcher is freed with the object."""

    def count(self) -> int:
        return int(self._searcher.num_docs)

    def search(
        self,
        node: PlanNode,
        *,
        filters: FilterSpec,
        limit: int,
        sort_by: str | None,
        facets: Sequence[str],
    ) -> EngineResults:
        query = self._compiler.filtered(node, filters)
        searcher = self._searcher
        if sort_by is not None:
            found = searcher.search(query, limit, count=True, order_by_field=date_column(sort_by))
            scored = [(0.0, address) for _, address in found.hits]
        else:
            found = searcher.search(query, limit, count=True)
            scored = [(float(score), address) for score, address in found.hits]
        hits = []
        for score, address in scored:
            stored = searcher.doc(address).to_dict()
            hits.append(EngineHit(str(stored["id"][0]), score, stored["doc"][0]))
        total = _count(found)
        counts = {}
        if total and facets:
            # The counts need only which documents match, not their scores: a cheaper
            # query that matches the same ones serves.
            bare = matching_only(node)
            if bare is not node:
                query = self._compiler.filtered(bare, filters)
            counts = self._facets(query, facets)
        return EngineResults(total=total, hits=hits, facets=counts)

    def _facets(self, query: tantivy.Query, names: Sequence[str]) -> dict[str, dict[str, int]]:
        spec = {name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in names}
        result: dict[str, Any] = self._searcher.aggregate(query, spec)
        return {
            name: {str(b["key"]): int(b["doc_count"]) for b in result[name]["buckets"]}
            for name in spec
        }

    def _address(self, doc_id: str) -> Any:
        found = self._searcher.search(self._compiler.term("id", doc_id), 1, count=False)
        return found.hits[0][1] if found.hits else None

    def get(self, doc_id: str) -> bytes | None:
        address = self._address(doc_id)
        if address is None:
            return None
        blob: bytes = self._searcher.doc(address).to_dict()["doc"][0]
        return blob

    def contains(self, doc_id: str, content_hash: str | None = None) -> bool:
        address = self._address(doc_id)
        if address is None:
            return False
        if content_hash is None:
            return True
        stored = self._searcher.fast_field_values("hash", [address])
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
        return [str(self._searcher.doc(a).to_dict()["id"][0]) for _, a in found.hits]


def matching_only(node: PlanNode) -> PlanNode:
    """``node`` without the phrases that cannot change which documents it matches (only how
    they score): a phrase among a ``should`` beside a term of the same field that it holds,
    alone or among the ``should`` of a bool of nothing else. A phrase matches only where
    its terms stand, so that term matches wherever it does. ``node`` itself when nothing
    goes.

    >>> phrase = PhraseNode("body", ("حال", "احد"), slop=1)
    >>> words = BoolNode(should=(TermNode("body", "حال"), TermNode("body_exact", "حالات")))
    >>> matching_only(BoolNode(should=(words, TermNode("body", "احد"), phrase))).should[-1]
    TermNode(field='body', term='احد', boost=1.0)
    >>> alone = BoolNode(should=(TermNode("title", "حال"), phrase))
    >>> matching_only(alone) is alone
    True
    """
    if not isinstance(node, BoolNode):
        return node
    must = tuple(matching_only(child) for child in node.must)
    must_not = tuple(matching_only(child) for child in node.must_not)
    should = tuple(matching_only(child) for child in node.should)
    terms = {(child.field, child.term) for child in should if isinstance(child, TermNode)}
    for child in should:
        if isinstance(child, BoolNode) and not child.must and not child.must_not:
            terms |= {(c.field, c.term) for c in child.should if isinstance(c, TermNode)}
    kept = tuple(
        child
        for child in should
        if not (
            isinstance(child, PhraseNode)
            and any((child.field, term) in terms for term in child.terms)
        )
    )
    if (must, must_not, kept) == (node.must, node.must_not, node.should):
        return node
    return BoolNode(should=kept, must=must, must_not=must_not)


def _count(found: tantivy.SearchResult) -> int:
    # The stubs lack `count`, which the binding sets when count=True.
    return int(getattr(found, "count", 0) or 0)


class TantivyWriter:
    """Adds and deletes documents; one per index, across processes."""

    def __init__(self, index: tantivy.Index, fields: FieldTable) -> None:
        self._fields = fields
        # Changes made since the last commit or rollback.
        self._pending = False
        self._writer: tantivy.IndexWriter | None
        try:
            self._writer = index.writer(_WRITER_HEAP, 1)
        except ValueError as error:
            if "LockBusy" in str(error):
                raise IndexLockedError(_LOCKED) from None
            raise
        # The files of segments no commit names (a full disk or a crash stopped the last
        # writer's commit) would keep the disk full: delete them now, before this writer
        # starts merges whose new files no commit names yet either.
        with contextlib.suppress(ValueError):
            self._writer.garbage_collect_files()

    def _live(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError("the writer is closed")
        return self._writer

    def add(self, document: EngineDocument) -> None:
        writer = self._live()
        if document.replaces:
            writer.delete_documents_by_term("id", document.id)
        values: dict[str, Any] = {"id": document.id, **document.terms(), "doc": document.stored}
        values.update(document.keywords)
        values.update({date_column(name): key for name, key in document.dates.items()})
        entry = tantivy.Document(**values)
        # Explicitly unsigned: a keyword argument would make small values signed.
        entry.add_unsigned("hash", _hash_key(document.content_hash))
        writer.add_document(entry)
        self._pending = True

    def delete(self, doc_id: str) -> None:
        self._live().delete_documents_by_term("id", doc_id)
        self._pending = True

    def commit(self) -> None:
        self._live().commit()
        self._pending = False

    def rollback(self) -> None:
        self._live().rollback()
        self._pending = False

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        # A rollback also cancels the merges a commit started. Closing after a commit
        # lets them finish instead: cancelled at every close, as after each write of the
        # web API, they never ended, and an index written to 41 times held 41 segments of
        # one document; a build that ended during a merge kept its 12 segments and the
        # merge's unfinished files.
        if self._pending:
            writer.rollback()
        writer.wait_merging_threads()


class TantivyEngine:
    """A tantivy index in one directory."""

    name = NAME

    def __init__(self, index: tantivy.Index, fields: FieldTable) -> None:
        self._index = index
        self._fields = fields
        self._compiler = _Compiler(index.schema)

    def reader(self) -> TantivyReader:
        self._index.reload()  # the index object may predate the newest commit
        return TantivyReader(self._index.searcher(), self._compiler)

    def writer(self) -> TantivyWriter:
        return TantivyWriter(self._index, self._fields)

    def close(self) -> None:
        """Nothing to release: tantivy frees its files with the object."""


class TantivyFactory:
    """Creates and opens tantivy engines."""

    name = NAME
    #: Each commit makes a segment, and tantivy merges 8 segments of under 16,800
    #: documents as soon as they exist, reading them through memory maps: a build 4x the
    #: news corpus peaked at 229 MB of file pages merging 8 x 10,000, at 155 MB merging
    #: 8 x 5,000. Under 3,700, the merged segments would themselves reach 8 before 4x
    #: (bench/RESULTS.md).
    batch_size = 5_000

    def create(
        self, path: Path, fields: FieldTable, *, stem_positions: bool = False
    ) -> TantivyEngine:
        schema = _schema(fields, stem_positions)
        return TantivyEngine(tantivy.Index(schema, str(path), reuse=False), fields)

    def open(self, path: Path, fields: FieldTable) -> TantivyEngine:
        return TantivyEngine(tantivy.Index.open(str(path)), fields)
