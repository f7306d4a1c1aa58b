"""Tests of arsearch.documents: formats, encodings, validation and error reporting."""

from __future__ import annotations

import codecs
import doctest
import gzip
import hashlib
import io
import json
import os
import shutil
from collections.abc import Generator, Iterable, Iterator
from datetime import timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arsearch.documents
from arsearch.dates import check_date
from arsearch.documents import (
    SUPPORTED_SUFFIXES,
    decoding,
    formats,
    read_documents,
    read_file,
    reading,
    validation,
)
from arsearch.errors import DocumentError
from arsearch.models import Document

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
SUFFIXES_TEXT = ".csv, .json, .jsonl, .jsonl.gz, .md, .txt"

Paths = Iterable[str | os.PathLike[str]]


def read_all(paths: Paths) -> tuple[list[Document], list[str], list[str]]:
    """Read leniently; return the documents, the error texts and the notices."""
    errors: list[DocumentError] = []
    notices: list[str] = []
    docs = list(read_documents(paths, on_error=errors.append, on_notice=notices.append))
    return docs, [str(err) for err in errors], notices


def sha1_id(title: str, text: str) -> str:
    digest = hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()
    return f"sha1:{digest[:16]}"


def jsonl(*records: Any) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in ``tmp_path`` so that paths, and so messages, are short and relative."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the hand-written fixture corpus, hidden entries included."""
    return Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))


# --- the fixture corpus: directories, order, hidden and unsupported files ---------------

CORPUS_IDS = [
    "README",
    "a-1",
    "a-2",
    "b-1",
    "b-2",
    "cities/alexandria",
    "cities/cairo",
    "n-1",
    "42",
    sha1_id("خبر بلا معرف", "هذا الخبر ليس له معرف فيشتق من محتواه."),
]


def test_directory_is_read_recursively_in_sorted_order(corpus: Path) -> None:
    docs, errors, notices = read_all([corpus])
    assert [doc.id for doc in docs] == CORPUS_IDS
    assert (errors, notices) == ([], [])


def test_hidden_and_unsupported_files_are_skipped(corpus: Path) -> None:
    assert (corpus / ".hidden.txt").is_file()
    assert (corpus / ".drafts" / "secret.txt").is_file()
    assert (corpus / "notes.html").is_file()
    docs, _, _ = read_all([corpus])
    texts = " ".join(doc.title + doc.text for doc in docs)
    assert "مخفي" not in texts
    assert "غير مدعومة" not in texts


def test_readme_in_a_corpus_is_an_article(corpus: Path) -> None:
    docs, _, _ = read_all([corpus])
    assert docs[0] == Document(
        id="README",
        title="عن هذه المجموعة",
        text="مقالات قصيرة كتبت باليد لاختبار قراءة الملفات: نصوص عادية وماركداون و JSON و CSV.",
    )


def test_reading_twice_gives_the_same_documents(corpus: Path) -> None:
    assert read_all([corpus]) == read_all([corpus])


def test_paths_are_read_in_the_order_given(corpus: Path) -> None:
    docs, _, _ = read_all([corpus / "news.jsonl", corpus / "cities"])
    assert [doc.id for doc in docs][:2] == ["n-1", "42"]
    assert [doc.id for doc in docs][3:] == ["alexandria", "cairo"]


def test_an_explicit_hidden_path_is_read(corpus: Path) -> None:
    docs, errors, _ = read_all([corpus / ".hidden.txt"])
    assert [(doc.id, doc.title) for doc in docs] == [(".hidden", "ملف مخفي")]
    assert errors == []


def test_empty_directory_gives_a_notice(in_tmp: Path) -> None:
    (in_tmp / "empty").mkdir()
    (in_tmp / "empty" / "notes.html").write_text("<p>نص</p>", encoding="utf-8")
    assert read_all(["empty"]) == ([], [], [f"empty: no files to read (expected {SUFFIXES_TEXT})"])


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".csv", ".json", ".jsonl", ".jsonl.gz", ".md", ".txt")


def test_suffixes_are_matched_case_insensitively(in_tmp: Path) -> None:
    (in_tmp / "CAIRO.TXT").write_text("القاهرة\nعاصمة مصر.", encoding="utf-8")
    docs, errors, _ = read_all([in_tmp])
    assert [doc.id for doc in docs] == ["CAIRO"]
    assert errors == []


# --- .txt and .md -----------------------------------------------------------------------

