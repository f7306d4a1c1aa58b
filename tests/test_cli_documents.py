"""``arsearch get`` and ``arsearch export``, run as a user runs them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from support import SEEDS, run_cli

QUERIES = ["النفط", "الكاظمي واشنطن", '"البيت الأبيض"', "category:sport", "اقتصا*"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("documents")
    extra = folder / "extra.jsonl"
    record = {"id": "x1", "title": "خبر", "text": "نص فيه حقل إضافي.", "tags": ["a", "ب"]}
    extra.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    index = folder / "index"
    done = run_cli("index", str(SEEDS), str(extra), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


def test_get_prints_the_stored_document(seeded: Path) -> None:
    done = run_cli("get", "a008", "--index", str(seeded))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "أسعار النفط ترتفع بعد قرار أوبك+ خفض الإنتاج"
    assert lines[1:7] == [
        "id:        a008",
        "date:      2023-04-03T08:15:00",
        "source:    وكالة الأنباء العربية",
        "category:  economy",
        "url:       https://example.org/news/a008",
        "author:    محمد العتيبي",
    ]
    assert lines[7] == ""
    assert "أوبك+" in done.stdout


def test_get_json_is_the_stored_document(seeded: Path) -> None:
    done = run_cli("get", "x1", "--json", "--index", str(seeded))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "id": "x1",
        "title": "خبر",
        "text": "نص فيه حقل إضافي.",
        "tags": ["a", "ب"],
    }


def test_get_an_unknown_id_is_an_error(seeded: Path) -> None:
    done = run_cli("get", "nope", "--index", str(seeded))
    assert done.returncode == 1
    assert done.stderr == "Error: No document with id 'nope'.\n"
    assert done.stdout == ""


def test_export_writes_every_document_as_json_lines_in_id_order(seeded: Path) -> None:
    done = run_cli("export", "--index", str(seeded))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    ids = [record["id"] for record in records]
    assert len(ids) == 46 and ids == sorted(ids)
    assert records[ids.index("x1")]["tags"] == ["a", "ب"]
    assert done.stderr == ""


def _stats(index: Path) -> dict[str, object]:
    done = run_cli("stats", "--json", "--index", str(index))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    return {key: data[key] for key in ("documents", "engine", "analyzer", "format_version")}


def _top(index: Path, query: str) -> list[tuple[str, float]]:
    done = run_cli("query", query, "--json", "--limit", "10", "--index", str(index))
    assert done.returncode == 0, done.stderr
    return [(hit["id"], hit["score"]) for hit in json.loads(done.stdout)["hits"]]


@pytest.mark.parametrize("name", ["all.jsonl", "all.jsonl.gz"])
def test_export_round_trips_into_a_new_index(seeded: Path, tmp_path: Path, name: str) -> None:
    output = tmp_path / name
    done = run_cli("export", "--output", str(output), "--index", str(seeded))
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"exported 46 documents to '{output}'\n"
    assert done.stdout == ""
    if name.endswith(".gz"):
        assert gzip.decompress(output.read_bytes()).count(b"\n") == 46
    copy = tmp_path / "copy"
    indexed = run_cli("index", str(output), "--index", str(copy))
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout.startswith("added 46, updated 0, unchanged 0, skipped 0 in ")
    assert _stats(copy) == _stats(seeded)
    for query in QUERIES:
        assert _top(copy, query) == _top(seeded, query), query
    again = run_cli("export", "--index", str(copy))
    assert again.stdout == run_cli("export", "--index", str(seeded)).stdout


def test_export_into_a_missing_folder_is_an_error(seeded: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such.jsonl"
    done = run_cli("export", "--output", str(target), "--index", str(seeded))
    assert done.returncode == 2
    assert done.stderr == f"Error: No folder '{target.parent}' to write '{target}' in.\n"
    assert not target.parent.exists()


def test_export_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    done = run_cli("export", "--index", str(tmp_path / "none"))
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: No index at '{tmp_path / 'none'}'. Build one with: arsearch index "
        f"--index {tmp_path / 'none'} seeds/\n"
    )
