"""The query language: query text to a small, immutable syntax tree.

=====================================  =============================================
``word``                               a should clause: ``Clause(Term("word"))``
``"a phrase"`` ``“a phrase”`` ``«…»``  a :class:`Phrase`; its text is the inside as typed
``+word`` ``-word`` ``-"a phrase"``    must / must_not; ``+(…)`` ``-(…)`` for groups
``a OR b`` ``a | b``                   an :class:`Or` of the two neighbouring clauses
``(a OR b) c``                         a group; a group of one clause is unwrapped
``title:word`` ``title:"a phrase"``    only in titles (field names ignore case)
``word*`` ``word~`` ``word~1``         prefix; fuzzy up to 2 (``~``) or 1 edit
``category:X`` ``source:"X Y"``        filters, taken out of the clauses wherever they stand
``date:2021`` ``date:2021-03``         a year, a month, a day, or a range of them:
``date:2021-01-01..2021-06``           ``a..b``, ``a..``, ``..b`` (inclusive)
=====================================  =============================================

Queries are lenient: anything that is not valid syntax is read as text or
dropped, never an error; only a query over the length bound raises.

- Words are left as typed (no normalization, no stemming): the index layer
  analyzes them, so a :class:`Term` may hold several analyzer words
  (``COVID-19``) or only a stop word. Pieces holding no word at all for the
  tokenizer's :data:`~arsearch.analysis.WORD_PATTERN` (``؟``, ``*``, ``-``, ``""``)
  can match nothing and are dropped.
- A colon that does not follow a known field name separates words, keeping the
  leading operator: ``xyz:word`` is ``xyz word`` and ``-a:b`` is ``-a -b``.
  ``title:`` with no value is the word ``title``.
- An invalid filter (``date:2021-13``, ``source:""``) is read the same way, as
  words. Filters cannot be negated: ``-category:X``, or a filter inside a
  ``-( … )`` group, is read as words too, so it excludes them.
- An unclosed quote, an unbalanced parenthesis (with any ``+``/``-`` before it)
  and a lone ``+``, ``-``, ``*`` or ``OR`` are ignored. ``OR`` joins only two
  plain clauses; next to a ``+``/``-`` clause it is dropped. Only the uppercase
  ``OR`` is the operator; ``or`` and ``أو`` are words.
- ``~N`` or ``*`` right after a closing quote is ignored (no phrase slop).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

from .analysis.tokenize import WORD_PATTERN
from .errors import QueryTooLongError

__all__ = [
    "MAX_FUZZY",
    "MAX_QUERY_LENGTH",
    "Clause",
    "Filters",
    "Group",
    "Node",
    "Occur",
    "Or",
    "ParsedQuery",
    "Phrase",
    "Term",
    "parse_query",
]

#: The longest query accepted, in characters.
MAX_QUERY_LENGTH = 512
#: The largest edit distance a fuzzy term asks for; ``word~`` means this.
MAX_FUZZY = 2

Occur: TypeAlias = Literal["should", "must", "must_not"]

_FIELDS = ("title",)
_FILTERS = ("category", "source", "date")
# Opening to closing quote: straight quotes, the curly ones phone keyboards
# substitute, and the guillemets of Arabic writing.
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb"}
# These end a word even with no space around them; quotes open a phrase only
# where a word would start, so an inch mark (5") stays text.
_DELIMITERS = frozenset("()|")
_OPERATORS: dict[str, Occur] = {"+": "must", "-": "must_not"}
_FUZZY = re.compile(r"(.*?)~(\d*)", re.DOTALL)
# \s is exactly str.isspace(): NBSP, tabs, newlines and the other Unicode spaces.
_WORD_RUN = re.compile(r"[^\s()|]*")
_PHRASE_SUFFIX = re.compile(r"~\d*|\*+")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True, slots=True)
class Term:
    """A word as typed (original characters, diacritics kept).

    ``field`` None searches title and body; ``prefix`` is ``word*``; ``fuzzy``
    is the edit distance of ``word~N`` (0: not fuzzy). At most one of
    ``prefix`` and ``fuzzy`` is set.
    """

    text: str
    field: str | None = None
    prefix: bool = False
    fuzzy: int = 0


@dataclass(frozen=True, slots=True)
class Phrase:
    """Quoted words; ``text`` is the inside of the quotes as typed (one word stays a Phrase)."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """Clauses combined: every must, no must_not, and the shoulds for ranking."""

    clauses: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Alternatives of which at least one must match (never nested: ``a OR (b OR c)`` is flat)."""

    items: tuple[Node, ...]


