"""``Searcher``: an immutable view of one commit of an index, with a ranking.

>>> import tempfile
>>> from dataclasses import replace
>>> from arsearch import Document, Index, Ranking
>>> with Index.create(tempfile.mkdtemp()) as index:
...     summary = index.add(Document("d1", "القاهرة", "وَصَلَ الوفد إلى القاهرة صباحاً."))
>>> with index.searcher(ranking=replace(Ranking(), exact_weight=0.0)) as searcher:
...     len(searcher), searcher.search("القاهره").hits[0].id
(1, 'd1')
>>> index.close()
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any

from ..analysis import Analyzer
from ..documents.validation import without_surrogates
from ..errors import DocumentNotFoundError, UsageError
from ..models import Document, FieldTable, IndexStats, Marked, Results, SortOrder
from .autocomplete import complete
from .labels import Labels
from .layout import FORMAT_VERSION, directory_size
from .ranking import Ranking
from .searching import highlight, run_search
from .snapshot import Snapshot
from .synonyms import NO_SYNONYMS, Synonyms
from .variants import SpellingPairs

__all__ = ["MAX_SUGGESTIONS", "Searcher"]

#: The most completions one ``suggest`` call may ask for.
MAX_SUGGESTIONS = 50


class Searcher:
    """One commit of an index, searched with one :class:`~arsearch.Ranking`.

    Made by :meth:`Index.searcher`. It never changes: documents committed after it
    was made are seen by a newer searcher, while this one goes on answering from
    its own commit until it is closed (a rebuild's old files stay readable to it
    on Linux and macOS; on Windows, which cannot delete open files, the old
    generation's folder is removed by a later writer instead). Safe to share
    between threads. As a context manager it releases its commit on exit.
    """

    __slots__ = ("_closed", "_labels", "_ranking", "_snapshot", "_synonyms")

    def __init__(
        self,
        snapshot: Snapshot,
        ranking: Ranking,
        labels: Labels | None = None,
        synonyms: Synonyms = NO_SYNONYMS,
    ) -> None:
        """Use :meth:`Index.searcher`; ``snapshot`` must be claimed for this searcher."""
        self._snapshot = snapshot
        self._ranking = ranking
        self._labels = labels if labels is not None else Labels()
        self._synonyms = synonyms
        self._closed = False

    @property
    def ranking(self) -> Ranking:
        """The ranking this searcher scores with."""
        return self._ranking

    @property
    def labels(self) -> Labels:
        """How field values are shown (the index's settings); a filter on a label selects
        the values it labels."""
        return self._labels

    @property
    def synonyms(self) -> Synonyms:
        """The index's synonyms as they were when this searcher was made."""
        return self._synonyms

    @property
    def spellings(self) -> SpellingPairs:
        """The name-spelling pairs this commit searches for each other (none unless the
        index was created with ``spellings=``)."""
        return self._live().spellings()

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer of the index's generation."""
        return self._snapshot.analyzer

    @property
    def fields(self) -> FieldTable:
        """The field table of the index's generation."""
        return self._snapshot.fields

    def _live(self) -> Snapshot:
        if self._closed:
            raise UsageError("This searcher is closed; get a new one with Index.searcher().")
        return self._snapshot

    def close(self) -> None:
        """Release this searcher's commit; no other call may follow."""
        if not self._closed:
            self._closed = True
            self._snapshot.release()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __len__(self) -> int:
        """Live documents in this commit."""
        return self._live().reader.count()

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        sort: SortOrder = "relevance",
        filters: Mapping[str, Any] | None = None,
        snippets: bool = True,
    ) -> Results:
        """Ranked results for ``query`` (see the query language in the README).

        ``filters`` may hold the filterable fields of the index's field table:
        ``category`` and ``source`` (a string or a list of strings), ``date_from`` and
        ``date_to`` (ISO dates, inclusive); a value may also be the label the index's
        settings give it (:attr:`labels`). ``snippets=False`` skips snippets and
        title marks (hits then carry empty snippets). Words that the index's
        :attr:`synonyms` hold are searched as their synonyms too
        (``Results.synonyms`` says which).
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, not {type(query).__name__}.")
        return run_search(
            self._live(),
            self._ranking,
            without_surrogates(query),
            labels=self._labels,
            limit=limit,
            page=page,
            sort=sort,
            filters=filters,
            snippets=snippets,
            synonyms=self._synonyms,
        )

    def suggest(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Completions for a search box: ``prefix`` with its last word completed.

        Each completion shows the word as most documents write it, and the words
        that follow the word before it in the documents come first.
        """
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a string, not {type(prefix).__name__}.")
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise TypeError(f"limit must be a whole number (int), not {type(limit).__name__}.")
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise UsageError(f"limit must be between 1 and {MAX_SUGGESTIONS}, not {limit}.")
        snapshot = self._live()
        return complete(
            without_surrogates(prefix),
            analyzer=snapshot.analyzer,
            reader=snapshot.reader,
            usage=snapshot.usage(),
            limit=limit,
        )

    def get(self, doc_id: str) -> Document:
        """The document with id ``doc_id``; raises DocumentNotFoundError."""
        if not isinstance(doc_id, str):
            raise TypeError(f"A document id must be a string, not {type(doc_id).__name__}.")
        snapshot = self._live()
        blob = None if without_surrogates(doc_id) != doc_id else snapshot.reader.get(doc_id)
        if blob is None:
            raise DocumentNotFoundError(without_surrogates(doc_id))
        return snapshot.codec.unpack(blob)

    def ids(self) -> list[str]:
        """Every document id, in no particular order."""
        return self._live().reader.all_ids()

    def documents(self) -> Iterator[Document]:
        """Every document of this commit, in id order, one at a time (``arsearch export``)."""
        for doc_id in sorted(self.ids()):
            yield self.get(doc_id)

    def highlight(self, doc_id: str, query: str) -> tuple[Marked, Marked]:
        """The title and whole text of ``doc_id`` with the words of ``query`` marked.

        Words are marked exactly as :meth:`search` marks the titles and snippets of its
        hits; the text's line breaks are kept. Raises DocumentNotFoundError, and
        QueryTooLongError for an over-long query.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, not {type(query).__name__}.")
        document = self.get(doc_id)
        return highlight(
            self._live(), self._ranking, document, without_surrogates(query), self._synonyms
        )

    def stats(self) -> IndexStats:
        """Documents, engine, analyzer, size on disk, last commit and the index's options."""
        snapshot = self._live()
        return IndexStats(
            path=snapshot.shown,
            documents=snapshot.reader.count(),
            engine=snapshot.engine,
            analyzer=snapshot.analyzer.to_config(),
            format_version=FORMAT_VERSION,
            size_bytes=directory_size(snapshot.root / snapshot.marker.generation),
            last_commit=snapshot.marker.committed,
            options=snapshot.options.to_dict(),
        )