TEXT_FILES = [
    pytest.param("a.txt", "القاهرة\nعاصمة مصر.\n", "القاهرة", "عاصمة مصر.", id="txt"),
    pytest.param(
        "a.txt", "\n\n  القاهرة  \n\n  عاصمة مصر.  \n\n", "القاهرة", "عاصمة مصر.", id="blank-lines"
    ),
    pytest.param("a.txt", "القاهرة\r\nعاصمة\r\nمصر.\r\n", "القاهرة", "عاصمة\nمصر.", id="crlf"),
    pytest.param("a.txt", "# القاهرة\nعاصمة مصر.", "# القاهرة", "عاصمة مصر.", id="txt-keeps-hash"),
    pytest.param("a.md", "# القاهرة\n\nعاصمة مصر.\n", "القاهرة", "عاصمة مصر.", id="md-heading"),
    pytest.param("a.md", "### القاهرة ###\nعاصمة مصر.", "القاهرة", "عاصمة مصر.", id="md-closing"),
    pytest.param("a.md", "القاهرة\nعاصمة مصر.", "القاهرة", "عاصمة مصر.", id="md-plain-title"),
    pytest.param("a.md", "#\nعاصمة مصر.", "", "عاصمة مصر.", id="md-empty-title"),
    pytest.param(
        "a.md",
        "# القاهرة\n\n## التاريخ\n\nمدينة قديمة.",
        "القاهرة",
        "## التاريخ\n\nمدينة قديمة.",
        id="md-body-kept",
    ),
]


@pytest.mark.parametrize("name, content, title, text", TEXT_FILES)
def test_text_file_title_and_text(
    tmp_path: Path, name: str, content: str, title: str, text: str
) -> None:
    (tmp_path / name).write_bytes(content.encode())
    assert list(read_file(tmp_path / name)) == [Document(id="a", title=title, text=text)]


TEXT_IDS = [
    pytest.param(["news"], "news/2024/cairo.txt", "2024/cairo", id="directory-given"),
    pytest.param(["news/"], "news/2024/cairo.txt", "2024/cairo", id="trailing-slash"),
    pytest.param(["."], "news/2024/cairo.txt", "news/2024/cairo", id="current-directory"),
    pytest.param(["news/2024/cairo.txt"], "news/2024/cairo.txt", "cairo", id="file-given"),
    pytest.param(["news"], "news/cairo.v2.md", "cairo.v2", id="only-suffix-removed"),
]


@pytest.mark.parametrize("given, file, expected", TEXT_IDS)
def test_text_file_id_is_relative_to_the_given_root(
    in_tmp: Path, given: list[str], file: str, expected: str
) -> None:
    (in_tmp / file).parent.mkdir(parents=True, exist_ok=True)
    (in_tmp / file).write_text("القاهرة\nعاصمة مصر.", encoding="utf-8")
    docs, errors, _ = read_all(given)
    assert [doc.id for doc in docs] == [expected]
    assert errors == []


def test_read_file_root_sets_the_id(in_tmp: Path) -> None:
    (in_tmp / "news" / "2024").mkdir(parents=True)
    (in_tmp / "news" / "2024" / "cairo.txt").write_text("القاهرة\nنص", encoding="utf-8")
    docs = list(read_file("news/2024/cairo.txt", root="news"))
    assert [doc.id for doc in docs] == ["2024/cairo"]


# --- JSON Lines, JSON and CSV records -----------------------------------------------------


def test_jsonl_record_maps_every_field(corpus: Path) -> None:
    first = next(read_file(corpus / "news.jsonl"))
    assert first == Document(
        id="n-1",
        title="افتتاح معرض الكتاب",
        text="افتتح معرض الكتاب أبوابه للزوار صباح اليوم.",
        date="2024-01-25",
        source="الأهرام",
        category="ثقافة",
        url="https://example.org/n-1",
        author="سارة علي",
        extra={"tags": ["كتب", "معارض"], "views": 120},
    )
    assert first.to_dict()["tags"] == ["كتب", "معارض"]


RECORDS = [
    pytest.param({"id": "x", "text": "نص"}, {"id": "x", "title": "", "text": "نص"}, id="minimal"),
    pytest.param({"id": "x", "body": "نص"}, {"text": "نص"}, id="body-alias"),
    pytest.param({"id": "x", "content": "نص"}, {"text": "نص"}, id="content-alias"),
    pytest.param({"id": "x", "text": None, "body": "نص"}, {"text": "نص"}, id="null-text-alias"),
    pytest.param(
        {"id": "x", "text": "أ", "body": "ب"}, {"text": "أ", "extra": {"body": "ب"}}, id="two-texts"
    ),
    pytest.param({"id": 42, "text": "نص"}, {"id": "42"}, id="int-id"),
    pytest.param({"id": 7.0, "text": "نص"}, {"id": "7"}, id="integral-float-id"),
    pytest.param({"id": 7.5, "text": "نص"}, {"id": "7.5"}, id="float-id"),
    pytest.param({"id": "  x  ", "text": "  نص  "}, {"id": "x", "text": "نص"}, id="stripped"),
    pytest.param(
        {"id": "x", "title": " عنوان ", "text": "نص"}, {"title": "عنوان"}, id="title-stripped"
    ),
    pytest.param(
        {"id": "x", "text": "نص", "title": None, "source": None, "date": None},
        {"title": "", "source": None, "date": None},
        id="null-is-missing",
    ),
    pytest.param(
        {"id": "x", "text": "نص", "source": "  ", "date": " 2024-01-25 "},
        {"source": None, "date": "2024-01-25"},
        id="blank-is-missing",
    ),
    pytest.param(
        {"id": "x", "text": "نص", "rank": 1, "meta": {"a": [1]}, "note": None},
        {"extra": {"rank": 1, "meta": {"a": [1]}, "note": None}},
        id="extra-fields",
    ),
]


