"""What a rebuild keeps of the index it replaces: its engine, analysis, fields and options.

``arsearch index --rebuild`` (``Index.open(..., overwrite=True)``) builds the index anew
with the settings it was made with, as a reindex keeps a mapping: only what the
command names changes. An index too damaged to say what it was made with is
rebuilt with the defaults, since a rebuild is the remedy for damage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..analysis import NORMALIZATION_VERSION, Analyzer
from ..engines import ENGINES, recorded_shards
from ..errors import ArsearchError
from ..models import FieldTable
from . import layout
from .layout import Generation
from .options import IndexOptions

__all__ = ["Previous", "previous_settings"]


@dataclass(frozen=True)
class Previous:
    """The settings of the index a rebuild replaces; None (or ()) where none can be read."""

    engine: str | None = None
    analyzer: Analyzer | None = None
    fields: FieldTable | None = None
    options: IndexOptions | None = None
    shards: tuple[str, ...] = ()


def previous_settings(root: Path, shown: str) -> Previous:
    """The settings of the index at ``root``; an empty :class:`Previous` when there is none."""
    try:
        generation = Generation.load(root, layout.read_marker(root, shown).generation, shown)
    except (ArsearchError, OSError):
        return Previous()
    engine = generation.engine if generation.engine in ENGINES else None
    return Previous(
        engine=engine,
        analyzer=_analyzer(generation),
        fields=_fields(generation),
        options=_options(generation),
        shards=_shards(engine, generation),
    )


def _analyzer(generation: Generation) -> Analyzer | None:
    # The stemmer, stop words and hamza folding; normalized as this arsearch does, which
    # is the point of rebuilding an index made with an older normalization.
    config = {**generation.analyzer, "normalization": NORMALIZATION_VERSION}
    try:
        return Analyzer.from_config(config)
    except (ArsearchError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _fields(generation: Generation) -> FieldTable | None:
    try:
        return FieldTable.from_config(generation.fields)
    except (ArsearchError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _options(generation: Generation) -> IndexOptions | None:
    # An index made before the options existed records none: it gets today's defaults.
    if not generation.options:
        return None
    try:
        return IndexOptions.from_config(generation.options)
    except (ValueError, TypeError, AttributeError):
        return None


def _shards(engine: str | None, generation: Generation) -> tuple[str, ...]:
    if engine is None:
        return ()
    try:
        return recorded_shards(engine, generation.engine_dir)
    except (ArsearchError, ImportError):
        return ()
