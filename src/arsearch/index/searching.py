"""Running a parsed query: plan, engine search, snippets, facets and "did you mean"."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..analysis import Analyzer, normalize
from ..engines.base import (
    BODY_EXACT,
    TITLE_EXACT,
    AllNode,
    BoolNode,
    EngineReader,
    FilterSpec,
    PlanNode,
    SortOrder,
)
from ..engines.records import DocumentCodec
from ..errors import UsageError
from ..highlight import Marked, make_snippet, mark_text
from ..models import Hit, Results
from ..query import Filters, parse_query
from .feedback import expansion
from .planner import Plan, build_plan
from .records import date_bounds
from .suggest import Vocabulary

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "filters_from", "run_search", "suggest_words"]

#: The largest page size a search may ask for.
MAX_LIMIT = 100
#: How deep paging may go (bounds the work of one request).
MAX_OFFSET = 10_000
#: A query word with at most this many documents is "rare" and gets a suggestion.
RARE_DOC_FREQ = 1
#: A suggestion must be this many times as frequent as the word it replaces.
SUGGESTION_GAIN = 5

_NO_MARKS = Marked("", ())

EMPTY_NOTE = "The query has no searchable words (empty, or only stop words such as في، من، ما)."


def _values(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(str(item) for item in value if str(item))
    raise UsageError(f"A filter value must be a string or a list of strings, not {value!r}.")


def filters_from(mapping: Mapping[str, Any] | None) -> Filters:
    """Filters given as a mapping: ``category``, ``source``, ``date_from``, ``date_to``."""
    if not mapping:
        return Filters()
    unknown = set(mapping) - {"category", "source", "date_from", "date_to"}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise UsageError(
            f"Unknown filter {names}. Filters are: category, source, date_from, date_to."
        )
    date_from = mapping.get("date_from") or None
    date_to = mapping.get("date_to") or None
    return Filters(
        category=_values(mapping.get("category")),
        source=_values(mapping.get("source")),
        date_from=str(date_from) if date_from else None,
        date_to=str(date_to) if date_to else None,
    )


def _filter_spec(filters: Filters) -> FilterSpec:
    low, high = date_bounds(filters.date_from, filters.date_to)
    return FilterSpec(
        categories=filters.category, sources=filters.source, date_min=low, date_max=high
    )


def _did_you_mean(
    text: str, plan: Plan, reader: EngineReader, vocabulary: Vocabulary
) -> str | None:
    replaced = text
    changed = False
    for typed, exact in plan.words:
        freq = reader.doc_freq(BODY_EXACT, exact) + reader.doc_freq(TITLE_EXACT, exact)
        if freq > RARE_DOC_FREQ:
            continue
        for candidate, _distance, candidate_freq in vocabulary.near(exact, 2):
            if candidate_freq >= max(1, SUGGESTION_GAIN * freq) and candidate_freq > freq:
                replaced = replaced.replace(typed, candidate, 1)
                changed = True
                break
    return replaced if changed else None


def _ranked(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def run_search(
    text: str,
    *,
    analyzer: Analyzer,
    reader: EngineReader,
    vocabulary: Callable[[], Vocabulary],
    codec: DocumentCodec,
    limit: int,
    page: int,
    sort: SortOrder,
    filters: Mapping[str, Any] | None,
    snippets: bool = True,
) -> Results:
    """Search ``reader`` and build the public :class:`Results`."""
    started = time.perf_counter()
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}.")
    if page < 1:
        raise UsageError(f"page must be 1 or more, not {page}.")
    if sort not in ("relevance", "date"):
        raise UsageError(f"sort must be 'relevance' or 'date', not '{sort}'.")
    offset = (page - 1) * limit
    if offset > MAX_OFFSET:
        raise UsageError(f"page is too deep: at most {MAX_OFFSET // limit + 1} pages of {limit}.")
    parsed = parse_query(text)
    merged = parsed.filters.merge(filters_from(filters))
    plan = build_plan(parsed, analyzer, reader, vocabulary)

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000.0

    node = plan.node
    if node is None and not merged.is_empty():
        node = AllNode()  # a query of filters only lists what they select
    if node is None:
        return Results(
            query=text, total=0, page=page, limit=limit, took_ms=elapsed(), note=EMPTY_NOTE
        )
    spec = _filter_spec(merged)
    if sort == "relevance" and plan.stems and plan.ranking.feedback_terms:
        node = _with_feedback(node, plan, spec, analyzer, reader, codec)
    found = reader.search(node, filters=spec, offset=offset, limit=limit, sort=sort)
    matcher = plan.matcher()
    hits = []
    for engine_hit in found.hits:
        document = codec.unpack(engine_hit.stored)
        snippet = make_snippet(document.text, matcher, analyzer) if snippets else _NO_MARKS
        title = (
            mark_text(document.title, matcher, analyzer) if snippets else Marked(document.title, ())
        )
        hits.append(
            Hit(
                id=document.id,
                score=engine_hit.score,
                title=document.title,
                title_html=title.html(),
                snippet=snippet.html(),
                snippet_plain=snippet.plain(),
                snippet_ansi=snippet.ansi(),
                title_ansi=title.ansi(),
                date=document.date,
                source=document.source,
                category=document.category,
                url=document.url,
            )
        )
    return Results(
        query=text,
        total=found.total,
        page=page,
        limit=limit,
        took_ms=elapsed(),
        hits=tuple(hits),
        did_you_mean=_did_you_mean(text, plan, reader, vocabulary()) if plan.words else None,
        facets={name: _ranked(counts) for name, counts in found.facets.items()},
        note=None,
    )


def _with_feedback(
    node: PlanNode,
    plan: Plan,
    spec: FilterSpec,
    analyzer: Analyzer,
    reader: EngineReader,
    codec: DocumentCodec,
) -> PlanNode:
    """``node`` re-ranked by the words of its own best hits (pseudo-relevance feedback)."""
    ranking = plan.ranking
    first = reader.search(
        node, filters=spec, offset=0, limit=ranking.feedback_docs, sort="relevance"
    )
    documents = [(codec.unpack(hit.stored), hit.score) for hit in first.hits]
    extra = expansion(
        documents,
        analyzer,
        exclude=plan.stems,
        terms=ranking.feedback_terms,
        weight=ranking.feedback_weight,
    )
    return node if extra is None else BoolNode(must=(node,), should=(extra,))


def suggest_words(
    prefix: str, *, analyzer: Analyzer, reader: EngineReader, limit: int = 10
) -> list[str]:
    """Completions of the last word of ``prefix``, most frequent first, stop words left out."""
    words = prefix.split()
    if not words or prefix[-1:].isspace():
        return []
    last = normalize(words[-1], fold_hamza=analyzer.fold_hamza)
    if not last:
        return []
    counts: dict[str, int] = {}
    for field in (TITLE_EXACT, BODY_EXACT):
        for term, freq in reader.terms_with_prefix(field, last, limit * 4):
            if term not in analyzer.stopwords:
                counts[term] = counts.get(term, 0) + freq
    ranked = sorted(counts, key=lambda term: (-counts[term], term))[:limit]
    head = " ".join(words[:-1])
    return [f"{head} {term}" if head else term for term in ranked]
