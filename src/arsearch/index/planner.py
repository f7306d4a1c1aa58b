"""From a parsed query to an engine plan, a highlight matcher and the words to check.

How words become scored clauses is the :class:`~arsearch.index.ranking.Ranking`'s to say;
the planner applies the ranking it is given.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..analysis import Analyzer, normalize
from ..engines import (
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
from .ranking import DEFAULT_RANKING, Ranking
from .spelling import Vocabulary
from .wordforms import has_arabic_letter, stand_ins, without_proclitic

__all__ = ["MAX_EXPANSIONS", "TITLE_BOOST", "Plan", "build_plan", "fuzzy_candidates"]

#: The weight of a word limited to titles (``title:word``) beside unlimited words.
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
    #: Query words as typed that no document holds, with the exact words that show
    #: what was searched instead: the nearest spelling, or the two words a missing
    #: space had glued together.
    stand_ins: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    dropped_stopwords: bool = False
    ranking: Ranking = DEFAULT_RANKING

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
        self,
        analyzer: Analyzer,
        reader: EngineReader,
        vocabulary: Callable[[], Vocabulary],
        ranking: Ranking,
    ) -> None:
        self.analyzer = analyzer
        self.reader = reader
        self.vocabulary = vocabulary
        self.ranking = ranking
        self.plan = Plan(ranking=ranking)

    # -- leaves --------------------------------------------------------------

    def _fields(self, field_name: str | None) -> tuple[tuple[str, str, float], ...]:
        if field_name == "title":
            return ((TITLE, TITLE_EXACT, TITLE_BOOST),)
        title_boost = self.ranking.title_boost
        if not title_boost:
            return ((BODY, BODY_EXACT, 1.0),)
        return ((TITLE, TITLE_EXACT, title_boost), (BODY, BODY_EXACT, 1.0))

    def _doc_freq(self, exact: str) -> int:
        return self.reader.doc_freq(BODY_EXACT, exact) + self.reader.doc_freq(TITLE_EXACT, exact)

    def _word_node(self, forms: list[tuple[str, str]], field_name: str | None) -> PlanNode:
        """One word's clause: its forms' stems and exact terms in every field, each once."""
        weights: dict[tuple[str, str], float] = {}
        for exact, stem in forms:
            for stem_field, exact_field, boost in self._fields(field_name):
                for key, weight in (
                    ((stem_field, stem), boost),
                    ((exact_field, exact), boost * self.ranking.exact_weight),
                ):
                    if weight > 0:
                        weights[key] = max(weights.get(key, 0.0), weight)
        return BoolNode(
            should=tuple(TermNode(field, term, weight) for (field, term), weight in weights.items())
        )

    def _forms(
        self, exact: str, stem: str, typed: str | None = None, *, quoted: bool = False
    ) -> list[tuple[str, str]] | None:
        """The forms a positive word is searched under; None: the word is a misspelt stop word.

        ``typed``: the word as typed, recorded with the stand-ins of an absent word.
        A ``quoted`` word is searched as typed: never as other spellings.
        """
        forms = [(exact, stem)]
        if not has_arabic_letter(exact):
            return forms
        if self.ranking.proclitics:
            stripped = without_proclitic(exact, self._doc_freq, self._analyzed)
            if stripped:
                return forms + stripped
        if self.ranking.fallback and not quoted and self._absent(exact, stem):
            found = stand_ins(exact, self._doc_freq, self._analyzed, self.vocabulary())
            if found and typed is not None:
                words = tuple(form_exact for form_exact, _ in found)
                glued = "".join(words) == exact
                self.plan.stand_ins.append((typed, words if glued else words[:1]))
            return None if found is None else forms + found
        return forms

    def _absent(self, exact: str, stem: str) -> bool:
        reader = self.reader
        return (
            self._doc_freq(exact) == 0
            and reader.doc_freq(BODY, stem) == 0
            and reader.doc_freq(TITLE, stem) == 0
        )

    def _analyzed(self, word: str) -> tuple[str, str]:
        pieces = self.analyzer.word_terms(word)
        return pieces[0] if len(pieces) == 1 else (word, "")

    def term(self, term: Term, positive: bool) -> PlanNode | None:
        if term.prefix:
            return self._expanded(term, self._prefix_terms(term, positive))
        if term.fuzzy:
            return self._expanded(term, self._fuzzy_terms(term, positive))
        parts: list[PlanNode] = []
        pieces = self.analyzer.word_terms(term.text)
        # Only a word of one piece can be shown corrected as a whole.
        typed = term.text if len(pieces) == 1 else None
        for exact, stem in pieces:
            if not stem:
                self.plan.dropped_stopwords = True
                continue
            forms = self._forms(exact, stem, typed) if positive else [(exact, stem)]
            if forms is None:
                self.plan.dropped_stopwords = True
                continue
            if positive:
                self.plan.exacts.update(form_exact for form_exact, _ in forms)
                self.plan.stems.update(form_stem for _, form_stem in forms)
                if term.field is None:
                    self.plan.words.append((term.text, exact))
            parts.append(self._word_node(forms, term.field))
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
            node = clause.node
            if isinstance(node, Phrase) and clause.occur == "should" and len(clauses) > 1:
                policy = self.ranking.phrases
                if policy == "require":
                    bucket = must
                elif policy == "boost" and clause_positive:
                    should.extend(self._phrase_words(node))
            built = self.node(node, clause_positive)
            if built is not None:
                bucket.append(built)
        if not (should or must or must_not):
            return None
        if positive and self.ranking.proximity > 0:
            should.extend(self._proximity(clauses))
        return BoolNode(should=tuple(should), must=tuple(must), must_not=tuple(must_not))

    def _phrase_words(self, phrase: Phrase) -> Iterator[PlanNode]:
        """The words of a quoted phrase as plain words (the phrase itself is a bonus).

        A word quoted alone is searched as typed, never as other spellings: that is
        how a corrected query's "search instead for" asks for the word itself.
        """
        alone = len(self.analyzer.tokens(phrase.text)) == 1
        for token in self.analyzer.analyze(phrase.text):
            forms = self._forms(token.exact, token.stem, quoted=alone)
            if forms:
                self.plan.stems.update(stem for _, stem in forms)
                yield self._word_node(forms, phrase.field)

    def _proximity(self, clauses: tuple[Clause, ...]) -> Iterator[PlanNode]:
        """A bonus for each pair of neighbouring query words found close together in the body."""
        sequence: list[str] = []
        for clause in clauses:
            node = clause.node
            if clause.occur == "must_not" or not isinstance(node, Term) or node.field:
                continue
            if node.prefix or node.fuzzy:
                continue
            sequence.extend(exact for exact, stem in self.analyzer.word_terms(node.text) if stem)
        for first, second in itertools.pairwise(sequence):
            if first != second:
                yield PhraseNode(
                    BODY_EXACT,
                    (first, second),
                    self.ranking.proximity,
                    slop=self.ranking.proximity_slop,
                )


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
    ranking: Ranking = DEFAULT_RANKING,
) -> Plan:
    """Analyze every word of ``parsed`` and build the engine plan (``node`` None: nothing to do).

    ``vocabulary`` gives the frequent words fuzzy terms expand to (built on first use).
    """
    builder = _Builder(analyzer, reader, vocabulary, ranking)
    builder.plan.node = builder.group(parsed.root.clauses, True)
    return builder.plan