@pytest.mark.parametrize("record, expected", RECORDS)
def test_jsonl_record_fields(tmp_path: Path, record: dict[str, Any], expected: Any) -> None:
    (tmp_path / "a.jsonl").write_text(jsonl(record), encoding="utf-8")
    (doc,) = read_file(tmp_path / "a.jsonl")
    assert {key: doc.to_dict().get(key) for key in expected if key != "extra"} == {
        key: value for key, value in expected.items() if key != "extra"
    }
    assert dict(doc.extra) == expected.get("extra", {})


def test_json_array_reads_each_object(corpus: Path) -> None:
    docs = list(read_file(corpus / "archive.json"))
    assert [(doc.id, doc.category, doc.date) for doc in docs] == [
        ("a-1", "فنون", None),
        ("a-2", None, "1999-12-31 23:59"),
    ]


def test_csv_reads_a_header_and_quoted_multiline_cells(corpus: Path) -> None:
    docs = list(read_file(corpus / "books.csv"))
    assert docs == [
        Document(
            id="b-1",
            title="كليلة ودمنة",
            text="حكايات على ألسنة الحيوانات،\nترجمها ابن المقفع.",
            author="ابن المقفع",
            extra={"pages": "320"},
        ),
        Document(id="b-2", title="المقدمة", text="كتاب في التاريخ والعمران.", author="ابن خلدون"),
    ]


def test_csv_line_is_where_the_record_starts(in_tmp: Path) -> None:
    (in_tmp / "a.csv").write_text(
        'title,text,date\nأ,"سطر\nسطر\nسطر",2024-01-01\n\nب,نص,أمس\n', encoding="utf-8"
    )
    _, errors, _ = read_all(["a.csv"])
    assert errors == ["a.csv:6: field 'date' is not an ISO 8601 date: 'أمس'"]


def test_derived_id_is_sha1_of_title_and_text(tmp_path: Path) -> None:
    record = {"title": " عنوان ", "text": "نص الخبر\n"}
    (tmp_path / "a.jsonl").write_text(jsonl(record), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps([record]), encoding="utf-8")
    (tmp_path / "c.csv").write_text('title,text\n عنوان ,"نص الخبر\n"\n', encoding="utf-8")
    docs, errors, _ = read_all([tmp_path])
    assert [doc.id for doc in docs] == [sha1_id("عنوان", "نص الخبر")] * 3
    assert docs[0].id == "sha1:28722ea829e374e5"
    assert errors == []


def test_derived_id_changes_with_the_content(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        jsonl({"title": "أ", "text": "نص"}, {"title": "أ", "text": "نص آخر"}, {"text": "أ\nنص"}),
        encoding="utf-8",
    )
    ids = [doc.id for doc in read_file(tmp_path / "a.jsonl")]
    assert len(set(ids)) == 3


DATES_ACCEPTED = [
    pytest.param("2024-01-25", id="date"),
    pytest.param("2024-02-29", id="leap-day"),
    pytest.param("2024-01-25T08:30", id="minutes"),
    pytest.param("2024-01-25 08:30", id="space"),
    pytest.param("2024-01-25T08:30:59", id="seconds"),
    pytest.param("2024-01-25T08:30:59.123456", id="fraction"),
    pytest.param("2024-01-25T08:30:59Z", id="utc"),
    pytest.param("2024-01-25T08:30:59.5+03:00", id="offset"),
    pytest.param("2024-01-25T08:30-05:30", id="negative-offset"),
]


@pytest.mark.parametrize("date", DATES_ACCEPTED)
def test_iso_dates_are_accepted_as_given(tmp_path: Path, date: str) -> None:
    (tmp_path / "a.jsonl").write_text(jsonl({"text": "نص", "date": date}), encoding="utf-8")
    assert [doc.date for doc in read_file(tmp_path / "a.jsonl")] == [date]


