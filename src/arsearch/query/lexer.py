"""Lexing: query text, left to right, into clauses, filters, parentheses and OR signs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

from ..analysis.tokenize import WORD_PATTERN
from ..dates import DATE_HINT, date_range
from ..models import FieldTable
from .tree import MAX_FUZZY, Clause, Filters, Occur, Phrase, Term

_FIELDS = ("title",)
# Opening to closing quote: straight quotes, the curly ones phone keyboards
# substitute, and the guillemets of Arabic writing.
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb"}
# These end a word even with no space around them; quotes open a phrase only
# where a word would start, so an inch mark (5") stays text.
_DELIMITERS = frozenset("()|")
# Signs in front of a clause; ! is Lucene's and Elasticsearch's spelling of -.
_OPERATORS: dict[str, Occur] = {"+": "must", "-": "must_not", "!": "must_not"}
# Operator words, uppercase only (as in Lucene): lowercase "and", "not" are words.
_AND_WORDS = ("AND", "&&")
_NOT_WORD = "NOT"
_FUZZY = re.compile(r"(.*?)~(\d*)", re.DOTALL)
# \s is exactly str.isspace(): NBSP, tabs, newlines and the other Unicode spaces.
_WORD_RUN = re.compile(r"[^\s()|]*")
_PHRASE_SUFFIX = re.compile(r"~\d*|\*+")


@dataclass(frozen=True, slots=True)
class _Open:
    occur: Occur


@dataclass(frozen=True, slots=True)
class _Filter:
    filters: Filters
    # The same text read as words, for a filter that turns out to stand in a
    # negated group, where only the parser can tell.
    as_words: tuple[Clause, ...]
    # Why the value is not valid (a date that is not one): an error, unless the
    # filter stands in a negated group and is read as words.
    problem: str | None = None


# A closing parenthesis is ")", an OR sign (OR, | or ||) is "|" and an AND sign
# (AND or &&) is "&".
_Token: TypeAlias = Clause | _Open | _Filter | Literal[")", "|", "&"]


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

    def __init__(self, text: str, fields: FieldTable) -> None:
        self.text = text
        self.tokens: list[_Token] = []
        # Filter names in lower case (typed in any case) -> the field.
        self.filters = {name.lower(): fields[name] for name in fields.filter_names()}
        # A NOT waiting for the clause it negates.
        self.negate_next = False

    def run(self) -> list[_Token]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char.isspace():
                i += 1
            elif char == "(":
                self._emit(_Open(self._occur("should")))
                i += 1
            elif char in _DELIMITERS:
                self._emit(")" if char == ")" else "|")
                i += 1
            else:
                i = self._clause(i)
        return self.tokens

    def _emit(self, token: _Token) -> None:
        self.negate_next = False
        self.tokens.append(token)

    def _occur(self, occur: Occur) -> Occur:
        """``occur``, or must_not when a NOT stands before the clause."""
        return "must_not" if self.negate_next else occur

    def _keyword(self, i: int) -> str | None:
        """The operator word (AND, &&, OR, NOT) standing alone at ``i``, if any."""
        for word in (*_AND_WORDS, "OR", _NOT_WORD):
            if self.text.startswith(word, i) and self._ends_word(i + len(word)):
                return word
        return None

    def _ends_word(self, i: int) -> bool:
        return i >= len(self.text) or self.text[i].isspace() or self.text[i] in _DELIMITERS

    def _word_end(self, i: int) -> int:
        match = _WORD_RUN.match(self.text, i)
        return match.end() if match else i

    def _clause(self, i: int) -> int:
        occur: Occur = "should"
        keyword = self._keyword(i)
        if keyword == _NOT_WORD:
            self.negate_next = True
            return i + len(keyword)
        if keyword is not None:
            self._emit("|" if keyword == "OR" else "&")
            return i + len(keyword)
        if self.text[i] in _OPERATORS:
            if self._ends_word(i + 1) and self.text[i + 1 : i + 2] != "(":
                return i + 1  # a lone +, - or !
            occur = _OPERATORS[self.text[i]]
            i += 1
            if self.text[i] == "(":
                self._emit(_Open(self._occur(occur)))
                return i + 1
        occur = self._occur(occur)
        self.negate_next = False
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
            if field is None and kind in self.filters and occur != "must_not":
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
        field = self.filters[kind]
        problem = None
        if field.kind == "date":
            days = date_range(value)
            if days is None:
                problem = _date_problem(name, value)
            filters = Filters(ranges={field.name: days} if days else {})
        else:
            filters = Filters({field.name: (value,)})
        words: list[_Token] = []
        self._add_word(name, occur, None, words)
        self._operand(value_at, occur, None, words)
        as_words: list[Clause] = []
        for token in words:
            if isinstance(token, Clause):
                as_words.append(token)
            elif isinstance(token, _Filter):
                as_words.extend(token.as_words)
        out.append(_Filter(filters, tuple(as_words), problem))
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


def _date_problem(name: str, value: str) -> str:
    """What is wrong with the date filter ``name:value``, and how a date is written."""
    start, dots, end = value.partition("..")
    if dots and start and end and date_range(start) and date_range(end):
        return f"{name}:{value[:40]} ends before it starts: write the earlier date first."
    return (
        f"{name}:{value[:40]} is not a date: write {DATE_HINT}, a year (2021), "
        "a month (2021-03) or a range (2021-01..2021-06, 2021.., ..2021-06)."
    )
