"""The repros of issue 10 (hostile queries, bad records, live commits), one test each.

Each test here failed on the code the issue was filed against (commit e004077):
a foreign exception, a lost run, a hang, a wrong answer or a deleted file.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import (
    Document,
    DocumentNotFoundError,
    Index,
    IndexExistsError,
    IndexIOError,
    QueryTooComplexError,
    UsageError,
    read_documents,
)
from support import SEEDS, run_cli

GOOD = [
    {"id": "good-1", "title": "القاهرة", "text": "خبر عن القاهرة والنيل."},
    {"id": "good-2", "title": "دمشق", "text": "خبر عن دمشق والشام."},
]


def _jsonl(*rows: object) -> str:
    return "".join(
        (row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n"
        for row in rows
    )


def _skipped(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("skipped: ", "note: "))]


# -- 3. and 4.: bad records are one line each, and the run goes on ----------------------


def test_a_nul_in_an_id_is_one_skipped_record_and_searches_keep_working(tmp_path: Path) -> None:
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(
        _jsonl(GOOD[0], {"id": "a\u0000b", "text": "خبر عن القاهرة"}, GOOD[1]), encoding="utf-8"
    )
    done = run_cli("index", str(corpus), "--index", str(tmp_path / "ix"))
    assert done.returncode == 1
    assert _skipped(done.stderr) == [
        f"skipped: {corpus}:2: field 'id' holds a control character (U+0000)"
    ]
    with Index.open(tmp_path / "ix") as index:
        assert sorted(index.ids()) == ["good-1", "good-2"]
        assert [hit.id for hit in index.search("القاهرة").hits] == ["good-1"]


def test_stored_documents_do_not_carry_their_id(tmp_path: Path) -> None:
    # The stored bytes were `id + NUL + data`, split at the first NUL.
    from arsearch.index.codec import DocumentCodec

    codec = DocumentCodec()
    document = Document("a\u0000b", "عنوان\u0000", "نص\u0000نص")
    assert codec.unpack(codec.pack(document)) == document
    with Index.create(tmp_path / "ix") as index:
        index.add(Document("nul-in-text", "عنوان", "نص عن\u0000 القاهرة"))
    with Index.open(tmp_path / "ix") as index:
        assert index.search("القاهرة").hits[0].document.text == "نص عن\u0000 القاهرة"


@pytest.fixture
def hostile_corpus(tmp_path: Path) -> Path:
    """A folder whose bad records each stopped a run before: good records around them."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [
        GOOD[0],
        '{"id": "lone", "text": "x\\ud800"}',
        '{"id": "deep", "text": "نص", "meta": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"id": "deep-40", "text": "نص", "meta": ' + "[" * 40 + "]" * 40 + "}",
        {"id": "x" * 70_000, "text": "نص"},
        {"id": "tab\there", "text": "نص"},
        {"id": "big", "text": "ا" * (5 * 1024 * 1024)},
        '{"id": "emoji", "text": "\\ud83d\\ude00 نص"}',
        GOOD[1],
    ]
    (corpus / "a.jsonl").write_text(_jsonl(*rows), encoding="utf-8")
    (corpus / "b.json").write_text(
        json.dumps({"id": "one", "title": "عنوان", "text": "ملف من كائن واحد"}), encoding="utf-8"
    )
    os.symlink("loop-2.jsonl", corpus / "loop-1.jsonl")
    os.symlink("loop-1.jsonl", corpus / "loop-2.jsonl")
    os.mkfifo(corpus / "pipe.jsonl")
    return corpus


