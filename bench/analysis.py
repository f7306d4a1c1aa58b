"""Analysis throughput: tokens per second on one core for the indexing path.

Loads the news corpus first (decompression and JSON parsing are not timed), then
times ``Analyzer(stemmer=...).index_terms(title + "\\n" + text)`` over every
document, starting from a cold per-word cache (a new ``Analyzer`` and cleared
stemmer caches each run), for each stemmer; the median of ``--repeats`` runs is
reported. In the same run it times the anchors' light10 loop as a floor: a plain
``\\w+`` regex over lower-cased text and a dict cache of ``light10(normalize(w))``,
the "light10 with a dict cache" of ``../shared/anchors/relevance.md``.

    python bench/analysis.py                     # print the Markdown section
    python bench/analysis.py --write             # and replace it in bench/RESULTS.md
    python bench/analysis.py --limit 5000 --stemmers light10
    python bench/analysis.py --profile           # plus a cProfile of one light10 run

From a checkout without ``pip install -e .``: ``PYTHONPATH=src python bench/analysis.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from anchors import DEFAULT_CORPUS
from arsearch.analysis import STEMMERS, WORD_PATTERN, Analyzer, get_stemmer, light10, normalize
from common import REPO, machine, utc_now, write_section

HEADING = "## Analysis throughput"

#: ../shared/anchors/results/stemmers.md: the tashaphyne-based analyzer of the
#: reference engines (tokenize + lower + cached norm_stem), tokens/s on one core.
ANCHOR_TASHAPHYNE = 175_851
#: ../shared/anchors/relevance.md: "c.light10", regex + lower + dict cache, cold.
ANCHOR_LIGHT10 = 2_111_222
TARGET = 1_000_000


@dataclass(frozen=True)
class Run:
    """The timings of one measured path, repeated: CPU seconds of this process, and wall."""

    name: str
    seconds: tuple[float, ...]
    wall: tuple[float, ...]
    tokens: int
    cache_entries: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def rate(self) -> float:
        return self.tokens / self.median

    @property
    def wall_rate(self) -> float:
        return self.tokens / statistics.median(self.wall)


def load_texts(path: Path, limit: int | None) -> list[str]:
    """``title + "\\n" + text`` of the first ``limit`` documents."""
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if limit is not None and len(texts) >= limit:
                break
            record = json.loads(line)
            texts.append(f"{record.get('title') or ''}\n{record.get('text') or ''}")
    return texts


def _timed(work: Callable[..., object], *args: object) -> tuple[float, float]:
    """``(cpu, wall)`` seconds of ``work(*args)``.

    The process CPU time is the time on one core (everything here runs on one
    thread), and unlike wall time it does not grow when other jobs share the box.
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work(*args)
    return time.process_time() - cpu, time.perf_counter() - wall


def _index_all(index_terms: Callable[[str], object], texts: Sequence[str]) -> None:
    for text in texts:
        index_terms(text)


def _floor_pass(findall: Callable[[str], list[str]], texts: Sequence[str]) -> None:
    cache: dict[str, str] = {}
    get = cache.get
    for text in texts:
        stems = []
        for word in findall(text.lower()):
            stem = get(word)
            if stem is None:
                stem = cache[word] = light10(normalize(word))
            stems.append(stem)
        " ".join(stems)


def _run(name: str, times: list[tuple[float, float]], tokens: int, cache_entries: str = "") -> Run:
    cpu, wall = zip(*times, strict=True)
    return Run(name, tuple(cpu), tuple(wall), tokens, cache_entries)


def _cache_sizes(analyzer: Analyzer) -> str:
    # The caches have no public accessor; their sizes show the bounds at work:
    # raw word -> terms (the per-word path) and exact word -> stem (the one-pass fold).
    words = len(getattr(analyzer, "_cache", ()))
    stems = len(getattr(analyzer, "_stem_of", ()))
    return f"{words:,} / {stems:,}"