DATES_REJECTED = [
    pytest.param("12/31/2021", id="month-first"),
    pytest.param("31/02/2021", id="day-first-no-such-day"),
    pytest.param("2021", id="year-only"),
    pytest.param("2021-3-12", id="short-month"),
    pytest.param("2021-02-30", id="no-such-day"),
    pytest.param("2021-13-01", id="no-such-month"),
    pytest.param("2021-01-01T24:00", id="hour-24"),
    pytest.param("2021-01-01T08", id="hour-only"),
    pytest.param("2021-01-01T08:00+0300", id="offset-without-colon"),
    pytest.param("2021-01-01t08:00", id="lowercase-t"),
    pytest.param("٢٠٢١-٠١-٠١", id="arabic-indic-digits"),
    pytest.param("أمس", id="arabic-word"),
]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("25/05/2017", "2017-05-25"),
        ("5.1.2020", "2020-01-05"),
        ("09-12-2016", "2016-12-09"),
        ("2017-01-22T185600", "2017-01-22T18:56:00"),
    ],
    ids=["slashes", "dots", "dashes", "compact-time"],
)
def test_day_first_dates_become_iso(tmp_path: Path, raw: str, expected: str) -> None:
    (tmp_path / "a.jsonl").write_text(jsonl({"text": "نص", "date": raw}), encoding="utf-8")
    assert [doc.date for doc in read_file(tmp_path / "a.jsonl")] == [expected]


@pytest.mark.parametrize("date", DATES_REJECTED)
def test_non_iso_dates_are_rejected(in_tmp: Path, date: str) -> None:
    (in_tmp / "a.jsonl").write_text(jsonl({"text": "نص", "date": date}), encoding="utf-8")
    _, errors, _ = read_all(["a.jsonl"])
    assert errors == [f"a.jsonl:1: field 'date' is not an ISO 8601 date: {date!r}"]


@settings(max_examples=60, deadline=None)
@given(st.datetimes(timezones=st.none() | st.just(timezone.utc)))
def test_every_isoformat_datetime_is_accepted(moment: Any) -> None:
    assert check_date(moment.isoformat())
    assert check_date(moment.isoformat(sep=" ", timespec="minutes"))
    assert check_date(moment.date().isoformat())


@settings(max_examples=60, deadline=None)
@given(title=st.text(), text=st.text().filter(str.strip))
def test_jsonl_round_trips_any_text(
    tmp_path_factory: pytest.TempPathFactory, title: str, text: str
) -> None:
    path = tmp_path_factory.mktemp("round") / "a.jsonl"
    path.write_text(jsonl({"title": title, "text": text}), encoding="utf-8")
    (doc,) = read_file(path)
    assert (doc.title, doc.text) == (title.strip(), text.strip())
    assert doc.id == sha1_id(title.strip(), text.strip())


# --- bad records: exact messages, lenient and strict ------------------------------------

