"""The syntax tree of a query: immutable nodes, clauses and filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "MAX_FUZZY",
    "MAX_QUERY_LENGTH",
    "Clause",
    "DayRange",
    "Filters",
    "Group",
    "Node",
    "Occur",
    "Or",
    "ParsedQuery",
    "Phrase",
    "Term",
]

#: The longest query accepted, in characters.
MAX_QUERY_LENGTH = 512
#: The largest edit distance a fuzzy term asks for; ``word~`` means this.
MAX_FUZZY = 2

Occur: TypeAlias = Literal["should", "must", "must_not"]
#: An inclusive range of days, ``YYYY-MM-DD`` strings, either end open (None).
DayRange: TypeAlias = tuple[str | None, str | None]


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
    """Restrictions on metadata: for each keyword field, any of its listed values; for each
    date field, an inclusive range of days.

    Values are as typed, with runs of spaces collapsed; days are ``YYYY-MM-DD``
    strings, either end may be open, and a range may end before it starts (then
    nothing matches). Which fields exist is the index's field table's to say.

    >>> Filters({"category": ("رياضة",)}, {"date": ("2021-01-01", None)}).is_empty()
    False
    """

    #: keyword field -> the values any of which a document must have
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: date field -> (first day, last day), inclusive
    ranges: Mapping[str, DayRange] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((frozenset(self.values.items()), frozenset(self.ranges.items())))

    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return not any(self.values.values()) and not any(
            low or high for low, high in self.ranges.values()
        )

    def merge(self, other: Filters) -> Filters:
        """Both at once: each field's value lists joined, its date ranges intersected.

        >>> Filters({"category": ("رياضة",)}).merge(Filters({"category": ("اقتصاد",)})).values
        {'category': ('رياضة', 'اقتصاد')}
        """
        values = {name: tuple(items) for name, items in self.values.items()}
        for name, items in other.values.items():
            values[name] = tuple(dict.fromkeys((*values.get(name, ()), *items)))
        ranges = dict(self.ranges)
        for name, (low, high) in other.ranges.items():
            old_low, old_high = ranges.get(name, (None, None))
            ranges[name] = (
                max(_known(old_low, low), default=None),
                min(_known(old_high, high), default=None),
            )
        return Filters(values, ranges)


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