def test_one_bad_record_does_not_stop_the_run(tmp_path: Path, hostile_corpus: Path) -> None:
    index = tmp_path / "ix"
    done = run_cli("index", str(hostile_corpus), "--index", str(index), timeout=120)
    a = hostile_corpus / "a.jsonl"
    expected = [
        f"skipped: {a}:2: field 'text' holds a lone surrogate (U+D800), which is not text",
        f"skipped: {a}:3: record is nested more than 32 levels deep",
        f"skipped: {a}:4: field 'meta' is nested more than 32 levels deep",
        f"skipped: {a}:5: field 'id' is 70000 bytes long; the limit is 512",
        f"skipped: {a}:6: field 'id' holds a control character (U+0009)",
        f"skipped: {a}:7: record is over the size limit (4 MiB)",
        f"skipped: {hostile_corpus / 'loop-1.jsonl'}: too many levels of symbolic links",
        f"skipped: {hostile_corpus / 'loop-2.jsonl'}: too many levels of symbolic links",
        f"note: {hostile_corpus / 'pipe.jsonl'}: skipped, not a regular file (a named pipe)",
        "note: to read larger records, raise --max-record-mb",
    ]
    assert done.returncode == 1
    assert _skipped(done.stderr) == expected
    assert done.stdout.startswith("added 4, updated 0, unchanged 0, skipped 8 in ")
    assert "Traceback" not in done.stderr
    with Index.open(index) as opened:
        assert sorted(opened.ids()) == ["emoji", "good-1", "good-2", "one"]
        assert opened.get("emoji").text == "\U0001f600 نص"
    # A re-run meets the same records and stops at none of them.
    again = run_cli("index", str(hostile_corpus), "--index", str(index), timeout=120)
    assert again.returncode == 1 and _skipped(again.stderr) == expected
    assert again.stdout.startswith("added 0, updated 0, unchanged 4, skipped 8 in ")


def test_file_names_no_id_can_hold_are_skipped_and_recorded_sources_survive_them(
    tmp_path: Path,
) -> None:
    # A .txt file's id is its name: a name of bytes that are not UTF-8, or with a control
    # character, ended the run (exit 2, nothing added); so did a .jsonl file of such a name
    # (UnicodeEncodeError writing the index's log of source files).
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = "القاهرة\nخبر عن القاهرة والنيل.\n"
    Path(os.fsdecode(bytes(corpus) + b"/bad\xff.txt")).write_text(article, encoding="utf-8")
    (corpus / "control\x01.txt").write_text(article, encoding="utf-8")
    (corpus / "good.txt").write_text(article, encoding="utf-8")
    Path(os.fsdecode(bytes(corpus) + b"/news\xff.jsonl")).write_text(
        _jsonl(GOOD[0]), encoding="utf-8"
    )
    expected = [
        f"skipped: {corpus}/bad\\udcff.txt: its name cannot be a document id: it holds a lone "
        "surrogate (U+DCFF), which is not text",
        f"skipped: {corpus}/control\x01.txt: its name cannot be a document id: it holds a "
        "control character (U+0001)",
    ]
    index = tmp_path / "ix"
    done = run_cli("index", str(corpus), "--index", str(index))
    assert (done.returncode, _skipped(done.stderr)) == (1, expected), done.stderr
    assert done.stdout.startswith("added 2, updated 0, unchanged 0, skipped 2 in ")
    again = run_cli("index", str(corpus), "--index", str(index), "--prune")
    assert (again.returncode, _skipped(again.stderr)) == (1, expected), again.stderr
    assert again.stdout.startswith("added 0, updated 0, unchanged 2, skipped 2, pruned 0 in ")
    with Index.open(index) as opened:
        assert sorted(opened.ids()) == ["good", "good-1"]


def test_folders_nested_deeper_than_the_recursion_limit_are_read(tmp_path: Path) -> None:
    # The walk through folders was recursive: 1,100 levels ended the run (RecursionError).
    corpus = tmp_path / "corpus"
    deepest = str(corpus)
    os.mkdir(deepest)
    for _ in range(1_100):
        deepest = os.path.join(deepest, "a")
        os.mkdir(deepest)
    Path(deepest, "news.jsonl").write_text(_jsonl(GOOD[0]), encoding="utf-8")
    (corpus / "top.jsonl").write_text(_jsonl(GOOD[1]), encoding="utf-8")
    try:
        errors: list[str] = []
        documents = read_documents([corpus], on_error=lambda error: errors.append(str(error)))
        assert ([document.id for document in documents], errors) == (["good-1", "good-2"], [])
    finally:
        # shutil.rmtree (pytest's clean-up of old temporary folders) recurses once a level
        # too, and would fail on this tree in a later session: take it down here.
        os.unlink(os.path.join(deepest, "news.jsonl"))
        while deepest != str(corpus):
            os.rmdir(deepest)
            deepest = os.path.dirname(deepest)


