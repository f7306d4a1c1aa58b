"""Running a query on one snapshot: plan, engine search, paging, decoding, snippets, facets.

The search policy lives here once, for every engine: an engine returns hits in
its own order; this module over-fetches, breaks ties by id, pages, and decodes
the stored documents with the codec of the same snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ..dates import date_key
from ..engines import (
    BODY_EXACT,
    TITLE_EXACT,
    AllNode,
    BoolNode,
    EngineHit,
    EngineReader,
    EngineResults,
    FilterSpec,
    PlanNode,
)
from ..errors import UsageError
from ..highlight import SNIPPET_SCAN, make_snippet, mark_text
from ..models import Document, Expansion, Hit, Marked, Results, SortOrder
from ..query import ParsedQuery, parse_query
from .codec import DocumentCodec
from .feedback import expansion
from .filters import filter_spec, filters_from
from .labels import Labels
from .planner import Plan, QueryBudget, build_plan
from .ranking import Ranking
from .snapshot import Snapshot
from .spelling import did_you_mean, replace_words
from .synonyms import NO_SYNONYMS, Synonyms

__all__ = ["EMPTY_NOTE", "MAX_LIMIT", "MAX_OFFSET", "SORT_ORDERS", "highlight", "run_search"]

#: The largest page size a search may ask for.
MAX_LIMIT = 100
#: How deep paging may go (bounds the work of one request).
MAX_OFFSET = 10_000
#: Hits fetched beyond the page, so that ties at its edge are broken by id on every engine.
TIE_MARGIN = 8
#: The orders a search may ask for.
SORT_ORDERS: tuple[SortOrder, ...] = ("relevance", "date")

EMPTY_NOTE = "The query has no searchable words (empty, or only stop words such as في، من، ما)."


def _whole_number(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number (int), not {type(value).__name__}.")
    return value


def check_page(limit: object, page: object, sort: object) -> tuple[int, int, SortOrder]:
    """``limit``, ``page`` and ``sort`` checked: TypeError for a wrong type, UsageError for a
    value out of range."""
    limit = _whole_number("limit", limit)
    page = _whole_number("page", page)
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}.")
    if page < 1:
        raise UsageError(f"page must be 1 or more, not {page}.")
    if sort not in SORT_ORDERS:
        raise UsageError(f"sort must be 'relevance' or 'date', not '{sort!s:.40}'.")
    if (page - 1) * limit > MAX_OFFSET:
        raise UsageError(f"page is too deep: at most {MAX_OFFSET // limit + 1} pages of {limit}.")
    return limit, page, sort


def _page(
    found: list[EngineHit], codec: DocumentCodec, by_date: str | None, offset: int, limit: int
) -> list[tuple[EngineHit, Document]]:
    """The page's hits, decoded, ordered the same way on every engine: by score (rounded, as
    engines' float sums differ in the last digits) or by the date field ``by_date``, newest
    first; then by id."""
    if by_date is None:
        ranked = sorted(found, key=lambda hit: (-round(hit.score, 5), hit.id))
        return [(hit, codec.unpack(hit.stored)) for hit in ranked[offset : offset + limit]]
    decoded = [(hit, codec.unpack(hit.stored)) for hit in found]
    decoded.sort(key=lambda pair: (-_date_of(pair[1], by_date), pair[0].id))
    return decoded[offset : offset + limit]


def _date_of(document: Document, name: str) -> int:
    value = document.value(name)
    try:
        return (date_key(value) if isinstance(value, str) else None) or 0
    except UsageError:
        return 0


def run_search(
    snapshot: Snapshot,
    ranking: Ranking,
    text: str,
    *,
    labels: Labels,
    limit: int,
    page: int,
    sort: SortOrder,
    filters: Mapping[str, Any] | None,
    snippets: bool,
    synonyms: Synonyms = NO_SYNONYMS,
) -> Results:
    """Search ``snapshot`` and build the public :class:`Results`.

    A filter value may be a label of ``labels``; query words may stand for their
    ``synonyms``. A facet's counts ignore that field's own filter, so choosing one
    value still shows how many the others have.
    """
    started = time.perf_counter()
    limit, page, sort = check_page(limit, page, sort)
    offset = (page - 1) * limit
    fields, analyzer, reader = snapshot.fields, snapshot.analyzer, snapshot.reader
    parsed = parse_query(text, fields=fields)
    merged = labels.expand(parsed.filters.merge(filters_from(filters, fields)))
    budget = QueryBudget()
    plan = _plan(snapshot, ranking, parsed, synonyms, budget)

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000.0

    node = plan.node
    if node is None and not merged.is_empty():
        node = AllNode()  # a query of filters only lists what they select
    if node is None:
        return Results(
            query=text, total=0, page=page, limit=limit, took_ms=elapsed(), note=EMPTY_NOTE
        )
    spec = filter_spec(merged)
    if sort == "relevance" and plan.stems and ranking.feedback_terms:
        node = _with_feedback(node, plan, spec, snapshot, ranking)
    by_date = None
    if sort == "date":
        sort_field = fields.sort_field()
        if sort_field is None:
            raise UsageError("This index has no sortable date field: sort by relevance.")
        by_date = sort_field.name
    facet_names = tuple(field.name for field in fields.facets())
    found = reader.search(
        node,
        filters=spec,
        limit=offset + limit + TIE_MARGIN,
        sort_by=by_date,
        facets=facet_names,
    )
    matcher = plan.matcher()
    hits = []
    for engine_hit, document in _page(list(found.hits), snapshot.codec, by_date, offset, limit):
        if snippets:
            title = mark_text(document.title, matcher, analyzer, scan=SNIPPET_SCAN)
            snippet = make_snippet(document.text, matcher, analyzer)
        else:
            title, snippet = Marked(document.title), Marked("")
        hits.append(Hit(engine_hit.id, engine_hit.score, title, snippet, document))
    corrected, suggestion = _spelling(snapshot, plan, text, budget)
    return Results(
        query=text,
        total=found.total,
        page=page,
        limit=limit,
        took_ms=elapsed(),
        hits=tuple(hits),
        did_you_mean=suggestion,
        facets=_facets(reader, node, spec, found, facet_names),
        note=" ".join(budget.notes()) or None,
        corrected=corrected,
        synonyms=tuple(Expansion(words, searched) for words, searched in plan.synonyms),
    )


def _plan(
    snapshot: Snapshot,
    ranking: Ranking,
    parsed: ParsedQuery,
    synonyms: Synonyms,
    budget: QueryBudget | None = None,
) -> Plan:
    """The plan of ``parsed`` on ``snapshot``, with what its index offers beyond its terms."""
    return build_plan(
        parsed,
        snapshot.analyzer,
        snapshot.reader,
        snapshot.vocabulary,
        ranking,
        synonyms=synonyms,
        spellings=snapshot.spellings if snapshot.options.spellings else None,
        stem_positions=snapshot.options.stem_positions,
        budget=budget,
    )


def _facets(
    reader: EngineReader,
    node: PlanNode,
    spec: FilterSpec,
    found: EngineResults,
    names: tuple[str, ...],
) -> dict[str, dict[str, int]]:
    """Each facet's counts over the matches, without that facet's own filter (as Algolia's
    and Meilisearch's disjunctive facets count): one more engine search per filtered facet."""
    out = {}
    for name in names:
        counts = found.facets.get(name, {})
        if spec.keywords.get(name):
            others = FilterSpec(
                keywords={key: items for key, items in spec.keywords.items() if key != name},
                ranges=spec.ranges,
            )
            alone = reader.search(node, filters=others, limit=1, sort_by=None, facets=(name,))
            counts = alone.facets.get(name, {})
        out[name] = _ranked(counts)
    return out


def _spelling(
    snapshot: Snapshot, plan: Plan, text: str, budget: QueryBudget
) -> tuple[str | None, str | None]:
    """The query the hits were found for, when words no document holds were searched as
    other spellings, and a "did you mean" for the rare words left; words as documents
    write them."""
    if not (plan.words or plan.stand_ins):
        return None, None
    usage = snapshot.usage()
    corrected = replace_words(
        text,
        [
            (typed, " ".join(usage.spelling(word) for word in words))
            for typed, words in plan.stand_ins
        ],
    )
    done = {typed for typed, _ in plan.stand_ins}
    rest = [(typed, exact) for typed, exact in plan.words if typed not in done]
    suggestion = None
    if rest:
        suggestion = did_you_mean(
            corrected or text,
            rest,
            _doc_freq(snapshot),
            snapshot.vocabulary(),
            spelling=usage.spelling,
            stopwords=snapshot.analyzer.stopwords,
            give_up=budget.expired,
        )
    return corrected, suggestion


def _doc_freq(snapshot: Snapshot) -> Any:
    reader = snapshot.reader

    def doc_freq(exact: str) -> int:
        return reader.doc_freq(BODY_EXACT, exact) + reader.doc_freq(TITLE_EXACT, exact)

    return doc_freq


def _ranked(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _with_feedback(
    node: PlanNode, plan: Plan, spec: FilterSpec, snapshot: Snapshot, ranking: Ranking
) -> PlanNode:
    """``node`` re-ranked by the words of its own best hits (pseudo-relevance feedback)."""
    first = snapshot.reader.search(
        node, filters=spec, limit=ranking.feedback_docs, sort_by=None, facets=()
    )
    documents = [(snapshot.codec.unpack(hit.stored), hit.score) for hit in first.hits]
    extra = expansion(
        documents,
        snapshot.analyzer,
        exclude=plan.stems,
        terms=ranking.feedback_terms,
        weight=ranking.feedback_weight,
    )
    return node if extra is None else BoolNode(must=(node,), should=(extra,))


def highlight(
    snapshot: Snapshot,
    ranking: Ranking,
    document: Document,
    query: str,
    synonyms: Synonyms = NO_SYNONYMS,
) -> tuple[Marked, Marked]:
    """The title and whole text of ``document`` with the words of ``query`` (and the
    synonyms they stand for) marked."""
    parsed = parse_query(query, fields=snapshot.fields)
    plan = _plan(snapshot, ranking, parsed, synonyms)
    matcher = plan.matcher()
    return (
        mark_text(document.title, matcher, snapshot.analyzer),
        mark_text(document.text, matcher, snapshot.analyzer),
    )
