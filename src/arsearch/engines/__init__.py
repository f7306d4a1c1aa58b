"""Storage engines behind one small protocol; only this package knows their APIs.

The index layer imports these names and nothing else of the package.
"""

from __future__ import annotations

from ..errors import UsageError
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
]

#: The engine names accepted by ``--engine`` and ``Index.create(engine=...)``.
ENGINES = ("tantivy", "whoosh")


def get_factory(name: str) -> EngineFactory:
    """The factory of the engine called ``name``; imports it only when asked."""
    if name == "tantivy":
        from .tantivy_engine import TantivyFactory

        return TantivyFactory()
    if name == "whoosh":
        from .whoosh_engine import WhooshFactory

        return WhooshFactory()
    raise UsageError(f"Unknown engine '{name}'. Choose one of: {', '.join(ENGINES)}.")