def test_a_larger_limit_reads_a_larger_record(tmp_path: Path) -> None:
    corpus = tmp_path / "big.jsonl"
    # 1.5 MiB, in a field that is stored but not analyzed (quicker to index).
    corpus.write_text(
        _jsonl({"id": "big", "text": "نص", "blob": "x" * (1536 * 1024)}), encoding="utf-8"
    )
    small = run_cli("index", str(corpus), "--index", str(tmp_path / "a"), "--max-record-mb", "1")
    assert _skipped(small.stderr) == [
        f"skipped: {corpus}:1: record is over the size limit (1 MiB)",
        "note: to read larger records, raise --max-record-mb",
    ]
    large = run_cli("index", str(corpus), "--index", str(tmp_path / "b"), "--max-record-mb", "2")
    assert large.returncode == 0, large.stderr
    assert large.stdout.startswith("added 1, ")


def test_a_named_pipe_on_the_command_line_is_refused_at_once(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)  # with no writer, opening it would wait for ever
    done = run_cli("index", str(pipe), "--index", str(tmp_path / "ix"), timeout=60)
    assert done.returncode == 1
    assert _skipped(done.stderr) == [f"skipped: {pipe}: not a regular file (a named pipe)"]


# -- 10.: a snippet of a very long text costs what its window costs ----------------------


