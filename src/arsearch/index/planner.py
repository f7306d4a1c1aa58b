"""From a parsed query to an engine plan, a highlight matcher and the words to check.

Ranking rule for plain words: each word is one optional clause whose score is
BM25 summed over the stem and exact forms in title and body (title weighted
above body); a document need not hold every word, and since the clauses' scores
add up, documents holding more of the words rank higher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..analysis import Analyzer, normalize
from ..engines.base import (
    BODY,
    BODY_EXACT,
    TITLE,
    TITLE_EXACT,
    BoolNode,
    EngineReader,
    PhraseNode,
    PlanNode,
    TermNode,
)
from ..highlight import Matcher
from ..query import Clause, Group, Or, ParsedQuery, Phrase, Term
from .suggest import Vocabulary

__all__ = ["MAX_EXPANSIONS", "TITLE_BOOST", "Plan", "build_plan", "fuzzy_candidates"]

#: How much more a match in the title counts than one in the body.
TITLE_BOOST = 2.0
#: Bound on the terms a prefix (word*) or fuzzy (word~) query expands to.
MAX_EXPANSIONS = 64


@dataclass
class Plan:
    """What the index needs to run a query, mark its hits and suggest spellings."""

    node: PlanNode | None = None
    exacts: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    #: Plain query words as typed, with their exact forms, for "did you mean".
    words: list[tuple[str, str]] = field(default_factory=list)
    dropped_stopwords: bool = False

    def matcher(self) -> Matcher:
        """The highlight matcher of the query's positive words."""
        return Matcher(
            exacts=frozenset(self.exacts),
            stems=frozenset(self.stems),
            prefixes=tuple(self.prefixes),
        )


def fuzzy_candidates(vocabulary: Vocabulary, exact: str, distance: int) -> list[str]:
    """Frequent indexed words within ``distance`` edits of ``exact``, best first."""
    return [term for term, _distance, _freq in vocabulary.near(exact, distance)][:MAX_EXPANSIONS]


class _Builder:
    def __init__(
        self, analyzer: Analyzer, reader: EngineReader, vocabulary: Callable[[], Vocabulary]
    ) -> None:
        self.analyzer = analyzer
        self.reader = reader
        self.vocabulary = vocabulary
        self.plan = Plan()

    # -- leaves --------------------------------------------------------------

    def _fields(self, field_name: str | None) -> tuple[tuple[str, str, float], ...]:
        if field_name == "title":
            return ((TITLE, TITLE_EXACT, TITLE_BOOST),)
        return ((TITLE, TITLE_EXACT, TITLE_BOOST), (BODY, BODY_EXACT, 1.0))

    def term(self, term: Term, positive: bool) -> PlanNode | None:
        if term.prefix:
            return self._expanded(term, self._prefix_terms(term, positive))
        if term.fuzzy:
            return self._expanded(term, self._fuzzy_terms(term, positive))
        parts: list[PlanNode] = []
        for exact, stem in self.analyzer.word_terms(term.text):
            if stem is None:
                self.plan.dropped_stopwords = True
                continue
            if positive:
                self.plan.exacts.add(exact)
                self.plan.stems.add(stem)
                if term.field is None:
                    self.plan.words.append((term.text, exact))
            should: list[PlanNode] = []
            for stem_field, exact_field, boost in self._fields(term.field):
                should.append(TermNode(stem_field, stem, boost))
                should.append(TermNode(exact_field, exact, boost))
            parts.append(BoolNode(should=tuple(should)))
        return _combine(parts)

    def _prefix_terms(self, term: Term, positive: bool) -> list[str]:
        prefix = normalize(term.text, fold_hamza=self.analyzer.fold_hamza)
        if not prefix:
            return []
        if positive:
            self.plan.prefixes.append(prefix)
        found: dict[str, int] = {}
        for _stem_field, exact_field, _boost in self._fields(term.field):
            for word, freq in self.reader.terms_with_prefix(exact_field, prefix, MAX_EXPANSIONS):
                found[word] = found.get(word, 0) + freq
        ranked = sorted(found, key=lambda word: (-found[word], word))
        return ranked[:MAX_EXPANSIONS] or [prefix]

    def _fuzzy_terms(self, term: Term, positive: bool) -> list[str]:
        exact = normalize(term.text, fold_hamza=self.analyzer.fold_hamza)
        if not exact:
            return []
        words = [exact, *fuzzy_candidates(self.vocabulary(), exact, term.fuzzy)]
        if positive:
            self.plan.exacts.update(words)
        return words[:MAX_EXPANSIONS]

    def _expanded(self, term: Term, words: list[str]) -> PlanNode | None:
        should: list[PlanNode] = []
        for word in words:
            for _stem_field, exact_field, boost in self._fields(term.field):
                should.append(TermNode(exact_field, word, boost))
        return BoolNode(should=tuple(should)) if should else None

    def phrase(self, phrase: Phrase, positive: bool) -> PlanNode | None:
        tokens = self.analyzer.tokens(phrase.text)
        terms = tuple(token.exact for token in tokens)
        if not terms:
            return None
        if positive:
            self.plan.exacts.update(token.exact for token in tokens if token.stem)
        should: list[PlanNode] = [
            PhraseNode(exact_field, terms, boost)
            for _stem_field, exact_field, boost in self._fields(phrase.field)
        ]
        return BoolNode(should=tuple(should))

    # -- structure -----------------------------------------------------------

    def node(self, node: Term | Phrase | Group | Or, positive: bool) -> PlanNode | None:
        if isinstance(node, Term):
            return self.term(node, positive)
        if isinstance(node, Phrase):
            return self.phrase(node, positive)
        if isinstance(node, Or):
            items = [self.node(item, positive) for item in node.items]
            kept = tuple(item for item in items if item is not None)
            return BoolNode(should=kept) if kept else None
        return self.group(node.clauses, positive)

    def group(self, clauses: tuple[Clause, ...], positive: bool) -> PlanNode | None:
        should: list[PlanNode] = []
        must: list[PlanNode] = []
        must_not: list[PlanNode] = []
        targets: dict[str, tuple[list[PlanNode], bool]] = {
            "should": (should, positive),
            "must": (must, positive),
            "must_not": (must_not, False),
        }
        for clause in clauses:
            bucket, clause_positive = targets[clause.occur]
            built = self.node(clause.node, clause_positive)
            if built is not None:
                bucket.append(built)
        if not (should or must or must_not):
            return None
        return BoolNode(should=tuple(should), must=tuple(must), must_not=tuple(must_not))


def _combine(parts: list[PlanNode]) -> PlanNode | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return BoolNode(must=tuple(parts))


def build_plan(
    parsed: ParsedQuery,
    analyzer: Analyzer,
    reader: EngineReader,
    vocabulary: Callable[[], Vocabulary],
) -> Plan:
    """Analyze every word of ``parsed`` and build the engine plan (``node`` None: nothing to do).

    ``vocabulary`` gives the frequent words fuzzy terms expand to (built on first use).
    """
    builder = _Builder(analyzer, reader, vocabulary)
    builder.plan.node = builder.group(parsed.root.clauses, True)
    return builder.plan
