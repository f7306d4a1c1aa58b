"""The index a web app serves: opened once per process, on the first request that finds it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from flask import Flask, current_app

from ..index import Index

__all__ = ["DEFAULT_INDEX", "EXTENSION", "IndexHolder", "current_holder", "using_index"]

#: The index directory when the config names none (the CLI's default too).
DEFAULT_INDEX = "index"
#: The key of the holder in ``app.extensions``.
EXTENSION = "arsearch"


class IndexHolder:
    """Opens the index at ``path`` once and shares it between requests.

    When there is no index yet, every request tries again, so an index built after the
    server started is served without a restart. ``Index.search`` itself moves to the
    newest commit, so documents indexed later are found too.

    Requests run in several threads (waitress); an ``Index`` may be searched from
    several threads at once, so :meth:`use` only hands it out.
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

    def get(self) -> Index:
        """The open index; raises NoIndexError while there is none at ``path``."""
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                self._index = Index.open(self.path)
            return self._index

    @contextmanager
    def use(self) -> Iterator[Index]:
        """The open index, for the length of the block."""
        yield self.get()

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
                holder = IndexHolder(app.config.get("INDEX") or DEFAULT_INDEX)
                app.extensions[EXTENSION] = holder
    assert isinstance(holder, IndexHolder)
    return holder


def using_index() -> AbstractContextManager[Index]:
    """``with using_index() as index:`` the current app's index, for this thread alone.

    Raises NoIndexError while there is none.
    """
    return current_holder().use()


_SETUP_LOCK = threading.Lock()
