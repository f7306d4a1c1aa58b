"""Snippets and highlighting over the original text: escaping first, then ``<mark>``.

The highlighter re-uses the analyzer's words (:meth:`Analyzer.word_columns`, the
same words as :meth:`Analyzer.tokens`), so a word is marked exactly when the
index would match it, and a marked span is the whole original word: harakat, shadda,
tatweel and attached clitics included. It analyzes only the places of a text where
the query's words may stand (:mod:`arsearch.highlight.scan`) and the words around
the passage it cuts, so a snippet costs about the same for a short and a long text;
a snippet is chosen from the first :data:`SNIPPET_SCAN` characters of a text.

>>> from arsearch.analysis import Analyzer
>>> analyzer = Analyzer()
>>> matcher = Matcher(stems=frozenset({"كاظم"}))
>>> mark_text("قال وَالكاظِمي <b>", matcher, analyzer).html()
'قال <mark>وَالكاظِمي</mark> &lt;b&gt;'
"""

from __future__ import annotations

import re

from ..analysis import Analyzer
from ..models import Marked
from .matching import Matcher, find_matches
from .passages import Words, best_window, cut_end, spans_between, widen

__all__ = ["SNIPPET_SCAN", "SNIPPET_SIZE", "Marked", "Matcher", "make_snippet", "mark_text"]

#: The default length of a snippet in characters, not counting the "…" marks.
SNIPPET_SIZE = 200
#: The characters at the start of a text that a snippet is chosen from (99.95% of
#: the news articles are shorter): a snippet's cost has a bound whatever the text.
SNIPPET_SCAN = 30_000

ELLIPSIS = "\u2026"  # …

_NON_SPACE = re.compile(r"\S")
_SPACES = re.compile("  +")
#: The whitespace other than the space that texts hold most: newline, NO-BREAK SPACE, ...
_COMMON_SPACES = ("\n", "\xa0", "\r", "\t")


def mark_text(
    text: str, matcher: Matcher, analyzer: Analyzer, *, scan: int | None = None
) -> Marked:
    """The whole ``text``, unchanged, with every matching word marked (titles, article pages).

    With ``scan``, only the words in its first ``scan`` characters are marked (a hit's
    title: the cost stays bounded whatever the title's length).

    >>> from arsearch.analysis import Analyzer
    >>> marked = mark_text("أخبار القاهرة", Matcher(stems=frozenset({"قاهر"})), Analyzer())
    >>> marked.spans, marked.html()
    (((6, 13),), 'أخبار <mark>القاهرة</mark>')
    """
    if matcher.is_empty() or not text:
        return Marked(text, ())
    scanned = text if scan is None or len(text) <= scan else _head(text, scan)
    matches = find_matches(scanned, matcher, analyzer)
    return Marked(text, spans_between(matches, 0, len(scanned), 0))


def make_snippet(
    text: str, matcher: Matcher, analyzer: Analyzer, *, size: int = SNIPPET_SIZE
) -> Marked:
    """The best passage of about ``size`` characters of ``text``, matching words marked.

    The passage holds the most distinct query terms, then the most matches, the
    earliest on a tie. It is cut between words only, with "…" where text was left
    out, and runs of whitespace become one space. Without a match it is the
    beginning of the text. Only the first :data:`SNIPPET_SCAN` characters are read.

    >>> from arsearch.analysis import Analyzer
    >>> text = "بدأ اليوم في القاهرة مؤتمر عن المياه والزراعة في المنطقة"
    >>> snippet = make_snippet(text, Matcher(stems=frozenset({"قاهر"})), Analyzer(), size=30)
    >>> snippet.text, snippet.html()
    ('…اليوم في القاهرة مؤتمر عن…', '…اليوم في <mark>القاهرة</mark> مؤتمر عن…')
    """
    # Counted from the first word, so that leading whitespace cannot fill the scan.
    word = _NON_SPACE.search(text)
    limit = SNIPPET_SCAN + (word.start() if word else 0)
    cut = len(text) > limit
    if cut:
        text = _head(text, limit)
    # Collapsing first keeps every word intact (no word holds whitespace) and lets
    # the words' offsets point straight into the excerpt's source.
    flat = _flatten(text)
    if not flat:
        return Marked("", ())
    size = max(size, 1)
    words = Words(flat, analyzer)
    matches = find_matches(flat, matcher, analyzer, flat=True)
    if matches:
        first, last = best_window(matches, size)
        start, end = widen(words, matches[first][0], matches[last][1], size)
    else:
        start, end = 0, cut_end(words, 0, 0, size)
    head = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(flat) or cut else ""
    spans = spans_between(matches, start, end, len(head) - start)
    return Marked(head + flat[start:end] + tail, spans)


def _flatten(text: str) -> str:
    """``text`` with each run of whitespace one space, and none at either end: the same as
    ``" ".join(text.split())`` (str.split's whitespace, the regex \\s), about half its cost.

    >>> _flatten(" قال\\n\\nالرئيس \\xa0 اليوم\\t")
    'قال الرئيس اليوم'
    """
    # Every whitespace character but the space is unprintable, so once the common ones
    # are spaces, a printable text holds no other; splitting makes a string per word.
    for space in _COMMON_SPACES:
        if space in text:
            text = text.replace(space, " ")
    if not text.isprintable():
        return " ".join(text.split())
    return _SPACES.sub(" ", text).strip(" ")


def _head(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text`` (longer than that) in whole words: a last
    word cut at the limit is left out, unless it is the only one. Always a prefix of
    ``text``, so offsets into it are offsets into ``text``.

    >>> _head("كلمة كلمة", 7), _head("كلمة كلمة", 5), _head("كلمةكلمة", 5)
    ('كلمة ', 'كلمة ', 'كلمةك')
    """
    head = text[:limit]
    if text[limit].isspace():
        return head
    end = len(head)
    while end > 0 and not head[end - 1].isspace():
        end -= 1
    return head[:end] if end > 0 else head
