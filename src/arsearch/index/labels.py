"""How the values of keyword fields are shown, and which stored values a shown label selects.

The labels come from an index's settings (``[labels.<field>]`` in its ``arsearch.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from ..analysis import normalize
from ..query import Filters

__all__ = ["Labels"]


class Labels:
    """How the values of keyword fields are shown, and which values a shown label selects.

    A value without a label is shown as it is stored. A filter on a label selects
    the values it labels (compared in normalized form: ``محليّات`` finds ``محليات``).

    >>> labels = Labels({"category": {"sport": "رياضة"}})
    >>> labels.label("category", "sport"), labels.values_for("category", "رياضه")
    ('رياضة', ('sport',))
    """

    __slots__ = ("_labels", "_reverse")

    def __init__(self, labels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        frozen = {name: dict(values) for name, values in (labels or {}).items() if values}
        self._labels: Mapping[str, Mapping[str, str]] = MappingProxyType(frozen)
        reverse: dict[str, dict[str, list[str]]] = {}
        for name, values in frozen.items():
            for value, label in values.items():
                reverse.setdefault(name, {}).setdefault(normalize(label), []).append(value)
        self._reverse = {
            name: {key: tuple(found) for key, found in by_label.items()}
            for name, by_label in reverse.items()
        }

    def __bool__(self) -> bool:
        return bool(self._labels)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Labels) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple((name, tuple(values.items())) for name, values in self._labels.items()))

    def __repr__(self) -> str:
        return f"Labels({self.to_dict()!r})"

    def label(self, name: str, value: str) -> str:
        """What the page shows for ``value`` of field ``name``."""
        return self._labels.get(name, {}).get(value, value)

    def of(self, name: str) -> Mapping[str, str]:
        """The labels of field ``name``: stored value -> label."""
        return self._labels.get(name, {})

    def values_for(self, name: str, shown: str) -> tuple[str, ...]:
        """The stored values of field ``name`` whose label is ``shown``."""
        by_label = self._reverse.get(name)
        if not by_label:
            return ()
        return by_label.get(normalize(shown), ())

    def expand(self, filters: Filters) -> Filters:
        """``filters`` with each labelled value also selecting the values it labels.

        >>> Labels({"category": {"sport": "رياضة"}}).expand(Filters({"category": ("رياضة",)}))
        Filters(values={'category': ('رياضة', 'sport')}, ranges={})
        """
        if not self._labels:
            return filters
        values = {
            name: tuple(
                dict.fromkeys(
                    found for value in items for found in (value, *self.values_for(name, value))
                )
            )
            for name, items in filters.values.items()
        }
        return replace(filters, values=values)

    def to_dict(self) -> dict[str, dict[str, str]]:
        """The labels as JSON-ready data: field -> stored value -> label."""
        return {name: dict(values) for name, values in self._labels.items()}
