"""Writing to Xapian: one database, or one per shard with each document on one shard.

Every database is written inside a transaction that is always open: a commit
ends it and begins the next. Without one, Xapian commits by itself every few
thousand documents, and when a writer closes; with it, a rollback or a crash
drops every change since the last commit, as the engine protocol asks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import xapian

from ...errors import IndexLockedError, Remedy, ShardUnavailableError
from ..base import EngineDocument
from .schema import Schema, id_term

__all__ = ["LOCKED", "XapianWriter", "reason", "shard_of", "shard_remedy"]

LOCKED = (
    "Another process is writing to this index; wait for it to finish "
    "(one writer at a time, any number of readers)."
)


def shard_of(doc_id: str, shards: int) -> int:
    """The shard that holds ``doc_id``: a hash stable across processes and machines.

    >>> shard_of("d1", 1), shard_of("d1", 3) == shard_of("d1", 3)
    (0, True)
    """
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


#: Opens the writable database of shard ``number`` (raises xapian's errors).
Opener = Callable[[int], xapian.WritableDatabase]


class XapianWriter:
    """The single writer of a Xapian index of ``shards`` databases."""

    def __init__(self, schema: Schema, open_shard: Opener, names: Sequence[str]) -> None:
        self._schema = schema
        self._names = list(names)
        self._dbs: list[xapian.WritableDatabase] = []
        try:
            for number in range(len(self._names)):
                db = open_shard(number)
                self._dbs.append(db)
                db.begin_transaction()
        except xapian.DatabaseLockError:
            self._abandon()
            raise IndexLockedError(LOCKED) from None
        except xapian.NetworkError as error:
            self._abandon()
            raise self._unreachable([len(self._dbs)], error) from None

    def _unreachable(self, numbers: Sequence[int], error: Exception) -> ShardUnavailableError:
        names = ", ".join(self._names[n] for n in numbers)
        return ShardUnavailableError(
            f"Cannot write to shard {names} ({reason(error)}).",
            shard_remedy(),
        )

    def _abandon(self) -> None:
        for db in self._dbs:
            try:
                db.cancel_transaction()
                db.close()
            except xapian.Error:
                pass
        self._dbs = []

    def _db_of(self, doc_id: str) -> tuple[int, xapian.WritableDatabase]:
        if not self._dbs:
            raise RuntimeError("the writer is closed")
        number = shard_of(doc_id, len(self._dbs)) if len(self._dbs) > 1 else 0
        return number, self._dbs[number]

    def add(self, document: EngineDocument) -> None:
        number, db = self._db_of(document.id)
        doc = self._schema.document(document)
        try:
            if document.replaces:
                db.replace_document(id_term(document.id), doc)
            else:
                db.add_document(doc)
        except xapian.NetworkError as error:
            raise self._unreachable([number], error) from None

    def delete(self, doc_id: str) -> None:
        number, db = self._db_of(doc_id)
        try:
            db.delete_document(id_term(doc_id))
        except xapian.NetworkError as error:
            raise self._unreachable([number], error) from None

    def commit(self) -> None:
        """Commit every shard; the ones that fail are named after the others committed."""
        failed: list[int] = []
        last: Exception | None = None
        for number, db in enumerate(self._dbs):
            try:
                db.commit_transaction()
                db.begin_transaction()
            except xapian.NetworkError as error:
                failed.append(number)
                last = error
        if failed and last is not None:
            lost = self._unreachable(failed, last)
            self._abandon()
            raise ShardUnavailableError(
                f"{lost.message} The other shards committed; once it is back, run the "
                "same command again to write what it missed.",
                lost.remedy,
            )

    def rollback(self) -> None:
        for db in self._dbs:
            db.cancel_transaction()
            db.begin_transaction()

    def close(self) -> None:
        self._abandon()


def shard_remedy() -> Remedy:
    """How to bring a shard back, for each door."""
    return Remedy(
        "Start its server again (arsearch shard serve) or list a replica for it.",
        "Start its server again with: arsearch shard serve DIR --port PORT, or add a replica.",
    )


def reason(error: Exception) -> str:
    """Xapian's message without its "(context: ...)" part, which repeats the address.

    >>> reason(OSError("Couldn't connect (context: remote:tcp(h:1)) (Connection refused)"))
    "Couldn't connect (Connection refused)"
    """
    text = str(error).removeprefix("REMOTE:").strip()
    start = text.find(" (context:")
    if start >= 0:
        depth, end = 0, start + 1
        for end in range(start + 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        text = text[:start] + text[end + 1 :]
    return text.rstrip(".") or type(error).__name__
