"""``arsearch config``: an index's settings from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import SEEDS, run_cli


@pytest.fixture
def index(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    done = run_cli("index", str(SEEDS), "--index", str(path))
    assert done.returncode == 0, done.stderr
    return path


def test_set_get_show_and_unset(index: Path) -> None:
    done = run_cli("config", "set", "labels.category.sport", "رياضة", "--index", str(index))
    assert (done.returncode, done.stdout) == (0, 'labels.category.sport = "رياضة"\n')
    done = run_cli(
        "config", "set", "serve.cors_origins", "https://a.example", "*", "--index", str(index)
    )
    assert done.stdout == 'serve.cors_origins = ["https://a.example", "*"]\n'
    assert (
        run_cli("config", "get", "labels.category.sport", "--index", str(index)).stdout == "رياضة\n"
    )
    shown = run_cli("config", "show", "--index", str(index))
    assert shown.stdout == (
        'labels.category.sport = "رياضة"\nserve.cors_origins = ["https://a.example", "*"]\n'
    )
    as_json = run_cli("config", "show", "--json", "--index", str(index))
    assert json.loads(as_json.stdout) == {
        "labels": {"category": {"sport": "رياضة"}},
        "serve": {"cors_origins": ["https://a.example", "*"]},
    }
    done = run_cli("config", "unset", "serve.cors_origins", "--index", str(index))
    assert (done.returncode, done.stdout) == (0, "serve.cors_origins removed\n")
    again = run_cli("config", "unset", "serve.cors_origins", "--index", str(index))
    assert (again.returncode, again.stderr) == (1, "serve.cors_origins was not set\n")
    missing = run_cli("config", "get", "serve.port", "--index", str(index))
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        1,
        "",
        "serve.port is not set\n",
    )


def test_a_label_changes_what_the_query_language_matches(index: Path) -> None:
    before = run_cli("query", "category:رياضة", "--json", "--index", str(index))
    assert json.loads(before.stdout)["total"] == 0
    run_cli("config", "set", "labels.category.sport", "رياضة", "--index", str(index))
    after = run_cli("query", "category:رياضة", "--json", "--index", str(index))
    by_key = run_cli("query", "category:sport", "--json", "--index", str(index))
    assert json.loads(after.stdout)["total"] == json.loads(by_key.stdout)["total"] > 0


def test_load_merges_the_seed_labels(index: Path) -> None:
    done = run_cli("config", "load", str(SEEDS / "arsearch.toml"), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"7 settings in '{index / 'arsearch.toml'}'\n"
    got = run_cli("config", "get", "labels.category.economy", "--index", str(index))
    assert got.stdout == "اقتصاد\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["set", "serve.port", "http"],
            "Error: serve.port must be a whole number from 0 to 65535, not 'http'.\n",
        ),
        (
            ["get", "serve"],
            "Error: Unknown setting 'serve'. Settings are: serve.host, serve.port, "
            "serve.workers, serve.api_key_file, serve.cors_origins, serve.base_url, "
            "labels.<field>.<value>.\n",
        ),
    ],
    ids=["bad-value", "unknown-key"],
)
def test_bad_settings_are_usage_errors(index: Path, args: list[str], message: str) -> None:
    done = run_cli("config", *args, "--index", str(index))
    assert (done.returncode, done.stderr) == (2, message)


def test_a_broken_settings_file_stops_searching_with_its_name(index: Path) -> None:
    (index / "arsearch.toml").write_text("[serve\n", encoding="utf-8")
    done = run_cli("query", "النفط", "--index", str(index))
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"Error: The settings file '{index / 'arsearch.toml'}' is not valid TOML"
    )
    assert done.stderr.endswith("; fix it, or remove it.\n")


def test_the_help_lists_every_setting() -> None:
    done = run_cli("config", "--help")
    for key in (
        "serve.host",
        "serve.port",
        "serve.workers",
        "serve.api_key_file",
        "serve.cors_origins",
        "serve.base_url",
        "labels.<field>.<value>",
    ):
        assert f"  {key}: " in done.stdout
