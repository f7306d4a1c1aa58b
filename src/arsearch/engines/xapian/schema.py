"""How arsearch's documents and plans map onto Xapian terms, value slots and queries.

Every search field is a term prefix; no prefix is a prefix of another, so
``allterms(prefix + text)`` never lists another field's terms. Keyword fields
are boolean terms (for filters, weightless) plus a value slot (for facets).
Each date field has a slot of fixed-width big-endian seconds, which compare as
strings in date order (ranges), and a slot of "date, then id" (the sort: one
precomputed key, since Xapian's remote backend has no key makers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import xapian

from ...models import FieldTable
from ..base import (
    BODY,
    BODY_EXACT,
    TITLE,
    TITLE_EXACT,
    AllNode,
    BoolNode,
    EngineDocument,
    FilterSpec,
    PhraseNode,
    PlanNode,
    TermNode,
)

__all__ = ["PREFIXES", "Schema", "weighting"]

#: Search field -> term prefix. Stems have no positions; exact forms have them.
PREFIXES = {TITLE: "S", BODY: "B", TITLE_EXACT: "XS", BODY_EXACT: "XB"}
#: The id term of a document (ids too long for a term get the hashed one).
_ID = "Q"
_LONG_ID = "H"
_KEYWORD = "K"
#: Xapian refuses terms longer than this, prefix included, in UTF-8 bytes.
MAX_TERM_BYTES = 245
_SLOT_ID = 0
_SLOT_HASH = 1
_FIRST_FIELD_SLOT = 2
# Added to seconds so that dates before 1970 still sort as unsigned bytes.
_DATE_OFFSET = 2**63


def weighting() -> xapian.Weight:
    """BM25+ with k1 1.2, b 0.75, delta 0 and no floor on the length ratio.

    Its idf, log((N+1)/n), is the nearest Xapian has to Tantivy's; Xapian's
    default floor (min_normlen 0.5) cost 0.031 MRR@10 on arcd + news by
    penalizing short paragraphs among long articles.
    """
    return xapian.BM25PlusWeight(1.2, 0, 0, 0.75, 0, 0)


def _date_bytes(seconds: int) -> bytes:
    return (seconds + _DATE_OFFSET).to_bytes(8, "big")


def _fits(term: str) -> bool:
    return len(term.encode("utf-8")) <= MAX_TERM_BYTES


def id_term(doc_id: str) -> str:
    """The unique term of a document id (hashed when the id is too long for a term)."""
    term = _ID + doc_id
    if _fits(term):
        return term
    return _LONG_ID + hashlib.blake2b(doc_id.encode("utf-8"), digest_size=20).hexdigest()


class Schema:
    """The slots of one field table, and the document and query builders over them."""

    def __init__(self, fields: FieldTable, stem_positions: bool = False) -> None:
        #: Whether the body's stems keep their positions (for stem proximity).
        self.stem_positions = stem_positions
        slot = _FIRST_FIELD_SLOT
        self.keyword_slots: dict[str, int] = {}
        for keyword in fields.keywords():
            self.keyword_slots[keyword.name] = slot
            slot += 1
        self.date_slots: dict[str, tuple[int, int]] = {}
        for day in fields.dates():
            self.date_slots[day.name] = (slot, slot + 1)
            slot += 2

    # -- documents -----------------------------------------------------------

    def document(self, entry: EngineDocument) -> xapian.Document:
        """The Xapian document of ``entry`` (terms too long for Xapian are left out)."""
        doc = xapian.Document()
        positioned = [(TITLE_EXACT, entry.title_exact), (BODY_EXACT, entry.body_exact)]
        plain = [(TITLE, entry.title_stem)]
        if self.stem_positions:
            positioned.append((BODY, entry.body_stem))
        else:
            plain.append((BODY, entry.body_stem))
        for name, text in plain:
            prefix = PREFIXES[name]
            for word in text.split():
                term = prefix + word
                if _fits(term):
                    doc.add_term(term)
        for name, text in positioned:
            prefix = PREFIXES[name]
            for position, word in enumerate(text.split(), 1):
                term = prefix + word
                if _fits(term):
                    doc.add_posting(term, position)
        for name, value in entry.keywords.items():
            slot = self.keyword_slots.get(name)
            if slot is None:
                continue
            term = f"{_KEYWORD}{name}:{value}"
            if _fits(term):
                doc.add_boolean_term(term)  # wdf 0: no weight, no document length
            doc.add_value(slot, value)
        id_bytes = entry.id.encode("utf-8")
        # Inverted id bytes: a descending sort on the key puts equal dates in id order.
        inverted = bytes(255 - byte for byte in id_bytes) + b"\xff"
        for name, (range_slot, sort_slot) in self.date_slots.items():
            seconds = entry.dates.get(name)
            if seconds is None:
                doc.add_value(sort_slot, b"\x00" + inverted)  # undated: last
            else:
                doc.add_value(range_slot, _date_bytes(seconds))
                doc.add_value(sort_slot, b"\x01" + _date_bytes(seconds) + inverted)
        doc.add_value(_SLOT_ID, id_bytes)
        doc.add_value(_SLOT_HASH, entry.content_hash)
        doc.add_boolean_term(id_term(entry.id))
        doc.set_data(entry.stored)
        return doc

    @staticmethod
    def doc_id(doc: xapian.Document) -> str:
        """The arsearch id of a stored Xapian document."""
        return str(doc.get_value(_SLOT_ID).decode("utf-8"))

    @staticmethod
    def doc_hash(doc: xapian.Document) -> str:
        """The content hash of a stored Xapian document."""
        return str(doc.get_value(_SLOT_HASH).decode("utf-8"))

    # -- queries -------------------------------------------------------------

    def query(self, node: PlanNode, filters: FilterSpec) -> xapian.Query:
        """The Xapian query of a plan with its filters (which add no weight)."""
        query = _compile(node)
        parts: list[xapian.Query] = []
        for name, values in filters.keywords.items():
            if values:
                terms = [f"{_KEYWORD}{name}:{value}" for value in values]
                parts.append(xapian.Query(xapian.Query.OP_OR, terms))
        for name, (low, high) in filters.ranges.items():
            range_slot = self.date_slots[name][0]
            if low is not None and high is not None:
                parts.append(
                    xapian.Query(
                        xapian.Query.OP_VALUE_RANGE,
                        range_slot,
                        _date_bytes(low),
                        _date_bytes(high),
                    )
                )
            elif low is not None:
                parts.append(xapian.Query(xapian.Query.OP_VALUE_GE, range_slot, _date_bytes(low)))
            elif high is not None:
                parts.append(xapian.Query(xapian.Query.OP_VALUE_LE, range_slot, _date_bytes(high)))
        if not parts:
            return query
        return xapian.Query(xapian.Query.OP_FILTER, query, xapian.Query(xapian.Query.OP_AND, parts))

    def enquire(
        self, db: xapian.Database, query: xapian.Query, sort_by: str | None
    ) -> xapian.Enquire:
        """An Enquire in a deterministic order: by score then id, or by date then id."""
        enquire = xapian.Enquire(db)
        enquire.set_query(query)
        enquire.set_weighting_scheme(weighting())
        if sort_by is None:
            enquire.set_sort_by_relevance_then_value(_SLOT_ID, False)
        else:
            enquire.set_sort_by_value(self.date_slots[sort_by][1], True)
        return enquire

    def facet_spies(self, names: Sequence[str]) -> dict[str, xapian.ValueCountMatchSpy]:
        """A value counter per facet field."""
        return {name: xapian.ValueCountMatchSpy(self.keyword_slots[name]) for name in names}

    @staticmethod
    def id_terms(db: xapian.Database) -> list[str]:
        """The ids of every live document."""
        ids = [item.term.decode("utf-8")[len(_ID) :] for item in db.allterms(_ID)]
        for item in db.allterms(_LONG_ID):
            for posting in db.postlist(item.term):
                ids.append(Schema.doc_id(db.get_document(posting.docid)))
        return ids


def _scaled(query: xapian.Query, boost: float) -> xapian.Query:
    if boost == 1.0:
        return query
    return xapian.Query(xapian.Query.OP_SCALE_WEIGHT, query, boost)


def _compile(node: PlanNode) -> xapian.Query:
    if isinstance(node, TermNode):
        return _scaled(xapian.Query(PREFIXES[node.field] + node.term), node.boost)
    if isinstance(node, PhraseNode):
        terms = [PREFIXES[node.field] + term for term in node.terms]
        if len(terms) == 1:
            return _scaled(xapian.Query(terms[0]), node.boost)
        # The window is the span the terms may occupy, in order.
        phrase = xapian.Query(xapian.Query.OP_PHRASE, terms, len(terms) + node.slop)
        return _scaled(phrase, node.boost)
    if isinstance(node, AllNode):
        return xapian.Query.MatchAll
    return _compile_bool(node)


def _compile_bool(node: BoolNode) -> xapian.Query:
    must = [_compile(child) for child in node.must]
    should = [_compile(child) for child in node.should]
    if must:
        query = xapian.Query(xapian.Query.OP_AND, must)
        if should:
            query = xapian.Query(
                xapian.Query.OP_AND_MAYBE, query, xapian.Query(xapian.Query.OP_OR, should)
            )
    elif should:
        query = xapian.Query(xapian.Query.OP_OR, should)
    else:
        query = xapian.Query.MatchAll
    if node.must_not:
        excluded = xapian.Query(xapian.Query.OP_OR, [_compile(c) for c in node.must_not])
        query = xapian.Query(xapian.Query.OP_AND_NOT, query, excluded)
    return query
