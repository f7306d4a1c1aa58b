"""``IndexOptions``: what an index keeps beyond the default, chosen at ``Index.create``.

Each option costs index size or indexing time and buys a ranking lever, so
none is on by default (bench/RESULTS.md, "Relevance levers"). The options are
recorded in the generation (``generation.json``), with a version, so every
reader of the index knows what it holds.

>>> IndexOptions(stem_positions=True).to_config()
{'version': 1, 'stem_positions': True, 'spellings': None}
>>> IndexOptions.from_config({}) == IndexOptions()
True
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
    stem_positions: bool = False
    #: Derive the index's name-spelling pairs at each commit, with this rule
    #: (``Ranking.spelling_weight``; see arsearch.index.variants); None: none.
    spellings: SpellingRule | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.stem_positions, bool):
            raise TypeError(
                f"stem_positions must be True or False, not {type(self.stem_positions).__name__}."
            )
        check_rule(self.spellings)

    def is_default(self) -> bool:
        """Whether no option is on (the generation then records none)."""
        return self == IndexOptions()

    def to_config(self) -> dict[str, Any]:
        """The options as recorded in the generation: JSON-ready."""
        return {
            "version": OPTIONS_VERSION,
            "stem_positions": self.stem_positions,
            "spellings": self.spellings,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> IndexOptions:
        """The options a generation recorded (none recorded: the default).

        Raises ValueError for options of a newer arsearch, whose index this one cannot
        search as it was meant to.
        """
        if not config:
            return cls()
        version = config.get("version")
        if version != OPTIONS_VERSION:
            raise ValueError(
                f"index options version {version}; this arsearch reads {OPTIONS_VERSION}"
            )
        return cls(
            stem_positions=bool(config.get("stem_positions", False)),
            spellings=check_rule(config.get("spellings")),
        )
