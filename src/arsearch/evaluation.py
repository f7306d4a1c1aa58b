"""Retrieval evaluation: run judged queries through ``Index.search`` and score the rankings.

Queries are JSON lines ``{"id": ..., "text": ...}``; judgments are TREC qrels,
``qid 0 docid rel`` per line (``rel`` > 0 is relevant; a higher ``rel`` is a
better document for nDCG). Every query goes through :meth:`Index.search`, query
parsing included, exactly as a user's would, and the first
:data:`DEPTH` hits are scored:

- MRR@10: 1 / the rank of the first relevant hit in the top 10, else 0.
- Recall@10, Recall@100: the share of the query's relevant documents retrieved.
- nDCG@10: as trec_eval's ``ndcg_cut.10``: gain ``rel``, discount
  ``log2(rank + 1)``, normalized by the ideal ordering of the judged documents.

Only queries with at least one relevant document are scored (as trec_eval does);
the others are counted as unjudged. A bad line is an :class:`EvaluationError`
reading ``path:line: reason``.

>>> scores = score_ranking("q1", ["d3", "d1", "d7"], {"d1": 1, "d9": 1})
>>> scores.mrr_at_10, scores.recall_at_10
(0.5, 0.5)
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import EvaluationError, UsageError
from .index import Index, Searcher
from .models import Results

__all__ = [
    "DEPTH",
    "METRICS",
    "Evaluation",
    "JudgedQuery",
    "QueryScores",
    "evaluate",
    "mean_scores",
    "read_qrels",
    "read_queries",
    "score_ranking",
    "write_run",
]

#: How many hits of each query are fetched and scored (one page of the largest size).
DEPTH = 100
#: The metric names, in the order they are reported.
METRICS = ("mrr_at_10", "recall_at_10", "recall_at_100", "ndcg_at_10")

Qrels = dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    """One query of a query file: its ``id`` and ``text`` as a user would type it."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class QueryScores:
    """The metrics of one query's ranking."""

    id: str
    mrr_at_10: float
    recall_at_10: float
    recall_at_100: float
    ndcg_at_10: float
    #: The rank of the first relevant hit (1-based), None when none was retrieved.
    first_relevant: int | None = None
    #: Why the query could not run (a query over the length bound), else None.
    error: str | None = None

    def value(self, metric: str) -> float:
        """The value of ``metric``, one of :data:`METRICS`."""
        if metric not in METRICS:
            raise UsageError(f"Unknown metric '{metric}'. Choose one of: {', '.join(METRICS)}.")
        result: float = getattr(self, metric)
        return result

    def to_dict(self) -> dict[str, Any]:
        """The scores as JSON-ready data."""
        out: dict[str, Any] = {"id": self.id}
        out.update({metric: round(self.value(metric), 6) for metric in METRICS})
        out["first_relevant"] = self.first_relevant
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class Evaluation:
    """The scores of every judged query, their means, and the rankings they came from."""

    queries: tuple[QueryScores, ...]
    #: Queries of the query file with no relevant document in the qrels (not scored).
    unjudged: tuple[str, ...] = ()
    #: Judged query ids that the query file lacks (not scored).
    missing: tuple[str, ...] = ()
    #: Each scored query's ranking: ``(doc_id, score)`` best first.
    runs: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

    @property
    def means(self) -> dict[str, float]:
        """The mean of each metric over the scored queries."""
        return mean_scores(self.queries)

    def to_dict(self, *, per_query: bool = True) -> dict[str, Any]:
        """The JSON shape of ``arsearch eval --json``."""
        out: dict[str, Any] = {
            "queries": len(self.queries),
            "unjudged": len(self.unjudged),
            "missing": len(self.missing),
            "errors": sum(1 for scores in self.queries if scores.error is not None),
            "depth": DEPTH,
            "metrics": {name: round(value, 6) for name, value in self.means.items()},
        }
        if per_query:
            out["per_query"] = [scores.to_dict() for scores in self.queries]
        return out


