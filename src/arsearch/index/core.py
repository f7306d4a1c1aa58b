"""``Index``: create or open an index directory, write to it and search it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ..analysis import DEFAULT_STEMMER, Analyzer
from ..engines import ENGINES, Engine, EngineReader, EngineWriter, get_factory
from ..engines.base import SortOrder
from ..engines.records import DocumentCodec, encode_document, train_dictionary
from ..errors import DocumentNotFoundError, IndexFormatError, UsageError
from ..highlight import mark_text
from ..models import Document, IndexStats, Results
from ..query import parse_query
from . import meta
from .pipeline import RecordPipeline, default_workers
from .planner import build_plan
from .records import content_hash
from .searching import run_search, suggest_words
from .suggest import Vocabulary

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_ENGINE", "AddSummary", "Index"]

#: Tantivy: measured 4x faster to build and 50-100x faster to query than Whoosh.
DEFAULT_ENGINE = "tantivy"
#: Documents between automatic commits while adding an iterable.
DEFAULT_BATCH_SIZE = 10_000
#: Documents a new index trains its stored-text dictionary on.
TRAINING_SAMPLE = 2_000


@dataclass
class AddSummary:
    """What one :meth:`Index.add` call did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        """Documents seen."""
        return self.added + self.updated + self.unchanged

    def to_dict(self) -> dict[str, int]:
        """The counts as JSON-ready data."""
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


