"""Parsing: lexer tokens into the syntax tree, and the public ``parse_query``."""

from __future__ import annotations

from ..errors import QueryTooLongError, UsageError
from ..models import FIELDS, FieldTable
from .lexer import _Filter, _Lexer, _Open, _Token
from .tree import MAX_QUERY_LENGTH, Clause, Filters, Group, Node, Occur, Or, ParsedQuery

__all__ = ["check_length", "parse_query"]


def check_length(text: str, max_length: int = MAX_QUERY_LENGTH) -> str:
    """``text``, or :class:`QueryTooLongError` when it is longer than ``max_length`` characters.

    >>> check_length("x" * 513)
    Traceback (most recent call last):
      ...
    arsearch.errors.QueryTooLongError: Query is too long: 513 characters; the limit is 512.
    """
    if len(text) > max_length:
        raise QueryTooLongError(
            f"Query is too long: {len(text)} characters; the limit is {max_length}."
        )
    return text


def parse_query(
    text: str, *, max_length: int = MAX_QUERY_LENGTH, fields: FieldTable = FIELDS
) -> ParsedQuery:
    """Parse ``text``; never fails on syntax, raises :class:`QueryTooLongError` over ``max_length``
    and :class:`UsageError` for a ``date:`` filter that is not a date.

    ``fields`` names the filters the query may hold (``category:``, ``date:``...).

    >>> parse_query('الحرب -"الحرب الأهلية" category:سياسة').root
    Group(clauses=(Clause(node=Term(text='الحرب', field=None, prefix=False, fuzzy=0), \
occur='should'), Clause(node=Phrase(text='الحرب الأهلية', field=None), occur='must_not')))
    """
    check_length(text, max_length)
    root, filters = _parse(_Lexer(text, fields).run())
    return ParsedQuery(text=text, root=root, filters=filters)


class _Frame:
    """The clauses of one open group, and whether an OR or AND waits for its right-hand side."""

    def __init__(self, occur: Occur) -> None:
        self.occur: Occur = occur
        self.clauses: list[Clause] = []
        self.or_pending = False
        self.and_pending = False

    def mark_or(self) -> None:
        self.or_pending = bool(self.clauses) and self.clauses[-1].occur == "should"
        self.and_pending = False

    def mark_and(self) -> None:
        """AND requires the clause before it and the one after it (as + does)."""
        self.or_pending = False
        self.and_pending = bool(self.clauses)
        if self.and_pending and self.clauses[-1].occur == "should":
            self.clauses[-1] = Clause(self.clauses[-1].node, "must")

    def add(self, clause: Clause) -> None:
        if self.and_pending and clause.occur == "should":
            clause = Clause(clause.node, "must")
        self.and_pending = False
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
        elif token == "&":
            frame.mark_and()
        elif isinstance(token, _Filter):
            if any(open_frame.occur == "must_not" for open_frame in stack):
                for clause in token.as_words:
                    frame.add(clause)
            elif token.problem is not None:
                raise UsageError(token.problem)
            else:
                frame.and_pending = False  # the filter was what the AND required
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
