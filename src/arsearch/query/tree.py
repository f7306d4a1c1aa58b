"""The syntax tree of a query: immutable nodes, clauses and filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

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
]

#: The longest query accepted, in characters.
MAX_QUERY_LENGTH = 512
#: The largest edit distance a fuzzy term asks for; ``word~`` means this.
MAX_FUZZY = 2

Occur: TypeAlias = Literal["should", "must", "must_not"]


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
