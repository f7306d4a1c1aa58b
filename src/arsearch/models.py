"""Frozen value types shared by every layer: the field table, documents, marked text, results."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from re import compile as _compile
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "FIELDS",
    "Document",
    "Expansion",
    "Field",
    "FieldKind",
    "FieldTable",
    "Hit",
    "IndexStats",
    "Marked",
    "Results",
    "SortOrder",
    "Token",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})

#: How hits are ordered: by relevance, or newest first.
SortOrder = Literal["relevance", "date"]
#: What a document field holds: searched words, one exact value, or an ISO 8601 date.
FieldKind = Literal["text", "keyword", "date"]


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: the original slice, its offsets and its two index terms.

    ``text == original[start:end]`` always holds; ``exact`` is the normalized,
    unstemmed form and ``stem`` the light stem of it ("" for a stop word).
    """

    text: str
    start: int
    end: int
    exact: str
    stem: str

    def to_dict(self) -> dict[str, Any]:
        """The token as plain JSON-ready data."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "stem": self.stem,
        }


# -- the field table -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """One document field and what an index does with it.

    ``filterable``: a filter may restrict it (``category:X``, ``filters={"category": X}``;
    a date field by a range). ``facet``: results count its values. ``sortable``: hits
    may be ordered by it (a date field: ``sort="date"``).
    """

    name: str
    kind: FieldKind
    filterable: bool = False
    facet: bool = False
    sortable: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The field as JSON-ready data (recorded in an index's settings)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "filterable": self.filterable,
            "facet": self.facet,
            "sortable": self.sortable,
        }


class FieldTable:
    """The fields of a document: the one place that says which are filtered, faceted, sorted.

    Engine schemas, filters, facets, the query language's ``name:value`` filters, the
    web parameters and the CLI options are all derived from a table.

    >>> FIELDS.filter_names()
    ('date', 'category', 'source')
    >>> [f.name for f in FIELDS.facets()]
    ['category', 'source']
    """

    __slots__ = ("_by_name", "_fields")

    def __init__(self, fields: tuple[Field, ...]) -> None:
        names = [item.name for item in fields]
        if len(set(names)) != len(names):
            raise ValueError(f"field names must be unique: {names}")
        self._fields = fields
        self._by_name = {item.name: item for item in fields}

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Field:
        return self._by_name[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldTable) and self._fields == other._fields

    def __hash__(self) -> int:
        return hash(self._fields)

    def __repr__(self) -> str:
        return f"FieldTable({self._fields!r})"

    def with_field(self, added: Field) -> FieldTable:
        """A copy of the table with ``added`` appended (or replacing the field of its name)."""
        kept = tuple(item for item in self._fields if item.name != added.name)
        return FieldTable((*kept, added))

    def keywords(self) -> tuple[Field, ...]:
        """Keyword fields an engine indexes: the filterable or faceted ones."""
        return tuple(f for f in self._fields if f.kind == "keyword" and (f.filterable or f.facet))

    def dates(self) -> tuple[Field, ...]:
        """Date fields an engine indexes: the filterable or sortable ones."""
        return tuple(f for f in self._fields if f.kind == "date" and (f.filterable or f.sortable))

    def facets(self) -> tuple[Field, ...]:
        """Fields whose values results count."""
        return tuple(f for f in self._fields if f.facet and f.kind == "keyword")

    def filter_names(self) -> tuple[str, ...]:
        """Names a filter may restrict, in table order."""
        return tuple(f.name for f in self._fields if f.filterable and f.kind != "text")

    def sort_field(self) -> Field | None:
        """The date field ``sort="date"`` orders by (the first sortable date), if any."""
        return next((f for f in self._fields if f.kind == "date" and f.sortable), None)

    def to_config(self) -> list[dict[str, Any]]:
        """The table as JSON-ready data."""
        return [item.to_dict() for item in self._fields]

    @classmethod
    def from_config(cls, config: Sequence[Mapping[str, Any]]) -> FieldTable:
        """The table recorded with :meth:`to_config`."""
        return cls(
            tuple(
                Field(
                    name=str(item["name"]),
                    kind=item["kind"],
                    filterable=bool(item.get("filterable")),
                    facet=bool(item.get("facet")),
                    sortable=bool(item.get("sortable")),
                )
                for item in config
            )
        )


#: The fields of an article. ``title`` and ``text`` are searched; the rest is metadata.
FIELDS = FieldTable(
    (
        Field("title", "text"),
        Field("text", "text"),
        Field("date", "date", filterable=True, sortable=True),
        Field("category", "keyword", filterable=True, facet=True),
        Field("source", "keyword", filterable=True, facet=True),
        Field("url", "keyword"),
        Field("author", "keyword"),
    )
)

#: The metadata fields a document carries as attributes besides id, title and text.
METADATA_FIELDS = ("date", "source", "category", "url", "author")


# -- documents -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """An article: ``id``, ``title``, ``text`` and optional metadata.

    ``extra`` holds any other fields of the input record; they are stored and
    returned, and searched only through a field table that names them.

    >>> Document(7, "عنوان", "نص")
    Traceback (most recent call last):
      ...
    TypeError: Document id must be a string, not int.
    """

    id: str
    title: str
    text: str
    date: str | None = None
    source: str | None = None
    category: str | None = None
    url: str | None = None
    author: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def __post_init__(self) -> None:
        for name in ("id", "title", "text"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"Document {name} must be a string, not {type(value).__name__}.")
        for name in METADATA_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(
                    f"Document {name} must be a string or None, not {type(value).__name__}."
                )

    def value(self, name: str) -> Any:
        """The value of field ``name``: an attribute, else an ``extra`` field, else None."""
        if name in _ATTRIBUTES:
            return getattr(self, name)
        return self.extra.get(name)

    def to_dict(self) -> dict[str, Any]:
        """The document as plain JSON-ready data; absent metadata is omitted."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "text": self.text}
        for name in METADATA_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        """Build a document from :meth:`to_dict` output (stored records, API mappings).

        ``id`` is required and must be a string; ``title`` and ``text`` default to "".

        >>> Document.from_dict({"title": "x"})
        Traceback (most recent call last):
          ...
        ValueError: A document needs an 'id'.
        """
        if "id" not in data:
            raise ValueError("A document needs an 'id'.")
        known = {"id", "title", "text", *METADATA_FIELDS}
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(
            id=data["id"],
            title=data.get("title") or "",
            text=data.get("text") or "",
            date=data.get("date"),
            source=data.get("source"),
            category=data.get("category"),
            url=data.get("url"),
            author=data.get("author"),
            extra=MappingProxyType(extra) if extra else _EMPTY,
        )


