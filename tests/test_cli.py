"""The arsearch command as a user runs it: real subprocesses, exact messages and exit codes."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from arsearch import Document, Index
from support import SEEDS, run_cli

GOOD = {"id": "g1", "title": "خبر سليم", "text": "نص الخبر السليم عن الاقتصاد."}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    done = run_cli("index", str(SEEDS), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


def test_index_reports_a_summary_and_reruns_are_idempotent(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    first = run_cli("index", str(SEEDS), "--index", str(index))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("added 45, updated 0, unchanged 0, skipped 0 in ")
    second = run_cli("index", str(SEEDS), "--index", str(index))
    assert second.returncode == 0
    assert second.stdout.startswith("added 0, updated 0, unchanged 45, skipped 0 in ")


def test_the_index_directory_comes_from_the_environment(tmp_path: Path) -> None:
    index = tmp_path / "from-env"
    done = run_cli("index", str(SEEDS), env={"ARSEARCH_INDEX": str(index)})
    assert done.returncode == 0, done.stderr
    stats = run_cli("stats", "--json", env={"ARSEARCH_INDEX": str(index)})
    assert json.loads(stats.stdout)["documents"] == 45


def test_bad_records_are_listed_and_the_rest_is_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [json.dumps(GOOD, ensure_ascii=False), "{not json", json.dumps({"id": "e", "text": ""})]
    (corpus / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli("index", str(corpus), "--index", str(tmp_path / "ix"))
    assert done.returncode == 1
    assert done.stdout.startswith("added 1, updated 0, unchanged 0, skipped 2 in ")
    errors = [line for line in done.stderr.splitlines() if line.startswith("skipped: ")]
    assert errors == [
        f"skipped: {corpus / 'batch.jsonl'}:2: invalid JSON: Expecting property name enclosed "
        "in double quotes",
        f"skipped: {corpus / 'batch.jsonl'}:3: no text",
    ]
    assert "Traceback" not in done.stderr


def test_strict_stops_and_commits_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n[1]\n", encoding="utf-8")
    done = run_cli("index", str(corpus), "--index", str(tmp_path / "ix"), "--strict")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: {corpus}:2: record must be a JSON object, not list "
        "(--strict: nothing was committed)"
    )
    assert not (tmp_path / "ix").exists()  # no empty index left behind


def test_windows_1256_files_are_named(tmp_path: Path) -> None:
    article = tmp_path / "old.txt"
    article.write_bytes("خبر قديم\nنص مكتوب بترميز ويندوز العربي.".encode("cp1256"))
    done = run_cli("index", str(article), "--index", str(tmp_path / "ix"))
    assert done.returncode == 0
    assert f"note: {article}: read as Windows-1256" in done.stderr.splitlines()
    found = run_cli("query", "ويندوز", "--index", str(tmp_path / "ix"), "--json")
    assert [hit["id"] for hit in json.loads(found.stdout)["hits"]] == ["old"]


def test_switching_engine_needs_rebuild(seeded: Path) -> None:
    done = run_cli("index", str(SEEDS), "--index", str(seeded), "--engine", "whoosh")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"Error: The index at '{seeded}' uses engine 'tantivy'; to switch to 'whoosh', "
        "add --rebuild."
    )


def test_rebuild_with_another_engine(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
    done = run_cli("index", str(SEEDS), "--index", str(index), "--engine", "whoosh", "--rebuild")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 45,")
    stats = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
    assert stats["engine"] == "whoosh"


def test_a_rebuild_keeps_the_settings_it_is_not_told_to_change(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    made = run_cli(
        "index", str(SEEDS), "--index", str(index), "--engine", "whoosh", "--stemmer", "snowball",
        "--no-stem-positions",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    for extra in (["--engine", "tantivy"], []):
        done = run_cli("index", str(SEEDS), "--index", str(index), "--rebuild", *extra)
        assert done.returncode == 0, done.stderr
        stats = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
        assert (stats["engine"], stats["analyzer"]["stemmer"]) == ("tantivy", "snowball")
    switch = run_cli("index", str(SEEDS), "--index", str(index), "--stem-positions")
    assert switch.returncode == 2
    assert switch.stderr == (
        f"Error: The index at '{index}' was built without stem positions; to switch, "
        "add --rebuild.\n"
    )


def test_query_without_an_index(tmp_path: Path) -> None:
    done = run_cli("query", "النفط", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "Error: No index at 'index'. Build one with: arsearch index seeds/\n"


def test_query_json_has_the_documented_shape(seeded: Path) -> None:
    done = run_cli("query", "أسعار النفط", "--index", str(seeded), "--json", "--limit", "2")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert list(data) == [
        "query",
        "total",
        "page",
        "limit",
        "took_ms",
        "did_you_mean",
        "corrected",
        "note",
        "synonyms",
        "facets",
        "hits",
    ]
    assert list(data["facets"]) == ["category", "source"]
    assert len(data["hits"]) == 2
    assert list(data["hits"][0]) == [
        "id",
        "score",
        "title",
        "title_html",
        "snippet",
        "snippet_text",
        "date",
        "source",
        "category",
        "url",
    ]


def test_query_human_output_is_plain_when_piped(seeded: Path) -> None:
    done = run_cli("query", "الكاظمي", "--index", str(seeded), "--limit", "1")
    assert done.returncode == 0
    assert "\x1b[" not in done.stdout and "<mark>" not in done.stdout
    assert done.stdout.splitlines()[0].startswith("1-1 of ")
    assert "1. " in done.stdout


def test_stop_word_query_is_a_note_not_an_error(seeded: Path) -> None:
    done = run_cli("query", "في من", "--index", str(seeded))
    assert done.returncode == 0
    assert done.stderr.startswith("note: The query has no searchable words")
    assert done.stdout.startswith("no results")


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "x", "--limit", "0"], "Invalid value for '--limit'"),
        (["query", "x", "--sort", "title"], "Invalid value for '--sort'"),
        (["index"], "Missing argument 'PATHS...'"),
        (["index", "seeds", "--stemmer", "porter"], "Invalid value for '--stemmer'"),
    ],
    ids=["limit", "sort", "no-paths", "stemmer"],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_query_too_long_is_a_usage_error(seeded: Path) -> None:
    done = run_cli("query", "ن" * 513, "--index", str(seeded))
    assert done.returncode == 2
    assert done.stderr == "Error: Query is too long: 513 characters; the limit is 512.\n"


def _hit_ids(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 0, done.stderr
    return [hit["id"] for hit in json.loads(done.stdout)["hits"]]


def test_a_query_may_start_with_a_minus(seeded: Path) -> None:
    as_option_would = run_cli("query", "-بغداد", "النفط", "--index", str(seeded), "--json")
    after_dashes = run_cli("query", "--index", str(seeded), "--json", "--", "-بغداد النفط")
    ids = _hit_ids(as_option_would)
    assert ids and ids == _hit_ids(after_dashes)
    with_baghdad = _hit_ids(run_cli("query", "بغداد", "--index", str(seeded), "--json"))
    assert not set(ids) & set(with_baghdad)


def test_a_latin_word_after_a_minus_is_no_option(seeded: Path) -> None:
    # -hello holds the letter of -h, which must not show the help.
    done = run_cli("query", "-hello", "--index", str(seeded), "--limit", "1")
    assert done.returncode == 0
    assert done.stdout.startswith("1-1 of 45 results (")


def test_the_words_of_a_query_may_be_unquoted(seeded: Path) -> None:
    apart = run_cli("query", "أسعار", "النفط", "--index", str(seeded), "--json")
    together = run_cli("query", "أسعار النفط", "--index", str(seeded), "--json")
    assert _hit_ids(apart) == _hit_ids(together) != []


def test_an_option_without_its_value_is_a_usage_error(seeded: Path) -> None:
    done = run_cli("query", "النفط", "--index", str(seeded), "--limit")
    assert done.returncode == 2
    assert done.stderr.endswith("Error: Option '--limit' requires an argument.\n")


def test_query_help_summarizes_the_query_language() -> None:
    done = run_cli("query", "--help")
    assert done.returncode == 0
    assert "Usage: arsearch query [OPTIONS] WORDS..." in done.stdout
    for line in (
        '  "أسعار النفط"          the words in this order',
        "  +نفط  -بغداد           must have, must not have (also: AND, &&, NOT, !)",
        "  نفط OR غاز            either (also: |, ||); (نفط OR غاز) -ليبيا groups",
        "  date:2021  date:2021-03  date:2021-01-01..2021-06   a year, a month, a day, a range",
        "A word may start with a minus: arsearch query -بغداد النفط.",
        "A query that is exactly an option's name needs -- first: arsearch query -- -h.",
    ):
        assert "\n  " + line + "\n" in done.stdout, line
    assert run_cli("query", "-h").stdout == done.stdout


def test_a_bad_date_in_a_query_is_a_usage_error(seeded: Path) -> None:
    done = run_cli("query", "النفط date:2021-13", "--index", str(seeded))
    assert done.returncode == 2
    assert done.stderr == (
        "Error: date:2021-13 is not a date: write YYYY-MM-DD, for example 2021-03-05, a year "
        "(2021), a month (2021-03) or a range (2021-01..2021-06, 2021.., ..2021-06).\n"
    )


def test_the_output_says_when_results_are_for_corrected_words(seeded: Path) -> None:
    done = run_cli("query", "واشنطون", "--index", str(seeded), "--limit", "1")
    assert done.returncode == 0
    assert done.stdout.splitlines()[1] == (
        'showing results for: واشنطن (search instead for: "واشنطون")'
    )
    instead = run_cli("query", '"واشنطون"', "--index", str(seeded))
    assert instead.stdout.startswith("no results (")
    assert "showing results for" not in instead.stdout


def test_delete_and_stats(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert run_cli("index", str(SEEDS), "--index", str(index)).returncode == 0
    done = run_cli("delete", "a001", "missing", "--index", str(index))
    assert done.returncode == 1
    assert done.stdout == "deleted 1, not found 1\n"
    assert done.stderr == "not found: no document with id 'missing'\n"
    stats = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
    assert stats["documents"] == 44
    human = run_cli("stats", "--index", str(index))
    assert "documents:   44" in human.stdout


def test_stats_show_the_options_the_index_was_created_with(seeded: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    made = run_cli("index", str(SEEDS), "--index", str(bare), "--no-stem-positions")
    assert made.returncode == 0, made.stderr
    spelled = tmp_path / "spelled"  # no command line option makes one
    Index.create(spelled, spellings="hamza").close()
    expected = [
        (seeded, True, None, "stem positions, no name spellings"),
        (bare, False, None, "no stem positions, no name spellings"),
        (spelled, True, "hamza", "stem positions, name spellings by the hamza rule"),
    ]
    for index, stem_positions, spellings, line in expected:
        as_json = run_cli("stats", "--json", "--index", str(index))
        assert as_json.returncode == 0, as_json.stderr
        options = json.loads(as_json.stdout)["options"]
        assert options == {"stem_positions": stem_positions, "spellings": spellings}
        plain = run_cli("stats", "--index", str(index))
        assert plain.returncode == 0, plain.stderr
        assert f"\noptions:     {line}\n" in plain.stdout, plain.stdout


def test_query_filters_match_the_query_language(seeded: Path) -> None:
    by_option = run_cli("query", "الرياض", "--category", "sport", "--index", str(seeded), "--json")
    by_syntax = run_cli("query", "الرياض category:sport", "--index", str(seeded), "--json")
    assert by_option.returncode == by_syntax.returncode == 0
    hits = json.loads(by_option.stdout)["hits"]
    assert hits and all(hit["category"] == "sport" for hit in hits)
    assert hits == json.loads(by_syntax.stdout)["hits"]


# -- indexing that tells the truth -----------------------------------------------


def _files(index: Path) -> dict[str, tuple[int, int]]:
    """Every file of an index with its size and modification time."""
    return {
        str(path.relative_to(index)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(index.rglob("*"))
        if path.is_file()
    }


def test_a_rerun_that_changes_nothing_writes_nothing(seeded: Path) -> None:
    index = seeded
    before = _files(index)
    done = run_cli("index", str(SEEDS), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        r"added 0, updated 0, unchanged 45, skipped 0 in \d+\.\d\d s "
        r"\(nothing changed: no commit\)\n",
        done.stdout,
    )
    assert _files(index) == before


def test_a_missing_input_file_is_a_usage_error_that_leaves_no_index(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    done = run_cli("index", str(SEEDS), str(missing), "--index", str(tmp_path / "ix"))
    assert done.returncode == 2
    assert done.stderr == f"Error: {missing}: no such file or directory; nothing was added.\n"
    assert done.stdout == ""
    assert not (tmp_path / "ix").exists()


def test_a_missing_input_file_leaves_an_existing_index_as_it_was(
    seeded: Path, tmp_path: Path
) -> None:
    index = seeded
    before = _files(index)
    done = run_cli("index", str(tmp_path / "gone.txt"), "--index", str(index))
    assert done.returncode == 2
    assert _files(index) == before


def test_a_failed_strict_run_keeps_an_existing_index(seeded: Path, tmp_path: Path) -> None:
    index = seeded
    before = _files(index)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[1]\n", encoding="utf-8")
    done = run_cli("index", str(bad), "--index", str(index), "--strict")
    assert done.returncode == 1
    assert _files(index) == before


def test_a_failed_strict_run_in_an_empty_folder_removes_only_its_own_files(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ix"
    folder.mkdir()
    (folder / ".gitkeep").write_text("", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[1]\n", encoding="utf-8")
    assert run_cli("index", str(bad), "--index", str(folder), "--strict").returncode == 1
    assert [path.name for path in folder.iterdir()] == [".gitkeep"]


def _jsonl(path: Path, *ids: str) -> None:
    lines = [
        json.dumps({"id": doc_id, "title": f"خبر {doc_id}", "text": "نص الخبر عن الاقتصاد."})
        for doc_id in ids
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _ids(index: Path) -> list[str]:
    with Index.open(index) as opened:
        return sorted(opened.ids())


def test_prune_removes_documents_whose_file_is_gone_or_no_longer_holds_them(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "cities").mkdir(parents=True)
    _jsonl(corpus / "news.jsonl", "n1", "n2", "n3")
    (corpus / "cities" / "cairo.txt").write_text("القاهرة\nعاصمة مصر.\n", encoding="utf-8")
    (corpus / "aden.md").write_text("# عدن\n\nمدينة على البحر.\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert run_cli("index", str(corpus), "--index", str(index)).returncode == 0
    (corpus / "cities" / "cairo.txt").unlink()
    _jsonl(corpus / "news.jsonl", "n1", "n3")
    plain = run_cli("index", str(corpus), "--index", str(index))
    assert plain.stdout.startswith("added 0, updated 0, unchanged 3, skipped 0 in ")
    assert _ids(index) == ["aden", "cities/cairo", "n1", "n2", "n3"]  # kept without --prune
    done = run_cli("index", str(corpus), "--index", str(index), "--prune")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 0, updated 0, unchanged 3, skipped 0, pruned 2 in ")
    assert done.stderr == ""
    assert _ids(index) == ["aden", "n1", "n3"]
    again = run_cli("index", str(corpus), "--index", str(index), "--prune")
    assert again.stdout.startswith("added 0, updated 0, unchanged 3, skipped 0, pruned 0 in ")
    assert again.stdout.endswith(" s (nothing changed: no commit)\n")


def test_prune_of_one_path_removes_the_documents_of_files_gone_elsewhere(tmp_path: Path) -> None:
    _jsonl(tmp_path / "a.jsonl", "a1")
    _jsonl(tmp_path / "b.jsonl", "b1")
    index = tmp_path / "ix"
    both = run_cli(
        "index", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"), "--index", str(index)
    )
    assert both.returncode == 0
    (tmp_path / "b.jsonl").unlink()
    done = run_cli("index", str(tmp_path / "a.jsonl"), "--index", str(index), "--prune")
    assert ", pruned 1 in " in done.stdout
    assert _ids(index) == ["a1"]


def test_prune_keeps_what_a_file_read_with_errors_may_still_hold(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    _jsonl(corpus, "n1", "n2")
    index = tmp_path / "ix"
    assert run_cli("index", str(corpus), "--index", str(index)).returncode == 0
    corpus.write_text(corpus.read_text(encoding="utf-8").splitlines()[0] + "\n{oops\n", "utf-8")
    done = run_cli("index", str(corpus), "--index", str(index), "--prune")
    assert done.returncode == 1
    assert done.stdout.startswith("added 0, updated 0, unchanged 1, skipped 1, pruned 0 in ")
    assert _ids(index) == ["n1", "n2"]


def test_prune_keeps_documents_with_no_recorded_file_and_says_so(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    with Index.create(index) as created:
        created.add(Document("py1", "من بايثون", "نص أضيف من بايثون."))
    _jsonl(tmp_path / "news.jsonl", "n1")
    done = run_cli("index", str(tmp_path / "news.jsonl"), "--index", str(index), "--prune")
    assert done.returncode == 0
    assert done.stderr == (
        "note: no source file is recorded for 1 document (added without one, or by an older "
        "arsearch); it was kept: index its file again to record it\n"
    )
    assert _ids(index) == ["n1", "py1"]


# -- counts and progress ------------------------------------------------------------


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,234 short articles in one JSON Lines file."""
    path = tmp_path_factory.mktemp("big") / "news.jsonl"
    _jsonl(path, *(f"b{n:04}" for n in range(1234)))
    return path


