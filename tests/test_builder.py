"""index/builder.py: a worker's row is the engine document the parent rebuilds from it."""

from __future__ import annotations

import dataclasses
import pickle

from arsearch import Analyzer, Document
from arsearch.engines import EngineDocument
from arsearch.index.builder import build_engine_document, content_hash, engine_row
from arsearch.index.codec import DocumentCodec, encode_document
from arsearch.models import FIELDS


def test_a_row_holds_each_engine_document_field_in_order() -> None:
    document = Document(
        "d1", "وصل الرئيس", "إلى القاهرة", date="1970-01-02", source="وكالة", category="سياسة"
    )
    codec = DocumentCodec()
    encoded = encode_document(document)
    digest = content_hash(encoded)
    row = engine_row(document, Analyzer(), codec, FIELDS, encoded, digest, replaces=False)
    # What a worker sends back: a plain tuple, which pickles without the dataclass's help.
    assert type(pickle.loads(pickle.dumps(row))) is tuple
    fields = dict(zip([f.name for f in dataclasses.fields(EngineDocument)], row, strict=True))
    assert fields == {
        "id": "d1",
        "content_hash": digest,
        "title_exact": "وصل الرئيس",
        "title_stem": "وصل رئيس",
        "body_exact": "وصل الرئيس الي القاهره",
        "body_stem": "وصل رئيس قاهر",
        "stored": codec.pack(document, encoded),
        "keywords": {"category": "سياسة", "source": "وكالة"},
        "dates": {"date": 86400},
        "replaces": False,
    }
    built = build_engine_document(document, Analyzer(), codec, FIELDS, encoded, digest, False)
    assert EngineDocument(*row) == built
