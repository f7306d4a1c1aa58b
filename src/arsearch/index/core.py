"""``Index``: create or open an index directory, write to it, and hand out searchers."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from ..analysis import DEFAULT_STEMMER, Analyzer
from ..documents.validation import extra_problem, id_problem, without_surrogates
from ..engines import ENGINES, Engine, EngineWriter, get_factory
from ..errors import (
    IndexFormatError,
    IndexIOError,
    NoIndexError,
    Remedy,
    UsageError,
    rebuild_remedy,
)
from ..models import FIELDS, Document, FieldTable, IndexStats, Marked, Results, SortOrder
from . import layout
from .builder import content_hash
from .codec import DocumentCodec, encode_document, train_dictionary
from .layout import Generation, Marker
from .pipeline import DocumentPipeline, default_workers
from .ranking import DEFAULT_RANKING, Ranking
from .searcher import Searcher
from .snapshot import Snapshot

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_ENGINE",
    "DEFAULT_REFRESH_INTERVAL",
    "AddSummary",
    "Index",
]

#: Tantivy: measured 4x faster to build and 50-100x faster to query than Whoosh.
DEFAULT_ENGINE = "tantivy"
#: Documents between automatic commits while adding an iterable.
DEFAULT_BATCH_SIZE = 10_000
#: Documents a new index trains its stored-text dictionary on.
TRAINING_SAMPLE = 2_000
#: Seconds between two looks at the disk for a commit made by another process.
DEFAULT_REFRESH_INTERVAL = 0.1

# Commits made by any Index of this process, by index directory: another Index
# object of the same process on the same directory sees them at once.
_LOCAL_COMMITS: dict[str, int] = {}
_LOCAL_LOCK = threading.Lock()


def _note_local_commit(key: str) -> None:
    with _LOCAL_LOCK:
        _LOCAL_COMMITS[key] = _LOCAL_COMMITS.get(key, 0) + 1


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


@dataclass(frozen=True)
class _Opened:
    """A generation opened: its engine, analyzer, field table and stored-text codec."""

    generation: Generation
    engine: Engine
    analyzer: Analyzer
    fields: FieldTable
    codec: DocumentCodec

    @classmethod
    def load(cls, root: Path, name: str, shown: str) -> _Opened:
        generation = Generation.load(root, name, shown)
        try:
            analyzer = Analyzer.from_config(generation.analyzer)
            fields = FieldTable.from_config(generation.fields)
        except (UsageError, ValueError, KeyError, TypeError) as error:
            raise IndexFormatError(
                f"The index at '{shown}' cannot be read ({error}).", rebuild_remedy(shown)
            ) from None
        engine = get_factory(generation.engine).open(generation.engine_dir, fields)
        return cls(generation, engine, analyzer, fields, DocumentCodec())

    def with_dictionary(self) -> _Opened:
        """This, with the generation's stored-text dictionary once one was written."""
        if self.codec.dictionary is not None:
            return self
        dictionary = self.generation.read_dictionary()
        return self if dictionary is None else replace(self, codec=DocumentCodec(dictionary))


def _analyzer_for(
    analyzer: Analyzer | None, stemmer: str | None, fold_hamza: bool | None
) -> Analyzer:
    if analyzer is not None:
        if stemmer is not None or fold_hamza is not None:
            raise UsageError("Pass either analyzer= or stemmer= and fold_hamza=, not both.")
        if not isinstance(analyzer, Analyzer):
            raise TypeError(f"analyzer must be an Analyzer, not {type(analyzer).__name__}.")
        return analyzer
    return Analyzer(stemmer=stemmer or DEFAULT_STEMMER, fold_hamza=bool(fold_hamza))


