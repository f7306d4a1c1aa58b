"""Storage engines behind one small protocol; only this package knows their APIs.

The index layer imports these names and nothing else of the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import ArsearchError, UsageError
from .base import (
    BODY,
    BODY_EXACT,
    EXACT_FIELDS,
    STEM_FIELDS,
    TITLE,
    TITLE_EXACT,
    AllNode,
    BoolNode,
    Engine,
    EngineDocument,
    EngineFactory,
    EngineHit,
    EngineReader,
    EngineResults,
    EngineWriter,
    FilterSpec,
    PhraseNode,
    PlanNode,
    TermNode,
    date_column,
)

__all__ = [
    "BODY",
    "BODY_EXACT",
    "ENGINES",
    "EXACT_FIELDS",
    "STEM_FIELDS",
    "TITLE",
    "TITLE_EXACT",
    "AllNode",
    "BoolNode",
    "Engine",
    "EngineDocument",
    "EngineFactory",
    "EngineHit",
    "EngineReader",
    "EngineResults",
    "EngineWriter",
    "FilterSpec",
    "PhraseNode",
    "PlanNode",
    "TermNode",
    "date_column",
    "get_factory",
    "recorded_shards",
]

#: The engine names accepted by ``--engine`` and ``Index.create(engine=...)``.
ENGINES = ("tantivy", "whoosh", "xapian")


def get_factory(name: str, *, shards: Sequence[str] = ()) -> EngineFactory:
    """The factory of the engine called ``name``; imports it only when asked.

    ``shards`` (``HOST:PORT`` strings, replicas after commas) makes a new xapian
    index a cluster of those shard servers.
    """
    if shards and name != "xapian":
        raise UsageError(f"Only the xapian engine can be sharded, not '{name}'.")
    if name == "xapian":
        try:
            from .xapian import XapianFactory
        except ImportError:
            raise ArsearchError(
                "The xapian engine needs Xapian's Python bindings: "
                "pip install xapian-bindings-binary (Linux), or Debian's python3-xapian."
            ) from None
        return XapianFactory(shards)
    if name == "tantivy":
        from .tantivy_engine import TantivyFactory

        return TantivyFactory()
    if name == "whoosh":
        from .whoosh_engine import WhooshFactory

        return WhooshFactory()
    raise UsageError(f"Unknown engine '{name}'. Choose one of: {', '.join(ENGINES)}.")


def recorded_shards(name: str, folder: Path) -> tuple[str, ...]:
    """The shard servers that the engine ``name`` recorded in its folder: a cluster index's
    ``HOST:PORT`` strings (replicas after commas), or () for a local index.

    Raises ArsearchError for an unreadable list, ImportError without Xapian's bindings.
    """
    if name != "xapian":
        return ()
    from .xapian import Cluster

    cluster = Cluster.load(folder)
    return () if cluster is None else cluster.specs()