Node: TypeAlias = Term | Phrase | Group | Or


@dataclass(frozen=True, slots=True)
class Clause:
    """A node and how it takes part in its group."""

    node: Node
    occur: Occur = "should"


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions on metadata: any listed category and any listed source, inside the dates.

    Values are as typed, with runs of spaces collapsed; dates are inclusive
    ``YYYY-MM-DD`` strings and ``date_from`` may end up after ``date_to``
    (then nothing matches).
    """

    category: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return not (self.category or self.source or self.date_from or self.date_to)

    def merge(self, other: Filters) -> Filters:
        """Both at once: the category and source lists joined, the date ranges intersected.

        >>> Filters(("رياضة",), date_from="2021-01-01").merge(Filters(("اقتصاد",)))
        Filters(category=('رياضة', 'اقتصاد'), source=(), date_from='2021-01-01', date_to=None)
        """
        return Filters(
            category=tuple(dict.fromkeys((*self.category, *other.category))),
            source=tuple(dict.fromkeys((*self.source, *other.source))),
            date_from=max(_known(self.date_from, other.date_from), default=None),
            date_to=min(_known(self.date_to, other.date_to), default=None),
        )


def _known(*values: str | None) -> list[str]:
    return [value for value in values if value is not None]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A parsed query: the original ``text``, the clauses under ``root`` and the ``filters``."""

    text: str
    root: Group
    filters: Filters

    def is_empty(self) -> bool:
        """True when there are no clauses at all (there may still be filters)."""
        return not self.root.clauses

    def positive_terms(self) -> tuple[Term, ...]:
        """The terms not under a must_not, in query order: for highlighting and "did you mean"."""
        return tuple(node for node in _positive(self.root) if isinstance(node, Term))

    def positive_phrases(self) -> tuple[Phrase, ...]:
        """The phrases not under a must_not, in query order."""
        return tuple(node for node in _positive(self.root) if isinstance(node, Phrase))


def _positive(node: Node) -> list[Term | Phrase]:
    if isinstance(node, Group):
        children: tuple[Node, ...] = tuple(
            clause.node for clause in node.clauses if clause.occur != "must_not"
        )
    elif isinstance(node, Or):
        children = node.items
    else:
        return [node]
    return [leaf for child in children for leaf in _positive(child)]


def parse_query(text: str, *, max_length: int = MAX_QUERY_LENGTH) -> ParsedQuery:
    """Parse ``text``; never fails on syntax, raises :class:`QueryTooLongError` over ``max_length``.

    >>> parse_query('الحرب -"الحرب الأهلية" category:سياسة').root
    Group(clauses=(Clause(node=Term(text='الحرب', field=None, prefix=False, fuzzy=0), \
occur='should'), Clause(node=Phrase(text='الحرب الأهلية', field=None), occur='must_not')))
    """
    if len(text) > max_length:
        raise QueryTooLongError(
            f"Query is too long: {len(text)} characters; the limit is {max_length}."
        )
    root, filters = _parse(_Lexer(text).run())
    return ParsedQuery(text=text, root=root, filters=filters)


# -- lexing --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Open:
    occur: Occur


@dataclass(frozen=True, slots=True)
class _Filter:
    filters: Filters
    # The same text read as words, for a filter that turns out to stand in a
    # negated group, where only the parser can tell.
    as_words: tuple[Clause, ...]


# A closing parenthesis is ")" and an OR sign (OR or |) is "|".
_Token: TypeAlias = Clause | _Open | _Filter | Literal[")", "|"]


def _has_word(text: str) -> bool:
    return WORD_PATTERN.search(text) is not None


