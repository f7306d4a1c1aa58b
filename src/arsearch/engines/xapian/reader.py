"""Reading a Xapian database, local or a cluster of shards, behind the engine protocol.

Xapian 1.4 cannot pin an old revision: a reader survives one commit, and after
the next it raises ``DatabaseModifiedError``. The reader then moves to the
newest commit and answers the call again, so a long-lived reader may see
documents committed after it was made (never a half-made commit). A
``xapian.Database`` must not be used by two threads at once, so every call
holds the reader's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import xapian

from ..base import EngineHit, EngineResults, FilterSpec, PlanNode
from .schema import PREFIXES, Schema, id_term

__all__ = ["Connector", "XapianReader"]

T = TypeVar("T")
#: Times one call is answered again after its commit was discarded by a writer.
_REVISION_RETRIES = 20

#: Opens the database again (after a network failure): a cluster fails over here.
Connector = Callable[[], xapian.Database]


class XapianReader:
    """The newest commit of a Xapian database (see the module's docstring)."""

    def __init__(
        self,
        schema: Schema,
        connect: Connector,
        unreachable: Callable[[Exception], Exception] | None = None,
    ) -> None:
        self._schema = schema
        self._connect = connect
        self._unreachable = unreachable
        self._lock = threading.Lock()
        self._db: xapian.Database | None = connect()

    def _run(self, call: Callable[[xapian.Database], T]) -> T:
        with self._lock:
            retries = 0
            while True:
                db = self._db
                if db is None:
                    db = self._db = self._connect()
                try:
                    return call(db)
                except xapian.DatabaseModifiedError:
                    retries += 1
                    if retries > _REVISION_RETRIES:
                        raise
                    try:
                        db.reopen()
                    except xapian.Error:
                        self._db = None
                except xapian.NetworkError as error:
                    # A server died, or closed a connection left idle: open again
                    # (a cluster's connector moves to another replica or fails clearly).
                    self._db = None
                    retries += 1
                    if retries > 2:
                        if self._unreachable is None:
                            raise
                        raise self._unreachable(error) from None
            raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Release the database."""
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()

    def count(self) -> int:
        return int(self._run(lambda db: db.get_doccount()))

    def search(
        self,
        node: PlanNode,
        *,
        filters: FilterSpec,
        limit: int,
        sort_by: str | None,
        facets: Sequence[str],
    ) -> EngineResults:
        schema = self._schema
        query = schema.query(node, filters)

        def search(db: xapian.Database) -> EngineResults:
            enquire = schema.enquire(db, query, sort_by)
            spies = schema.facet_spies(facets)
            for spy in spies.values():
                enquire.add_matchspy(spy)
            # Checking every document gives the exact total and full facet counts.
            # (Never MSet.fetch(): it crashes in the 1.4.26 bindings after an offset.)
            found = enquire.get_mset(0, limit, db.get_doccount())
            hits = []
            for item in found:
                doc = item.document
                score = 0.0 if sort_by is not None else float(item.weight)
                hits.append(EngineHit(schema.doc_id(doc), score, bytes(doc.get_data())))
            total = int(found.get_matches_estimated())
            counts = {
                name: {value.term.decode("utf-8"): int(value.termfreq) for value in spy.values()}
                for name, spy in spies.items()
            }
            return EngineResults(total=total, hits=hits, facets=counts if total else {})

        return self._run(search)

    def _document(self, db: xapian.Database, doc_id: str) -> xapian.Document | None:
        for posting in db.postlist(id_term(doc_id)):
            doc = db.get_document(posting.docid)
            if self._schema.doc_id(doc) == doc_id:
                return doc
        return None

    def get(self, doc_id: str) -> bytes | None:
        def get(db: xapian.Database) -> bytes | None:
            doc = self._document(db, doc_id)
            return None if doc is None else bytes(doc.get_data())

        return self._run(get)

    def contains(self, doc_id: str, content_hash: str | None = None) -> bool:
        def contains(db: xapian.Database) -> bool:
            doc = self._document(db, doc_id)
            if doc is None:
                return False
            return content_hash is None or self._schema.doc_hash(doc) == content_hash

        return self._run(contains)

    def doc_freq(self, field: str, term: str) -> int:
        return int(self._run(lambda db: db.get_termfreq(PREFIXES[field] + term)))

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        start = PREFIXES[field]

        def terms(db: xapian.Database) -> list[tuple[str, int]]:
            found = [
                (item.term.decode("utf-8")[len(start) :], int(item.termfreq))
                for item in db.allterms(start + prefix)
            ]
            found.sort(key=lambda pair: (-pair[1], pair[0]))
            return found[:limit]

        return self._run(terms)

    def all_ids(self) -> list[str]:
        return self._run(self._schema.id_terms)