BAD_FILES = [
    pytest.param(
        "a.jsonl",
        '{"id": "1", "text": "نص"}\nnot json\n{oops\n{"text": "نص"} x\n',
        [
            "a.jsonl:2: invalid JSON: Expecting value",
            "a.jsonl:3: invalid JSON: Expecting property name enclosed in double quotes",
            "a.jsonl:4: invalid JSON: Extra data",
        ],
        id="malformed-json-lines",
    ),
    pytest.param(
        "a.jsonl",
        '{"text": NaN}\n',
        ["a.jsonl:1: invalid JSON: NaN is not valid JSON"],
        id="nan",
    ),
    pytest.param(
        "a.jsonl",
        jsonl({"title": "عنوان"}, {"title": "عنوان", "text": " \n "}, {"text": None}),
        ["a.jsonl:1: no text", "a.jsonl:2: no text", "a.jsonl:3: no text"],
        id="no-text",
    ),
    pytest.param(
        "a.jsonl",
        jsonl(
            {"title": ["عنوان"], "text": "نص"},
            {"text": {"ar": "نص"}},
            {"body": 5},
            {"text": "نص", "source": 5},
            {"text": "نص", "date": 20240125},
            {"text": "نص", "url": True},
        ),
        [
            "a.jsonl:1: field 'title' must be a string, not list",
            "a.jsonl:2: field 'text' must be a string, not dict",
            "a.jsonl:3: field 'body' must be a string, not int",
            "a.jsonl:4: field 'source' must be a string, not int",
            "a.jsonl:5: field 'date' must be a string, not int",
            "a.jsonl:6: field 'url' must be a string, not bool",
        ],
        id="wrong-types",
    ),
    pytest.param(
        "a.jsonl",
        jsonl({"id": ["1"], "text": "نص"}, {"id": True, "text": "نص"}),
        [
            "a.jsonl:1: field 'id' must be a string or a number, not list",
            "a.jsonl:2: field 'id' must be a string or a number, not bool",
        ],
        id="wrong-id-types",
    ),
    pytest.param(
        "a.jsonl",
        '["نص"]\n"نص"\n',
        [
            "a.jsonl:1: record must be a JSON object, not list",
            "a.jsonl:2: record must be a JSON object, not str",
        ],
        id="not-an-object",
    ),
    pytest.param(
        "a.jsonl",
        jsonl({"text": "نص", "date": "3rd of May"}),
        ["a.jsonl:1: field 'date' is not an ISO 8601 date: '3rd of May'"],
        id="bad-date",
    ),
    pytest.param("a.jsonl", "\n  \n", ["a.jsonl: empty file"], id="empty-jsonl"),
    pytest.param(
        "a.jsonl",
        jsonl(
            {"title": 1, "text": 2, "date": "أمس"},
            {"text": "نص", "date": 3, "source": 4, "author": 5},
            {"body": "نص", "author": 5, "url": 6},
        ),
        [
            "a.jsonl:1: field 'title' must be a string, not int",
            "a.jsonl:2: field 'date' must be a string, not int",
            "a.jsonl:3: field 'url' must be a string, not int",
        ],
        id="first-of-several-problems",
    ),
    pytest.param(
        "a.jsonl",
        '{"text": "نص"}\n\ufeff{"text": "نص"}\n',
        ["a.jsonl:2: invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)"],
        id="byte-order-mark-inside",
    ),
    pytest.param(
        "a.jsonl",
        "\u3000\u00a0\t\r\n\n \u2003\n",
        ["a.jsonl: empty file"],
        id="unicode-blank-jsonl",
    ),
    pytest.param("a.txt", "", ["a.txt: empty file"], id="empty-txt"),
    pytest.param("a.txt", " \n\t\n", ["a.txt: empty file"], id="blank-txt"),
    pytest.param("a.txt", "عنوان فقط\n\n", ["a.txt: no text"], id="title-only-txt"),
    pytest.param("a.md", "# عنوان فقط\n", ["a.md: no text"], id="title-only-md"),
    pytest.param("a.json", "", ["a.json: empty file"], id="empty-json"),
    pytest.param(
        "a.json",
        '[\n  {"text": "نص"},\n  oops\n]',
        ["a.json:2: invalid JSON: Expecting value (line 3 column 3)"],
        id="malformed-json",
    ),
    pytest.param(
        "a.json",
        '"نص"',
        ["a.json: expected a JSON object or an array of objects, not str"],
        id="json-neither-object-nor-array",
    ),
    pytest.param(
        "a.json",
        '[{"text": "نص"} {"text": "نص"}]',
        ["a.json:2: invalid JSON: Expecting ',' delimiter (line 1 column 17)"],
        id="json-missing-comma",
    ),
    pytest.param(
        "a.json",
        '[{"text": "نص"}] x',
        ["a.json: invalid JSON: Extra data (line 1 column 18)"],
        id="json-extra-data",
    ),
    pytest.param(
        "a.json",
        json.dumps([{"text": "نص"}, {"title": "عنوان"}, 3, {"text": "نص", "date": "أمس"}]),
        [
            "a.json:2: no text",
            "a.json:3: record must be a JSON object, not int",
            "a.json:4: field 'date' is not an ISO 8601 date: 'أمس'",
        ],
        id="json-records",
    ),
    pytest.param("a.csv", "", ["a.csv: empty file"], id="empty-csv"),
    pytest.param(
        "a.csv",
        "id,title,text\n1,عنوان\n2,عنوان,نص,زيادة\n3,عنوان,\n4,عنوان,نص\n",
        [
            "a.csv:2: record has 2 fields, the header has 3",
            "a.csv:3: record has 4 fields, the header has 3",
            "a.csv:4: no text",
        ],
        id="csv-records",
    ),
    pytest.param(
        "a.csv",
        "id,title\n1,عنوان\n",
        ["a.csv:1: the header has no text column (one of 'text', 'body', 'content')"],
        id="csv-no-text-column",
    ),
    pytest.param(
        "a.csv",
        "title,text,title\nأ,ب,ج\n",
        ["a.csv:1: duplicate column 'title' in the header"],
        id="csv-duplicate-column",
    ),
    pytest.param(
        "a.csv",
        'title,text\nأ,نص\nب,"نص بلا نهاية\n',
        ["a.csv:3: invalid CSV: unexpected end of data"],
        id="csv-unterminated-quote",
    ),
    pytest.param(
        "a.csv",
        'title,text\nأ,"نص"زيادة\n',
        ["a.csv:2: invalid CSV: ',' expected after '\"'"],
        id="csv-bad-quote",
    ),
    pytest.param(
        "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["a.txt: binary file, not text"], id="png"
    ),
    pytest.param(
        "a.jsonl",
        "نص\n".encode("utf-16-le"),
        ["a.jsonl: binary file, not text"],
        id="utf-16-without-bom",
    ),
    pytest.param(
        "a.txt",
        b"\x01\x02\x03\x04 \x05\x06\x07\x08",
        ["a.txt: binary file, not text"],
        id="control-characters",
    ),
    pytest.param(
        "a.jsonl",
        (jsonl({"text": "نص"}) * 1000 + '{"text": "\x00"}\n').encode(),
        ["a.jsonl: binary file, not text"],
        id="nul-after-the-head",
    ),
    pytest.param(
        "a.txt",
        codecs.BOM_UTF16_LE + "عنوان\nنص".encode("utf-16-le") + b"\x00",
        ["a.txt: not valid UTF-16: truncated data"],
        id="truncated-utf-16",
    ),
    pytest.param(
        "a.jsonl.gz", b"not gzip at all", ["a.jsonl.gz: not a valid gzip file"], id="not-gzip"
    ),
    pytest.param(
        "a.jsonl.gz",
        gzip.compress(jsonl({"text": "نص"}).encode() * 50)[:30],
        ["a.jsonl.gz: truncated gzip file"],
        id="truncated-gzip",
    ),
    pytest.param(
        "a.jsonl.gz",
        gzip.compress(jsonl({"text": "نص"}).encode())[:-8] + b"\x00" * 8,
        ["a.jsonl.gz: not a valid gzip file"],
        id="gzip-crc",
    ),
    pytest.param(
        "a.pdf",
        "نص",
        [f"a.pdf: unsupported file type (expected {SUFFIXES_TEXT})"],
        id="unsupported-suffix",
    ),
    pytest.param(None, None, ["missing.txt: no such file or directory"], id="missing-path"),
]


