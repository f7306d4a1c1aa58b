"""Lexing: query text, left to right, into clauses, filters, parentheses and OR signs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

from ..analysis.tokenize import WORD_PATTERN
from ..dates import date_range
from ..models import FieldTable
from .tree import MAX_FUZZY, Clause, Filters, Occur, Phrase, Term

_FIELDS = ("title",)
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

    def __init__(self, text: str, fields: FieldTable) -> None:
        self.text = text
        self.tokens: list[_Token] = []
        # Filter names in lower case (typed in any case) -> the field.
        self.filters = {name.lower(): fields[name] for name in fields.filter_names()}

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
        if field.kind == "date":
            days = date_range(value)
            if days is None:
                return None
            filters = Filters(ranges={field.name: days})
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
