"""Keeping a serving process's long-lived objects out of the garbage collector's full passes.

A worker holds objects that live as long as it does: its modules, the app, the open
index and the word caches its searches fill. CPython's collector walks all of them in
each full (generation 2) collection, which it starts by itself every few seconds under
load: 30-80 ms of CPU in a worker serving the news index, during which no request of
that worker moves (bench/RESULTS.md, issue 12's third round). :func:`settle` moves
what has survived into the collector's permanent generation (``gc.freeze``) once the
app is made, and again at the end of each full collection (at most once per
:data:`FREEZE_INTERVAL`), so a full pass walks only what is new since the last.

What is frozen is reclaimed by reference counting as usual, but never by the cycle
collector. So :func:`thaw` returns it to the collector when a rebuilt index is served
(the previous generation's analyzer and its word caches, up to 120 MB, hold cycles),
and :func:`settle`'s hook does so every :data:`THAW_INTERVAL` too, for what else
became cyclic garbage while frozen (a previous commit's objects, the requests running
at a freeze). Each thaw costs one full pass over the whole heap, once.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any

__all__ = [
    "FREEZE_INTERVAL",
    "THAW_GRACE",
    "THAW_INTERVAL",
    "settle",
    "thaw",
    "unsettle",
]

#: Seconds between two freezes at least: each one also freezes the cyclic garbage of the
#: requests running at that moment, which only a thaw returns.
FREEZE_INTERVAL = 1.0
#: Seconds after which a freeze first thaws everything, so that a full pass sees it once.
THAW_INTERVAL = 600.0
#: Seconds without a freeze after a thaw: the requests of the previous commit end first.
THAW_GRACE = 10.0


class _Freezer:
    """The hook on the collector (``gc.callbacks``) and when it next freezes or thaws."""

    def __init__(self, freeze_interval: float, thaw_interval: float) -> None:
        self.freeze_interval = freeze_interval
        self.thaw_interval = thaw_interval
        self._lock = threading.Lock()
        now = time.monotonic()
        self._next_freeze = now + freeze_interval
        self._next_thaw = now + thaw_interval

    def after_collection(self, phase: str, info: dict[str, Any]) -> None:
        """Freeze what a full collection left, unless one did within the interval."""
        if phase != "stop" or info["generation"] != 2:
            return
        now = time.monotonic()
        with self._lock:
            if now < self._next_freeze:
                return
            self._next_freeze = now + self.freeze_interval
            if now >= self._next_thaw:
                # The next full collection walks everything once, then this freezes again.
                self._next_thaw = now + self.thaw_interval
                self._next_freeze = now + THAW_GRACE
                gc.unfreeze()
                return
        gc.freeze()

    def thaw(self) -> None:
        """Return the frozen objects to the collector, and freeze none for a grace."""
        with self._lock:
            # Requests of the previous commit may still run: let them end before the
            # full pass whose survivors are frozen next.
            self._next_freeze = time.monotonic() + THAW_GRACE
        gc.unfreeze()


_FREEZER: _Freezer | None = None


def settle(freeze_interval: float = FREEZE_INTERVAL, thaw_interval: float = THAW_INTERVAL) -> None:
    """Freeze this process's objects now, and what survives a full collection from now on.

    Call it in a serving process once its app is made (after the fork of a worker:
    frozen objects are not shared between processes). Calling it again changes only
    the intervals.
    """
    global _FREEZER
    gc.collect()
    gc.freeze()
    if _FREEZER is None:
        _FREEZER = _Freezer(freeze_interval, thaw_interval)
        gc.callbacks.append(_FREEZER.after_collection)
    else:
        _FREEZER.freeze_interval, _FREEZER.thaw_interval = freeze_interval, thaw_interval


def thaw() -> None:
    """Let the collector see the frozen objects again (a rebuilt index is served).

    Does nothing unless :func:`settle` was called in this process.
    """
    if _FREEZER is not None:
        _FREEZER.thaw()


def unsettle() -> None:
    """Undo :func:`settle`: no more freezing, and every frozen object back to the collector.

    For a process that stops serving but goes on (a test).
    """
    global _FREEZER
    if _FREEZER is not None:
        gc.callbacks.remove(_FREEZER.after_collection)
        _FREEZER = None
    gc.unfreeze()