def mean_scores(queries: Sequence[QueryScores]) -> dict[str, float]:
    """The mean of each metric over ``queries`` (all 0.0 when there are none).

    >>> mean_scores([score_ranking("a", ["x"], {"x": 1}), score_ranking("b", [], {"y": 1})])
    {'mrr_at_10': 0.5, 'recall_at_10': 0.5, 'recall_at_100': 0.5, 'ndcg_at_10': 0.5}
    """
    count = len(queries)
    return {
        metric: (sum(scores.value(metric) for scores in queries) / count if count else 0.0)
        for metric in METRICS
    }


# -- metrics -------------------------------------------------------------------


def score_ranking(
    query_id: str, ranking: Sequence[str], judgments: Mapping[str, int]
) -> QueryScores:
    """Score ``ranking`` (document ids, best first) against one query's ``judgments``.

    A judgment of 0 or less is "not relevant". Duplicate ids in ``ranking``
    count once, at their best rank.

    >>> s = score_ranking("q", ["a", "b", "c"], {"b": 2, "c": 1, "z": 1})
    >>> s.mrr_at_10, round(s.recall_at_10, 4), round(s.ndcg_at_10, 4)
    (0.5, 0.6667, 0.5627)
    """
    relevant = {doc: rel for doc, rel in judgments.items() if rel > 0}
    if not relevant:
        raise UsageError(f"Query '{query_id}' has no relevant document to score against.")
    ranked = list(dict.fromkeys(ranking))
    first = next((rank for rank, doc in enumerate(ranked, 1) if doc in relevant), None)
    found_10 = sum(1 for doc in ranked[:10] if doc in relevant)
    found_100 = sum(1 for doc in ranked[:100] if doc in relevant)
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:10], 1))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, 1))
    return QueryScores(
        id=query_id,
        mrr_at_10=1.0 / first if first is not None and first <= 10 else 0.0,
        recall_at_10=found_10 / len(relevant),
        recall_at_100=found_100 / len(relevant),
        ndcg_at_10=dcg / idcg,
        first_relevant=first,
    )


# -- reading -------------------------------------------------------------------