_ATTRIBUTES = frozenset({"id", "title", "text", *METADATA_FIELDS})


# -- marked text ---------------------------------------------------------------

ANSI_BOLD = "\x1b[1m"
ANSI_RESET = "\x1b[0m"
# Control characters other than tab and newline: a document must not be able to
# move the cursor or recolour a terminal, just as it must not inject HTML.
_CONTROL = _compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REPLACEMENT = "\ufffd"


@dataclass(frozen=True, slots=True)
class Marked:
    """A piece of original text with the spans to mark (offsets into ``text``).

    Rendered on demand, by the door that shows it: HTML for the web and JSON,
    plain or ANSI bold for a terminal.

    >>> marked = Marked("a<b & c", ((0, 1), (6, 7)))
    >>> marked.html()
    '<mark>a</mark>&lt;b &amp; <mark>c</mark>'
    >>> marked.plain()
    'a<b & c'
    >>> Marked("x\\x1b[2J", ((0, 1),)).ansi()
    '\\x1b[1mx\\x1b[0m�[2J'
    """

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text)

    def html(self) -> str:
        """The text as HTML: every piece escaped first, matched pieces then wrapped in <mark>."""
        return self.render(lambda piece: escape(piece, quote=True), "<mark>", "</mark>")

    def plain(self) -> str:
        """The text without any markup."""
        return self.text

    def ansi(self) -> str:
        """The text for a terminal: matched pieces in bold, control characters neutralized."""
        return self.render(lambda piece: _CONTROL.sub(_REPLACEMENT, piece), ANSI_BOLD, ANSI_RESET)

    def render(self, clean: Callable[[str], str], open_tag: str, close_tag: str) -> str:
        """The text with every piece passed through ``clean`` and marked pieces wrapped."""
        text = self.text
        out: list[str] = []
        pos = 0
        for start, end in self.spans:
            out.append(clean(text[pos:start]))
            out.append(open_tag + clean(text[start:end]) + close_tag)
            pos = end
        out.append(clean(text[pos:]))
        return "".join(out)


