"""What suggestions in the documents' own spellings cost: completions and misspelt searches.

Completions now read a few stored documents per word shown (to learn how the word
is written) and, after a word, the documents holding that word (to learn what
follows it); misspelt searches read documents for the spelling of the corrected
word. Nothing is collected at indexing time, so the cost lands on the first use of
each word in a commit and is cached with that commit.

The prefixes are those of real questions being typed (ARCD's, read in place): the
words before, then the first two or three letters of the next word; 40 of them are
a first word alone. The misspelt searches are the questions' longer words with two
neighbouring letters swapped, alone or after the word before them. Each list is
timed twice through the public API on the same index: the first pass meets every
word for the first time, the second finds them cached. With ``--baseline SRC``,
another checkout's ``src`` is timed on the same index in the same run, in turns
with this one (each first in every other round); without it, the cached pass is
the anchor of the first.

The index is the one ``bench/indexing.py`` leaves behind, unless ``--index`` names
another index of the news corpus.

    python bench/suggestions.py --baseline ../main/src   # 5 minutes on 2 busy cores
    python bench/suggestions.py --write   # replace the "## Suggestions" section of RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SECTION = "## Suggestions"
REPO = Path(__file__).resolve().parents[1]
QUERIES = Path("/work/shared/data/arcd/queries.jsonl")
#: Where bench/indexing.py leaves its default-engine index of the news corpus.
DEFAULT_INDEX = Path(tempfile.gettempdir()) / "arsearch-bench-indexing" / "tantivy"
_WORD = re.compile(r"[\u0621-\u064a]{3,}")


def prefixes(questions: list[str], count: int, seed: int = 13) -> list[str]:
    """What a user has typed while writing questions: words, then a word's first letters."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        words = _WORD.findall(rng.choice(questions))
        if len(words) < 2:
            continue
        at = 0 if len(out) < 40 else rng.randrange(1, len(words))
        out.append(" ".join([*words[:at], words[at][: rng.choice((2, 3))]]))
    return out


def misspelt(questions: list[str], count: int, seed: int = 17) -> list[str]:
    """Searches with one word misspelt (two neighbouring letters swapped)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        words = _WORD.findall(rng.choice(questions))
        long = [n for n, word in enumerate(words) if len(word) >= 5]
        if not long:
            continue
        at = rng.choice(long)
        word = words[at]
        cut = rng.randrange(1, len(word) - 2)
        typo = word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :]
        out.append(" ".join([*words[max(0, at - 1) : at], typo]))
    return out


def _timed(call: Any, items: list[str]) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - started) * 1000.0)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "mean": statistics.fmean(ordered),
    }


def child(index_path: str, count: int) -> dict[str, Any]:
    """Time the lists on one checkout (the one on ``sys.path``)."""
    from arsearch import Index

    questions = [json.loads(line)["text"] for line in QUERIES.read_text("utf-8").splitlines()]
    typed = prefixes(questions, count)
    searches = misspelt(questions, count)
    out: dict[str, Any] = {}
    with Index.open(index_path) as index, index.searcher() as searcher:
        searcher.search("الحكومة")  # open the engine's files
        for name, call, items in (
            ("suggest", lambda text: searcher.suggest(text, limit=8), typed),
            ("search", lambda text: searcher.search(text, limit=10), searches),
        ):
            out[name] = {
                "first": _summary(_timed(call, items)),
                "cached": _summary(_timed(call, items)),
            }
        results = [searcher.search(text, limit=10) for text in searches]
        out["corrected"] = sum(1 for r in results if getattr(r, "corrected", None))
        out["did_you_mean"] = sum(1 for r in results if r.did_you_mean)
        out["examples"] = [(text, searcher.suggest(text, limit=3)) for text in typed[40:44]]
    return out


def _run(source: str, index: str, count: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": source}
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--index", index, "--count", str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _table(runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Milliseconds per call and pass: the median over the rounds of each round's p50 / p95."""

    def cell(who: str, name: str, kind: str, stat: str) -> float:
        return statistics.median(run[name][kind][stat] for run in runs[who])

    rows = []
    if "baseline" in runs:
        rows += [
            "| call | pass | baseline p50 | p95 | this p50 | p95 | ratio p50 | ratio p95 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name in ("suggest", "search"):
            for kind in ("first", "cached"):
                old = [cell("baseline", name, kind, stat) for stat in ("p50", "p95")]
                new = [cell("this", name, kind, stat) for stat in ("p50", "p95")]
                rows.append(
                    f"| {name} | {kind} | {old[0]:.2f} | {old[1]:.2f} | {new[0]:.2f} | "
                    f"{new[1]:.2f} | {new[0] / old[0]:.2f}x | {new[1] / old[1]:.2f}x |"
                )
        return rows
    rows += [
        "| call | first p50 | p95 | cached p50 | p95 | first / cached p50 |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("suggest", "search"):
        first = [cell("this", name, "first", stat) for stat in ("p50", "p95")]
        cached = [cell("this", name, "cached", stat) for stat in ("p50", "p95")]
        rows.append(
            f"| {name} | {first[0]:.2f} | {first[1]:.2f} | {cached[0]:.2f} | {cached[1]:.2f} | "
            f"{first[0] / cached[0]:.2f}x |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(DEFAULT_INDEX), help="An index of the news corpus.")
    parser.add_argument("--baseline", help="Another checkout's src directory, timed in turns.")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.index, args.count), ensure_ascii=False))
        return
    before = _load()
    runs: dict[str, list[dict[str, Any]]] = {"this": []}
    sources = {"this": str(REPO / "src")}
    if args.baseline:
        sources["baseline"] = args.baseline
    for number in range(args.rounds):
        # Each goes first in every other round, so that a load that rises or falls
        # during the run weighs on both alike.
        order = sorted(sources, reverse=number % 2 == 1)
        for who in order:
            runs.setdefault(who, []).append(_run(sources[who], args.index, args.count))
    against = f" in turns with `{args.baseline}`" if args.baseline else ""
    this = runs["this"][0]
    examples = "; ".join(f"`{text}` → {', '.join(found)}" for text, found in this["examples"])
    lines = [
        SECTION,
        "",
        f"`bench/suggestions.py`: {args.count} prefixes of ARCD questions being typed and "
        f"{args.count} misspelt searches on the news corpus, {args.rounds} rounds{against} "
        "(each first in every other round); "
        f"load averages {before} before, {_load()} after. Milliseconds per call, the median "
        "over the rounds of each round's p50 and p95; *first* meets each word for the first "
        "time in the commit, *cached* finds it known.",
        "",
        *_table(runs),
        "",
        f"Of the misspelt searches, {this['corrected']} were answered for corrected words "
        f'and {this["did_you_mean"]} with a "did you mean". Completions: {examples}.',
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        sys.path.insert(0, str(REPO / "bench"))
        from common import write_section

        write_section(SECTION, text)


if __name__ == "__main__":
    main()
