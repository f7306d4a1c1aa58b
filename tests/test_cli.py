"""The arsearch command as a user runs it: real subprocesses, exact messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    stats = run_cli("stats", "--json", "--index", str(tmp_path / "ix"))
    assert json.loads(stats.stdout)["documents"] == 0


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


def test_query_filters_match_the_query_language(seeded: Path) -> None:
    by_option = run_cli("query", "الرياض", "--category", "sport", "--index", str(seeded), "--json")
    by_syntax = run_cli("query", "الرياض category:sport", "--index", str(seeded), "--json")
    assert by_option.returncode == by_syntax.returncode == 0
    hits = json.loads(by_option.stdout)["hits"]
    assert hits and all(hit["category"] == "sport" for hit in hits)
    assert hits == json.loads(by_syntax.stdout)["hits"]
