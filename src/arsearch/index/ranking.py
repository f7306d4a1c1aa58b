"""``Ranking``: the levers that turn query words into scored clauses, passed in, never swapped.

Ranking rule for plain words: each word is one optional clause whose score is
BM25 summed over the stem and exact forms in title and body (title weighted
above body); a document need not hold every word, and since the clauses' scores
add up, documents holding more of the words rank higher. The levers below refine
that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DEFAULT_RANKING", "Ranking"]


@dataclass(frozen=True, slots=True)
class Ranking:
    """How query words are turned into scored clauses: the levers measured by
    ``bench/relevance.py`` on Arabic retrieval sets, the defaults being the best measured.

    Frozen: make a variant with ``dataclasses.replace`` and pass it to
    ``Index.searcher(ranking=...)`` or ``Index.search(..., ranking=...)``.

    >>> from dataclasses import replace
    >>> replace(Ranking(), exact_weight=0.0).exact_weight, Ranking().phrases
    (0.0, 'boost')
    """

    #: Extra weight of the title fields for words not limited to ``title:`` (the body
    #: fields hold the title too, so this is a bonus on top of it).
    title_boost: float = 0.1
    #: Weight of the exact (unstemmed) form beside the stem; 0 searches stems only.
    exact_weight: float = 0.25
    #: Also search a word without its ب/ل/ك/و/ف proclitic when that form is more frequent.
    proclitics: bool = True
    #: A word absent from the index stands for its nearest indexed spellings, or
    #: for two indexed words when a missing space before ال glued them together.
    fallback: bool = True
    #: Weight of the bonus for two neighbouring query words found close together, by
    #: exact forms (0: off); on an index that keeps stem positions, ``stem_proximity``
    #: takes its place unless that is 0.
    proximity: float = 0.1
    #: Words allowed between two neighbouring query words for the proximity bonus
    #: (one: a stop word the query left out).
    proximity_slop: int = 1
    #: On an index that keeps stem positions (``Index.create``'s default): the weight of
    #: the proximity bonus matched by stems ("الجامعة الأمريكية" meets "جامعة أمريكية"),
    #: which then replaces the bonus by exact forms (0: exact forms, as on any index).
    stem_proximity: float = 0.3
    #: A quoted phrase beside other words: "boost" (its words count as words and the
    #: exact phrase adds), "require" (the phrase must match) or "phrase" (only the
    #: exact phrase counts).
    phrases: Literal["boost", "require", "phrase"] = "boost"
    #: Pseudo-relevance feedback: documents read, terms added and their weight (0: off).
    feedback_docs: int = 0
    feedback_terms: int = 0
    feedback_weight: float = 0.0
    #: Broken plurals: weight of the stems of a word's other number (سعر and أسعار, from
    #: a dictionary) beside its own stem; a form rarer than the word counts no more
    #: than the word itself (0: off).
    plural_weight: float = 0.0
    #: On an index created with ``spellings=``: weight of a word's other indexed
    #: spellings (مسؤول and مسئول) beside the word (0: off).
    spelling_weight: float = 0.3
    #: Names kept apart: this share of a word's stem weight moves to its exact form,
    #: times the exact form's share of the stem's documents (0: off).
    exact_share: float = 0.0


#: The ranking a searcher uses unless given another: the best measured (a constant;
#: pass another ``Ranking`` to ``Index.searcher`` or ``Index.search`` to change it).
DEFAULT_RANKING = Ranking()