class Index:
    """An arsearch index in one directory.

    >>> import tempfile
    >>> from arsearch import Document, Index
    >>> with Index.create(tempfile.mkdtemp()) as index:
    ...     summary = index.add(Document("d1", "القاهرة", "وَصَلَ الوفد إلى القاهرة صباحاً."))
    >>> index.search("القاهره").hits[0].id
    'd1'
    """

    def __init__(
        self, path: Path, shown: str, engine: Engine, analyzer: Analyzer, instance: str | None
    ) -> None:
        """Use :meth:`create` or :meth:`open`."""
        self.path = path
        self._instance = instance
        self._shown = shown
        self._engine = engine
        self.analyzer = analyzer
        self._reader: EngineReader | None = None
        self._reader_stamp = -1
        self._writer: EngineWriter | None = None
        self._lock: meta.WriterLock | None = None
        self._pending = 0
        self._uncommitted: set[str] = set()
        self._vocab: tuple[EngineReader, int, Vocabulary] | None = None
        self._codec = DocumentCodec(meta.read_dictionary(path))
        self._trained = False

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        engine: str = DEFAULT_ENGINE,
        stemmer: str = DEFAULT_STEMMER,
        fold_hamza: bool = False,
        overwrite: bool = False,
    ) -> Index:
        """Make a new, empty index at ``path`` (a directory, created when missing)."""
        if engine not in ENGINES:
            raise UsageError(f"Unknown engine '{engine}'. Choose one of: {', '.join(ENGINES)}.")
        analyzer = Analyzer(stemmer=stemmer, fold_hamza=fold_hamza)
        root = Path(path)
        shown = os.fspath(path)
        root.mkdir(parents=True, exist_ok=True)
        factory = get_factory(engine)
        instance = meta.lay_out(root, shown, factory, engine, analyzer.to_config(), overwrite)
        return cls(root, shown, factory.open(root / meta.ENGINE_DIR), analyzer, instance)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Index:
        """Open the index at ``path``; raises NoIndexError when there is none."""
        root = Path(path)
        shown = os.fspath(path)
        info = meta.read_meta(root, shown)
        try:
            analyzer = Analyzer.from_config(info["analyzer"])
        except UsageError as error:
            raise IndexFormatError(str(error)) from None
        engine = get_factory(str(info["engine"])).open(root / meta.ENGINE_DIR)
        return cls(root, shown, engine, analyzer, info.get("instance"))

    def close(self) -> None:
        """Drop uncommitted changes, release the writer lock and the engine."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._engine.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Commit on a clean exit, roll back on an exception, then close."""
        try:
            if kind is None and self._writer is not None:
                self.commit()
        finally:
            self.close()

    @property
    def engine(self) -> str:
        """The engine's name."""
        return self._engine.name

    # -- reading -------------------------------------------------------------

    def _current_reader(self) -> EngineReader:
        stamp = meta.commit_stamp(self.path)
        if stamp != self._reader_stamp and self._writer is None:
            self._follow(meta.read_meta(self.path, self._shown))
        if self._reader is None:
            self._reader = self._engine.reader()
        elif stamp != self._reader_stamp:
            self._reader.refresh()
        self._reader_stamp = stamp
        return self._reader

    def _follow(self, info: Mapping[str, Any]) -> None:
        """Catch up with what another process did: a first dictionary, or a rebuild."""
        if info.get("instance") != self._instance:
            # Rebuilt (--rebuild) under this reader: its files are gone; start afresh.
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            self._engine.close()
            self._engine = get_factory(str(info["engine"])).open(self.path / meta.ENGINE_DIR)
            self.analyzer = Analyzer.from_config(info["analyzer"])
            self._instance = info.get("instance")
            self._codec = DocumentCodec(meta.read_dictionary(self.path))
        elif self._codec.dictionary is None:
            dictionary = meta.read_dictionary(self.path)
            if dictionary is not None:
                self._codec = DocumentCodec(dictionary)

    def _vocabulary(self) -> Vocabulary:
        """The frequent words of the current commit, for suggestions and fuzzy terms."""
        reader = self._current_reader()
        if (
            self._vocab is None
            or self._vocab[0] is not reader
            or self._vocab[1] != self._reader_stamp
        ):
            self._vocab = (reader, self._reader_stamp, Vocabulary.of(reader))
        return self._vocab[2]

    def __len__(self) -> int:
        """Documents in the last committed state."""
        return self._current_reader().count()

    def get(self, doc_id: str) -> Document:
        """The document with id ``doc_id``; raises DocumentNotFoundError."""
        blob = self._current_reader().get(doc_id)
        if blob is None:
            raise DocumentNotFoundError(doc_id)
        return self._codec.unpack(blob)

    def ids(self) -> list[str]:
        """Every document id, in no particular order."""
        return self._current_reader().all_ids()

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

        ``filters`` may hold ``category``, ``source`` (a string or a list),
        ``date_from`` and ``date_to`` (ISO dates, inclusive). ``snippets=False``
        skips snippets and title marks (hits then carry empty snippets).
        """
        return run_search(
            query,
            analyzer=self.analyzer,
            reader=self._current_reader(),
            vocabulary=self._vocabulary,
            codec=self._codec,
            limit=limit,
            page=page,
            sort=sort,
            filters=filters,
            snippets=snippets,
        )

    def suggest(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Completions for a search box: ``prefix`` with its last word completed."""
        if not 1 <= limit <= 50:
            raise UsageError(f"limit must be between 1 and 50, not {limit}.")
        return suggest_words(
            prefix, analyzer=self.analyzer, reader=self._current_reader(), limit=limit
        )

    def highlight(self, doc_id: str, query: str) -> tuple[str, str]:
        """The title and text of ``doc_id`` as escaped HTML with the words of ``query`` marked.

        Words are marked exactly as :meth:`search` marks the titles and snippets of its
        hits; the text is whole, its line breaks kept. Raises DocumentNotFoundError,
        and QueryTooLongError for an over-long query.
        """
        document = self.get(doc_id)
        plan = build_plan(
            parse_query(query), self.analyzer, self._current_reader(), self._vocabulary
        )
        matcher = plan.matcher()
        return (
            mark_text(document.title, matcher, self.analyzer).html(),
            mark_text(document.text, matcher, self.analyzer).html(),
        )

    def stats(self) -> IndexStats:
        """Documents, engine, analyzer, size on disk and last commit."""
        info = meta.read_meta(self.path, self._shown)
        return IndexStats(
            path=self._shown,
            documents=len(self),
            engine=self.engine,
            analyzer=info["analyzer"],
            format_version=int(info["format"]),
            size_bytes=meta.directory_size(self.path),
            last_commit=meta.read_commit(self.path).get("time"),
        )

    # -- writing -------------------------------------------------------------

    def _open_writer(self) -> EngineWriter:
        if self._writer is None:
            self._lock = meta.WriterLock(self.path, self._shown)
            try:
                self._writer = self._engine.writer()
            except BaseException:
                self._lock.release()
                self._lock = None
                raise
        return self._writer

    def add(
        self,
        documents: Document | Iterable[Document],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[AddSummary], None] | None = None,
        workers: int | None = 1,
    ) -> AddSummary:
        """Add documents, replacing those with the same id; unchanged ones are skipped.

        An iterable is committed every ``batch_size`` documents (0: only by
        :meth:`commit`), so a crash loses at most one batch and a re-run
        finishes the job. Documents stream through: memory stays bounded
        whatever their number. ``progress`` is called after each document.

        ``workers`` > 1 (None: one per core) analyzes, past a few thousand
        documents, in that many spawned processes, as ``arsearch index`` does;
        like any code that spawns processes, the calling script then needs the
        ``if __name__ == "__main__":`` guard, so the default is 1.
        """
        writer = self._open_writer()
        items = iter((documents,) if isinstance(documents, Document) else documents)
        items = self._prepare_codec(items)
        summary = AddSummary()
        pipeline = RecordPipeline(
            self.analyzer,
            self._codec,
            writer.add,
            workers=default_workers() if workers is None else workers,
        )
        try:
            self._add_all(items, pipeline, summary, batch_size, progress)
            pipeline.flush()
        finally:
            pipeline.close()
        return summary

    def _add_all(
        self,
        items: Iterator[Document],
        pipeline: RecordPipeline,
        summary: AddSummary,
        batch_size: int,
        progress: Callable[[AddSummary], None] | None,
    ) -> None:
        reader = self._current_reader()
        fresh = reader.count() == 0 and not self._uncommitted
        for document in items:
            if not isinstance(document, Document):
                kind = type(document).__name__
                raise UsageError(f"Index.add takes Document objects, not {kind}.")
            if document.id in self._uncommitted:
                # Not every engine replaces a document added since the last
                # commit: make the first version durable first.
                pipeline.flush()
                self.commit()
                reader, fresh = self._current_reader(), False
            known = not fresh and reader.contains(document.id)
            encoded = digest = None
            if known:
                # Only a committed version needs the hash now, to compare with;
                # a new document is hashed where it is analyzed.
                encoded = encode_document(document)
                digest = content_hash(encoded)
            if known and reader.contains(document.id, digest):
                summary.unchanged += 1
            else:
                # Only a document already committed needs deleting first.
                pipeline.put(document, encoded, digest, replaces=known)
                if known:
                    summary.updated += 1
                else:
                    summary.added += 1
                self._uncommitted.add(document.id)
                self._pending += 1
                if batch_size and self._pending >= batch_size:
                    pipeline.flush()
                    self.commit()
                    reader, fresh = self._current_reader(), False
            if progress is not None:
                progress(summary)

    def _prepare_codec(self, items: Iterator[Document]) -> Iterator[Document]:
        """Train the stored-text dictionary on the first documents of a new, large index."""
        if self._codec.dictionary is not None or self._trained or len(self) > 0:
            return items
        self._trained = True
        head = list(itertools.islice(items, TRAINING_SAMPLE))
        dictionary = train_dictionary([d for d in head if isinstance(d, Document)])
        if dictionary is not None:
            meta.write_bytes_atomically(self.path / meta.DICTIONARY_FILE, dictionary)
            self._codec = DocumentCodec(dictionary)
        return itertools.chain(head, items)

    def delete(self, doc_id: str) -> bool:
        """Delete the document ``doc_id``; False when there was none."""
        writer = self._open_writer()
        if not self._current_reader().contains(doc_id):
            return False
        writer.delete(doc_id)
        self._pending += 1
        return True

    def commit(self) -> None:
        """Make every change durable and visible to readers, atomically."""
        if self._writer is None:
            return
        self._writer.commit()
        self._pending = 0
        self._uncommitted.clear()
        if self._reader is None:
            self._reader = self._engine.reader()
        self._reader.refresh()
        meta.write_commit(self.path, self._reader.count())
        self._reader_stamp = meta.commit_stamp(self.path)

    def rollback(self) -> None:
        """Forget every change since the last commit."""
        if self._writer is not None:
            self._writer.rollback()
            self._pending = 0
            self._uncommitted.clear()
