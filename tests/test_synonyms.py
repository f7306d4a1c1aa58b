"""Synonyms users define: the file's two forms, its errors, and what a search does with them."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import Document, Index, Synonyms, SynonymsError
from arsearch.index.synonyms import MAX_SYNONYM_WORDS, SynonymGroup, read_synonyms
from support import run_cli

DOCUMENTS = [
    Document("un-ar", "قرار أممي", "أصدرت الأمم المتحدة قرارا جديدا بشأن اللاجئين."),
    Document("un-en", "UN", "The UN adopted a resolution on refugees."),
    Document("apart", "أمم", "تحدثت الأمم عن مستقبل المتحدة للطيران في تقرير طويل."),
    Document("egypt", "مصر", "زار الوفد مصر أمس والتقى بالمسؤولين."),
    Document("arab-rep", "ج.م.ع", "ج.م.ع دولة عربية في شمال أفريقيا."),
    Document("cairo", "القاهرة", "القاهرة مدينة كبيرة."),
]
GROUPS = ["الأمم المتحدة, الامم المتحده, UN", "ج.م.ع => مصر"]


@pytest.fixture
def index(tmp_path: Path, engine: str) -> Iterator[Index]:
    """The documents above, with the two groups above as the index's synonyms."""
    with Index.create(tmp_path / "index", engine=engine) as created:
        created.add(DOCUMENTS)
    opened = Index.open(tmp_path / "index")
    opened.set_synonyms(GROUPS)
    yield opened
    opened.close()


def _ids(index: Index, query: str) -> list[str]:
    return sorted(hit.id for hit in index.search(query).hits)


# -- the file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, groups",
    [
        pytest.param(
            "الأمم المتحدة, الامم المتحده, UN\n",
            [("الأمم المتحدة", "الامم المتحده", "UN")],
            id="two-way",
        ),
        pytest.param("ج.م.ع => مصر", [("ج.م.ع", "=>", "مصر")], id="one-way"),
        pytest.param("a, b => c, d", [("a", "b", "=>", "c", "d")], id="one-way-several"),
        pytest.param("مصر، ج.م.ع", [("مصر", "ج.م.ع")], id="arabic-comma"),
        pytest.param("# a comment\n\n  x ,  y  \n", [("x", "y")], id="comments-blanks-spaces"),
        pytest.param("الأمم   المتحدة, UN", [("الأمم المتحدة", "UN")], id="inner-spaces-folded"),
        pytest.param('["a, b", "c => d"]', [("a", "b"), ("c", "=>", "d")], id="json-lines"),
        pytest.param('[["a", "b", "c"]]', [("a", "b", "c")], id="json-word-lists"),
        pytest.param('{"c": ["d", "e"], "f": "g"}', [("c", "=>", "d", "e"), ("f", "=>", "g")],
                     id="json-meilisearch"),
    ],
)  # fmt: skip
def test_a_synonyms_file_holds_one_group_a_line(text: str, groups: list[tuple[str, ...]]) -> None:
    def flat(group: SynonymGroup) -> tuple[str, ...]:
        return group.words + (("=>", *group.synonyms) if group.synonyms else ())

    assert [flat(group) for group in Synonyms.parse(text).groups] == groups


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("a, b\nمصر\n", "syn.txt:2: a group needs two or more words separated by "
                     "commas (a, b, c), or words => synonyms.", id="one-word"),
        pytest.param("a, , b", "syn.txt:1: an empty synonym (two commas in a row, or a comma "
                     "at an end).", id="empty-synonym"),
        pytest.param("\n\na => b => c", "syn.txt:3: '=>' may appear once in a group.",
                     id="two-arrows"),
        pytest.param("=> b", "syn.txt:1: no words before '=>'.", id="nothing-before"),
        pytest.param("a =>", "syn.txt:1: no words after '=>'.", id="nothing-after"),
        pytest.param("a, ...", "syn.txt:1: '...' holds no word to search.", id="no-word"),
        pytest.param("a, " + " ".join(["و"] * (MAX_SYNONYM_WORDS + 1)),
                     f"syn.txt:1: '{' '.join(['و'] * (MAX_SYNONYM_WORDS + 1))}…' has more "
                     f"than {MAX_SYNONYM_WORDS} words.", id="too-many-words"),
        pytest.param('[\n "a, b",\n "c"\n]', "syn.txt:3: a group needs two or more words "
                     "separated by commas (a, b, c), or words => synonyms.", id="json-line"),
        pytest.param('[\n "a, b",\n 3\n]', 'syn.txt:3: a group must be a string such as '
                     '"a, b => c" or a list of words, not 3.', id="json-type"),
        pytest.param('{\n "a": ["b"],\n "c": 4\n}', "syn.txt:3: the synonyms of 'c' must be "
                     "a list of words.", id="json-object-value"),
        pytest.param('[\n "a, b"\n "c, d"\n]', "syn.txt:3: not valid JSON (Expecting ',' "
                     "delimiter).", id="json-syntax"),
    ],
)  # fmt: skip
def test_a_bad_group_is_reported_at_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "syn.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SynonymsError) as caught:
        Synonyms.read(path)
    assert str(caught.value) == message.replace("syn.txt", str(path))