def write_bad(name: str | None, content: str | bytes | None) -> list[str]:
    if name is None:
        return ["missing.txt"]
    data = content.encode() if isinstance(content, str) else content
    Path(name).write_bytes(data or b"")
    return [name]


@pytest.mark.parametrize("name, content, expected", BAD_FILES)
def test_bad_records_are_reported_and_skipped(
    in_tmp: Path, name: str | None, content: str | bytes | None, expected: list[str]
) -> None:
    _, errors, _ = read_all(write_bad(name, content))
    assert errors == expected


@pytest.mark.parametrize("name, content, expected", BAD_FILES)
def test_strict_mode_raises_the_first_bad_record(
    in_tmp: Path, name: str | None, content: str | bytes | None, expected: list[str]
) -> None:
    with pytest.raises(DocumentError) as raised:
        list(read_documents(write_bad(name, content)))
    assert str(raised.value) == expected[0]


def test_good_records_around_bad_ones_are_read(in_tmp: Path) -> None:
    Path("a.jsonl").write_text(
        jsonl({"id": "1", "text": "أول"}) + "{oops\n" + jsonl({"id": "3", "text": "ثالث"}),
        encoding="utf-8",
    )
    Path("b.txt").write_text("", encoding="utf-8")
    Path("c.csv").write_text("id,text\n4,رابع\n5,\n6,سادس\n", encoding="utf-8")
    docs, errors, _ = read_all(["a.jsonl", "b.txt", "missing", "c.csv"])
    assert [doc.id for doc in docs] == ["1", "3", "4", "6"]
    assert errors == [
        "a.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes",
        "b.txt: empty file",
        "missing: no such file or directory",
        "c.csv:3: no text",
    ]


def test_strict_mode_stops_at_the_first_bad_record(in_tmp: Path) -> None:
    Path("a.jsonl").write_text(
        jsonl({"id": "1", "text": "أول"}, {"id": "2"}, {"id": "3", "text": "ثالث"}),
        encoding="utf-8",
    )
    docs = read_documents(["a.jsonl"])
    assert next(docs).id == "1"
    with pytest.raises(DocumentError, match=r"^a\.jsonl:2: no text$"):
        next(docs)
    with pytest.raises(StopIteration):
        next(docs)


def test_error_carries_path_line_and_reason(in_tmp: Path) -> None:
    Path("a.jsonl").write_text("\n" + jsonl({"text": 1}), encoding="utf-8")
    errors: list[DocumentError] = []
    list(read_documents(["a.jsonl"], on_error=errors.append))
    assert [(err.path, err.line, err.reason) for err in errors] == [
        ("a.jsonl", 2, "field 'text' must be a string, not int")
    ]


@pytest.mark.parametrize("given", ["corpus", "corpus/"])
def test_error_path_joins_the_given_directory(in_tmp: Path, given: str) -> None:
    (in_tmp / "corpus" / "a").mkdir(parents=True)
    (in_tmp / "corpus" / "a" / "b.jsonl").write_text(
        jsonl({"text": "أول"}, {"text": "ثان"}) + "oops\n", encoding="utf-8"
    )
    _, errors, _ = read_all([given])
    shown = os.path.join("corpus", "a", "b.jsonl")  # "corpus/a/b.jsonl" on POSIX
    assert errors == [f"{shown}:3: invalid JSON: Expecting value"]


def test_read_file_on_a_directory_is_an_error(in_tmp: Path) -> None:
    (in_tmp / "corpus").mkdir()
    with pytest.raises(DocumentError) as raised:
        list(read_file("corpus"))
    assert str(raised.value) == "corpus: is a directory; read it with read_documents()"


