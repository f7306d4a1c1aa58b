"""From a parsed query to an engine plan, a highlight matcher and the words to check.

How words become scored clauses is the :class:`~arsearch.index.ranking.Ranking`'s to say;
the planner applies the ranking it is given.

Every query's cost is bounded by a :class:`QueryBudget`:

- each distinct prefix (``word*``) and fuzzy (``word~``) word is expanded once, and all
  of them together to at most :data:`MAX_QUERY_EXPANSIONS` indexed words;
- past :data:`PLAN_SECONDS` of planning, no more costly lookups start (term dictionary
  reads for ``word*``, spellings for ``word~`` and for words no document holds): the
  remaining words are searched as typed;
- planning that still outlasts :data:`MAX_PLAN_SECONDS` is refused with
  :class:`~arsearch.errors.QueryTooComplexError`.

The result's note says when the first two left forms of words out. Time is the query's
own CPU time (its thread's, engine calls included): a query that waits for a core, behind
other threads or processes, is not cut short for it, so the same query is planned the
same way on a busy server as on a quiet one.
"""

from __future__ import annotations

import itertools
import math
import time
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
from ..errors import QueryTooComplexError
from ..highlight import Matcher
from ..query import Clause, Group, Or, ParsedQuery, Phrase, Term
from .ranking import DEFAULT_RANKING, Ranking
from .spelling import Vocabulary
from .synonyms import MAX_EXPANSIONS as MAX_SYNONYMS
from .synonyms import NO_SYNONYMS, SynonymMatcher, Synonyms
from .variants import SpellingPairs
from .wordforms import has_arabic_letter, stand_ins, without_proclitic

__all__ = [
    "EXPANSIONS_NOTE",
    "LATE_NOTE",
    "MAX_EXPANSIONS",
    "MAX_PLAN_SECONDS",
    "MAX_QUERY_EXPANSIONS",
    "MAX_SPELLED_LENGTH",
    "PLAN_SECONDS",
    "TITLE_BOOST",
    "Plan",
    "QueryBudget",
    "build_plan",
    "fuzzy_candidates",
]

#: The weight of a word limited to titles (``title:word``) beside unlimited words.
TITLE_BOOST = 2.0
#: Bound on the terms a prefix (word*) or fuzzy (word~) query expands to.
MAX_EXPANSIONS = 64
#: Bound on the indexed words all the prefix and fuzzy words of one query expand to.
MAX_QUERY_EXPANSIONS = 256
#: Words longer than this are not looked up by spelling (no stand-ins, no fuzzy
#: neighbours, no "did you mean"): no word is that long, and a lookup costs the cube
#: of the length.
MAX_SPELLED_LENGTH = 48
#: Words shorter than this are never searched as a near spelling nor offered one in a
#: "did you mean": as Elasticsearch's fuzziness AUTO allows no edit below three letters,
#: a word of one or two letters is most often a word still being typed, and its near
#: spellings are arbitrary words.
MIN_SPELLED_LENGTH = 3
#: Seconds of planning (CPU time) after which no costly lookup starts (reading the term
#: dictionary for ``word*``, the spellings for ``word~`` and for words no document holds).
PLAN_SECONDS = 0.3
#: Seconds of planning (CPU time) after which the query is refused (past PLAN_SECONDS each
#: word costs a few dictionary probes, so only a lookup that started just before gets there).
MAX_PLAN_SECONDS = 0.6
#: The note of results whose prefix or fuzzy words :data:`MAX_QUERY_EXPANSIONS` cut.
EXPANSIONS_NOTE = (
    f"Words ending in * or ~ were searched as at most {MAX_QUERY_EXPANSIONS} indexed words "
    "in all, so some of their forms were left out: use fewer of them, or longer prefixes."
)
#: The note of results whose planning ran out of time, so some words were searched as typed.
LATE_NOTE = (
    "This query took long to prepare, so some of its words were searched only as typed "
    "(without other spellings or expansions): use fewer words."
)