def test_a_snippet_of_a_long_text_looks_at_its_start_only() -> None:
    from arsearch.analysis import Analyzer
    from arsearch.highlight import SNIPPET_SCAN, Matcher, make_snippet

    analyzer = Analyzer()
    cairo = Matcher(stems=frozenset({"قاهر"}))
    text = "خبر عن القاهرة والنيل. " * 250_000  # 5.75 million characters: 2 s of CPU before
    started = time.thread_time()
    snippet = make_snippet(text, cairo, analyzer)
    assert time.thread_time() - started < 0.5
    assert snippet.html().count("<mark>القاهرة</mark>") == len(snippet.spans) == 9
    assert snippet.text.endswith("…")
    # A word found only past the start is not sought: the snippet is the text's beginning.
    late = "مقدمة " * (SNIPPET_SCAN // 6 + 1) + "القاهرة"
    assert make_snippet(late, cairo, analyzer) == make_snippet("مقدمة " * 100, cairo, analyzer)
    assert make_snippet(late, cairo, analyzer).spans == ()
    # Leading whitespace does not count: the scan starts at the first word.
    spaced = " " * (SNIPPET_SCAN + 10) + "خبر عن القاهرة"
    assert make_snippet(spaced, cairo, analyzer).html() == "خبر عن <mark>القاهرة</mark>"


def test_a_long_title_is_returned_whole_and_marked_in_its_start_only(tmp_path: Path) -> None:
    from arsearch.highlight import SNIPPET_SCAN

    title = "النفط " * 100_000  # every word marked: half a second per search before
    with Index.create(tmp_path / "ix") as index:
        index.add(Document("long", title, "خبر عن النفط"))
    with Index.open(tmp_path / "ix") as index:
        (hit,) = index.search("النفط").hits
    assert hit.title.text == title
    assert len(hit.title.spans) == SNIPPET_SCAN // len("النفط ")
    assert hit.title.spans[-1][1] <= SNIPPET_SCAN


# -- 8.: ids over the limit, and other ids no index can hold ----------------------------


@pytest.mark.parametrize(
    "doc_id, message",
    [
        (
            "x" * 70_000,
            f"Document id {'x' * 60!r} cannot be used: it is 70000 bytes long; the limit is 512.",
        ),
        (
            "a\u0000b",
            "Document id 'a\\x00b' cannot be used: it holds a control character (U+0000).",
        ),
        ("", "Document id '' cannot be used: it is empty."),
        (
            "a\ud800",
            "Document id 'a\\ud800' cannot be used: it holds a lone surrogate (U+D800), "
            "which is not text.",
        ),
    ],
    ids=["long", "nul", "empty", "surrogate"],
)
def test_index_add_refuses_ids_no_index_can_hold(tmp_path: Path, doc_id: str, message: str) -> None:
    with Index.create(tmp_path / "ix") as index:
        with pytest.raises(UsageError) as caught:
            index.add(Document(doc_id, "", "نص"))
        assert str(caught.value) == message
        index.add(Document("ok", "", "نص"))
    with Index.open(tmp_path / "ix") as index:
        assert index.ids() == ["ok"]


def test_index_add_refuses_a_lone_surrogate_in_a_text(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        with pytest.raises(UsageError) as caught:
            index.add(Document("s", "عنوان", "نص\udcff"))
        assert str(caught.value) == (
            "Document 's' cannot be added: it holds a lone surrogate (U+DCFF), which is not text."
        )


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            {"when": datetime.date(2021, 3, 5)},
            "field 'when' holds a date, which is not a JSON value",
        ),
        ({"a": {1: "x"}}, "field 'a' holds an object whose keys are not all strings"),
        (
            {"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
            ("field 'deep' is nested more than 32 levels deep"),
        ),
    ],
    ids=["date", "int-key", "deep"],
)
def test_index_add_refuses_extra_fields_it_cannot_store(
    tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    with Index.create(tmp_path / "ix") as index, pytest.raises(UsageError) as caught:
        index.add(Document("e", "", "نص", extra=extra))
    assert str(caught.value) == f"Document 'e' cannot be added: {message}."


# -- 7.: invalid UTF-8 on the command line, lone surrogates in Python -------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("hardening") / "ix"
    done = run_cli("index", str(SEEDS), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


def _cli_bytes(*args: str | bytes) -> subprocess.CompletedProcess[str]:
    """The CLI with raw byte arguments, as a shell passes $'\\xff'."""
    return subprocess.run(
        [sys.executable, "-m", "arsearch", *args],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )


@pytest.mark.parametrize(
    "args",
    [
        ["query", b"\xd8\xa8\xff~2"],
        ["query", b"\xd8\xa8\xff*"],
        ["query", b"source:\xff"],
        ["query", b"category:\xff \xd8\xa7\xd9\x84"],
        ["query", b"x", "--category", b"\xff"],
        ["query", "--json", b"\xd8\xa8\xff~2"],
    ],
    ids=["fuzzy", "prefix", "source", "category", "category-option", "json"],
)
def test_invalid_utf8_in_a_query_finds_nothing_or_something(
    seeded: Path, args: list[str | bytes]
) -> None:
    done = _cli_bytes(*args, "--index", str(seeded))
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr


def test_invalid_utf8_in_other_arguments_gives_one_clear_line(seeded: Path) -> None:
    deleted = _cli_bytes("delete", b"\xff", "--index", str(seeded))
    assert (deleted.returncode, deleted.stderr) == (
        1,
        "not found: no document with id '\\udcff'\n",
    )
    dated = _cli_bytes("query", "x", "--date-from", b"\xff", "--index", str(seeded))
    assert (dated.returncode, dated.stderr) == (
        2,
        "Error: '\\udcff' is not a date: write YYYY-MM-DD, for example 2021-03-05.\n",
    )
    missing = _cli_bytes("stats", "--index", b"/nowhere/\xff")
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: No index at '/nowhere/\\udcff'. Build one with: ")


@pytest.mark.parametrize(
    "call",
    [
        lambda ix: ix.search("ب\ud800~2"),
        lambda ix: ix.search("\udcff*"),
        lambda ix: ix.search("title:\ud800 source:\udcff"),
        lambda ix: ix.search("x", filters={"category": ["\udcff"], "source": "\ud800"}),
        lambda ix: ix.suggest("ب\ud800"),
        lambda ix: ix.suggest("\ud800"),
        lambda ix: ix.highlight(ix.ids()[0], "القاهرة\ud800"),
        lambda ix: ix.delete("\udcff"),
    ],
    ids=["fuzzy", "prefix", "fields", "filters", "suggest", "suggest-alone", "highlight", "delete"],
)
def test_lone_surrogates_in_python_calls_raise_nothing_foreign(
    tmp_path: Path, call: object
) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add(Document("a", "القاهرة", "خبر عن القاهرة", category="x"))
    with Index.open(tmp_path / "ix") as index:
        result = call(index)  # type: ignore[operator]
        json.dumps(getattr(result, "to_dict", lambda: None)(), ensure_ascii=False).encode()
        with pytest.raises(DocumentNotFoundError) as caught:
            index.get("a\ud800")
        assert str(caught.value) == "No document with id 'a\ufffd'."


# -- 9.: a folder that is not an index ----------------------------------------------------


def test_index_refuses_a_folder_that_is_not_an_index_and_touches_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    (folder / "engine").mkdir(parents=True)
    (folder / "engine" / "main.c").write_text("int main(void) { return 0; }\n")
    (folder / "commit.json").write_text('{"mine": true}\n')
    (folder / "docstore.dict").write_bytes(b"\x00mine")
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    done = run_cli("index", str(SEEDS), "--index", str(folder))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Error: The folder '{folder}' holds other files (commit.json, docstore.dict, engine) "
        "and no arsearch index. Choose an empty or new folder with --index.\n"
    )
    after = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    assert after == before
    # --rebuild (overwrite=True) is refused the same way: it used to add an index among them.
    rebuild = run_cli("index", str(SEEDS), "--index", str(folder), "--rebuild")
    assert (rebuild.returncode, rebuild.stderr) == (1, done.stderr)
    with pytest.raises(IndexExistsError) as caught:
        Index.create(folder, overwrite=True)
    assert str(caught.value) == (
        f"The folder '{folder}' holds other files (commit.json, docstore.dict, engine) "
        "and no arsearch index. Choose an empty or new folder."
    )
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["commit.json", "docstore.dict", "engine"]
    assert {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()} == before


# -- 11.: "did you mean" replaces whole words only ---------------------------------------


def test_did_you_mean_does_not_replace_inside_another_word(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add(Document(f"d{n}", "", "مراسلنا في واشنطون يكتب عن شنطه السفر") for n in range(9))
    with Index.open(tmp_path / "ix") as index:
        results = index.search("واشنطون شنطو")
    # The absent word is searched as the near spelling the index holds, and said so:
    # the word it is a part of (واشنطون) is left as typed.
    assert (results.corrected, results.did_you_mean) == ("واشنطون شنطه", None)


# -- 11.: --rebuild is atomic, and a crash in it loses nothing ----------------------------


def _generations(index: Path) -> set[str]:
    return {path.name for path in index.glob("gen-*")}


def test_kill_9_during_a_rebuild_keeps_the_old_index_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    index = tmp_path / "ix"
    assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
    with Index.open(index) as opened:
        old_ids = sorted(opened.ids())
    (live,) = _generations(index)
    corpus = tmp_path / "corpus.jsonl"
    rng = random.Random(3)
    words = ["الحكومة", "الوزير", "المدينة", "الجامعة", "السوق", "المطار", "الطقس", "النفط"]
    corpus.write_text(
        _jsonl(
            *(
                {"id": f"new-{n}", "text": " ".join(rng.choice(words) for _ in range(60))}
                for n in range(15_000)
            )
        ),
        encoding="utf-8",
    )
    rebuild = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "arsearch",
            "index",
            str(corpus),
            "--index",
            str(index),
            "--rebuild",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        # The new generation has its trained dictionary: documents are flowing into it.
        while not any(
            (index / name / "docstore.dict").exists() for name in _generations(index) - {live}
        ):
            assert rebuild.poll() is None and time.monotonic() < deadline, "the rebuild ended early"
            time.sleep(0.01)
        with Index.open(index) as opened:  # readers see the old index during the rebuild
            assert sorted(opened.ids()) == old_ids
    finally:
        os.kill(rebuild.pid, signal.SIGKILL)
        rebuild.wait(timeout=30)
    assert len(_generations(index)) == 2
    with Index.open(index) as opened:
        assert sorted(opened.ids()) == old_ids
        assert opened.search("القاهرة").total > 0
    # The next writer removes the half-built generation.
    assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
    assert _generations(index) == {live}


def test_a_generation_cut_short_while_being_made_is_removed_by_the_next_writer(
    tmp_path: Path,
) -> None:
    index = tmp_path / "ix"
    assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
    (live,) = _generations(index)
    # A full disk (or a crash) while its generation.json was written: only the temporary
    # file is there. It was never removed, being neither empty nor a whole generation.
    cut = index / f"gen-{'0' * 32}"
    cut.mkdir()
    (cut / "generation.json.tmp").write_text('{"engine": "tant', encoding="utf-8")
    assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
    assert _generations(index) == {live}


# -- 11.: a full disk, a read-only folder, no permission ----------------------------------


@contextlib.contextmanager
def _tmpfs(where: Path, size: str, *, read_only: bool = False) -> Iterator[Path]:
    """A small tmpfs mounted at ``where``, or a skip where this process cannot mount one."""
    where.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    if shutil.which("mount") is None:
        pytest.skip("no mount command to make a small file system")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def test_a_full_disk_is_one_clear_line_and_the_index_keeps_its_last_commit(
    tmp_path: Path,
) -> None:
    with _tmpfs(tmp_path / "small", "1m") as disk:
        index = disk / "ix"
        done = run_cli("index", str(SEEDS), "--index", str(index))
        assert done.returncode == 0, done.stderr
        rng = random.Random(5)
        letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
        big = tmp_path / "big.jsonl"
        big.write_text(
            _jsonl(
                *(
                    {
                        "id": f"n{n}",
                        "text": " ".join(
                            "".join(rng.choice(letters) for _ in range(7)) for _ in range(400)
                        ),
                    }
                    for n in range(150)
                )
            ),
            encoding="utf-8",
        )
        full = run_cli("index", str(big), "--index", str(index))
        assert (full.returncode, full.stderr) == (
            1,
            f"Error: Cannot write to the index at '{index}': the disk is full. Free some space "
            "and run it again; the index keeps its last commit.\n",
        )
        with Index.open(index) as opened:
            assert len(opened) == 45
            assert opened.search("القاهرة").total > 0
        # The files of the commit that failed are gone: with nothing freed, a small
        # run commits (the disk stayed full of them, so every run failed the same way).
        small = tmp_path / "small.jsonl"
        small.write_text(_jsonl(GOOD[0]), encoding="utf-8")
        after = run_cli("index", str(small), "--index", str(index))
        assert (after.returncode, after.stderr) == (0, "")
        with Index.open(index) as opened:
            assert len(opened) == 46


@pytest.mark.parametrize(
    "engine, disk_size, failing",
    [
        ("tantivy", "2m", "commit"),
        ("whoosh", "2m", "commit"),
        # Xapian writes as its buffer fills: on a smaller disk the add itself fails.
        ("xapian", "2m", "add"),
        ("xapian", "3m", "commit"),
    ],
    ids=["tantivy", "whoosh", "xapian-add", "xapian-commit"],
)
def test_after_a_write_failed_on_a_full_disk_the_same_index_adds_again(
    tmp_path: Path, engine: str, disk_size: str, failing: str, seed_documents: list[Document]
) -> None:
    # As a long-lived Index does (a web app, a notebook): no rollback, no reopening. It
    # used to drop the next documents unsaid (tantivy), fail on them inside whoosh, or
    # let Xapian's own error out (xapian).
    rng = random.Random(5)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    words = ("".join(rng.choice(letters) for _ in range(7)) for _ in range(300 * 400))
    big = [Document(f"n{n}", "", " ".join(next(words) for _ in range(400))) for n in range(300)]
    with _tmpfs(tmp_path / "disk", disk_size) as disk:
        with Index.create(disk / "ix", engine=engine) as index:
            index.add(seed_documents)
        with Index.open(disk / "ix") as index:
            failed = "add"
            with pytest.raises(IndexIOError) as raised:
                index.add(big, batch_size=0)
                failed = "commit"
                index.commit()
            assert failed == failing
            assert str(raised.value) == (
                f"Cannot write to the index at '{disk / 'ix'}': the disk is full. Free some "
                "space and run it again; the index keeps its last commit."
            )
            assert len(index) == len(seed_documents)
            _remount(disk, "size=64m")  # some space freed, as the message says
            index.add(big[:1], batch_size=0)
            index.commit()
            assert len(index) == len(seed_documents) + 1
        with Index.open(disk / "ix") as reopened:
            assert sorted(reopened.ids()) == sorted([d.id for d in seed_documents] + ["n0"])


def test_a_read_only_folder_is_one_clear_line(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "disk", "4m") as disk:
        index = disk / "ix"
        assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
        _remount(disk, "ro")
        # Tantivy takes a lock file even to read: opening the index fails first.
        more = run_cli("index", str(SEEDS), "--index", str(index))
        assert (more.returncode, more.stderr) == (
            1,
            f"Error: Cannot read the index at '{index}': the file system is read-only.\n",
        )
        fresh = run_cli("index", str(SEEDS), "--index", str(disk / "new"))
        assert (fresh.returncode, fresh.stderr) == (
            1,
            f"Error: Cannot create the index at '{disk / 'new'}': the file system is read-only.\n",
        )
        read = run_cli("query", "القاهرة", "--index", str(index))
        assert (read.returncode, read.stderr) == (
            1,
            f"Error: Cannot read the index at '{index}': the file system is read-only.\n",
        )


def _as_nobody() -> list[str]:
    """A command prefix that drops root's rights, or [] when not root (skip if impossible)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import arsearch"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        # A checkout in a folder private to root (mktemp -d, say): nobody cannot import it.
        pytest.skip("the unprivileged user cannot run arsearch from this checkout")
    return prefix


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user can reach (pytest's own are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="arsearch-permissions-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_no_permission_is_one_clear_line(open_folder: Path) -> None:
    prefix = _as_nobody()
    index = open_folder / "ix"
    assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
    locked = open_folder / "locked"
    locked.mkdir(mode=0o555)
    env = {**os.environ, "PYTHONWARNINGS": "error"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [*prefix, sys.executable, "-m", "arsearch", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=False)

    try:
        created = cli("index", str(SEEDS), "--index", str(locked / "ix"))
        assert (created.returncode, created.stderr) == (
            1,
            f"Error: Cannot create the index at '{locked / 'ix'}': permission denied.\n",
        )
        (index / "arsearch.json").chmod(0o600)
        (index / "arsearch.lock").chmod(0o600)
        read = cli("stats", "--index", str(index))
        assert (read.returncode, read.stderr) == (
            1,
            f"Error: Cannot read the index at '{index}': permission denied "
            f"('{index / 'arsearch.json'}').\n",
        )
    finally:
        (index / "arsearch.json").chmod(0o644)
        locked.chmod(0o755)


# -- 11.: wrong Python types are named ------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda ix: Index.open(5), TypeError, "path must be a string or a path, not int."),
        (
            lambda ix: Index.create(None),
            TypeError,
            "path must be a string or a path, not NoneType.",
        ),
        (
            lambda ix: ix.add([], batch_size="10"),
            TypeError,
            "batch_size must be a whole number, 0 or more, not '10'.",
        ),
        (
            lambda ix: ix.add([], workers=0),
            TypeError,
            "workers must be a whole number, 1 or more, or None, not 0.",
        ),
        (lambda ix: ix.highlight("a", 5), TypeError, "query must be a string, not int."),
        (
            lambda ix: read_documents([SEEDS], max_record_bytes="1"),
            TypeError,
            "max_record_bytes must be a whole number (int), not str.",
        ),
        (
            lambda ix: read_documents([SEEDS], max_record_bytes=0),
            ValueError,
            "max_record_bytes must be 1 or more, not 0.",
        ),
        (
            lambda ix: Index.open("ix\x00"),
            ValueError,
            "path 'ix\\x00' holds a NUL character, which no file name can hold.",
        ),
        (
            lambda ix: Index.create("ix\ud800"),
            ValueError,
            "path 'ix\\ud800' holds a lone surrogate (U+D800), which no file name can hold.",
        ),
        (
            lambda ix: ix.add_files([5]),
            TypeError,
            "path must be a string or a path, not int.",
        ),
        (
            lambda ix: Index.open(ix.path, refresh_interval="1"),
            TypeError,
            "refresh_interval must be a number of seconds, not str.",
        ),
        (
            lambda ix: ix.search("نص", filters=["category"]),
            TypeError,
            "filters must be a mapping of filter names to values, not list.",
        ),
    ],
    ids=[
        "open",
        "create",
        "batch-size",
        "workers",
        "highlight",
        "record-type",
        "record-value",
        "path-nul",
        "path-surrogate",
        "file-type",
        "refresh-interval",
        "filters",
    ],
)
def test_wrong_argument_types_are_named(
    tmp_path: Path, call: object, error: type[Exception], message: str
) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add(Document("a", "", "نص"))
        with pytest.raises(error) as caught:
            call(index)  # type: ignore[operator]
        assert str(caught.value) == message


def test_the_web_refuses_a_query_too_costly_to_prepare_with_400() -> None:
    from arsearch.web.errors import describe

    problem = describe(QueryTooComplexError("This query is too costly to answer."))
    assert (problem.status, problem.code) == (400, "query_too_complex")
