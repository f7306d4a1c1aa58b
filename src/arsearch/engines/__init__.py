"""Storage engines behind one small protocol; only this package knows their APIs."""

from __future__ import annotations

from ..errors import UsageError
from .base import Engine, EngineFactory, EngineReader, EngineWriter

__all__ = ["ENGINES", "Engine", "EngineFactory", "EngineReader", "EngineWriter", "get_factory"]

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