def test_missing_path_is_reported_when_iterated(in_tmp: Path) -> None:
    docs = read_documents(["missing.jsonl"])
    with pytest.raises(DocumentError, match=r"^missing\.jsonl: no such file or directory$"):
        next(docs)


def test_a_single_path_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="paths must be a list of paths, not a single path"):
        read_documents("corpus")


# --- encodings --------------------------------------------------------------------------

ENCODINGS = [
    pytest.param(lambda text: text.encode("utf-8"), False, id="utf-8"),
    pytest.param(lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), False, id="utf-8-bom"),
    pytest.param(
        lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), False, id="utf-16-le-bom"
    ),
    pytest.param(
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), False, id="utf-16-be-bom"
    ),
    pytest.param(lambda text: text.encode("cp1256"), True, id="windows-1256"),
]

ARTICLE = Document(id="cairo", title="القاهرة، مصر", text="عاصمة مصر وأكبر مدنها.\nيمر بها النيل.")
ENCODED_FORMATS = [
    pytest.param("cairo.txt", f"{ARTICLE.title}\r\n{ARTICLE.text}\r\n", id="txt"),
    pytest.param("cairo.md", f"# {ARTICLE.title}\n\n{ARTICLE.text}\n", id="md"),
    pytest.param(
        "cairo.jsonl",
        "\n" + jsonl({"id": "cairo", "title": ARTICLE.title, "text": ARTICLE.text}),
        id="jsonl",
    ),
    pytest.param(
        "cairo.json",
        json.dumps(
            [{"id": "cairo", "title": ARTICLE.title, "text": ARTICLE.text}], ensure_ascii=False
        ),
        id="json",
    ),
    pytest.param(
        "cairo.csv", f'id,title,text\r\ncairo,"{ARTICLE.title}","{ARTICLE.text}"\r\n', id="csv"
    ),
]


@pytest.mark.parametrize("name, content", ENCODED_FORMATS)
@pytest.mark.parametrize("encode, is_windows_1256", ENCODINGS)
def test_every_format_in_every_encoding(
    in_tmp: Path, name: str, content: str, encode: Any, is_windows_1256: bool
) -> None:
    Path(name).write_bytes(encode(content))
    docs, errors, notices = read_all([name])
    assert (docs, errors) == ([ARTICLE], [])
    assert notices == ([f"{name}: read as Windows-1256"] if is_windows_1256 else [])


@pytest.mark.parametrize("encode, is_windows_1256", ENCODINGS)
def test_gzipped_jsonl_in_every_encoding(in_tmp: Path, encode: Any, is_windows_1256: bool) -> None:
    content = jsonl({"id": "cairo", "title": ARTICLE.title, "text": ARTICLE.text})
    Path("cairo.jsonl.gz").write_bytes(gzip.compress(encode(content)))
    docs, errors, notices = read_all(["cairo.jsonl.gz"])
    assert (docs, errors) == ([ARTICLE], [])
    assert notices == (["cairo.jsonl.gz: read as Windows-1256"] if is_windows_1256 else [])


def test_windows_1256_notice_is_given_once_per_file(in_tmp: Path) -> None:
    content = jsonl(*({"text": f"نص رقم {number}"} for number in range(5)))
    Path("a.jsonl").write_bytes(content.encode("cp1256"))
    Path("b.jsonl").write_bytes(content.encode("cp1256"))
    docs, errors, notices = read_all(["a.jsonl", "b.jsonl"])
    assert len(docs) == 10
    assert errors == []
    assert notices == ["a.jsonl: read as Windows-1256", "b.jsonl: read as Windows-1256"]


def test_lines_are_decoded_one_by_one(in_tmp: Path) -> None:
    """A file joined from UTF-8 and Windows-1256 parts reads right on both sides."""
    Path("a.jsonl").write_bytes(
        jsonl({"text": "سطر يونيكود"}).encode() + jsonl({"text": "سطر ويندوز"}).encode("cp1256")
    )
    docs, _, notices = read_all(["a.jsonl"])
    assert [doc.text for doc in docs] == ["سطر يونيكود", "سطر ويندوز"]
    assert notices == ["a.jsonl: read as Windows-1256"]


def test_windows_1256_letters_outside_arabic(in_tmp: Path) -> None:
    # پ, چ and گ are Persian letters that Windows-1256 puts in 0x81, 0x8D and 0x90.
    Path("a.txt").write_bytes("پرچم\nگلگشت".encode("cp1256"))
    docs, _, _ = read_all(["a.txt"])
    assert [(doc.title, doc.text) for doc in docs] == [("پرچم", "گلگشت")]


def test_unicode_line_separators_stay_inside_jsonl_records(in_tmp: Path) -> None:
    text = "سطر\u2028سطر\u0085سطر"
    Path("a.jsonl").write_text(jsonl({"text": text}), encoding="utf-8")
    Path("b.jsonl").write_bytes(codecs.BOM_UTF16_BE + jsonl({"text": text}).encode("utf-16-be"))
    docs, errors, _ = read_all(["a.jsonl", "b.jsonl"])
    assert [doc.text for doc in docs] == [text, text]
    assert errors == []


