"""Golden files: ``arsearch query --json`` over seeds/, each query typed unlike the article.

The expected outputs in tests/golden/ were reviewed by hand: ids, their order, the
marked titles and snippets, facets and totals. Scores are not stored, as their exact
values belong to the engine's version (``tantivy>=0.25``, no upper bound); the test
checks them as an order instead: each hit scores more than the next, or the same with a
smaller id. After a deliberate ranking change, regenerate the files with
``ARSEARCH_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff before
committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from support import REPO, SEEDS, run_cli

GOLDEN = REPO / "tests" / "golden"

# name -> (query, the spelling difference from the article it should find first, that id)
QUERIES: dict[str, tuple[str, str, str]] = {
    "no-hamza": ("اسعار الفائدة الاردني", "the article spells الأردني with hamza", "a012"),
    "hamza-added": ("الأمم المتحدة وقف إطلاق النار", "the article has no hamza", "a002"),
    "alef-maksura": ("المصري البنك المركزي", "the article writes المركزى with ى", "a010"),
    "yeh-for-maksura": ("مستشفي الاطفال", "the article writes مستشفى", "a035"),
    "teh-marbuta": ("مقبرة أثرية في سقارة", "the article writes مقبره أثريه with ه", "a023"),
    "heh-for-teh": ("كاس اسيا قطر للمرة الثانية", "query ه/ة and hamza differ", "a016"),
    "diacritized-query": ("مَوْجَاتُ الحَرِّ", "the query is diacritized", "a025"),
    "plain-for-diacritized": ("اليونسكو الخط العربي", "the article is fully diacritized", "a031"),
    "arabic-indic-digits": ("ماراثون 10 آلاف عداء", "the article writes ١٠", "a018"),
    "ascii-for-extended-digits": ("كاس العالم للاندية 32 فريقا", "the article writes ۳۲", "a020"),
    "tatweel-in-article": ("مجلس الامة الكويتي", "the article writes مجلـس", "a006"),
    "clitic": ("وبغداد البرمجة", "a clitic glued to the query word", "a044"),
    "latin": ("covid-19 لقاحات", "Latin in another case", "a033"),
}


def _stable(data: dict[str, Any]) -> dict[str, Any]:
    """The output without its time and scores, once the scores are checked as an order."""
    data = {key: value for key, value in data.items() if key != "took_ms"}
    hits = [dict(hit) for hit in data["hits"]]
    scores = [hit.pop("score") for hit in hits]
    assert all(score > 0 for score in scores), scores
    order = [(-round(score, 5), hit["id"]) for score, hit in zip(scores, hits, strict=True)]
    assert order == sorted(order), f"hits out of score order: {order}"
    return {**data, "hits": hits}


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("golden") / "index"
    done = run_cli("index", str(SEEDS), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


@pytest.mark.parametrize("name", list(QUERIES), ids=list(QUERIES))
def test_query_json_matches_the_golden_file(seeds_index: Path, name: str) -> None:
    query, why, expected_first = QUERIES[name]
    done = run_cli("query", query, "--index", str(seeds_index), "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    data = _stable(json.loads(done.stdout))
    assert data["hits"] and data["hits"][0]["id"] == expected_first, why
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("ARSEARCH_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))