def test_a_file_that_is_not_utf8_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "syn.txt"
    path.write_bytes(b"a, b\n" + "مصر, ج".encode("cp1256"))
    with pytest.raises(SynonymsError, match=r"^.*syn\.txt:2: not UTF-8 text\.$"):
        Synonyms.read(path)


def test_the_file_reads_back_as_it_is_written(tmp_path: Path) -> None:
    synonyms = Synonyms.from_lines(GROUPS)
    path = tmp_path / "back.txt"
    path.write_text(synonyms.to_text(), encoding="utf-8")
    assert Synonyms.read(path) == synonyms
    path.write_text(json.dumps(synonyms.to_list(), ensure_ascii=False), encoding="utf-8")
    assert Synonyms.read(path) == synonyms


# -- searching ----------------------------------------------------------------------


def test_two_way_synonyms_find_each_other(index: Index) -> None:
    assert _ids(index, "UN") == ["un-ar", "un-en"]
    assert _ids(index, "الامم المتحدة") == ["apart", "un-ar", "un-en"]


def test_one_way_synonyms_work_one_way(index: Index) -> None:
    assert _ids(index, "ج.م.ع") == ["arab-rep", "egypt"]
    assert _ids(index, "مصر") == ["egypt"]


def test_a_synonym_of_several_words_is_searched_as_a_phrase(index: Index) -> None:
    # "apart" holds الأمم and المتحدة, but not side by side.
    assert "apart" not in _ids(index, "UN")


def test_required_and_excluded_words_take_their_synonyms_along(index: Index) -> None:
    assert _ids(index, "+UN") == ["un-ar", "un-en"]
    assert _ids(index, "-UN") == ["apart", "arab-rep", "cairo", "egypt"]


def test_the_results_say_which_synonyms_were_searched(index: Index) -> None:
    results = index.search("قرار ج.م.ع")
    assert results.to_dict()["synonyms"] == [{"words": "ج.م.ع", "synonyms": ["مصر"]}]
    assert index.search("القاهرة").to_dict()["synonyms"] == []


def test_snippets_mark_the_synonym_that_matched(index: Index) -> None:
    by_id = {hit.id: hit for hit in index.search("UN").hits}
    assert by_id["un-ar"].snippet.html() == (
        "أصدرت <mark>الأمم</mark> <mark>المتحدة</mark> قرارا جديدا بشأن اللاجئين."
    )
    assert by_id["un-en"].snippet.html() == "The <mark>UN</mark> adopted a resolution on refugees."
    title, _text = index.highlight("egypt", "ج.م.ع")
    assert title.html() == "<mark>مصر</mark>"