# --- streaming --------------------------------------------------------------------------


def big_jsonl(lines: int) -> bytes:
    """Records with hex noise, so that gzip cannot shrink them to nothing."""
    return "".join(
        json.dumps({"id": str(number), "text": "خبر " + hashlib.sha256(b"%d" % number).hexdigest()})
        + "\n"
        for number in range(1, lines + 1)
    ).encode()


def test_read_documents_is_lazy(in_tmp: Path) -> None:
    docs = read_documents(["missing.jsonl"])
    assert isinstance(docs, Iterator)


def test_gzipped_jsonl_streams_from_the_start(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("big.jsonl.gz").write_bytes(gzip.compress(big_jsonl(50_000)))
    size = Path("big.jsonl.gz").stat().st_size
    opened: list[gzip.GzipFile] = []
    real_open = gzip.open

    def spying_open(*args: Any, **kwargs: Any) -> Any:
        stream = real_open(*args, **kwargs)
        opened.append(stream)
        return stream

    monkeypatch.setattr(gzip, "open", spying_open)
    docs = read_documents(["big.jsonl.gz"])
    assert next(docs).id == "1"
    compressed = opened[0].fileobj
    assert isinstance(compressed, io.BufferedReader)
    assert compressed.tell() < size // 10
    assert sum(1 for _ in docs) == 49_999


def test_documents_come_before_a_broken_end(in_tmp: Path) -> None:
    data = gzip.compress(big_jsonl(20_000))
    Path("big.jsonl.gz").write_bytes(data[: len(data) // 2])
    errors: list[DocumentError] = []
    docs = read_documents(["big.jsonl.gz"], on_error=errors.append)
    assert next(docs).id == "1"
    assert errors == []  # the broken end has not been reached yet
    count = sum(1 for _ in docs)
    assert 5_000 < count < 15_000
    assert [str(err) for err in errors] == ["big.jsonl.gz: truncated gzip file"]


def _opened(path: Path) -> int:
    """How many times this process holds ``path`` open (from Linux's /proc)."""
    held = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            held += os.readlink(fd) == str(path.resolve())
        except OSError:  # the descriptor of the listing itself, closed by now
            continue
    return held


@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.gz", "a.csv", "a.txt"])
def test_closing_early_closes_the_file(in_tmp: Path, name: str) -> None:
    records = big_jsonl(10)
    if name.endswith(".gz"):
        records = gzip.compress(records)
    elif name.endswith(".csv"):
        records = "id,text\n1,نص\n2,نص آخر\n".encode()
    elif name.endswith(".txt"):
        records = "عنوان\nنص المقال.\n".encode()
    Path(name).write_bytes(records)
    docs = read_documents([name])
    assert isinstance(docs, Generator)
    next(docs)
    assert _opened(in_tmp / name) == 1  # the reader holds the file while it reads
    docs.close()
    assert _opened(in_tmp / name) == 0


# --- how far a read has come ---------------------------------------------------------------


def test_read_progress_names_each_documents_file_and_counts_bytes(in_tmp: Path) -> None:
    Path("news").mkdir()
    Path("news", "a.jsonl").write_bytes(big_jsonl(3))
    with gzip.open(Path("news", "b.jsonl.gz"), "wb") as packed:
        packed.write(big_jsonl(2000))
    Path("news", "c.txt").write_text("عنوان\nنص.\n", encoding="utf-8")
    Path("news", "skip.pdf").write_bytes(b"%PDF")
    sizes = [Path("news", name).stat().st_size for name in ("a.jsonl", "b.jsonl.gz", "c.txt")]
    assert reading.total_size(["news", "missing.txt"]) == sum(sizes)
    progress = reading.ReadProgress()
    seen: list[tuple[str, str | None, int]] = []
    for document in read_documents(["news"], progress=progress):
        seen.append((document.id, progress.file, progress.bytes_read()))
    files = [file for _id, file, _read in seen]
    assert files == [os.path.join("news", "a.jsonl")] * 3 + [
        os.path.join("news", "b.jsonl.gz")
    ] * 2000 + [os.path.join("news", "c.txt")]
    counts = [read for _id, _file, read in seen]
    assert counts == sorted(counts)
    gzipped = counts[3:2003]
    assert sizes[0] < gzipped[0] < gzipped[-1] <= sizes[0] + sizes[1]  # compressed bytes
    assert progress.bytes_read() == sum(sizes)


# --- docstring examples -----------------------------------------------------------------

MODULES = [arsearch.documents, decoding, formats, reading, validation]


@pytest.mark.parametrize("module", MODULES, ids=[module.__name__ for module in MODULES])
def test_docstring_examples_run(module: ModuleType) -> None:
    results = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0
    assert results.failed == 0