class QueryBudget:
    """What one query may spend on planning: expanded words in all, and CPU time.

    >>> budget = QueryBudget(expansions=100)
    >>> budget.take(64), budget.take(64), budget.take(64)
    (64, 36, 0)
    >>> late = QueryBudget(seconds=0.0)
    >>> late.affords_lookup(), late.notes() == [LATE_NOTE]
    (False, True)
    >>> QueryBudget(seconds=0.0, max_seconds=0.0).check()
    Traceback (most recent call last):
      ...
    arsearch.errors.QueryTooComplexError: This query is too costly to answer: preparing it \
took over 0.0 s. Use fewer words, fewer words ending in * or ~, or longer prefixes.
    """

    __slots__ = ("cut", "late", "left", "max_seconds", "seconds", "started")

    def __init__(
        self,
        *,
        expansions: int = MAX_QUERY_EXPANSIONS,
        seconds: float = PLAN_SECONDS,
        max_seconds: float = MAX_PLAN_SECONDS,
    ) -> None:
        #: Expanded words still allowed.
        self.left = expansions
        self.seconds = seconds
        self.max_seconds = max_seconds
        self.started = time.thread_time()
        #: Whether the bound on expansions left forms of a word out.
        self.cut = False
        #: Whether a costly lookup was skipped because time ran out.
        self.late = False

    def take(self, wanted: int) -> int:
        """How many of ``wanted`` expansions may be used (and count them as used)."""
        granted = max(0, min(wanted, self.left))
        self.left -= granted
        return granted

    def give_back(self, unused: int) -> None:
        """Return expansions taken but not used."""
        self.left += unused

    def expired(self) -> bool:
        """Whether :data:`PLAN_SECONDS` have passed: costly work should not start."""
        return time.thread_time() - self.started >= self.seconds

    def affords_lookup(self) -> bool:
        """Whether a costly lookup may start now (False, and noted, once time ran out)."""
        if self.expired():
            self.late = True
            return False
        return True

    def check(self) -> None:
        """Raise :class:`QueryTooComplexError` once :data:`MAX_PLAN_SECONDS` have passed."""
        if time.thread_time() - self.started >= self.max_seconds:
            raise QueryTooComplexError(
                f"This query is too costly to answer: preparing it took over "
                f"{self.max_seconds} s. Use fewer words, fewer words ending in * or ~, "
                "or longer prefixes."
            )

    def notes(self) -> list[str]:
        """The sentences a result should carry about what the budget left out."""
        return [note for note, due in ((EXPANSIONS_NOTE, self.cut), (LATE_NOTE, self.late)) if due]


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
    #: The synonyms searched: the query's words as typed, and what they also stood for.
    synonyms: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

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
        synonyms: Synonyms,
        spellings: Callable[[], SpellingPairs] | None,
        stem_positions: bool,
        budget: QueryBudget,
    ) -> None:
        self.analyzer = analyzer
        self.reader = reader
        self.vocabulary = vocabulary
        self.ranking = ranking
        self.synonyms: SynonymMatcher | None = (
            synonyms.matcher(analyzer) if synonyms.groups else None
        )
        self.synonyms_left = MAX_SYNONYMS
        self.spellings = spellings if ranking.spelling_weight > 0 else None
        self.stem_positions = stem_positions
        self.budget = budget
        self.plan = Plan(ranking=ranking)
        # Each distinct prefix or fuzzy word is expanded once per query, and its
        # clause made once: a repeat adds nothing to the plan (see _add).
        self._expansions: dict[tuple[str, str, str | None], list[str]] = {}
        self._expanded_nodes: dict[tuple[tuple[str, ...], str | None], PlanNode] = {}

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

    def _word_node(
        self, forms: list[tuple[str, str]], field_name: str | None, *, expand: bool = False
    ) -> PlanNode:
        """One word's clause: its forms' stems and exact terms in every field, each once.

        ``expand`` (a positive word) adds the levers that search more than its forms:
        the other number of a broken plural, other spellings, the exact form's share.
        """
        weights: dict[tuple[str, str], float] = {}

        def add(field: str, term: str, weight: float) -> None:
            if weight > 0 and term:
                weights[field, term] = max(weights.get((field, term), 0.0), weight)

        moved = self._moved_to_exact(*forms[0]) if expand else 0.0
        exact_weight = self.ranking.exact_weight
        for position, (exact, stem) in enumerate(forms):
            shift = moved if position == 0 else 0.0
            for stem_field, exact_field, boost in self._fields(field_name):
                add(stem_field, stem, boost * (1.0 - shift))
                add(exact_field, exact, boost * (exact_weight + shift))
        if expand:
            for stem, factor in self._other_numbers(forms):
                for stem_field, _exact_field, boost in self._fields(field_name):
                    add(stem_field, stem, boost * factor)
            for exact, stem in self._spellings(forms[0][0]):
                weight = self.ranking.spelling_weight
                for stem_field, exact_field, boost in self._fields(field_name):
                    add(stem_field, stem, boost * weight)
                    add(exact_field, exact, boost * weight * exact_weight)
        return BoolNode(
            should=tuple(TermNode(field, term, weight) for (field, term), weight in weights.items())
        )

    def _moved_to_exact(self, exact: str, stem: str) -> float:
        """Names kept apart: the share of a word's stem weight its exact form takes over."""
        strength = self.ranking.exact_share
        if strength <= 0 or exact == stem:
            return 0.0
        stem_docs = self.reader.doc_freq(BODY, stem)
        if not stem_docs:
            return 0.0
        return strength * min(1.0, self.reader.doc_freq(BODY_EXACT, exact) / stem_docs)

    def _other_numbers(self, forms: list[tuple[str, str]]) -> list[tuple[str, float]]:
        """Broken plurals: the stems of the other number of the word's forms, each with its
        weight; a stem rarer than the word's own counts no more than the word's."""
        weight = self.ranking.plural_weight
        if weight <= 0:
            return []
        own = {stem for _, stem in forms}
        plurals = self.analyzer.plurals
        others = sorted({other for stem in own for other in plurals.related(stem)} - own)
        if not others:
            return []
        documents = max(self.reader.count(), 1)
        own_idf = max(_idf(self.reader.doc_freq(BODY, stem), documents) for stem in own)
        found = []
        for other in others:
            docs = self.reader.doc_freq(BODY, other)
            if docs:
                found.append((other, weight * min(1.0, own_idf / _idf(docs, documents))))
                self.plan.stems.add(other)
        return found

    def _spellings(self, exact: str) -> list[tuple[str, str]]:
        """Name spellings: the index's other spellings of ``exact``, as (exact, stem)."""
        if self.spellings is None or not has_arabic_letter(exact):
            return []
        found = []
        for variant in self.spellings().variants(exact):
            variant_exact, variant_stem = self._analyzed(variant)
            if variant_stem:
                found.append((variant_exact, variant_stem))
                self.plan.exacts.add(variant_exact)
                self.plan.stems.add(variant_stem)
        return found

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
        if (
            self.ranking.fallback
            and not quoted
            and MIN_SPELLED_LENGTH <= len(exact) <= MAX_SPELLED_LENGTH
            and self._absent(exact, stem)
            and self.budget.affords_lookup()
        ):
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
        self.budget.check()
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
                if term.field is None and MIN_SPELLED_LENGTH <= len(exact) <= MAX_SPELLED_LENGTH:
                    self.plan.words.append((term.text, exact))
            parts.append(self._word_node(forms, term.field, expand=positive))
        return _combine(parts)

    def _prefix_terms(self, term: Term, positive: bool) -> list[str]:
        prefix = normalize(term.text, fold_hamza=self.analyzer.fold_hamza)
        if not prefix:
            return []
        if positive and prefix not in self.plan.prefixes:
            self.plan.prefixes.append(prefix)
        key = ("*", prefix, term.field)
        words = self._expansions.get(key)
        if words is None:
            words = self._expansions[key] = self._read_prefix(prefix, term.field)
        return words

    def _read_prefix(self, prefix: str, field_name: str | None) -> list[str]:
        allowed = self.budget.take(MAX_EXPANSIONS)
        if not allowed:
            self.budget.cut = True
            return [prefix]
        if not self.budget.affords_lookup():
            self.budget.give_back(allowed)
            return [prefix]
        # The body's exact field holds the title's words too: one read finds them all.
        field = TITLE_EXACT if field_name == "title" else BODY_EXACT
        found = self.reader.terms_with_prefix(field, prefix, MAX_EXPANSIONS)
        ranked = [word for word, _freq in sorted(found, key=lambda pair: (-pair[1], pair[0]))]
        if len(ranked) > allowed:
            self.budget.cut = True
        words = ranked[:allowed]
        self.budget.give_back(allowed - len(words))
        return words or [prefix]

    def _fuzzy_terms(self, term: Term, positive: bool) -> list[str]:
        exact = normalize(term.text, fold_hamza=self.analyzer.fold_hamza)
        if not exact:
            return []
        key = (f"~{term.fuzzy}", exact, None)
        words = self._expansions.get(key)
        if words is None:
            words = self._expansions[key] = self._read_fuzzy(exact, term.fuzzy)
        if positive:
            self.plan.exacts.update(words)
        return words

    def _read_fuzzy(self, exact: str, distance: int) -> list[str]:
        if len(exact) > MAX_SPELLED_LENGTH:
            return [exact]
        # The word itself, then its neighbours; all count against the bound.
        allowed = self.budget.take(MAX_EXPANSIONS)
        if allowed <= 1:
            self.budget.give_back(allowed)
            self.budget.cut = True
            return [exact]
        if not self.budget.affords_lookup():
            self.budget.give_back(allowed)
            return [exact]
        near = fuzzy_candidates(self.vocabulary(), exact, distance)
        if len(near) > allowed - 1 and allowed < MAX_EXPANSIONS:
            self.budget.cut = True
        words = [exact, *near[: allowed - 1]]
        self.budget.give_back(allowed - len(words))
        return words

    def _expanded(self, term: Term, words: list[str]) -> PlanNode | None:
        if not words:
            return None
        key = (tuple(words), term.field)
        node = self._expanded_nodes.get(key)
        if node is None:
            node = self._expanded_nodes[key] = BoolNode(
                should=tuple(
                    TermNode(exact_field, word, boost)
                    for word in words
                    for _stem_field, exact_field, boost in self._fields(term.field)
                )
            )
        return node

    def phrase(self, phrase: Phrase, positive: bool) -> PlanNode | None:
        self.budget.check()
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
        if self.synonyms is not None:
            synonyms = self._take(self.synonyms.get(terms))
            if synonyms:
                self.plan.synonyms.append((phrase.text, synonyms))
                should.extend(self._synonym_node(text, phrase.field, positive) for text in synonyms)
        return BoolNode(should=tuple(should))

    # -- synonyms ------------------------------------------------------------

    def _take(self, synonyms: tuple[str, ...]) -> tuple[str, ...]:
        """``synonyms``, as many as the query's bound on synonyms still allows."""
        taken = synonyms[: self.synonyms_left]
        self.synonyms_left -= len(taken)
        return taken

    def _synonym_node(self, text: str, field_name: str | None, positive: bool) -> PlanNode:
        """A synonym searched as a word (one word) or as a phrase (several), and marked."""
        tokens = self.analyzer.tokens(text)
        if positive:
            self.plan.exacts.update(token.exact for token in tokens if token.stem)
        if len(tokens) == 1 and tokens[0].stem:
            token = tokens[0]
            if positive:
                self.plan.stems.add(token.stem)
            return self._word_node([(token.exact, token.stem)], field_name)
        terms = tuple(token.exact for token in tokens)
        return BoolNode(
            should=tuple(
                PhraseNode(exact_field, terms, boost)
                for _stem_field, exact_field, boost in self._fields(field_name)
            )
        )

    def _synonym_spans(self, clauses: tuple[Clause, ...]) -> dict[int, tuple[int, tuple[str, ...]]]:
        """Runs of plain words that are a synonym's input: first clause -> (clause after the
        last, synonyms). A run never mixes fields or ways of taking part (+, -)."""
        found: dict[int, tuple[int, tuple[str, ...]]] = {}
        matcher = self.synonyms
        if matcher is None:
            return found
        run: list[tuple[int, str, bool]] = []  # (clause, exact, whether a clause starts here)

        def flush() -> None:
            words = [exact for _, exact, _ in run]
            for start, end, synonyms in matcher.find(words):
                first, last = run[start][0], run[end - 1][0]
                whole = run[start][2] and (end == len(run) or run[end][2])
                if whole and first not in found:
                    found[first] = (last + 1, synonyms)
            run.clear()

        previous: Clause | None = None
        for number, clause in enumerate(clauses):
            node = clause.node
            plain = isinstance(node, Term) and not node.prefix and not node.fuzzy
            if not plain or (
                previous is not None
                and (previous.occur, previous.node.field) != (clause.occur, node.field)  # type: ignore[union-attr]
            ):
                flush()
            if plain:
                pieces = self.analyzer.word_terms(node.text)  # type: ignore[union-attr]
                for at, (exact, _stem) in enumerate(pieces):
                    run.append((number, exact, at == 0))
                previous = clause
            else:
                previous = None
        flush()
        return found

    # -- structure -----------------------------------------------------------

    def node(self, node: Term | Phrase | Group | Or, positive: bool) -> PlanNode | None:
        if isinstance(node, Term):
            return self.term(node, positive)
        if isinstance(node, Phrase):
            return self.phrase(node, positive)
        if isinstance(node, Or):
            kept: list[PlanNode] = []
            for item in node.items:
                self._add(kept, self.node(item, positive))
            return BoolNode(should=tuple(kept)) if kept else None
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
        spans = self._synonym_spans(clauses)
        number = 0
        while number < len(clauses):
            clause = clauses[number]
            bucket, clause_positive = targets[clause.occur]
            if number in spans:
                end, synonyms = spans[number]
                self._expand(clauses[number:end], synonyms, bucket, clause_positive)
                number = end
                continue
            number += 1
            node = clause.node
            if isinstance(node, Phrase) and clause.occur == "should" and len(clauses) > 1:
                policy = self.ranking.phrases
                if policy == "require":
                    bucket = must
                elif policy == "boost" and clause_positive:
                    should.extend(self._phrase_words(node))
            self._add(bucket, self.node(node, clause_positive))
        if not (should or must or must_not):
            return None
        if positive and (self.ranking.proximity > 0 or self._stem_proximity() > 0):
            should.extend(self._proximity(clauses))
        return BoolNode(should=tuple(should), must=tuple(must), must_not=tuple(must_not))

    def _expand(
        self,
        clauses: tuple[Clause, ...],
        synonyms: tuple[str, ...],
        bucket: list[PlanNode],
        positive: bool,
    ) -> None:
        """Plain words that a synonym group holds: the words, or any of their synonyms."""
        words = [built for c in clauses if (built := self.node(c.node, positive)) is not None]
        synonyms = self._take(synonyms)
        field_name = clauses[0].node.field  # type: ignore[union-attr]
        others = [self._synonym_node(text, field_name, positive) for text in synonyms]
        if synonyms:
            typed = " ".join(c.node.text for c in clauses)  # type: ignore[union-attr]
            self.plan.synonyms.append((typed, synonyms))
        occur = clauses[0].occur
        whole = _combine(words)
        if occur == "must" and others:
            # Required words: all of them, or one of their synonyms.
            bucket.append(BoolNode(should=(*((whole,) if whole else ()), *others)))
            return
        bucket.extend(words)
        if occur == "must_not":
            bucket.extend(others)  # excluded words: their synonyms are excluded too
        elif others:
            bucket.append(BoolNode(should=tuple(others)))

    def _add(self, bucket: list[PlanNode], built: PlanNode | None) -> None:
        """Append ``built`` to ``bucket`` unless it is the clause of a prefix or fuzzy word
        already there (``ا* ا* ا*`` is searched as ``ا*``)."""
        if built is not None and not any(built is seen for seen in bucket):
            bucket.append(built)

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
                yield self._word_node(forms, phrase.field, expand=True)

    def _stem_proximity(self) -> float:
        """The weight of the proximity bonus by stems: only where the body keeps positions."""
        return self.ranking.stem_proximity if self.stem_positions else 0.0

    def _proximity(self, clauses: tuple[Clause, ...]) -> Iterator[PlanNode]:
        """A bonus for each pair of neighbouring query words found close together in the body.

        On an index that keeps the body's stem positions the words are matched by stems
        (where stop words are left out on both sides), else by exact forms.
        """
        by_stems = self._stem_proximity() > 0
        weight = self._stem_proximity() if by_stems else self.ranking.proximity
        sequence: list[str] = []
        for clause in clauses:
            node = clause.node
            if clause.occur == "must_not" or not isinstance(node, Term) or node.field:
                continue
            if node.prefix or node.fuzzy:
                continue
            sequence.extend(
                stem if by_stems else exact
                for exact, stem in self.analyzer.word_terms(node.text)
                if stem
            )
        for first, second in itertools.pairwise(sequence):
            if first != second:
                yield PhraseNode(
                    BODY if by_stems else BODY_EXACT,
                    (first, second),
                    weight,
                    slop=self.ranking.proximity_slop,
                )