def revision() -> str:
    """The commit measured, and whether the analysis code had uncommitted changes."""

    def git(*args: str) -> str:
        command = ["git", "-C", str(REPO), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()

    dirty = git("status", "--porcelain", "--", "src/arsearch/analysis")
    changed = f", with uncommitted changes in {len(dirty.splitlines())} file(s)" if dirty else ""
    return f"commit {git('rev-parse', '--short', 'HEAD') or 'unknown'}{changed}"


def _fresh_analyzer(stemmer: str) -> Analyzer:
    # get_stemmer caches one stemmer (with its own per-word cache) per name;
    # clearing it makes every run start cold, misses included.
    get_stemmer.cache_clear()
    return Analyzer(stemmer=stemmer)


def measure_analyzer(stemmer: str, texts: Sequence[str], tokens: int, repeats: int) -> Run:
    """Cold-cache ``index_terms`` over all texts, ``repeats`` times."""
    times = []
    entries = ""
    for _ in range(repeats):
        analyzer = _fresh_analyzer(stemmer)
        times.append(_timed(_index_all, analyzer.index_terms, texts))
        entries = _cache_sizes(analyzer)
        print(f"  {stemmer}: cpu {times[-1][0]:.2f}s wall {times[-1][1]:.2f}s", file=sys.stderr)
    name = f"`Analyzer(stemmer={stemmer!r}).index_terms`"
    return _run(name, times, tokens, cache_entries=entries)


def measure_warm(texts: Sequence[str], tokens: int, repeats: int) -> Run:
    """A second pass with the same light10 analyzer: mostly cache hits."""
    analyzer = _fresh_analyzer("light10")
    _index_all(analyzer.index_terms, texts)
    times = [_timed(_index_all, analyzer.index_terms, texts) for _ in range(repeats)]
    return _run("light10, second pass on the same `Analyzer` (bounded cache)", times, tokens)


def measure_tokenizer(texts: Sequence[str], tokens: int, repeats: int) -> Run:
    """``WORD_PATTERN.findall`` alone: the part no cache can save."""
    times = [_timed(_index_all, WORD_PATTERN.findall, texts) for _ in range(repeats)]
    return _run("`WORD_PATTERN.findall` alone", times, tokens)


def measure_floor(texts: Sequence[str], repeats: int) -> Run:
    """The anchors' loop: ``\\w+`` on lower-cased text, dict-cached light10, stems joined."""
    findall = re.compile(r"\w+").findall
    count = sum(len(findall(text.lower())) for text in texts)
    times = []
    for _ in range(repeats):
        times.append(_timed(_floor_pass, findall, texts))
        print(f"  floor: cpu {times[-1][0]:.2f}s wall {times[-1][1]:.2f}s", file=sys.stderr)
    return _run("floor: `\\w+` + dict-cached `light10(normalize(w))`", times, count)


def profile_light10(texts: Sequence[str]) -> str:
    """The top of a cProfile of one cold light10 run (profiling slows it about 2x)."""
    analyzer = _fresh_analyzer("light10")
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        analyzer.index_terms(text)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    lines = out.getvalue().replace(f"{REPO}/", "").strip().splitlines()
    table = [line.rstrip() for line in lines[lines.index("") + 1 :] if line.strip()]
    return "\n".join(
        [
            "Profile of one cold light10 run under cProfile (which slows it about 3x),"
            " by own time:",
            "",
            "```",
            *[line for line in table if not line.lstrip().startswith(("Ordered", "List"))],
            "```",
        ]
    )


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x"


def render(
    runs: list[Run],
    extra: list[Run],
    floor: Run | None,
    *,
    documents: int,
    megabytes: float,
    distinct: int,
    corpus: str,
    host: str,
    code: str,
) -> str:
    """The Markdown section."""
    repeats = len(runs[0].seconds) if runs else 0
    tokens = runs[0].tokens if runs else 0
    out = [
        HEADING,
        "",
        f"Written by `bench/analysis.py` on {utc_now()}; {host}; one thread;"
        f" {code} of `src/arsearch/analysis`.",
        f"Corpus `{corpus}`: {documents:,} documents, {megabytes:,.1f} MB of title + text"
        f" (UTF-8), {tokens:,} tokens (`WORD_PATTERN` words, stop words included),"
        f" {distinct:,} distinct words. Texts are loaded first: decompression and JSON"
        f" parsing are not timed. Each number is the median of {repeats} runs, each"
        " starting cold (a new `Analyzer`, stemmer caches cleared), garbage collector on."
        " tokens/s is on this process's CPU time, which is the time on one core and does"
        " not grow when other jobs share the machine; the wall-clock rate is beside it.",
        "",
        "| path | CPU s per run | tokens/s (CPU) | MB/s (CPU) | tokens/s (wall)"
        f" | cache entries at end (word / stem) | vs tashaphyne anchor ({ANCHOR_TASHAPHYNE:,}/s)"
        f" | vs light10 anchor ({ANCHOR_LIGHT10:,}/s) | vs floor, same run |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in [*runs, *extra, *([floor] if floor else [])]:
        versus_floor = _ratio(run.rate, floor.rate) if floor else ""
        out.append(
            f"| {run.name} | {' / '.join(f'{s:.2f}' for s in run.seconds)}"
            f" | {run.rate:,.0f} | {megabytes / run.median:.2f} | {run.wall_rate:,.0f}"
            f" | {run.cache_entries} | {_ratio(run.rate, ANCHOR_TASHAPHYNE)}"
            f" | {_ratio(run.rate, ANCHOR_LIGHT10)} | {versus_floor} |"
        )
    out.append("")
    default = next((run for run in runs if "'light10'" in run.name), None)
    if default is not None:
        verdict = "met" if default.rate >= TARGET else "NOT met"
        out.append(
            f"light10 (the default): {default.rate:,.0f} tokens/s, target >= {TARGET:,}:"
            f" **{verdict}**."
        )
    if floor is not None:
        out.append(
            f"The floor counts its own `\\w+` tokens ({floor.tokens:,}) and does only what"
            " the anchor's loop did: no offsets, no exact terms, no stop words, no soft form."
        )
    out.append(
        "The anchors are single wall-clock runs from another day on a 2-core box that was"
        " running other jobs; the floor is measured in this run, so its ratio is the fair one."
    )
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="documents (default: all)")
    parser.add_argument(
        "--stemmers",
        default=",".join(STEMMERS),
        help="comma-separated, from: " + ", ".join(STEMMERS),
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-floor", action="store_true", help="skip the anchor-style floor")
    parser.add_argument("--profile", action="store_true", help="print a light10 cProfile")
    parser.add_argument("--write", action="store_true", help="replace the section of RESULTS.md")
    args = parser.parse_args(argv)
    stemmers = [name.strip() for name in args.stemmers.split(",") if name.strip()]
    for name in stemmers:
        get_stemmer(name)  # an unknown name fails here, with the library's message

    host, code = machine(), revision()
    print(f"loading {args.corpus} ...", file=sys.stderr)
    texts = load_texts(args.corpus, args.limit)
    words = [WORD_PATTERN.findall(text) for text in texts]
    tokens = sum(map(len, words))
    distinct = len({word for doc in words for word in doc})
    del words
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    print(f"{len(texts):,} documents, {tokens:,} tokens, {megabytes:.1f} MB", file=sys.stderr)

    runs = [measure_analyzer(name, texts, tokens, args.repeats) for name in stemmers]
    extra = []
    if "light10" in stemmers:
        extra = [
            measure_warm(texts, tokens, args.repeats),
            measure_tokenizer(texts, tokens, args.repeats),
        ]
    floor = None if args.no_floor else measure_floor(texts, args.repeats)
    try:
        corpus = os.path.relpath(args.corpus, REPO)
    except ValueError:
        corpus = str(args.corpus)
    section = render(
        runs,
        extra,
        floor,
        documents=len(texts),
        megabytes=megabytes,
        distinct=distinct,
        corpus=corpus,
        host=host,
        code=code,
    )
    if args.profile:
        section += "\n" + profile_light10(texts) + "\n"
    print(section)
    if args.write:
        write_section(HEADING, section)
        print(f"wrote the {HEADING!r} section of bench/RESULTS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
