"""arsearch.evaluation and ``arsearch eval``: metrics by hand, strict input, real runs."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch import Document
from arsearch.errors import EvaluationError, UsageError
from arsearch.evaluation import (
    Evaluation,
    JudgedQuery,
    QueryScores,
    evaluate,
    mean_scores,
    read_qrels,
    read_queries,
    score_ranking,
    write_run,
)
from arsearch.index import Index
from support import run_cli

INV_LOG3 = 1 / math.log2(3)  # the discount at rank 2

# -- metrics by hand --------------------------------------------------------------


@pytest.mark.parametrize(
    "ranking, judgments, expected",
    [
        pytest.param(["a", "b"], {"a": 1}, (1.0, 1.0, 1.0, 1.0, 1), id="first-at-rank-1"),
        pytest.param(["x", "y", "a"], {"a": 1}, (1 / 3, 1.0, 1.0, 0.5, 3), id="first-at-rank-3"),
        pytest.param(
            [f"x{i}" for i in range(10)] + ["a"],
            {"a": 1},
            (0.0, 0.0, 1.0, 0.0, 11),
            id="rank-11-counts-for-recall@100-only",
        ),
        pytest.param(
            [f"x{i}" for i in range(100)] + ["a"],
            {"a": 1},
            (0.0, 0.0, 0.0, 0.0, 101),
            id="rank-101-counts-for-nothing",
        ),
        pytest.param(["x", "y"], {"a": 1}, (0.0, 0.0, 0.0, 0.0, None), id="not-retrieved"),
        pytest.param([], {"a": 1}, (0.0, 0.0, 0.0, 0.0, None), id="no-hits"),
        pytest.param(
            ["x", "a"] + [f"x{i}" for i in range(47)] + ["b"],
            {"a": 1, "b": 1},
            (0.5, 0.5, 1.0, INV_LOG3 / (1 + INV_LOG3), 2),
            id="two-relevant-one-in-top-10",
        ),
        pytest.param(
            ["c", "b"],
            {"b": 2, "c": 1},
            (1.0, 1.0, 1.0, (1 + 2 * INV_LOG3) / (2 + INV_LOG3), 1),
            id="graded-gains-as-trec-eval",
        ),
        pytest.param(
            ["n", "a"], {"n": 0, "a": 1}, (0.5, 1.0, 1.0, INV_LOG3, 2), id="judged-not-relevant"
        ),
        pytest.param(
            ["x", "a"],
            {"a": 1, "z": -1},
            (0.5, 1.0, 1.0, INV_LOG3, 2),
            id="negative-is-not-relevant",
        ),
        pytest.param(
            ["x", "x", "a"], {"a": 1}, (0.5, 1.0, 1.0, INV_LOG3, 2), id="duplicate-hits-count-once"
        ),
    ],
)
def test_metrics_match_hand_computed_values(
    ranking: list[str],
    judgments: dict[str, int],
    expected: tuple[float, float, float, float, int | None],
) -> None:
    scores = score_ranking("q", ranking, judgments)
    mrr, r10, r100, ndcg, first = expected
    assert scores.mrr_at_10 == pytest.approx(mrr)
    assert scores.recall_at_10 == pytest.approx(r10)
    assert scores.recall_at_100 == pytest.approx(r100)
    assert scores.ndcg_at_10 == pytest.approx(ndcg)
    assert scores.first_relevant == first


def test_a_query_without_relevant_documents_cannot_be_scored() -> None:
    with pytest.raises(UsageError, match="Query 'q' has no relevant document"):
        score_ranking("q", ["a"], {"a": 0})


@pytest.mark.parametrize(
    "rankings, expected",
    [
        pytest.param([], 0.0, id="no-queries"),
        pytest.param([["a"]], 1.0, id="one-perfect"),
        pytest.param([["a"], ["x", "a"], []], 0.5, id="mean-of-1-half-and-0"),
    ],
)
def test_mean_scores_average_over_queries(rankings: list[list[str]], expected: float) -> None:
    scored = [score_ranking(f"q{i}", ranking, {"a": 1}) for i, ranking in enumerate(rankings)]
    assert mean_scores(scored)["mrr_at_10"] == pytest.approx(expected)


def test_unknown_metric_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="Unknown metric 'p@5'"):
        score_ranking("q", ["a"], {"a": 1}).value("p@5")


# -- strict input -----------------------------------------------------------------


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_queries_are_read_with_ids_as_strings(tmp_path: Path) -> None:
    lines = [
        '\ufeff{"id": "q1", "text": "ما هي عاصمة مصر؟", "answers": ["القاهرة"]}',
        "",
        '{"id": 7, "text": "أسعار \\"النفط\\" الخام"}',
    ]
    path = _write(tmp_path / "q.jsonl", "\n".join(lines) + "\n")
    assert read_queries(path) == [
        JudgedQuery("q1", "ما هي عاصمة مصر؟"),
        JudgedQuery("7", 'أسعار "النفط" الخام'),
    ]


@pytest.mark.parametrize(
    "content, reason",
    [
        pytest.param(
            '{"id": "a", "text": "x"}\n{"id": ', "2: invalid JSON: Expecting value", id="json"
        ),
        pytest.param('["a", "x"]\n', '1: expected an object {"id", "text"}, not list', id="array"),
        pytest.param('{"text": "x"}\n', '1: missing "id" (a string or an integer)', id="no-id"),
        pytest.param(
            '{"id": true, "text": "x"}\n', '1: missing "id" (a string or an integer)', id="bool-id"
        ),
        pytest.param(
            '{"id": "a b", "text": "x"}\n',
            '1: "id" must be non-empty and without spaces',
            id="id-with-space",
        ),
        pytest.param('{"id": "a"}\n', '1: missing "text" (a non-empty string)', id="no-text"),
        pytest.param(
            '{"id": "a", "text": "  "}\n', '1: missing "text" (a non-empty string)', id="blank-text"
        ),
        pytest.param(
            '{"id": "a", "text": "x"}\n\n{"id": "a", "text": "y"}\n',
            "3: duplicate query id 'a' (first on line 1)",
            id="duplicate-id",
        ),
        pytest.param("\n\n", ": no queries", id="empty"),
        pytest.param(b'{"id": "a", "text": "\xff"}\n', "1: not valid UTF-8", id="not-utf8"),
    ],
)
def test_bad_query_files_name_the_line(tmp_path: Path, content: str | bytes, reason: str) -> None:
    path = _write(tmp_path / "q.jsonl", content)
    with pytest.raises(EvaluationError) as caught:
        read_queries(path)
    assert str(caught.value) == f"{path}{'' if reason.startswith(':') else ':'}{reason}"


def test_qrels_keep_graded_judgments(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.tsv", "q1 0 d1 1\n\nq1\t0\td2\t2\nq2 0 d1 0\n")
    assert read_qrels(path) == {"q1": {"d1": 1, "d2": 2}, "q2": {"d1": 0}}


@pytest.mark.parametrize(
    "content, reason",
    [
        pytest.param(
            "q1 0 d1 1\nq1 d2 1\n", "2: expected 4 fields 'qid 0 docid rel', found 3", id="fields"
        ),
        pytest.param("q1 0 d1 yes\n", "1: relevance 'yes' is not an integer", id="relevance"),
        pytest.param(
            "q1 0 d1 1\nq1 0 d1 0\n",
            "2: query 'q1' judges document 'd1' twice (first on line 1)",
            id="twice",
        ),
        pytest.param("", ": no judgments", id="empty"),
    ],
)
def test_bad_qrels_name_the_line(tmp_path: Path, content: str, reason: str) -> None:
    path = _write(tmp_path / "r.tsv", content)
    with pytest.raises(EvaluationError) as caught:
        read_qrels(path)
    assert str(caught.value) == f"{path}{'' if reason.startswith(':') else ':'}{reason}"


@pytest.mark.parametrize("reader", [read_queries, read_qrels], ids=["queries", "qrels"])
def test_missing_and_directory_paths(tmp_path: Path, reader: object) -> None:
    assert callable(reader)
    with pytest.raises(EvaluationError) as missing:
        reader(tmp_path / "nope.txt")
    assert str(missing.value) == f"{tmp_path / 'nope.txt'}: no such file or directory"
    with pytest.raises(EvaluationError) as folder:
        reader(tmp_path)
    assert str(folder.value) == f"{tmp_path}: is a directory, not a file"


# -- real runs on a fixture index ------------------------------------------------

DOCUMENTS = [
    Document("cairo", "القاهرة", "القاهرة عاصمة مصر وأكبر مدنها، ويمر بها نهر النيل."),
    Document("riyadh", "الرياض", "الرياض عاصمة المملكة العربية السعودية وأكبر مدنها."),
    Document("football", "كرة القدم", "كرة القدم أكثر الألعاب الرياضية شعبية في العالم."),
    Document("oil", "النفط", "ارتفعت أسعار النفط الخام في الأسواق العالمية اليوم."),
]
QUERIES = [
    {"id": "q-cairo", "text": "ما هي عاصمة مصر؟"},
    {"id": "q-oil", "text": 'كم بلغت أسعار "النفط الخام"؟'},
    {"id": "q-sport", "text": "- ما أكثر الألعاب شعبية (في العالم)؟"},
    {"id": "q-miss", "text": "متى تأسست مكتبة الإسكندرية؟"},
    {"id": "q-unjudged", "text": "النيل"},
]
QRELS = (
    "q-cairo 0 cairo 1\nq-oil 0 oil 1\nq-sport 0 football 2\nq-miss 0 riyadh 1\nq-gone 0 oil 1\n"
)


@pytest.fixture
def fixture_index(tmp_path: Path, engine: str) -> Iterator[Path]:
    path = tmp_path / "index"
    with Index.create(path, engine=engine) as index:
        index.add(DOCUMENTS)
    yield path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "".join(json.dumps(query, ensure_ascii=False) + "\n" for query in QUERIES),
        encoding="utf-8",
    )
    return queries, _write(tmp_path / "qrels.tsv", QRELS)


def test_evaluate_runs_questions_as_users_type_them(
    fixture_index: Path, files: tuple[Path, Path]
) -> None:
    queries, qrels = files
    with Index.open(fixture_index) as index:
        evaluation = evaluate(index, read_queries(queries), read_qrels(qrels))
    by_id = {scores.id: scores for scores in evaluation.queries}
    assert list(by_id) == ["q-cairo", "q-oil", "q-sport", "q-miss"]
    assert [by_id[name].first_relevant for name in by_id] == [1, 1, 1, None]
    assert evaluation.unjudged == ("q-unjudged",)
    assert evaluation.missing == ("q-gone",)
    assert evaluation.means["mrr_at_10"] == pytest.approx(0.75)
    assert evaluation.means["recall_at_100"] == pytest.approx(0.75)
    assert evaluation.runs["q-cairo"][0][0] == "cairo"


def test_an_over_long_query_scores_zero_and_keeps_its_error(fixture_index: Path) -> None:
    with Index.open(fixture_index) as index:
        evaluation = evaluate(index, [JudgedQuery("long", "مصر " * 200)], {"long": {"cairo": 1}})
    (scores,) = evaluation.queries
    assert scores.mrr_at_10 == 0.0
    assert scores.error == "Query is too long: 800 characters; the limit is 512."
    assert evaluation.to_dict()["errors"] == 1


def test_run_files_are_trec_format(tmp_path: Path) -> None:
    evaluation = Evaluation(
        queries=(QueryScores("q1", 1.0, 1.0, 1.0, 1.0, 1),),
        runs={"q1": (("d1", 2.5), ("d2", 1.25)), "q2": ()},
    )
    assert write_run(evaluation, tmp_path / "run.txt", tag="t") == 2
    assert (tmp_path / "run.txt").read_text(encoding="utf-8") == (
        "q1 Q0 d1 1 2.500000 t\nq1 Q0 d2 2 1.250000 t\n"
    )


# -- the command ---------------------------------------------------------------


def test_eval_command_prints_the_metrics(tmp_path: Path, files: tuple[Path, Path]) -> None:
    index = tmp_path / "index"
    with Index.create(index) as created:
        created.add(DOCUMENTS)
    queries, qrels = files
    run = tmp_path / "run.txt"
    done = run_cli(
        "eval", "--queries", str(queries), "--qrels", str(qrels), "--index", str(index),
        "--run-out", str(run),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "4 queries, first 100 hits of each",
        "MRR@10      0.7500",
        "Recall@10   0.7500",
        "Recall@100  0.7500",
        f"nDCG@10     {0.75:.4f}",
    ]
    assert done.stderr.splitlines() == [
        f"note: 1 queries have no relevant document in '{qrels}' and were not scored",
        f"note: 1 judged queries are not in '{queries}'",
        f"run: {len(run.read_text(encoding='utf-8').splitlines())} rows written to '{run}'",
    ]
    assert run.read_text(encoding="utf-8").startswith("q-cairo Q0 cairo 1 ")


def test_eval_command_json(tmp_path: Path, files: tuple[Path, Path]) -> None:
    index = tmp_path / "index"
    with Index.create(index) as created:
        created.add(DOCUMENTS)
    queries, qrels = files
    done = run_cli(
        "eval", "--queries", str(queries), "--qrels", str(qrels), "--index", str(index), "--json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["queries"] == 4
    assert data["metrics"]["mrr_at_10"] == 0.75
    assert [row["id"] for row in data["per_query"]] == ["q-cairo", "q-oil", "q-sport", "q-miss"]


def test_eval_command_bad_file_is_one_line_and_exit_1(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    queries, _qrels = files
    bad = _write(tmp_path / "bad.tsv", "q-cairo 0 cairo\n")
    done = run_cli("eval", "--queries", str(queries), "--qrels", str(bad), "--index", "x")
    assert done.returncode == 1
    assert done.stderr == f"Error: {bad}:1: expected 4 fields 'qid 0 docid rel', found 3\n"


def test_eval_command_without_an_index(tmp_path: Path, files: tuple[Path, Path]) -> None:
    queries, qrels = files
    done = run_cli("eval", "--queries", str(queries), "--qrels", str(qrels), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "Error: No index at 'index'. Build one with: arsearch index seeds/\n"


def test_eval_command_with_no_shared_ids_is_a_usage_error(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    index = tmp_path / "index"
    with Index.create(index) as created:
        created.add(DOCUMENTS)
    queries, _qrels = files
    other = _write(tmp_path / "other.tsv", "z1 0 cairo 1\n")
    done = run_cli("eval", "--queries", str(queries), "--qrels", str(other), "--index", str(index))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"Error: No query of '{queries}' has a relevant document in '{other}': "
        "check that both files use the same query ids."
    )


def test_eval_run_out_into_a_missing_folder_is_one_line_before_any_work(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    queries, qrels = files
    run = tmp_path / "runs" / "run.txt"
    # No index either: the run file's folder is checked first, before anything runs.
    done = run_cli(
        "eval", "--queries", str(queries), "--qrels", str(qrels), "--index", str(tmp_path / "ix"),
        "--run-out", str(run),
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"Error: Cannot write the run file '{run}': "
        f"the folder '{tmp_path / 'runs'}' does not exist.\n"
    )
    assert done.stdout == ""


def test_eval_command_needs_both_files(tmp_path: Path) -> None:
    done = run_cli("eval", "--queries", str(tmp_path / "q.jsonl"))
    assert done.returncode == 2
    assert "Missing option '--qrels'" in done.stderr