def test_a_change_needs_no_rebuild_and_reaches_open_indexes(index: Index) -> None:
    other = Index.open(index.path)
    generations = sorted(path.name for path in index.path.glob("gen-*"))
    try:
        assert _ids(other, "القاهرة") == ["cairo"]
        index.set_synonyms(["القاهرة, مصر"])
        assert _ids(index, "القاهرة") == ["cairo", "egypt"]
        deadline = time.monotonic() + 5
        while _ids(other, "القاهرة") != ["cairo", "egypt"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _ids(other, "القاهرة") == ["cairo", "egypt"]
    finally:
        other.close()
    assert sorted(path.name for path in index.path.glob("gen-*")) == generations


def test_a_bad_file_leaves_the_synonyms_as_they_were(index: Index, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("a, b\nc\n", encoding="utf-8")
    with pytest.raises(SynonymsError):
        index.set_synonyms(bad)
    assert index.synonyms == Synonyms.from_lines(GROUPS)


def test_synonyms_are_set_from_a_path_a_mapping_or_nothing(index: Index, tmp_path: Path) -> None:
    path = tmp_path / "syn.json"
    path.write_text('["القاهرة, مصر"]', encoding="utf-8")
    assert index.set_synonyms(path) == Synonyms.from_lines(["القاهرة, مصر"])
    assert index.set_synonyms({"القاهرة": ["مصر"]}) == Synonyms.from_lines(["القاهرة => مصر"])
    assert index.set_synonyms(None) == Synonyms()
    assert not (index.path / "arsearch.synonyms").exists()
    assert _ids(index, "UN") == ["un-en"]
    message = "synonyms must be a path, a list of groups, a mapping or Synonyms, not int."
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        index.set_synonyms(3)  # type: ignore[arg-type]


def test_the_synonyms_survive_a_rebuild(index: Index) -> None:
    path = index.path
    index.close()
    with Index.create(path, overwrite=True) as rebuilt:
        rebuilt.add(DOCUMENTS)
    assert read_synonyms(path) == Synonyms.from_lines(GROUPS)


# -- the command line -----------------------------------------------------------------


def test_the_synonyms_commands(tmp_path: Path) -> None:
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text(
        "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in DOCUMENTS),
        encoding="utf-8",
    )
    path = str(tmp_path / "index")
    assert run_cli("index", str(corpus), "--index", path).returncode == 0
    source = tmp_path / "syn.txt"
    source.write_text("# ours\n" + "\n".join(GROUPS) + "\n", encoding="utf-8")
    done = run_cli("synonyms", "set", str(source), "--index", path)
    assert (done.returncode, done.stdout) == (0, f"2 synonym groups in '{path}'\n")
    shown = run_cli("synonyms", "show", "--index", path)
    assert shown.stdout == "\n".join(GROUPS) + "\n"
    as_json = run_cli("synonyms", "show", "--json", "--index", path)
    assert json.loads(as_json.stdout) == GROUPS
    found = run_cli("query", "UN", "--json", "--index", path)
    assert json.loads(found.stdout)["synonyms"] == [{"words": "UN", "synonyms": ["الأمم المتحدة"]}]
    source.write_text("a, b\nc\n", encoding="utf-8")
    bad = run_cli("synonyms", "set", str(source), "--index", path)
    assert (bad.returncode, bad.stderr) == (
        1,
        f"Error: {source}:2: a group needs two or more words separated by commas (a, b, c), "
        "or words => synonyms.\n",
    )
    cleared = run_cli("synonyms", "clear", "--index", path)
    assert (cleared.returncode, cleared.stdout) == (0, f"2 synonym groups removed from '{path}'\n")
    empty = run_cli("synonyms", "show", "--index", path)
    assert (empty.returncode, empty.stdout, empty.stderr) == (
        0,
        "",
        f"no synonyms in '{path}'\n",
    )


# -- the web API ------------------------------------------------------------------------


def test_the_api_shows_the_synonyms_searched(tmp_path: Path) -> None:
    from arsearch.web import create_app

    path = tmp_path / "index"
    with Index.create(path) as created:
        created.add(DOCUMENTS)
        created.set_synonyms(GROUPS)
    app = create_app({"INDEX": str(path), "TESTING": True})
    try:
        client = app.test_client()
        data = client.get("/api/search", query_string={"q": "ج.م.ع"}).get_json()
        described = client.get("/api/openapi.json").get_json()
    finally:
        app.extensions["arsearch"].close()
    assert data["synonyms"] == [{"words": "ج.م.ع", "synonyms": ["مصر"]}]
    assert [hit["snippet"] for hit in data["hits"]] == [
        "<mark>ج</mark>.<mark>م</mark>.<mark>ع</mark> دولة عربية في شمال أفريقيا.",
        "زار الوفد <mark>مصر</mark> أمس والتقى بالمسؤولين.",
    ]
    results = described["components"]["schemas"]["Results"]
    assert "synonyms" in results["required"]
    assert results["properties"]["synonyms"]["items"]["required"] == ["words", "synonyms"]