def test_counts_have_thousands_separators(big_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    done = run_cli("index", str(big_corpus), "--index", str(index))
    assert done.stdout.startswith("added 1,234, updated 0, unchanged 0, skipped 0 in ")
    query = run_cli("query", "الاقتصاد", "--index", str(index), "--page", "124")
    assert query.stdout.startswith("1,231-1,234 of 1,234 results (")
    assert "\n1,231. خبر b" in query.stdout
    stats = run_cli("stats", "--index", str(index))
    assert "documents:   1,234\n" in stats.stdout


_PROGRESS = (
    r"[\d,]+ documents? · [\d.,]+ (?:B|KB|MB) of [\d.,]+ (?:B|KB|MB) \(\d+%\) · "
    r"[\d,]+ documents/s(?: · ETA \d+:\d\d)?"
)


def test_progress_on_a_terminal_is_one_line_redrawn(big_corpus: Path, tmp_path: Path) -> None:
    main, secondary = pty.openpty()
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    env.pop("ARSEARCH_INDEX", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "arsearch", "index", str(big_corpus), "--index", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    assert stdout.decode().startswith("added 1,234, updated 0, unchanged 0, skipped 0 in ")
    text = shown.decode()
    frames = re.findall(r"\r\x1b\[K([^\r]*)", text)
    assert frames and frames[-1] == ""  # the line is cleared before the summary
    assert all(re.fullmatch(_PROGRESS, frame) for frame in frames[:-1]), frames
    assert re.fullmatch(r"1 document · [\d.]+ KB of [\d.]+ KB \(\d+%\) · .*", frames[0])
    assert "\n" not in text


def test_progress_when_piped_is_a_line_every_few_seconds(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    _jsonl(corpus, "n1", "n2", "n3")
    quiet = run_cli("index", str(corpus), "--index", str(tmp_path / "ix"))
    assert quiet.stderr == ""  # done within the first few seconds: nothing to report
    size = corpus.stat().st_size
    done = run_cli("index", str(corpus), "--index", str(tmp_path / "ix2"), "--progress-every", "0")
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert len(lines) == 3
    assert all(re.fullmatch("indexing: " + _PROGRESS, line) for line in lines), lines
    assert lines[-1].startswith(f"indexing: 3 documents · {size} B of {size} B (100%) · ")
