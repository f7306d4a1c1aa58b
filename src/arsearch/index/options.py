"""``IndexOptions``: what an index keeps for its ranking levers, chosen at ``Index.create``.

Each option costs index size or indexing time and buys a ranking lever
(bench/RESULTS.md, "Relevance levers (issue 14)"): stem positions are kept by
default, since proximity by stems measured better; name spellings are off. The
options are recorded in the generation (``generation.json``), with a version, so
every reader of the index knows what it holds; a generation that records none was
made before they existed, and has none.

>>> IndexOptions().to_config()
{'version': 1, 'stem_positions': True, 'spellings': None}
>>> IndexOptions(spellings="hamza").to_dict()
{'stem_positions': True, 'spellings': 'hamza'}
>>> IndexOptions.from_config({}).stem_positions
False
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .variants import SpellingRule, check_rule

__all__ = ["OPTIONS_VERSION", "IndexOptions"]

#: Bumped when an option's meaning on disk changes; an index recording a newer one is
#: refused with the fix (rebuild it).
OPTIONS_VERSION = 1


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """The options of one index (see the module's docstring)."""

    #: Keep the positions of the body's stems, so the proximity bonus can match
    #: neighbouring query words by their stems (``Ranking.stem_proximity``).
    stem_positions: bool = True
    #: Derive the index's name-spelling pairs at each commit, with this rule
    #: (``Ranking.spelling_weight``; see arsearch.index.variants); None: none.
    spellings: SpellingRule | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.stem_positions, bool):
            raise TypeError(
                f"stem_positions must be True or False, not {type(self.stem_positions).__name__}."
            )
        check_rule(self.spellings)

    def to_dict(self) -> dict[str, Any]:
        """The options as ``Index.create`` takes them, for people (``IndexStats``): JSON-ready."""
        return {"stem_positions": self.stem_positions, "spellings": self.spellings}

    def to_config(self) -> dict[str, Any]:
        """The options as recorded in the generation: JSON-ready, with their version."""
        return {"version": OPTIONS_VERSION, **self.to_dict()}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> IndexOptions:
        """The options a generation recorded (none recorded: an index made before the
        options existed, which keeps no stem positions).

        Raises ValueError for options of a newer arsearch, whose index this one cannot
        search as it was meant to.
        """
        if not config:
            return cls(stem_positions=False)
        version = config.get("version")
        if version != OPTIONS_VERSION:
            raise ValueError(
                f"index options version {version}; this arsearch reads {OPTIONS_VERSION}"
            )
        return cls(
            stem_positions=bool(config.get("stem_positions", False)),
            spellings=check_rule(config.get("spellings")),
        )
