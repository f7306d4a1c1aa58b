"""The query language: query text to a small, immutable syntax tree.

=====================================  =============================================
``word``                               a should clause: ``Clause(Term("word"))``
``"a phrase"`` ``“a phrase”`` ``«…»``  a :class:`Phrase`; its text is the inside as typed
``+word`` ``-word`` ``-"a phrase"``    must / must_not; ``+(…)`` ``-(…)`` for groups
``!word`` ``NOT word``                 must_not, as ``-word``; ``NOT (…)``, ``!(…)``
``a AND b`` ``a && b``                 both must, as ``+a +b``
``a OR b`` ``a | b`` ``a || b``        an :class:`Or` of the two neighbouring clauses
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
- An empty filter (``source:""``, ``category:``) is read the same way, as words;
  a ``date:`` value that is not a date or a range of dates (``date:2021-13``)
  raises :class:`~arsearch.errors.UsageError`, saying how a date is written.
  Filters cannot be negated: ``-category:X``, ``NOT category:X``, or a filter
  inside a ``-( … )`` group, is read as words, so it excludes them.
- An unclosed quote, an unbalanced parenthesis (with any ``+``/``-`` before it)
  and a lone ``+``, ``-``, ``!``, ``*``, ``OR``, ``AND`` or ``NOT`` are ignored.
  ``OR`` joins only two plain clauses; next to a ``+``/``-`` clause it is
  dropped. ``AND`` makes the clauses on both sides required, whatever they are
  (``a OR b AND c`` is ``+(a OR b) +c``; a ``-`` clause stays excluded); a filter
  after it satisfies it. Only the uppercase ``OR``, ``AND`` and ``NOT`` are
  operators (as in Lucene); ``or``, ``and``, ``not`` and ``أو`` are words.
- ``~N`` or ``*`` right after a closing quote is ignored (no phrase slop).
"""

from .parser import check_length, parse_query
from .tree import (
    MAX_FUZZY,
    MAX_QUERY_LENGTH,
    Clause,
    DayRange,
    Filters,
    Group,
    Node,
    Occur,
    Or,
    ParsedQuery,
    Phrase,
    Term,
)
from .verbatim import verbatim_query

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
    "check_length",
    "parse_query",
    "verbatim_query",
]
