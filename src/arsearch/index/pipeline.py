"""Documents to engine documents, in worker processes when there are many.

Analysis is pure Python and CPU-bound, so a large ``Index.add`` spreads it over
processes; the parent reads, checks what changed and feeds the engine, in input
order. Small adds stay in-process: starting workers costs more than it saves.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ..analysis import Analyzer
from ..engines import EngineDocument
from ..models import Document, FieldTable
from .builder import EngineRow, RowBuilder
from .codec import DocumentCodec, decode_record

__all__ = [
    "CHUNK",
    "PARALLEL_AFTER",
    "DocumentPipeline",
    "default_workers",
    "release_free_memory",
]

#: Documents sent to a worker at once.
CHUNK = 200
#: Documents an add must bring before workers are started.
PARALLEL_AFTER = 2_000
#: Chunks in flight at once; bounds memory whatever the corpus size.
MAX_IN_FLIGHT = 6

_PR_SET_PDEATHSIG = 1

_worker_builder: RowBuilder | None = None


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:  # pragma: no cover - no C library by that name
        return None


def _die_with_parent() -> None:
    # A parent killed with SIGKILL cannot stop its pool: have the kernel end the
    # worker too (Linux), instead of leaving it orphaned.
    prctl = getattr(_libc(), "prctl", None)
    if prctl is not None:  # Linux
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def release_free_memory() -> None:
    """Return the C allocator's free pages to the system (glibc's ``malloc_trim``).

    The engine's indexing and merging threads free each batch's buffers into
    their own malloc arenas, which keep the pages resident: after each commit of
    a build this gave back 14-28 MB of the command's peak at the news corpus
    (bench/RESULTS.md). Elsewhere than glibc, nothing happens.
    """
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _init_worker(
    config: dict[str, Any], dictionary: bytes | None, fields: list[dict[str, Any]]
) -> None:
    global _worker_builder
    _die_with_parent()
    # A terminal's Ctrl+C reaches the workers too: the parent handles it and stops them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_builder = RowBuilder(
        Analyzer.from_config(config), DocumentCodec(dictionary), FieldTable.from_config(fields)
    )


# A queued document: its stored JSON and content hash when the parent already
# computed them (to compare with a committed version), else its fields.
_Queued = tuple[bytes | dict[str, Any], str | None, bool]
# A chunk in the workers: its result, its documents' ids, the barriers to call after it.
_InFlight = tuple["Future[list[EngineRow]]", list[str], list[Callable[[], None]]]


def _make_chunk(chunk: list[_Queued]) -> list[EngineRow]:
    assert _worker_builder is not None
    rows = []
    for payload, digest, replaces in chunk:
        if isinstance(payload, bytes):
            rows.append(_worker_builder.row(decode_record(payload), payload, digest, replaces))
        else:
            rows.append(_worker_builder.row(payload, None, digest, replaces))
    return rows


def default_workers() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class DocumentPipeline:
    """Turns documents into engine documents and hands them to ``sink`` in input order."""

    def __init__(
        self,
        analyzer: Analyzer,
        codec: DocumentCodec,
        fields: FieldTable,
        sink: Callable[[EngineDocument], None],
        *,
        workers: int,
        eager: bool = False,
    ) -> None:
        """``eager``: start the workers at the first document (an add known to be large)."""
        self._analyzer = analyzer
        self._codec = codec
        self._fields = fields
        self._builder = RowBuilder(analyzer, codec, fields)
        self._sink = sink
        self._workers = workers
        self._seen = 0
        self._pool: ProcessPoolExecutor | None = None
        self._chunk: list[_Queued] = []
        self._chunk_ids: list[str] = []
        # Each chunk submitted: its future, its ids, and the barriers set right after it.
        self._in_flight: deque[_InFlight] = deque()
        if eager and workers > 1:
            self._start()

    def put(
        self, document: Document, encoded: bytes | None, digest: str | None, replaces: bool
    ) -> None:
        """Queue one document; its record reaches the sink now or on a later call.

        ``encoded`` and ``digest`` (its stored JSON and content hash) are computed
        here, in a worker when there are workers, unless the caller has them.
        """
        self._seen += 1
        if self._pool is None:
            if self._workers > 1 and self._seen > PARALLEL_AFTER:
                self._start()
            else:
                self._sink(self._builder.build(document, encoded, digest, replaces))
                return
        payload = encoded if encoded is not None else document.to_dict()
        self._chunk.append((payload, digest, replaces))
        self._chunk_ids.append(document.id)
        if len(self._chunk) >= CHUNK:
            self._submit()

    def barrier(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once every document queued so far is in the sink, before any later.

        The workers go on analyzing the documents queued after it meanwhile, so a
        commit made there does not leave them idle.
        """
        if self._chunk:
            self._submit(callback)
        elif self._in_flight:
            self._in_flight[-1][2].append(callback)
        else:
            callback()

    def pending_ids(self) -> set[str]:
        """The ids of the documents queued that have not reached the sink yet."""
        ids = set(self._chunk_ids)
        for _, chunk_ids, _ in self._in_flight:
            ids.update(chunk_ids)
        return ids

    def _start(self) -> None:
        # "spawn": the parent runs engine threads, which must not be forked.
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(
                self._analyzer.to_config(),
                self._codec.dictionary,
                self._fields.to_config(),
            ),
        )

    def _submit(self, barrier: Callable[[], None] | None = None) -> None:
        assert self._pool is not None
        future = self._pool.submit(_make_chunk, self._chunk)
        self._in_flight.append((future, self._chunk_ids, [barrier] if barrier else []))
        self._chunk, self._chunk_ids = [], []
        while len(self._in_flight) > MAX_IN_FLIGHT:
            self._drain_one()

    def _drain_one(self) -> None:
        future, _, barriers = self._in_flight.popleft()
        for row in future.result():
            self._sink(EngineDocument(*row))
        for barrier in barriers:
            barrier()

    def flush(self) -> None:
        """Hand every queued record to the sink (before a commit)."""
        if self._chunk:
            self._submit()
        while self._in_flight:
            self._drain_one()

    def close(self) -> None:
        """Stop the workers; queued work not flushed is dropped."""
        if self._pool is not None:
            for future, _, _ in self._in_flight:
                future.cancel()
            self._in_flight.clear()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