def _idf(docs: int, documents: int) -> float:
    """BM25's idf, as Lucene and tantivy compute it."""
    return math.log(1.0 + (documents - docs + 0.5) / (docs + 0.5))


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
    *,
    synonyms: Synonyms = NO_SYNONYMS,
    spellings: Callable[[], SpellingPairs] | None = None,
    stem_positions: bool = False,
    budget: QueryBudget | None = None,
) -> Plan:
    """Analyze every word of ``parsed`` and build the engine plan (``node`` None: nothing to do).

    ``vocabulary`` gives the frequent words fuzzy terms expand to (built on first use).
    What the index offers beyond its terms: ``synonyms`` (the index's synonyms file),
    ``spellings`` (its name-spelling pairs, loaded on first use) and ``stem_positions``
    (whether its body stems have positions, for a proximity bonus by stems).
    ``budget`` bounds the expansions and the time (a fresh :class:`QueryBudget` if None;
    its ``notes()`` tell afterwards what it left out). Raises
    :class:`~arsearch.errors.QueryTooComplexError` when planning outlasts its hard deadline.
    """
    builder = _Builder(
        analyzer,
        reader,
        vocabulary,
        ranking,
        synonyms,
        spellings,
        stem_positions,
        budget or QueryBudget(),
    )
    builder.plan.node = builder.group(parsed.root.clauses, True)
    return builder.plan
