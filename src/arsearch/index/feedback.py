"""Pseudo-relevance feedback: expand a query with the words of its best hits (RM3-style).

The first search's top documents are taken as relevant; each of their stems is
weighted by how much of each document it makes up, times that document's share
of the top scores (the relevance model of Lavrenko and Croft, as RM3 uses it).
The heaviest stems not already in the query become extra optional clauses, so
they re-rank what the query matches and add no requirement.

>>> from arsearch import Analyzer, Document
>>> docs = [(Document("a", "", "النفط الخام والنفط"), 2.0), (Document("b", "", "الخام"), 1.0)]
>>> [(node.term, round(node.boost, 2)) for node in expansion(docs, Analyzer(), exclude={"خام"},
...                                                         terms=5, weight=0.5).should]
[('نفط', 0.5)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from ..analysis import Analyzer
from ..engines import BODY, BoolNode, TermNode
from ..models import Document

__all__ = ["expansion"]


def expansion(
    documents: Sequence[tuple[Document, float]],
    analyzer: Analyzer,
    *,
    exclude: Collection[str],
    terms: int,
    weight: float,
) -> BoolNode | None:
    """Optional clauses for the ``terms`` heaviest stems of ``documents`` (with their scores).

    Stems in ``exclude`` (the query's own) are left out; the heaviest stem gets
    ``weight`` and the others their share of it. None when nothing is left.
    """
    total = sum(max(score, 0.0) for _, score in documents)
    if not documents or total <= 0 or terms < 1 or weight <= 0:
        return None
    model: dict[str, float] = {}
    for document, score in documents:
        stems = analyzer.index_terms(f"{document.title}\n{document.text}")[1].split()
        if not stems:
            continue
        share = max(score, 0.0) / total / len(stems)
        for stem, count in Counter(stems).items():
            if stem not in exclude and not stem.isdigit():
                model[stem] = model.get(stem, 0.0) + count * share
    best = sorted(model.items(), key=lambda item: (-item[1], item[0]))[:terms]
    if not best:
        return None
    top = best[0][1]
    return BoolNode(
        should=tuple(TermNode(BODY, stem, weight * value / top) for stem, value in best)
    )
