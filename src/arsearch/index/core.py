"""``Index``: create or open an index directory, write to it, and hand out searchers."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from ..analysis import DEFAULT_STEMMER, Analyzer
from ..documents import ReadProgress, read_documents, total_size
from ..documents.validation import (
    DEFAULT_MAX_RECORD_BYTES,
    extra_problem,
    id_problem,
    without_surrogates,
)
from ..engines import ENGINES, Engine, EngineDocument, EngineWriter, get_factory
from ..errors import (
    DocumentError,
    IndexFormatError,
    IndexIOError,
    IndexLockedError,
    NoIndexError,
    Remedy,
    ShardUnavailableError,
    UsageError,
    rebuild_remedy,
)
from ..models import FIELDS, Document, FieldTable, IndexStats, Marked, Results, SortOrder
from . import layout
from .builder import content_hash
from .codec import DocumentCodec, encode_document, train_dictionary
from .layout import Generation, Marker
from .options import IndexOptions
from .pipeline import DocumentPipeline, default_workers, release_free_memory
from .previous import Previous, previous_settings
from .ranking import DEFAULT_RANKING, Ranking
from .searcher import Searcher
from .settings import Settings, SettingsFile
from .snapshot import Snapshot
from .sources import SourceFiles
from .synonyms import Synonyms, SynonymsFile, write_synonyms
from .variants import SpellingPairs

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_REFRESH_INTERVAL",
    "AddSummary",
    "Index",
]

#: Tantivy: measured 4x faster to build and 50-100x faster to query than Whoosh.
DEFAULT_ENGINE = "tantivy"
#: Documents a new index trains its stored-text dictionary on.
TRAINING_SAMPLE = 2_000
#: Ids an add to an empty index remembers instead of looking them up (about 20 MB).
_REMEMBERED_IDS = 200_000
#: Seconds between two looks at the disk for a commit made by another process.
DEFAULT_REFRESH_INTERVAL = 0.1
#: Tries to open the newest commit while other processes write (waits of 5 ms, doubling).
_OPEN_ATTEMPTS = 7

# Commits made by any Index of this process, by index directory: another Index
# object of the same process on the same directory sees them at once.
_LOCAL_COMMITS: dict[str, int] = {}
_LOCAL_LOCK = threading.Lock()


def _note_local_commit(key: str) -> None:
    with _LOCAL_LOCK:
        _LOCAL_COMMITS[key] = _LOCAL_COMMITS.get(key, 0) + 1


@dataclass
class AddSummary:
    """What one :meth:`Index.add` or :meth:`Index.add_files` call did, or has done so far."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Documents deleted because their source file is gone (``add_files(prune=True)``).
    pruned: int = 0
    #: The bytes of the files being read by :meth:`Index.add_files` (0: not known).
    bytes_total: int = 0
    _reading: ReadProgress | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def total(self) -> int:
        """Documents seen."""
        return self.added + self.updated + self.unchanged

    @property
    def bytes_read(self) -> int:
        """The bytes of the files read so far, to compare with :attr:`bytes_total`."""
        return self._reading.bytes_read() if self._reading is not None else 0

    def to_dict(self) -> dict[str, int]:
        """The counts of documents added, updated and unchanged as JSON-ready data."""
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