def _lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, str]]:
    """``(number, line)`` of a UTF-8 text file (a BOM is allowed), 1-based."""
    shown = os.fspath(path)
    try:
        with open(shown, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                try:
                    yield number, raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise EvaluationError(shown, number, "not valid UTF-8") from None
    except FileNotFoundError:
        raise EvaluationError(shown, None, "no such file or directory") from None
    except IsADirectoryError:
        raise EvaluationError(shown, None, "is a directory, not a file") from None
    except PermissionError:
        raise EvaluationError(shown, None, "permission denied") from None


def read_queries(path: str | os.PathLike[str]) -> list[JudgedQuery]:
    """The queries of a JSON-lines file, one ``{"id", "text"}`` object per line.

    Blank lines are skipped and other fields ignored; an id may be a string or
    an integer. Raises :class:`EvaluationError` on the first bad line, on a
    repeated id and on a file without queries.
    """
    shown = os.fspath(path)
    queries: list[JudgedQuery] = []
    seen: dict[str, int] = {}
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            raise EvaluationError(shown, number, f"invalid JSON: {reason}") from None
        if not isinstance(record, dict):
            kind = type(record).__name__
            raise EvaluationError(shown, number, f'expected an object {{"id", "text"}}, not {kind}')
        query_id = record.get("id")
        if isinstance(query_id, bool) or not isinstance(query_id, (str, int)):
            raise EvaluationError(shown, number, 'missing "id" (a string or an integer)')
        query_id = str(query_id).strip()
        if not query_id or any(char.isspace() for char in query_id):
            raise EvaluationError(shown, number, '"id" must be non-empty and without spaces')
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise EvaluationError(shown, number, 'missing "text" (a non-empty string)')
        if query_id in seen:
            raise EvaluationError(
                shown, number, f"duplicate query id '{query_id}' (first on line {seen[query_id]})"
            )
        seen[query_id] = number
        queries.append(JudgedQuery(query_id, text))
    if not queries:
        raise EvaluationError(shown, None, "no queries")
    return queries


def read_qrels(path: str | os.PathLike[str]) -> Qrels:
    """TREC qrels: ``qid iteration docid rel`` per line, as ``{qid: {docid: rel}}``.

    The iteration column (usually 0) is ignored; ``rel`` is an integer. Blank
    lines are skipped. Raises :class:`EvaluationError` on the first bad line,
    on a document judged twice for one query and on a file without judgments.
    """
    shown = os.fspath(path)
    qrels: Qrels = {}
    where: dict[tuple[str, str], int] = {}
    for number, line in _lines(path):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise EvaluationError(
                shown, number, f"expected 4 fields 'qid 0 docid rel', found {len(parts)}"
            )
        query_id, _iteration, doc_id, rel_text = parts
        try:
            rel = int(rel_text)
        except ValueError:
            raise EvaluationError(
                shown, number, f"relevance '{rel_text}' is not an integer"
            ) from None
        if (query_id, doc_id) in where:
            first = where[query_id, doc_id]
            raise EvaluationError(
                shown,
                number,
                f"query '{query_id}' judges document '{doc_id}' twice (first on line {first})",
            )
        where[query_id, doc_id] = number
        qrels.setdefault(query_id, {})[doc_id] = rel
    if not qrels:
        raise EvaluationError(shown, None, "no judgments")
    return qrels


# -- running -------------------------------------------------------------------


def evaluate(
    index: Index | Searcher,
    queries: Iterable[JudgedQuery],
    qrels: Mapping[str, Mapping[str, int]],
    *,
    search: Callable[[str, int], Results] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Run each judged query through ``index.search`` and score its top :data:`DEPTH` hits.

    ``index`` may be a :class:`Searcher`, to evaluate one commit with its ranking.

    A query runs as ``index.search(text, limit=DEPTH, snippets=False)``: the
    parsing, planning and ranking of every search, without the snippets, which
    do not change the order. ``search(text, limit)`` replaces that call (for
    benchmarks that rewrite the text); ``progress`` is called with the count of
    queries run. A query that the index refuses (over the length bound) scores
    0 and keeps its error.
    """
    run_query = search or (lambda text, limit: index.search(text, limit=limit, snippets=False))
    judged = {
        query_id: docs for query_id, docs in qrels.items() if any(rel > 0 for rel in docs.values())
    }
    scored: list[QueryScores] = []
    unjudged: list[str] = []
    seen: set[str] = set()
    runs: dict[str, tuple[tuple[str, float], ...]] = {}
    for query in queries:
        seen.add(query.id)
        judgments = judged.get(query.id)
        if judgments is None:
            unjudged.append(query.id)
            continue
        try:
            results = run_query(query.text, DEPTH)
        except UsageError as error:
            scores = score_ranking(query.id, [], judgments)
            scored.append(_with_error(scores, str(error)))
            runs[query.id] = ()
        else:
            ranking = tuple((hit.id, hit.score) for hit in results.hits)
            runs[query.id] = ranking
            scored.append(score_ranking(query.id, [doc for doc, _ in ranking], judgments))
        if progress is not None:
            progress(len(scored))
    missing = tuple(sorted(set(judged) - seen))
    return Evaluation(tuple(scored), tuple(unjudged), missing, runs)


def _with_error(scores: QueryScores, error: str) -> QueryScores:
    return QueryScores(
        id=scores.id,
        mrr_at_10=scores.mrr_at_10,
        recall_at_10=scores.recall_at_10,
        recall_at_100=scores.recall_at_100,
        ndcg_at_10=scores.ndcg_at_10,
        first_relevant=scores.first_relevant,
        error=error,
    )


def write_run(
    evaluation: Evaluation, path: str | os.PathLike[str], *, tag: str = "arsearch"
) -> int:
    """Write the rankings as a TREC run file (``qid Q0 docid rank score tag``); rows written."""
    rows = 0
    with open(path, "w", encoding="utf-8") as handle:
        for query_id, ranking in evaluation.runs.items():
            for rank, (doc_id, score) in enumerate(ranking, 1):
                handle.write(f"{query_id} Q0 {doc_id} {rank} {score:.6f} {tag}\n")
                rows += 1
    return rows