class Index:
    """An arsearch index in one directory.

    Reading goes through a :class:`Searcher`, an immutable view of one commit:
    :meth:`searcher` hands out the current one, and :meth:`search`, :meth:`get` and the
    other reading methods are one-line conveniences over it. Commits made by this
    object are seen at once; those of another process within ``refresh_interval``
    seconds (or at :meth:`refresh`).

    >>> import tempfile
    >>> from arsearch import Document, Index
    >>> with Index.create(tempfile.mkdtemp()) as index:
    ...     summary = index.add(Document("d1", "القاهرة", "وَصَلَ الوفد إلى القاهرة صباحاً."))
    >>> index.search("القاهره").hits[0].id
    'd1'
    >>> index.close()
    """

    def __init__(
        self,
        root: Path,
        shown: str,
        opened: _Opened,
        *,
        refresh_interval: float,
        lock: layout.WriterLock | None = None,
        replacing: Mapping[str, Any] | None = None,
    ) -> None:
        """Use :meth:`create` or :meth:`open`."""
        self.path = root
        self._shown = shown
        self._key = os.path.realpath(root)
        self._opened = opened
        self._refresh_interval = refresh_interval
        self._snapshot: Snapshot | None = None
        self._swap_lock = threading.Lock()
        self._next_check = 0.0
        self._seen_local = -1
        self._lock = lock
        # The old marker while this object rebuilds the index beside it (see create).
        self._replacing = replacing
        self._writer: EngineWriter | None = None
        self._pending = 0
        self._uncommitted: set[str] = set()
        self._trained = False
        self._closed = False

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        engine: str = DEFAULT_ENGINE,
        stemmer: str | None = None,
        fold_hamza: bool | None = None,
        analyzer: Analyzer | None = None,
        fields: FieldTable = FIELDS,
        overwrite: bool = False,
        refresh_interval: float = DEFAULT_REFRESH_INTERVAL,
    ) -> Index:
        """Make a new, empty index at ``path`` (a directory, created when missing).

        ``analyzer`` gives the whole analysis (stop words included); ``stemmer`` and
        ``fold_hamza`` are shortcuts for the default analyzer with that change.
        ``fields`` is the field table: which metadata is filtered, faceted, sorted.

        A folder that holds an index is refused unless ``overwrite=True``. Then the new
        index is built beside the old one, which readers keep seeing until this object
        is closed: :meth:`close` swaps the new index in, and a ``with`` block that ends
        in an exception (or ``close(discard=True)``) leaves the old one as it was. A
        folder that holds other files is refused too, unless ``overwrite=True``, which
        adds the index beside them and never touches them.
        """
        if engine not in ENGINES:
            raise UsageError(f"Unknown engine '{engine}'. Choose one of: {', '.join(ENGINES)}.")
        chosen = _analyzer_for(analyzer, stemmer, fold_hamza)
        if not isinstance(fields, FieldTable):
            raise TypeError(f"fields must be a FieldTable, not {type(fields).__name__}.")
        shown = _path(path)
        root = Path(path)
        with _disk(root, shown, "create"):
            root.mkdir(parents=True, exist_ok=True)
            # Refused before the lock file is made: a folder of other files stays untouched.
            layout.check_creatable(root, shown, overwrite)
            lock = layout.WriterLock(root, shown)
            try:
                old = layout.check_creatable(root, shown, overwrite)
                current = old.get("generation") if old else None
                layout.remove_stale_generations(root, {current} if current else set(), old or {})
                generation = layout.make_generation(
                    root, engine, chosen.to_config(), fields.to_config()
                )
                factory = get_factory(engine)
                generation.engine_dir.mkdir()
                created = factory.create(generation.engine_dir, fields)
                opened = _Opened(generation, created, chosen, fields, DocumentCodec())
                if old is None:
                    layout.commit_marker(root, generation.name, 0)
                    lock.release()
                    return cls(root, shown, opened, refresh_interval=refresh_interval)
            except BaseException:
                lock.release()
                raise
        return cls(root, shown, opened, refresh_interval=refresh_interval, lock=lock, replacing=old)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = False,
        overwrite: bool = False,
        engine: str | None = None,
        stemmer: str | None = None,
        analyzer: Analyzer | None = None,
        fields: FieldTable | None = None,
        refresh_interval: float = DEFAULT_REFRESH_INTERVAL,
    ) -> Index:
        """Open the index at ``path``; raises NoIndexError when there is none.

        ``create=True`` makes one when there is none, with ``engine``, ``stemmer`` (or
        ``analyzer``) and ``fields``; ``overwrite=True`` always builds a new one (see
        :meth:`create`). An existing index whose engine, analysis or fields differ from
        those given is refused with the fix.
        """
        shown = _path(path)

        def new_index() -> Index:
            return cls.create(
                path,
                engine=engine or DEFAULT_ENGINE,
                stemmer=stemmer,
                analyzer=analyzer,
                fields=fields or FIELDS,
                overwrite=overwrite,
                refresh_interval=refresh_interval,
            )

        if overwrite:
            return new_index()
        root = Path(path)
        try:
            marker = layout.read_marker(root, shown)
        except NoIndexError:
            if not create:
                raise
            return new_index()
        with _disk(root, shown, "read"):
            opened = _Opened.load(root, marker.generation, shown)
        _check_settings(shown, opened, engine, stemmer, analyzer, fields)
        return cls(root, shown, opened, refresh_interval=refresh_interval)

    def close(self, *, discard: bool = False) -> None:
        """Drop uncommitted changes and release the writer lock and every reader.

        An index being rebuilt (``create(..., overwrite=True)``) replaces the old one
        now with what was committed; with ``discard=True`` it is thrown away instead
        and the old one stays. Writing afterwards raises UsageError; reading still
        works (it takes the newest commit again, until the next ``close``).
        """
        first = not self._closed
        self._closed = True
        try:
            if not first:
                return
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            if self._replacing is not None:
                with self._disk():
                    self._finish_rebuild(discard)
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None
            snapshot, self._snapshot = self._snapshot, None
            if snapshot is not None:
                snapshot.release()
            self._opened.engine.close()

    def _finish_rebuild(self, discard: bool) -> None:
        generation = self._opened.generation
        old, self._replacing = self._replacing or {}, None
        if discard:
            shutil.rmtree(generation.path, ignore_errors=True)
            return
        reader = self._opened.engine.reader()
        try:
            documents = reader.count()
        finally:
            reader.close()
        layout.commit_marker(self.path, generation.name, documents)
        _note_local_commit(self._key)
        layout.remove_stale_generations(self.path, {generation.name}, old)

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Commit on a clean exit, roll back (and drop a rebuild) on an exception, close."""
        failed = kind is not None
        try:
            if not failed and self._writer is not None:
                self.commit()
        except BaseException:
            failed = True
            raise
        finally:
            self.close(discard=failed)

    def _check_open(self) -> None:
        if self._closed:
            raise UsageError(
                f"The index at '{self._shown}' is closed; open it again with "
                f"Index.open({self._shown!r})."
            )

    @property
    def engine(self) -> str:
        """The engine's name."""
        return self._opened.generation.engine

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer documents and queries are analyzed with."""
        return self._opened.analyzer

    @property
    def fields(self) -> FieldTable:
        """The field table: which metadata is filtered, faceted and sorted."""
        return self._opened.fields

    # -- snapshots -----------------------------------------------------------

    def _load(self) -> Snapshot:
        """A snapshot of the newest commit (of the generation the marker names)."""
        if self._replacing is not None:
            return self._snapshot_of(self._opened, layout.marker_stamp(self.path), None)
        for _attempt in range(5):
            stamp = layout.marker_stamp(self.path)
            marker = layout.read_marker(self.path, self._shown)
            try:
                opened = self._opened
                if opened.generation.name != marker.generation:
                    opened = _Opened.load(self.path, marker.generation, self._shown)
                snapshot = self._snapshot_of(opened, stamp, marker)
            except Exception as error:
                if layout.marker_stamp(self.path) != stamp:
                    continue  # rebuilt while opening: read the marker again
                if isinstance(error, (IndexFormatError, IndexIOError)):
                    raise
                clear = layout.io_error(error, self.path, self._shown, "read")
                if clear is not None:
                    raise clear from None
                raise IndexFormatError(
                    f"The index at '{self._shown}' cannot be read ({error}).",
                    rebuild_remedy(self._shown),
                ) from None
            return snapshot
        raise IndexFormatError(
            f"The index at '{self._shown}' keeps changing while it is opened.",
            Remedy("Try again.", "Try again."),
        )

    def _snapshot_of(self, opened: _Opened, stamp: object, marker: Marker | None) -> Snapshot:
        # The engine's reader first, then the dictionary: a reader that holds
        # documents compressed with a dictionary was made after it was written.
        reader = opened.engine.reader()
        opened = opened.with_dictionary()
        self._opened = opened
        if marker is None:
            marker = Marker(opened.generation.name, reader.count(), None)
        return Snapshot(
            reader=reader,
            codec=opened.codec,
            analyzer=opened.analyzer,
            fields=opened.fields,
            engine=opened.generation.engine,
            marker=marker,
            root=self.path,
            shown=self._shown,
            stamp=stamp,
        )

    def _install(self, force: bool) -> Snapshot:
        with self._swap_lock:
            current = self._snapshot
            if (
                not force
                and current is not None
                and layout.marker_stamp(self.path) == current.stamp
            ):
                return current
            fresh = self._load()
            self._snapshot = fresh
        if current is not None:
            current.release()
        return fresh

    def _current(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            return self._install(force=False)
        if self._replacing is not None:
            return snapshot
        local = _LOCAL_COMMITS.get(self._key, 0)
        now = time.monotonic()
        if local != self._seen_local or now >= self._next_check:
            self._seen_local = local
            self._next_check = now + self._refresh_interval
            if layout.marker_stamp(self.path) != snapshot.stamp:
                return self._install(force=False)
        return snapshot

    def _claimed(self) -> Snapshot:
        # Reading after close() is allowed (as after a ``with`` block): it takes a
        # fresh snapshot, released by the next close(). Writing is not.
        while True:
            snapshot = self._current()
            if snapshot.claim():
                return snapshot

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Snapshot]:
        """The current snapshot, claimed for the block (a writer's own reads)."""
        snapshot = self._claimed()
        try:
            yield snapshot
        finally:
            snapshot.release()

    def refresh(self) -> None:
        """Look for a commit made by another process now, instead of within the interval."""
        self._next_check = 0.0
        self._current()

    # -- reading -------------------------------------------------------------

    def searcher(self, ranking: Ranking | None = None) -> Searcher:
        """A :class:`Searcher` of the current commit, scoring with ``ranking``.

        Close it (or use it as a context manager) to release its commit early; a
        searcher dropped unclosed is released with the object.
        """
        if ranking is not None and not isinstance(ranking, Ranking):
            raise TypeError(f"ranking must be a Ranking, not {type(ranking).__name__}.")
        return Searcher(self._claimed(), ranking or DEFAULT_RANKING)

    def __len__(self) -> int:
        """Documents in the last committed state."""
        with self.searcher() as searcher:
            return len(searcher)

    def get(self, doc_id: str) -> Document:
        """The document with id ``doc_id``; raises DocumentNotFoundError."""
        with self.searcher() as searcher:
            return searcher.get(doc_id)

    def ids(self) -> list[str]:
        """Every document id, in no particular order."""
        with self.searcher() as searcher:
            return searcher.ids()

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        sort: SortOrder = "relevance",
        filters: Mapping[str, Any] | None = None,
        snippets: bool = True,
        ranking: Ranking | None = None,
    ) -> Results:
        """Ranked results for ``query``: :meth:`Searcher.search` on the current commit."""
        with self.searcher(ranking) as searcher:
            return searcher.search(
                query, limit=limit, page=page, sort=sort, filters=filters, snippets=snippets
            )

    def suggest(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Completions for a search box: ``prefix`` with its last word completed."""
        with self.searcher() as searcher:
            return searcher.suggest(prefix, limit=limit)

    def highlight(self, doc_id: str, query: str) -> tuple[Marked, Marked]:
        """The title and whole text of ``doc_id`` with the words of ``query`` marked."""
        with self.searcher() as searcher:
            return searcher.highlight(doc_id, query)

    def stats(self) -> IndexStats:
        """Documents, engine, analyzer, size on disk and last commit."""
        with self.searcher() as searcher:
            return searcher.stats()

    # -- writing -------------------------------------------------------------

    def _disk(self, doing: str = "write to") -> contextlib.AbstractContextManager[None]:
        """OS errors (a full disk, a read-only folder...) as one clear IndexIOError."""
        return _disk(self.path, self._shown, doing)

    def _open_writer(self) -> EngineWriter:
        self._check_open()
        if self._writer is None:
            with self._disk():
                if self._lock is None:
                    self._lock = layout.WriterLock(self.path, self._shown)
                    try:
                        # With the lock, the marker stays as it is: write to the generation
                        # it names, and remove any a crashed rebuild left beside it.
                        current = self._install(force=True).marker.generation
                        layout.remove_stale_generations(self.path, {current}, {})
                    except BaseException:
                        self._lock.release()
                        self._lock = None
                        raise
                self._writer = self._opened.engine.writer()
        return self._writer

    def add(
        self,
        documents: Document | Mapping[str, Any] | Iterable[Document | Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[AddSummary], None] | None = None,
        workers: int | None = 1,
    ) -> AddSummary:
        """Add documents, replacing those with the same id; unchanged ones are skipped.

        ``documents``: a :class:`Document`, a mapping (as :meth:`Document.from_dict`
        takes), or an iterable of them. An iterable is committed every ``batch_size``
        documents (0: only by :meth:`commit`), so a crash loses at most one batch and
        a re-run finishes the job. Documents stream through: memory stays bounded
        whatever their number. ``progress`` is called after each document.

        ``workers`` > 1 (None: one per core) analyzes, past a few thousand
        documents, in that many spawned processes, as ``arsearch index`` does;
        like any code that spawns processes, the calling script then needs the
        ``if __name__ == "__main__":`` guard, so the default is 1.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 0:
            raise TypeError(
                f"batch_size must be a whole number, 0 or more, not {batch_size!r:.40}."
            )
        if workers is not None and (
            isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
        ):
            raise TypeError(
                f"workers must be a whole number, 1 or more, or None, not {workers!r:.40}."
            )
        items = _documents(documents)
        writer = self._open_writer()
        summary = AddSummary()
        with self._disk():
            items = self._prepare_codec(items)
            pipeline = DocumentPipeline(
                self._opened.analyzer,
                self._opened.codec,
                self._opened.fields,
                writer.add,
                workers=default_workers() if workers is None else workers,
            )
            try:
                self._add_all(items, pipeline, summary, batch_size, progress)
                pipeline.flush()
            except UnicodeEncodeError as error:
                # A lone surrogate in a text field: a str that is not text.
                raise UsageError(
                    "A document holds a lone surrogate "
                    f"(U+{ord(error.object[error.start]):04X}), which is not text; "
                    "the documents from it on were not added."
                ) from None
            finally:
                pipeline.close()
        return summary

    def _add_all(
        self,
        items: Iterator[Document],
        pipeline: DocumentPipeline,
        summary: AddSummary,
        batch_size: int,
        progress: Callable[[AddSummary], None] | None,
    ) -> None:
        with contextlib.ExitStack() as stack:
            snapshot = stack.enter_context(self._reading())
            fresh = snapshot.reader.count() == 0 and not self._uncommitted
            for document in items:
                if document.id in self._uncommitted:
                    # Not every engine replaces a document added since the last
                    # commit: make the first version durable first.
                    pipeline.flush()
                    stack.close()
                    self.commit()
                    snapshot, fresh = stack.enter_context(self._reading()), False
                self._add_one(document, snapshot, fresh, pipeline, summary)
                if batch_size and self._pending >= batch_size:
                    pipeline.flush()
                    stack.close()
                    self.commit()
                    snapshot, fresh = stack.enter_context(self._reading()), False
                if progress is not None:
                    progress(summary)

    def _add_one(
        self,
        document: Document,
        snapshot: Snapshot,
        fresh: bool,
        pipeline: DocumentPipeline,
        summary: AddSummary,
    ) -> None:
        known = not fresh and snapshot.reader.contains(document.id)
        encoded = digest = None
        try:
            if known:
                # Only a committed version needs the hash now, to compare with;
                # a new document is hashed where it is analyzed.
                encoded = encode_document(document)
                digest = content_hash(encoded)
            if known and snapshot.reader.contains(document.id, digest):
                summary.unchanged += 1
                return
            # Only a document already committed needs deleting first.
            pipeline.put(document, encoded, digest, replaces=known)
        except UnicodeEncodeError as error:
            raise UsageError(
                f"Document {document.id!r} cannot be added: it holds a lone surrogate "
                f"(U+{ord(error.object[error.start]):04X}), which is not text."
            ) from None
        if known:
            summary.updated += 1
        else:
            summary.added += 1
        self._uncommitted.add(document.id)
        self._pending += 1

    def _prepare_codec(self, items: Iterator[Document]) -> Iterator[Document]:
        """Train the stored-text dictionary on the first documents of a new, large index."""
        opened = self._opened
        if opened.codec.dictionary is not None or self._trained:
            return items
        with self._reading() as snapshot:
            if snapshot.reader.count():
                return items
        self._trained = True
        head = list(itertools.islice(items, TRAINING_SAMPLE))
        dictionary = train_dictionary(head)
        if dictionary is not None:
            opened.generation.write_dictionary(dictionary)
            self._opened = replace(opened, codec=DocumentCodec(dictionary))
        return itertools.chain(head, items)

    def delete(self, doc_id: str) -> bool:
        """Delete the document ``doc_id``; False when there was none."""
        if not isinstance(doc_id, str):
            raise TypeError(f"A document id must be a string, not {type(doc_id).__name__}.")
        writer = self._open_writer()
        if without_surrogates(doc_id) != doc_id:
            return False  # no index term can hold it, so no document has it
        with self._reading() as snapshot:
            if not snapshot.reader.contains(doc_id):
                return False
        with self._disk():
            writer.delete(doc_id)
        self._pending += 1
        return True

    def commit(self) -> None:
        """Make every change durable and visible to readers, atomically."""
        self._check_open()
        if self._writer is None:
            return
        with self._disk():
            self._writer.commit()
            self._pending = 0
            self._uncommitted.clear()
            if self._replacing is None:
                reader = self._opened.engine.reader()
                try:
                    documents = reader.count()
                finally:
                    reader.close()
                layout.commit_marker(self.path, self._opened.generation.name, documents)
                _note_local_commit(self._key)
        self._install(force=True)

    def rollback(self) -> None:
        """Forget every change since the last commit."""
        self._check_open()
        if self._writer is not None:
            self._writer.rollback()
            self._pending = 0
            self._uncommitted.clear()


def _documents(
    documents: Document | Mapping[str, Any] | Iterable[Document | Mapping[str, Any]],
) -> Iterator[Document]:
    if isinstance(documents, (Document, Mapping)):
        return iter((_document(documents),))
    if isinstance(documents, (str, bytes)) or not isinstance(documents, Iterable):
        raise TypeError(
            "Index.add takes a Document, a mapping or an iterable of them, "
            f"not {type(documents).__name__}."
        )
    return (_document(item) for item in documents)


def _document(item: object) -> Document:
    if isinstance(item, Document):
        document = item
    elif isinstance(item, Mapping):
        document = Document.from_dict(item)
    else:
        raise TypeError(f"Index.add takes Document objects or mappings, not {type(item).__name__}.")
    problem = id_problem(document.id)
    if problem is not None:
        raise UsageError(f"Document id {document.id[:60]!r} cannot be used: it {problem}.")
    problem = extra_problem(document.extra)
    if problem is not None:
        raise UsageError(f"Document {document.id!r} cannot be added: {problem}.")
    return document


def _path(path: object) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a string or a path, not {type(path).__name__}.")
    return os.fspath(path)


@contextlib.contextmanager
def _disk(root: Path, shown: str, doing: str) -> Iterator[None]:
    try:
        yield
    except (OSError, ValueError) as error:
        clear = layout.io_error(error, root, shown, doing)
        if clear is None:
            raise
        raise clear from None


def _check_settings(
    shown: str,
    opened: _Opened,
    engine: str | None,
    stemmer: str | None,
    analyzer: Analyzer | None,
    fields: FieldTable | None,
) -> None:
    """Refuse to open an index with other settings than those asked for, naming the fix."""
    checks: list[tuple[str, object, object]] = [
        ("engine", engine, opened.generation.engine),
        ("stemmer", stemmer, opened.analyzer.stemmer),
    ]
    for name, wanted, current in checks:
        if wanted is not None and wanted != current:
            raise UsageError(
                f"The index at '{shown}' uses {name} '{current}'; to switch to '{wanted}',",
                Remedy("pass overwrite=True.", "add --rebuild."),
            )
    if analyzer is not None and analyzer.to_config() != opened.analyzer.to_config():
        raise UsageError(
            f"The index at '{shown}' was built with another analyzer; to switch,",
            Remedy("pass overwrite=True.", "add --rebuild."),
        )
    if fields is not None and fields != opened.fields:
        raise UsageError(
            f"The index at '{shown}' was built with another field table; to switch,",
            Remedy("pass overwrite=True.", "add --rebuild."),
        )