@dataclass(frozen=True)
class _Opened:
    """A generation opened: its engine, analyzer, field table, stored-text codec and options."""

    generation: Generation
    engine: Engine
    analyzer: Analyzer
    fields: FieldTable
    codec: DocumentCodec
    options: IndexOptions

    @classmethod
    def load(cls, root: Path, name: str, shown: str) -> _Opened:
        generation = Generation.load(root, name, shown)
        try:
            analyzer = Analyzer.from_config(generation.analyzer)
            fields = FieldTable.from_config(generation.fields)
            options = IndexOptions.from_config(generation.options)
        except (UsageError, ValueError, KeyError, TypeError) as error:
            raise IndexFormatError(
                f"The index at '{shown}' cannot be read ({error}).", rebuild_remedy(shown)
            ) from None
        engine = get_factory(generation.engine).open(generation.engine_dir, fields)
        return cls(generation, engine, analyzer, fields, DocumentCodec(), options)

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
        made: bool | None = None,
    ) -> None:
        """Use :meth:`create` or :meth:`open`. ``made``: this object created the index
        where there was none (True: and its folder too)."""
        self.path = root
        self._shown = shown
        self._key = os.path.realpath(root)
        self._opened = opened
        self._refresh_interval = refresh_interval
        self._settings = SettingsFile(root)
        self._synonyms = SynonymsFile(root)
        self._snapshot: Snapshot | None = None
        self._swap_lock = threading.Lock()
        self._next_check = 0.0
        self._seen_local = -1
        self._lock = lock
        # The old marker while this object rebuilds the index beside it (see create).
        self._replacing = replacing
        self._made = made
        # Whether this object committed a change (a new index it made is then kept).
        self._committed = False
        self._writer: EngineWriter | None = None
        self._sources: SourceFiles | None = None
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
        stem_positions: bool = True,
        spellings: str | None = None,
        overwrite: bool = False,
        refresh_interval: float = DEFAULT_REFRESH_INTERVAL,
        shards: Sequence[str] = (),
    ) -> Index:
        """Make a new, empty index at ``path`` (a directory, created when missing).

        ``analyzer`` gives the whole analysis (stop words included); ``stemmer`` and
        ``fold_hamza`` are shortcuts for the default analyzer with that change.
        ``fields`` is the field table: which metadata is filtered, faceted, sorted.

        Two options trade size or indexing time for a ranking lever (see "Relevance
        levers (issue 14)" in bench/RESULTS.md). ``stem_positions`` (on by default) keeps
        the positions of the body's stems, so that neighbouring query words are rewarded
        when found close together in any form (``Ranking.stem_proximity``): a larger
        index; ``stem_positions=False`` matches them by exact forms only.
        ``spellings="hamza"`` (or ``"vowels"``; off by default) derives, at each commit,
        the pairs of frequent indexed words written two ways (مسؤول, مسئول), searched for
        each other (``Ranking.spelling_weight``): slower commits.

        A folder that holds an index is refused unless ``overwrite=True``. Then the new
        index is built beside the old one, which readers keep seeing until this object
        is closed: :meth:`close` swaps the new index in, and a ``with`` block that ends
        in an exception (or ``close(discard=True)``) leaves the old one as it was. A
        folder that holds other files and no index is refused, even with ``overwrite=True``.

        ``shards`` (xapian only): ``"HOST:PORT"`` strings, one per shard server
        (``arsearch shard serve``), with the shard's read replicas after commas
        (``"h1:7001,h2:7001"``). The documents then live on the servers, which this
        empties; ``path`` keeps the shard list, and every door reads it from there.
        """
        if engine not in ENGINES:
            raise UsageError(f"Unknown engine '{engine}'. Choose one of: {', '.join(ENGINES)}.")
        factory = get_factory(engine, shards=shards)
        chosen = _analyzer_for(analyzer, stemmer, fold_hamza)
        options = IndexOptions(stem_positions=stem_positions, spellings=spellings)  # type: ignore[arg-type]
        if not isinstance(fields, FieldTable):
            raise TypeError(f"fields must be a FieldTable, not {type(fields).__name__}.")
        shown = _path(path)
        _check_interval(refresh_interval)
        root = Path(path)
        with _disk(root, shown, "create"):
            made_folder = not root.exists()
            root.mkdir(parents=True, exist_ok=True)
            # Refused before the lock file is made: a folder of other files stays untouched.
            layout.check_creatable(root, shown, overwrite)
            lock = layout.WriterLock(root, shown)
            try:
                old = layout.check_creatable(root, shown, overwrite)
                current = old.get("generation") if old else None
                layout.remove_stale_generations(root, {current} if current else set(), old or {})
                generation = layout.make_generation(
                    root,
                    engine,
                    chosen.to_config(),
                    fields.to_config(),
                    options.to_config(),
                )
                generation.engine_dir.mkdir()
                created = factory.create(
                    generation.engine_dir, fields, stem_positions=options.stem_positions
                )
                opened = _Opened(generation, created, chosen, fields, DocumentCodec(), options)
                if old is None:
                    layout.commit_marker(root, generation.name, 0)
                    lock.release()
                    return cls(
                        root, shown, opened, refresh_interval=refresh_interval, made=made_folder
                    )
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
        stem_positions: bool | None = None,
        refresh_interval: float = DEFAULT_REFRESH_INTERVAL,
        shards: Sequence[str] = (),
    ) -> Index:
        """Open the index at ``path``; raises NoIndexError when there is none.

        ``create=True`` makes one when there is none, with ``engine``, ``stemmer`` (or
        ``analyzer``), ``fields``, ``stem_positions`` and ``shards`` (see :meth:`create`).
        ``overwrite=True`` always builds a new one, with the settings of the index it
        replaces for every one of those not given (its engine, analysis, fields, options
        and shard servers), as a reindex keeps its mapping. An existing index whose
        settings differ from those given is refused with the fix.
        """
        shown = _path(path)
        _check_interval(refresh_interval)
        root = Path(path)

        def new_index(previous: Previous) -> Index:
            chosen = engine or previous.engine or DEFAULT_ENGINE
            kept = previous.options or IndexOptions()
            return cls.create(
                path,
                engine=chosen,
                stemmer=stemmer,
                analyzer=analyzer or (None if stemmer else previous.analyzer),
                fields=fields or previous.fields or FIELDS,
                stem_positions=kept.stem_positions if stem_positions is None else stem_positions,
                spellings=kept.spellings,
                overwrite=overwrite,
                refresh_interval=refresh_interval,
                shards=shards or (previous.shards if chosen == previous.engine else ()),
            )

        if overwrite:
            return new_index(previous_settings(root, shown))
        try:
            marker = layout.read_marker(root, shown)
        except NoIndexError:
            if not create:
                raise
            return new_index(Previous())
        with _disk(root, shown, "read"):
            opened = _Opened.load(root, marker.generation, shown)
        _check_settings(shown, opened, engine, stemmer, analyzer, fields, stem_positions)
        if shards:  # the same shards again (a re-run), or an error naming the fix
            generation = opened.generation
            get_factory(generation.engine, shards=shards).open(generation.engine_dir, opened.fields)
        return cls(root, shown, opened, refresh_interval=refresh_interval)

    def close(self, *, discard: bool = False) -> None:
        """Drop uncommitted changes and release the writer lock and every reader.

        An index being rebuilt (``create(..., overwrite=True)``) replaces the old one
        now with what was committed; with ``discard=True`` it is thrown away instead
        and the old one stays. An index this object created where there was none is
        removed by ``discard=True`` when nothing was committed to it (its folder too,
        when it was made for it). Writing afterwards raises UsageError; reading still
        works (it takes the newest commit again, until the next ``close``).
        """
        first = not self._closed
        self._closed = True
        try:
            if not first:
                return
            if self._sources is not None:
                self._sources.discard()
                self._sources = None
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            if self._replacing is not None:
                with self._disk():
                    self._finish_rebuild(discard)
        finally:
            snapshot, self._snapshot = self._snapshot, None
            if snapshot is not None:
                snapshot.release()
            self._opened.engine.close()
            if first and discard and self._made is not None and not self._committed:
                self._remove_new()
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def _remove_new(self) -> None:
        """Remove the index this object created, unless another writer committed to it."""
        taken = None
        if self._lock is None:
            try:
                taken = layout.WriterLock(self.path, self._shown)
            except (IndexLockedError, OSError):
                return  # someone else writes to it now: it is theirs too
        try:
            marker = layout.read_marker(self.path, self._shown)
            if marker.generation == self._opened.generation.name and not marker.documents:
                layout.remove_new_index(self.path, marker.generation, folder=bool(self._made))
        except (NoIndexError, IndexFormatError):
            pass
        finally:
            if taken is not None:
                taken.release()

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
            if not failed and (self._writer is not None or self._sources is not None):
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

    @property
    def settings(self) -> Settings:
        """The index's settings (``arsearch.toml`` in its directory), read again when changed."""
        return self._settings.current()

    @property
    def options(self) -> IndexOptions:
        """The options the index was created with (stem positions, spellings)."""
        return self._opened.options

    @property
    def synonyms(self) -> Synonyms:
        """The index's synonyms (``arsearch.synonyms`` in its directory), read again when
        changed."""
        return self._synonyms.current()

    def set_synonyms(
        self,
        synonyms: Synonyms
        | str
        | os.PathLike[str]
        | Iterable[str]
        | Mapping[str, Iterable[str] | str]
        | None,
    ) -> Synonyms:
        """Replace the index's synonyms; searches use the new ones at once, with no rebuild.

        ``synonyms``: a :class:`~arsearch.index.synonyms.Synonyms`; a path to a
        synonyms file (plain text, one group a line, or JSON); a list of groups
        written as lines (``["ج.م.ع => مصر", "الأمم المتحدة, الامم المتحده, UN"]``);
        a mapping of a word to its synonyms (one-way, as Meilisearch takes them);
        or None (or no groups) to remove them all. A bad file or group raises
        SynonymsError as ``path:line: reason``, and the synonyms stay as they were.
        Returns the synonyms now in force.
        """
        self._check_open()
        if synonyms is None:
            chosen = Synonyms()
        elif isinstance(synonyms, Synonyms):
            chosen = synonyms
        elif isinstance(synonyms, (str, os.PathLike)):
            chosen = Synonyms.read(synonyms)
        elif isinstance(synonyms, Mapping):
            chosen = Synonyms.from_mapping(synonyms)
        elif isinstance(synonyms, Iterable):
            chosen = Synonyms.from_lines(synonyms)
        else:
            raise TypeError(
                "synonyms must be a path, a list of groups, a mapping or Synonyms, "
                f"not {type(synonyms).__name__}."
            )
        write_synonyms(self.path, chosen)
        return self._synonyms.current(now=True)

    # -- snapshots -----------------------------------------------------------

    def _load(self) -> Snapshot:
        """A snapshot of the newest commit (of the generation the marker names)."""
        if self._replacing is not None:
            return self._snapshot_of(self._opened, layout.marker_stamp(self.path), None)
        failure: Exception | None = None
        for attempt in range(_OPEN_ATTEMPTS):
            stamp = layout.marker_stamp(self.path)
            marker = layout.read_marker(self.path, self._shown)
            try:
                opened = self._opened
                if opened.generation.name != marker.generation:
                    opened = _Opened.load(self.path, marker.generation, self._shown)
                return self._snapshot_of(opened, stamp, marker)
            except ShardUnavailableError:
                raise  # the engine already failed over and waited: say so at once
            except (IndexFormatError, IndexIOError) as error:
                failure = error
                if layout.marker_stamp(self.path) == stamp:
                    raise
            except Exception as error:
                # A writer in another process may remove the files of a commit it
                # just replaced while this reader opens them (or a rebuild swaps the
                # generation): read the newest state again, after a short wait. Other
                # OS errors (permissions, a failing disk) are told as they are.
                failure = error
                if layout.marker_stamp(self.path) == stamp:
                    clear = layout.io_error(error, self.path, self._shown, "read")
                    if clear is not None and layout.os_error_number(error) != errno.ENOENT:
                        raise clear from None
                    time.sleep(0.005 * 2**attempt)
        raise IndexFormatError(
            f"The index at '{self._shown}' cannot be read ({failure}).",
            rebuild_remedy(self._shown),
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
            options=opened.options,
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
        labels = self._settings.current().labels
        synonyms = self._synonyms.current()
        return Searcher(self._claimed(), ranking or DEFAULT_RANKING, labels, synonyms)

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
        """Documents, engine, analyzer, size on disk, last commit and the index's options."""
        with self.searcher() as searcher:
            return searcher.stats()

    # -- writing -------------------------------------------------------------

    def _disk(self, doing: str = "write to") -> contextlib.AbstractContextManager[None]:
        """OS errors (a full disk, a read-only folder...) as one clear IndexIOError."""
        return _disk(self.path, self._shown, doing)

    def _start_writing(self) -> SourceFiles:
        """Take the writer lock (once); the source files of the generation written to."""
        self._check_open()
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
            if self._sources is None:
                self._sources = SourceFiles(self._opened.generation.path)
        return self._sources

    def _engine_writer(self) -> EngineWriter:
        """The engine's writer, opened at the first change (opening one may write files)."""
        self._start_writing()
        if self._writer is None:
            with self._disk():
                self._writer = self._opened.engine.writer()
        return self._writer

    def _put(self, document: EngineDocument) -> None:
        self._engine_writer().add(document)

    def add(
        self,
        documents: Document | Mapping[str, Any] | Iterable[Document | Mapping[str, Any]],
        *,
        batch_size: int | None = None,
        progress: Callable[[AddSummary], None] | None = None,
        workers: int | None = 1,
    ) -> AddSummary:
        """Add documents, replacing those with the same id; unchanged ones are skipped.

        ``documents``: a :class:`Document`, a mapping (as :meth:`Document.from_dict`
        takes), or an iterable of them. An iterable is committed every ``batch_size``
        documents (0: only by :meth:`commit`; None: the engine's own, 5,000 for tantivy
        and xapian, 10,000 for whoosh), so a crash loses at most one batch and a re-run
        finishes the job. Documents stream through: memory stays bounded
        whatever their number. ``progress`` is called after each document.

        ``workers`` > 1 (None: one per core) analyzes, past a few thousand
        documents, in that many spawned processes, as ``arsearch index`` does;
        like any code that spawns processes, the calling script then needs the
        ``if __name__ == "__main__":`` guard, so the default is 1.
        """
        items = ((document, None) for document in _documents(documents))
        return self._add(items, AddSummary(), batch_size, progress, workers)

    def add_files(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        prune: bool = False,
        on_error: Callable[[DocumentError], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        batch_size: int | None = None,
        progress: Callable[[AddSummary], None] | None = None,
        workers: int | None = 1,
    ) -> AddSummary:
        """Add the documents of files and folders (see :func:`~arsearch.documents.read_documents`),
        remembering the file each one was read from.

        A path that does not exist raises UsageError before anything is read. Each bad
        record goes to ``on_error`` (without it, the first one raises DocumentError);
        ``on_notice`` hears one-line notes; records over ``max_record_bytes`` are bad
        records. ``progress`` sees the summary after each
        document, with :attr:`AddSummary.bytes_read` of :attr:`AddSummary.bytes_total`.

        ``prune=True`` then deletes the documents whose source file is gone, and those
        that a file read here without errors no longer holds. Documents added without
        a file (by :meth:`add`, or before arsearch recorded files) are kept. The
        other arguments are those of :meth:`add`.
        """
        if isinstance(paths, (str, bytes, os.PathLike)):
            raise TypeError("paths must be a list of paths, not a single path.")
        paths = [_path(path) for path in paths]
        missing = [path for path in paths if not os.path.lexists(path)]
        if missing:
            raise UsageError(f"{missing[0]}: no such file or directory; nothing was added.")
        reading = ReadProgress()
        summary = AddSummary(bytes_total=total_size(paths))
        summary._reading = reading
        failed: set[str] = set()

        def report(error: DocumentError) -> None:
            failed.add(os.path.abspath(error.path))
            if on_error is not None:
                on_error(error)

        documents = read_documents(
            paths,
            on_error=report if on_error is not None else None,
            on_notice=on_notice,
            max_record_bytes=max_record_bytes,
            progress=reading,
        )
        seen: dict[str, set[str]] = {}

        def items() -> Iterator[tuple[Document, str | None]]:
            for document in documents:
                file = os.path.abspath(reading.file) if reading.file else None
                if prune and file is not None:
                    seen.setdefault(file, set()).add(document.id)
                yield document, file

        self._add(items(), summary, batch_size, progress, workers)
        if prune:
            summary.pruned = self._prune(seen, failed, on_notice)
        return summary

    def _prune(
        self,
        seen: Mapping[str, set[str]],
        failed: set[str],
        on_notice: Callable[[str], None] | None,
    ) -> int:
        """Delete the documents whose file is gone or, read in full, no longer holds them."""
        sources = self._start_writing()
        stale: list[str] = []
        recorded = 0
        for file, ids in sources.ids_by_file().items():
            recorded += len(ids)
            if file in seen and file not in failed:
                stale.extend(doc_id for doc_id in ids if doc_id not in seen[file])
            elif file not in seen and not os.path.lexists(file):
                stale.extend(ids)
        pruned = sum(1 for doc_id in stale if self.delete(doc_id))
        self.commit()
        if pruned:
            sources.compact()
        unknown = len(self) - (recorded - pruned)
        if unknown > 0 and on_notice is not None:
            one = unknown == 1
            on_notice(
                f"no source file is recorded for {unknown:,} document{'' if one else 's'} "
                "(added without one, or by an older arsearch); "
                + (
                    "it was kept: index its file again to record it"
                    if one
                    else "they were kept: index their files again to record them"
                )
            )
        return pruned

    def _add(
        self,
        items: Iterator[tuple[Document, str | None]],
        summary: AddSummary,
        batch_size: int | None,
        progress: Callable[[AddSummary], None] | None,
        workers: int | None,
    ) -> AddSummary:
        if batch_size is None:
            batch_size = get_factory(self.engine).batch_size
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
        self._start_writing()
        with self._disk():
            items, large = self._prepare_codec(items)
            pipeline = DocumentPipeline(
                self._opened.analyzer,
                self._opened.codec,
                self._opened.fields,
                self._put,
                workers=default_workers() if workers is None else workers,
                # A full training sample: a large add, analyzed in the workers from the start.
                eager=large,
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
        items: Iterator[tuple[Document, str | None]],
        pipeline: DocumentPipeline,
        summary: AddSummary,
        batch_size: int,
        progress: Callable[[AddSummary], None] | None,
    ) -> None:
        sources = self._start_writing()
        # A rebuild's commits are seen by no reader and dropped by a crash (the old
        # index stays): it commits once, at the end, into fewer and larger segments.
        batch_size = 0 if self._replacing is not None else batch_size

        def commit_batch(batch: int) -> Callable[[], None]:
            def commit() -> None:
                # Called by the pipeline once the batch's last document is in the
                # engine; those queued after it stay uncommitted.
                later, waiting = self._pending, pipeline.pending_ids()
                self._pending = batch
                self.commit()
                self._uncommitted |= waiting
                self._pending = later
                # The batch's engine buffers are freed: let the system have them.
                release_free_memory()

            return commit

        with contextlib.ExitStack() as stack:
            snapshot = stack.enter_context(self._reading())
            # In an index empty when the add began only its own ids can be found:
            # they are remembered (up to a bound) instead of looked up.
            added: set[str] | None = None
            if snapshot.reader.count() == 0 and not self._uncommitted:
                added = set()
            for document, file in items:
                if document.id in self._uncommitted:
                    # Not every engine replaces a document added since the last
                    # commit: make the first version durable first.
                    pipeline.flush()
                    self.commit()
                if self._snapshot is not snapshot:
                    # A commit since: look ids up in it.
                    stack.close()
                    snapshot = stack.enter_context(self._reading())
                if added is not None and len(added) >= _REMEMBERED_IDS:
                    added = None
                self._add_one(document, snapshot, added, pipeline, summary)
                sources.note(document.id, file)
                if batch_size and self._pending >= batch_size:
                    pipeline.barrier(commit_batch(self._pending))
                    self._pending = 0
                if progress is not None:
                    progress(summary)

    def _add_one(
        self,
        document: Document,
        snapshot: Snapshot,
        added: set[str] | None,
        pipeline: DocumentPipeline,
        summary: AddSummary,
    ) -> None:
        if added is None:
            known = snapshot.reader.contains(document.id)
        else:
            known = document.id in added
            added.add(document.id)
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

    def _prepare_codec(
        self, items: Iterator[tuple[Document, str | None]]
    ) -> tuple[Iterator[tuple[Document, str | None]], bool]:
        """Train the stored-text dictionary on the first documents of a new, large index.

        Also says whether the add is known to be large (a full training sample).
        """
        opened = self._opened
        if opened.codec.dictionary is not None or self._trained:
            return items, False
        with self._reading() as snapshot:
            if snapshot.reader.count():
                return items, False
        self._trained = True
        head = list(itertools.islice(items, TRAINING_SAMPLE))
        dictionary = train_dictionary([document for document, _file in head])
        if dictionary is not None:
            opened.generation.write_dictionary(dictionary)
            self._opened = replace(opened, codec=DocumentCodec(dictionary))
        return itertools.chain(head, items), len(head) == TRAINING_SAMPLE

    def delete(self, doc_id: str) -> bool:
        """Delete the document ``doc_id``; False when there was none."""
        if not isinstance(doc_id, str):
            raise TypeError(f"A document id must be a string, not {type(doc_id).__name__}.")
        sources = self._start_writing()
        if without_surrogates(doc_id) != doc_id:
            return False  # no index term can hold it, so no document has it
        with self._reading() as snapshot:
            if not snapshot.reader.contains(doc_id):
                return False
        with self._disk():
            self._engine_writer().delete(doc_id)
        sources.note(doc_id, None)
        self._pending += 1
        return True

    def commit(self) -> None:
        """Make every change durable and visible to readers, atomically.

        With no change since the last commit (a re-run over the same documents),
        nothing is written. A commit that fails (a full disk) keeps the last commit and
        drops the changes since, as :meth:`rollback` does: add them again.
        """
        self._check_open()
        if not self._pending:
            if self._sources is not None:
                self._sources.flush()  # where unchanged documents now come from
            return
        with self._disk():
            writer = self._engine_writer()
            try:
                writer.commit()
            except BaseException:
                # The changes are lost, and the engine's writer is left half-way (tantivy's
                # then drops later changes unsaid, whoosh's fails on them): start again from
                # the last commit, so that adding again on this object just works. Should
                # that fail too, the commit's error is still the one to tell.
                with contextlib.suppress(Exception):
                    self.rollback()
                raise
            self._pending = 0
            self._uncommitted.clear()
            self._committed = True
            if self._sources is not None:
                self._sources.flush()
            self._derive_spellings()
            if self._replacing is None:
                reader = self._opened.engine.reader()
                try:
                    documents = reader.count()
                finally:
                    reader.close()
                layout.commit_marker(self.path, self._opened.generation.name, documents)
                _note_local_commit(self._key)
        self._install(force=True)

    def _derive_spellings(self) -> None:
        """Record the name-spelling pairs of the commit just made, when the index keeps them.

        Written before the marker names the commit: a reader of the previous commit
        that reads them meanwhile gets pairs one commit newer, which only adds words.
        """
        opened = self._opened
        rule = opened.options.spellings
        if rule is None:
            return
        reader = opened.engine.reader()
        try:
            pairs = SpellingPairs.derive(reader, rule, opened.analyzer.word_stem)
        finally:
            reader.close()
        pairs.write(opened.generation.path)

    def rollback(self) -> None:
        """Forget every change since the last commit."""
        self._check_open()
        if self._writer is not None:
            self._writer.rollback()
            self._pending = 0
            self._uncommitted.clear()
        if self._sources is not None:
            self._sources.discard()


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
    shown = os.fspath(path)
    if not isinstance(shown, str):
        raise TypeError(f"path must be a string or a path, not {type(shown).__name__}.")
    # Neither can name a file: the OS would fail with "embedded null byte" or an encoding error.
    if "\x00" in shown:
        raise ValueError(f"path {shown!r:.80} holds a NUL character, which no file name can hold.")
    try:
        os.fsencode(shown)
    except UnicodeEncodeError as error:
        char = ord(error.object[error.start])
        raise ValueError(
            f"path {shown!r:.80} holds a lone surrogate (U+{char:04X}), "
            "which no file name can hold."
        ) from None
    return shown


def _check_interval(refresh_interval: object) -> None:
    if isinstance(refresh_interval, bool) or not isinstance(refresh_interval, (int, float)):
        kind = type(refresh_interval).__name__
        raise TypeError(f"refresh_interval must be a number of seconds, not {kind}.")
    if not refresh_interval >= 0:  # NaN too
        raise ValueError(f"refresh_interval must be 0 or more seconds, not {refresh_interval}.")


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
    stem_positions: bool | None,
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
    kept = opened.options.stem_positions
    if stem_positions is not None and stem_positions != kept:
        raise UsageError(
            f"The index at '{shown}' was built {'with' if kept else 'without'} stem "
            "positions; to switch,",
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
