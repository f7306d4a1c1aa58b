"""The Xapian engine: a C++ search library, in one folder or sharded over servers.

A local index keeps one Xapian database in the engine's folder. A cluster index
keeps only the list of its shards there (``cluster.json``); the documents live
on the shard servers (``arsearch shard serve``), each document on the shard a
hash of its id chooses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import xapian

from ...errors import IndexLockedError, Remedy, UsageError
from ...models import FieldTable
from .cluster import Cluster
from .reader import XapianReader
from .schema import Schema
from .writer import LOCKED, XapianWriter, shard_of

__all__ = ["NAME", "Cluster", "XapianEngine", "XapianFactory", "shard_of"]

NAME = "xapian"
#: Documents Xapian buffers before it writes them to its tables (inside the open
#: transaction, so nothing becomes visible). Its default, 10,000, was 20-25%
#: slower on the news corpus and held about 300 MB more.
FLUSH_THRESHOLD = 2000
#: Present in the engine's folder when the body's stems keep their positions.
_POSITIONS_FILE = "stem-positions"


class XapianEngine:
    """A Xapian index: one local database, or a cluster of shards."""

    name = NAME

    def __init__(
        self, path: Path, fields: FieldTable, cluster: Cluster | None, stem_positions: bool
    ) -> None:
        self._path = path
        self._schema = Schema(fields, stem_positions)
        self.cluster = cluster

    def reader(self) -> XapianReader:
        cluster = self.cluster
        if cluster is None:
            return XapianReader(self._schema, lambda: xapian.Database(str(self._path)))
        return XapianReader(self._schema, cluster.open_reader, cluster.lost)

    def writer(self) -> XapianWriter:
        cluster = self.cluster
        if cluster is not None:
            return XapianWriter(self._schema, cluster.open_writer, cluster.names())
        # Read when a database opens: only the environment can set it in Xapian 1.4.
        os.environ.setdefault("XAPIAN_FLUSH_THRESHOLD", str(FLUSH_THRESHOLD))
        return XapianWriter(self._schema, self._open_local, [str(self._path)])

    def _open_local(self, number: int) -> xapian.WritableDatabase:
        return xapian.WritableDatabase(str(self._path), xapian.DB_CREATE_OR_OPEN)

    def close(self) -> None:
        """Nothing to release: readers and writers hold the databases."""


class XapianFactory:
    """Creates and opens Xapian engines; with ``shards``, a cluster of shard servers."""

    name = NAME
    #: As tantivy's: Xapian flushes its own batches within a commit.
    batch_size = 5_000

    def __init__(self, shards: Sequence[str] = ()) -> None:
        self._cluster = Cluster.parse(shards) if shards else None

    def create(
        self, path: Path, fields: FieldTable, *, stem_positions: bool = False
    ) -> XapianEngine:
        if stem_positions:
            (path / _POSITIONS_FILE).write_text("stems keep positions\n", encoding="utf-8")
        cluster = self._cluster
        if cluster is None:
            try:
                xapian.WritableDatabase(str(path), xapian.DB_CREATE).close()
            except xapian.DatabaseLockError:
                raise IndexLockedError(LOCKED) from None
            return XapianEngine(path, fields, None, stem_positions)
        cluster.save(path)
        engine = XapianEngine(path, fields, cluster, stem_positions)
        _empty(engine)
        return engine

    def open(self, path: Path, fields: FieldTable) -> XapianEngine:
        cluster = Cluster.load(path)
        if self._cluster is not None and self._cluster != cluster:
            now = "the shards " + "; ".join(cluster.names()) if cluster else "no shards"
            raise UsageError(
                f"This index has {now}; to move it to other shards,",
                Remedy("pass overwrite=True.", "add --rebuild."),
            )
        return XapianEngine(path, fields, cluster, (path / _POSITIONS_FILE).exists())


def _empty(engine: XapianEngine) -> None:
    """Delete every document of a cluster's shards: a new index starts empty."""
    reader = engine.reader()
    try:
        ids = reader.all_ids()
    finally:
        reader.close()
    if not ids:
        return
    writer = engine.writer()
    try:
        for doc_id in ids:
            writer.delete(doc_id)
        writer.commit()
    finally:
        writer.close()
