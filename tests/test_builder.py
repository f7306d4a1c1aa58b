"""index/builder.py: a worker's row is the engine document the parent rebuilds from it."""

from __future__ import annotations

import dataclasses
import pickle

from arsearch import Analyzer, Document
from arsearch.engines import EngineDocument
from arsearch.index.builder import RowBuilder, content_hash
from arsearch.index.codec import DocumentCodec, encode_document
from arsearch.models import FIELDS, Field

DOCUMENT = Document(
    "d1", "وصل الرئيس", "إلى القاهرة", date="1970-01-02", source="وكالة", category="سياسة"
)


def test_a_row_holds_each_engine_document_field_in_order() -> None:
    codec = DocumentCodec()
    builder = RowBuilder(Analyzer(), codec, FIELDS)
    row = builder.row(DOCUMENT.to_dict(), replaces=False)
    # What a worker sends back: a plain tuple, which pickles without the dataclass's help.
    assert type(pickle.loads(pickle.dumps(row))) is tuple
    encoded = encode_document(DOCUMENT)
    fields = dict(zip([f.name for f in dataclasses.fields(EngineDocument)], row, strict=True))
    assert fields == {
        "id": "d1",
        "content_hash": content_hash(encoded),
        "title_exact": "وصل الرئيس",
        "title_stem": "وصل رئيس",
        "body_exact": "وصل الرئيس الي القاهره",
        "body_stem": "وصل رئيس قاهر",
        "stored": codec.pack(DOCUMENT),
        "keywords": {"category": "سياسة", "source": "وكالة"},
        "dates": {"date": 86400},
        "replaces": False,
    }
    assert builder.build(DOCUMENT, replaces=False) == EngineDocument(*row)


def test_the_stored_json_and_hash_given_are_used() -> None:
    # The parent hashes a document whose id is already indexed, to compare versions.
    given = encode_document(Document("d1", "نسخة سابقة", "نص"))
    built = RowBuilder(Analyzer(), DocumentCodec(), FIELDS).build(DOCUMENT, given, "given")
    assert (built.content_hash, DocumentCodec().unpack(built.stored).title) == (
        "given",
        "نسخة سابقة",
    )


def test_extra_fields_named_by_the_table_are_indexed() -> None:
    fields = FIELDS.with_field(Field("region", "keyword", filterable=True)).with_field(
        Field("updated", "date", sortable=True)
    )
    document = Document("d2", "", "نص", extra={"region": "الخليج", "updated": "1970-01-03"})
    built = RowBuilder(Analyzer(), DocumentCodec(), fields).build(document)
    assert (built.keywords, built.dates) == ({"region": "الخليج"}, {"updated": 172800})