def _term(raw: str, field: str | None) -> Term | None:
    fuzzy = _FUZZY.fullmatch(raw)
    if fuzzy and _has_word(stem := fuzzy[1].rstrip("*")):
        digits = fuzzy[2]
        distance = int(digits) if digits and len(digits) <= 2 else MAX_FUZZY
        return Term(stem, field, fuzzy=min(distance, MAX_FUZZY))
    stem = raw.rstrip("*")
    if stem != raw and _has_word(stem):
        return Term(stem, field, prefix=True)
    return Term(raw, field) if _has_word(raw) else None


class _Lexer:
    """Reads the query left to right into clauses, filters, parentheses and OR signs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[_Token] = []

    def run(self) -> list[_Token]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char.isspace():
                i += 1
            elif char == "(":
                self.tokens.append(_Open("should"))
                i += 1
            elif char in _DELIMITERS:
                self.tokens.append(")" if char == ")" else "|")
                i += 1
            else:
                i = self._clause(i)
        return self.tokens

    def _ends_word(self, i: int) -> bool:
        return i >= len(self.text) or self.text[i].isspace() or self.text[i] in _DELIMITERS

    def _word_end(self, i: int) -> int:
        match = _WORD_RUN.match(self.text, i)
        return match.end() if match else i

    def _clause(self, i: int) -> int:
        occur: Occur = "should"
        if self.text[i] in _OPERATORS:
            if self._ends_word(i + 1) and self.text[i + 1 : i + 2] != "(":
                return i + 1  # a lone + or -
            occur = _OPERATORS[self.text[i]]
            i += 1
            if self.text[i] == "(":
                self.tokens.append(_Open(occur))
                return i + 1
        elif self.text.startswith("OR", i) and self._ends_word(i + 2):
            self.tokens.append("|")
            return i + 2
        return self._operand(i, occur, None, self.tokens)

    def _operand(self, i: int, occur: Occur, field: str | None, out: list[_Token]) -> int:
        """Read one phrase or word (several, split at colons) at ``i``; return where it ends."""
        text = self.text
        while i < len(text):
            if text[i] in _QUOTES:
                close = text.find(_QUOTES[text[i]], i + 1)
                if close == -1:
                    i += 1  # an unclosed quote is taken as absent
                    continue
                inner = text[i + 1 : close]
                suffix = _PHRASE_SUFFIX.match(text, close + 1)
                if _has_word(inner):
                    out.append(Clause(Phrase(inner, field), occur))
                return suffix.end() if suffix else close + 1
            end = self._word_end(i)
            word = text[i:end]
            name, colon, _value = word.partition(":")
            if not colon:
                self._add_word(word, occur, field, out)
                return end
            value_at = i + len(name) + 1
            kind = name.lower()
            if field is None and kind in _FIELDS and not self._ends_word(value_at):
                field, i = kind, value_at
                continue
            if field is None and kind in _FILTERS and occur != "must_not":
                filter_end = self._filter(kind, name, value_at, occur, out)
                if filter_end is not None:
                    return filter_end
            self._add_word(name, occur, field, out)
            i = value_at
        return i

    def _add_word(self, raw: str, occur: Occur, field: str | None, out: list[_Token]) -> None:
        term = _term(raw, field)
        if term is not None:
            out.append(Clause(term, occur))

    def _filter(
        self, kind: str, name: str, value_at: int, occur: Occur, out: list[_Token]
    ) -> int | None:
        """Add the filter ``name:value`` at ``value_at``; None if the value is not valid."""
        raw, end = self._value(value_at)
        value = " ".join(raw.split())
        if not value:
            return None
        if kind == "date":
            dates = _date_range(value)
            if dates is None:
                return None
            filters = Filters(date_from=dates[0], date_to=dates[1])
        elif kind == "category":
            filters = Filters(category=(value,))
        else:
            filters = Filters(source=(value,))
        words: list[_Token] = []
        self._add_word(name, occur, None, words)
        self._operand(value_at, occur, None, words)
        as_words: list[Clause] = []
        for token in words:
            if isinstance(token, Clause):
                as_words.append(token)
            elif isinstance(token, _Filter):
                as_words.extend(token.as_words)
        out.append(_Filter(filters, tuple(as_words)))
        return end

    def _value(self, start: int) -> tuple[str, int]:
        """A filter's value at ``start``, quoted or up to the next space, and where it ends."""
        text = self.text
        if start < len(text) and text[start] in _QUOTES:
            close = text.find(_QUOTES[text[start]], start + 1)
            if close != -1:
                return text[start + 1 : close], close + 1
            start += 1  # an unclosed quote is taken as absent
        end = self._word_end(start)
        return text[start:end], end