# -- results -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the stored document, its score, and its title and snippet marked."""

    id: str
    score: float
    title: Marked
    snippet: Marked
    document: Document

    @property
    def date(self) -> str | None:
        """The document's date."""
        return self.document.date

    @property
    def source(self) -> str | None:
        """The document's source."""
        return self.document.source

    @property
    def category(self) -> str | None:
        """The document's category."""
        return self.document.category

    @property
    def url(self) -> str | None:
        """The document's address."""
        return self.document.url

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a hit, shared by the CLI and the web API."""
        return {
            "id": self.id,
            "score": round(self.score, 6),
            "title": self.title.plain(),
            "title_html": self.title.html(),
            "snippet": self.snippet.html(),
            "snippet_text": self.snippet.plain(),
            "date": self.date,
            "source": self.source,
            "category": self.category,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Expansion:
    """Words of a query that were also searched as their synonyms (the index's synonyms).

    >>> Expansion("ج.م.ع", ("مصر",)).to_dict()
    {'words': 'ج.م.ع', 'synonyms': ['مصر']}
    """

    #: The query's words, as typed.
    words: str
    #: What they were also searched as, as the synonyms file writes them.
    synonyms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of an expansion."""
        return {"words": self.words, "synonyms": list(self.synonyms)}


@dataclass(frozen=True, slots=True)
class Results:
    """A page of search results with the total, facets, a "did you mean" and a note.

    ``note`` is a sentence for the user about the query itself (no searchable words,
    expansions cut at their bound...).
    """

    query: str
    total: int
    page: int
    limit: int
    took_ms: float
    hits: tuple[Hit, ...] = ()
    did_you_mean: str | None = None
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: _EMPTY)
    note: str | None = None
    #: The query the hits were found for, when it is not ``query`` as typed (words no
    #: document holds were searched as their nearest indexed spellings); else None.
    corrected: str | None = None
    #: The query's words that were also searched as their synonyms.
    synonyms: tuple[Expansion, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Exactly the JSON of ``arsearch query --json`` and ``GET /api/search``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "took_ms": round(self.took_ms, 3),
            "did_you_mean": self.did_you_mean,
            "corrected": self.corrected,
            "note": self.note,
            "synonyms": [expansion.to_dict() for expansion in self.synonyms],
            "facets": {name: dict(counts) for name, counts in self.facets.items()},
            "hits": [hit.to_dict() for hit in self.hits],
        }


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What ``arsearch stats`` reports about an index."""

    path: str
    documents: int
    engine: str
    analyzer: Mapping[str, Any]
    format_version: int
    size_bytes: int
    last_commit: str | None
    #: The options the index was created with, as ``Index.create`` takes them:
    #: ``stem_positions`` (bool) and ``spellings`` (the rule's name, or None).
    options: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``arsearch stats --json`` and ``GET /api/stats``.

        The stop words are counted, not listed (``analyzer`` holds the list).
        """
        analyzer = dict(self.analyzer)
        stopwords = analyzer.get("stopwords")
        if isinstance(stopwords, Mapping) and "words" in stopwords:
            kept = {key: value for key, value in stopwords.items() if key != "words"}
            analyzer["stopwords"] = {**kept, "count": len(stopwords["words"])}
        return {
            "path": self.path,
            "documents": self.documents,
            "engine": self.engine,
            "analyzer": analyzer,
            "format_version": self.format_version,
            "size_bytes": self.size_bytes,
            "last_commit": self.last_commit,
            "options": dict(self.options),
        }
