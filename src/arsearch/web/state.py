"""The index a web app serves, opened once per process, and the searcher of each request.

flaskr's shape: :func:`get_searcher` is the one way a view reaches the index. A
request reads one commit from start to end (its searcher), and the searcher is
released when the request ends.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app, g

from ..errors import DEFAULT_INDEX_DIR
from ..index import Index, Searcher
from . import heap

__all__ = ["EXTENSION", "IndexHolder", "current_holder", "get_searcher", "release_searcher"]

#: The key of the holder in ``app.extensions``.
EXTENSION = "arsearch"
_G_KEY = "arsearch_searcher"


class IndexHolder:
    """Opens the index at ``path`` once and shares it between requests and threads.

    While there is no index yet, each request looks again, so an index built after
    the server started is served without a restart; the open index follows new
    commits and rebuilds by itself.
    """

    def __init__(self, source: str | os.PathLike[str] | Index) -> None:
        """``source``: an index directory, or an :class:`Index` already open (not closed here)."""
        self._lock = threading.Lock()
        if isinstance(source, Index):
            self._index: Index | None = source
            self.path = os.fspath(source.path)
            self._owned = False
        else:
            self._index = None
            self.path = os.fspath(source)
            self._owned = True
        #: The analyzer of the last generation served (a rebuilt index opens its own).
        self._analyzer: object = None

    def get(self) -> Index:
        """The open index; raises NoIndexError while there is none at ``path``."""
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                self._index = Index.open(self.path)
            return self._index

    def searcher(self) -> Searcher:
        """A searcher of the current commit; raises NoIndexError while there is none.

        The first searcher of a rebuilt index thaws the heap (:func:`heap.thaw`): the
        previous generation's analyzer and word caches hold reference cycles, which
        only the collector reclaims, and it does not look at frozen objects.
        """
        searcher = self.get().searcher()
        analyzer = searcher.analyzer
        if analyzer is not self._analyzer:
            if self._analyzer is not None:
                heap.thaw()
            self._analyzer = analyzer
        return searcher

    def close(self) -> None:
        """Close the index if this holder opened it."""
        with self._lock:
            if self._index is not None and self._owned:
                self._index.close()
            self._index = None


def current_holder(app: Flask | None = None) -> IndexHolder:
    """The holder of ``app`` (default: the current app), made from ``config["INDEX"]``."""
    app = app if app is not None else current_app
    holder = app.extensions.get(EXTENSION)
    if holder is None:
        with _SETUP_LOCK:
            holder = app.extensions.get(EXTENSION)
            if holder is None:
                holder = IndexHolder(app.config.get("INDEX") or DEFAULT_INDEX_DIR)
                app.extensions[EXTENSION] = holder
    assert isinstance(holder, IndexHolder)
    return holder


def get_searcher() -> Searcher:
    """The searcher of this request: one commit for the whole request.

    Raises NoIndexError while there is no index.
    """
    searcher = g.get(_G_KEY)
    if searcher is None:
        searcher = current_holder().searcher()
        setattr(g, _G_KEY, searcher)
    assert isinstance(searcher, Searcher)
    return searcher


def release_searcher(_error: BaseException | None = None) -> None:
    """Release the request's searcher (a ``teardown_request`` hook)."""
    searcher = g.pop(_G_KEY, None)
    if searcher is not None:
        searcher.close()


_SETUP_LOCK = threading.Lock()