def _date_range(value: str) -> tuple[str | None, str | None] | None:
    """``(from, to)`` of a ``date:`` value, either end open; None if it is not a valid range."""
    start, dots, end = value.partition("..")
    if not dots:
        end = start
    if not (start or end):
        return None
    first = _day(start, last=False) if start else None
    last = _day(end, last=True) if end else None
    if (start and first is None) or (end and last is None):
        return None
    if first and last and first > last:
        return None
    return first, last


def _day(value: str, *, last: bool) -> str | None:
    """The first (or ``last``) day of a year, month or day written ``YYYY[-MM[-DD]]``."""
    match = _DATE.fullmatch(value)
    if match is None:
        return None
    try:
        year = int(match[1])
        month = int(match[2]) if match[2] else 12 if last else 1
        day = int(match[3]) if match[3] else calendar.monthrange(year, month)[1] if last else 1
        return datetime.date(year, month, day).isoformat()
    except ValueError:  # no such month or day, or year 0
        return None


# -- parsing -------------------------------------------------------------------


class _Frame:
    """The clauses of one open group, and whether an OR waits for its right-hand side."""

    def __init__(self, occur: Occur) -> None:
        self.occur: Occur = occur
        self.clauses: list[Clause] = []
        self.or_pending = False

    def mark_or(self) -> None:
        self.or_pending = bool(self.clauses) and self.clauses[-1].occur == "should"

    def add(self, clause: Clause) -> None:
        if self.or_pending and clause.occur == "should":
            left = self.clauses[-1].node
            items = (*_alternatives(left), *_alternatives(clause.node))
            self.clauses[-1] = Clause(Or(items))
        else:
            self.clauses.append(clause)
        self.or_pending = False

    def node(self) -> Node | None:
        if not self.clauses:
            return None
        if len(self.clauses) == 1 and self.clauses[0].occur != "must_not":
            return self.clauses[0].node
        return Group(tuple(self.clauses))


def _alternatives(node: Node) -> tuple[Node, ...]:
    return node.items if isinstance(node, Or) else (node,)


def _balanced(tokens: list[_Token]) -> set[int]:
    """The positions of the parentheses that have a partner."""
    opened: list[int] = []
    kept: set[int] = set()
    for at, token in enumerate(tokens):
        if isinstance(token, _Open):
            opened.append(at)
        elif token == ")" and opened:
            kept.update((opened.pop(), at))
    return kept


def _parse(tokens: list[_Token]) -> tuple[Group, Filters]:
    kept = _balanced(tokens)
    stack = [_Frame("should")]
    filters = Filters()
    for at, token in enumerate(tokens):
        frame = stack[-1]
        if isinstance(token, Clause):
            frame.add(token)
        elif token == "|":
            frame.mark_or()
        elif isinstance(token, _Filter):
            if any(open_frame.occur == "must_not" for open_frame in stack):
                for clause in token.as_words:
                    frame.add(clause)
            else:
                filters = filters.merge(token.filters)
        elif at not in kept:
            continue
        elif isinstance(token, _Open):
            stack.append(_Frame(token.occur))
        else:
            done = stack.pop()
            node = done.node()
            if node is not None:
                stack[-1].add(Clause(node, done.occur))
    root = stack[0]
    if len(root.clauses) == 1 and root.clauses[0].occur != "must_not":
        only = root.clauses[0].node
        if isinstance(only, Group):
            return only, filters  # the query is one group: that group is the query
    return Group(tuple(root.clauses)), filters
