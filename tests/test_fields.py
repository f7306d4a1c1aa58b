"""The field table: one place says which metadata is filtered, faceted and sorted.

A field added to a copy of the table is filterable and faceted on every engine,
in the query language, the filters mapping and the web API, with no other change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import Document, Field, FieldTable, Index, UsageError
from arsearch.models import FIELDS
from arsearch.web import create_app

AUTHOR = Field("author", "keyword", filterable=True, facet=True)
#: ``language`` is no Document attribute: it comes from a record's extra fields.
LANGUAGE = Field("language", "keyword", filterable=True, facet=True)
TABLE = FIELDS.with_field(AUTHOR).with_field(LANGUAGE)

DOCUMENTS = [
    Document("d1", "النفط", "ارتفعت أسعار النفط", author="سارة", extra={"language": "ar"}),
    Document("d2", "النفط والغاز", "النفط والغاز في الخليج", author="سارة"),
    Document("d3", "أسواق النفط", "تراجع النفط اليوم", author="عمر", extra={"language": "ar"}),
    Document("d4", "الطقس", "أمطار غزيرة", author="عمر"),
]


@pytest.fixture(scope="module", params=["tantivy", "whoosh"])
def index(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Index]:
    path: Path = tmp_path_factory.mktemp(f"fields-{request.param}") / "index"
    with Index.create(path, engine=request.param, fields=TABLE) as created:
        created.add(DOCUMENTS)
    opened = Index.open(path)
    yield opened
    opened.close()


def test_an_added_field_is_recorded_with_the_index(index: Index) -> None:
    assert index.fields == TABLE
    assert index.fields["author"] == AUTHOR


def test_an_added_field_filters(index: Index) -> None:
    by_mapping = index.search("النفط", filters={"author": "سارة"})
    assert sorted(hit.id for hit in by_mapping.hits) == ["d1", "d2"]
    by_query = index.search("النفط author:عمر")
    assert [hit.id for hit in by_query.hits] == ["d3"]
    extra = index.search("النفط", filters={"language": ["ar"]})
    assert sorted(hit.id for hit in extra.hits) == ["d1", "d3"]


def test_an_added_field_is_faceted(index: Index) -> None:
    results = index.search("النفط")
    assert dict(results.facets["author"]) == {"سارة": 2, "عمر": 1}
    assert dict(results.facets["language"]) == {"ar": 2}
    assert results.to_dict()["facets"]["author"] == {"سارة": 2, "عمر": 1}


def test_the_default_table_does_not_know_the_field(tmp_path: Path) -> None:
    with Index.create(tmp_path / "plain") as plain:
        plain.add(DOCUMENTS)
        with pytest.raises(UsageError, match=r"^Unknown filter author\. Filters are: category"):
            plain.search("النفط", filters={"author": "سارة"})
        # Without the field, author:x is two words, not a filter.
        assert "author" not in plain.search("النفط").facets


def test_the_web_api_filters_and_counts_by_the_added_field(index: Index) -> None:
    client = create_app({"INDEX": index}).test_client()
    data = client.get("/api/search", query_string={"q": "النفط", "author": "عمر"}).get_json()
    assert [hit["id"] for hit in data["hits"]] == ["d3"]
    # A facet counts without its own filter: the other authors stay visible.
    assert data["facets"]["author"] == {"سارة": 2, "عمر": 1}


def test_opening_with_another_table_is_refused(index: Index) -> None:
    with pytest.raises(UsageError) as caught:
        Index.open(index.path, fields=FIELDS)
    assert str(caught.value) == (
        f"The index at '{index.path}' was built with another field table; to switch, "
        "pass overwrite=True."
    )
    assert caught.value.for_cli().endswith("to switch, add --rebuild.")


def test_a_rebuild_keeps_the_table_and_the_analysis(tmp_path: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path, engine="whoosh", fields=TABLE, stemmer="snowball") as created:
        created.add(DOCUMENTS)
    # As a reindex keeps its mapping: only what the rebuild names changes.
    with Index.open(path, overwrite=True, engine="tantivy") as rebuilt:
        rebuilt.add(DOCUMENTS)
    with Index.open(path) as opened:
        assert (opened.engine, opened.analyzer.stemmer, opened.fields) == (
            "tantivy",
            "snowball",
            TABLE,
        )
        assert [hit.id for hit in opened.search("النفط", filters={"author": "عمر"}).hits] == ["d3"]


def test_a_table_needs_unique_names() -> None:
    with pytest.raises(ValueError, match="field names must be unique"):
        FieldTable((AUTHOR, AUTHOR))
