"""Cost curve: the news corpus at 1x, 2x and 4x its size, arsearch beside stock Tantivy.

Copy 0 is the corpus as published. Copy k (k >= 1) gives every article a new id
(``<id>~k``) and respells its rarer words so that the collection grows like a larger
archive, not like exact duplicates: the words among the ``COMMON_WORDS`` most frequent of
a sample of 5,000 articles (function words, frequent names and verbs) stay as they are,
so their document frequencies grow with the collection; every other word of Arabic
letters has each letter moved ``k`` places along the 28 letters (ب with k=1 becomes ت),
a new spelling that is still Arabic letters, so each copy brings its own rare
vocabulary, analyzed and stemmed like the original. Diacritics, punctuation, digits and
Latin words are kept.

For each size: arsearch's CLI build (``arsearch index CORPUS --index DIR``, the default
engine) with wall seconds per 1,000 documents, CPU-seconds and peak memory of the process
tree (its resident size, as ``bench/indexing.py`` measures it; beside it the peak of its
anonymous memory alone, and the file pages it held at the peak: index files that tantivy
reads through memory maps, which the kernel may drop at any time; and the peak of its
proportional set size, which divides each shared page among the processes that map it
instead of counting it once per process), index size; then p50
and p95 of ``Index.search(q, limit=10)`` with snippets, over the query list of
``bench/queries.py`` (drawn from copy 0). Stock Tantivy (``tantivy_std`` of
``../shared/anchors/engines.py``) builds and queries the same corpus in the same run
(its p50/p95 are without snippets: it has none). Each JSON row also gives the sizes of
the build's tantivy segments (each commit makes one; tantivy merges 8 of similar size) and
the maxima of the anonymous memory and the file pages per 100 s of the build.

    python bench/scale.py                          # 1x, 2x, 4x: about 15 minutes on 2 busy cores
    python bench/scale.py --sizes 1,2 --passes 2   # a quicker look

The corpora and indexes are written under ``--workdir`` and may be removed afterwards.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from anchors import DEFAULT_CORPUS, default_python, revision, run_anchor, uptime
from arsearch import Index
from common import machine, utc_now
from indexing import Build, raw_text_mb, run_build
from queries import KINDS, anchor_latency, sample_queries, time_queries, write_queries

#: Words kept as they are in every copy: the most frequent of the sample.
COMMON_WORDS = 2_000
SAMPLE_ARTICLES = 5_000
#: The 28 letters, in alphabetical order; a copy moves each letter of a rare word along them.
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_WORD = re.compile(f"[{LETTERS}ءآأؤإئةى]+")
MAX_BUILD_RATIO = 1.15
MAX_PEAK_MB = 500
MAX_P95_MS = 8.0


def common_words(corpus: Path) -> frozenset[str]:
    """The ``COMMON_WORDS`` most frequent words of the first ``SAMPLE_ARTICLES`` articles."""
    counts: collections.Counter[str] = collections.Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= SAMPLE_ARTICLES:
                break
            record = json.loads(line)
            counts.update(_WORD.findall(f"{record.get('title') or ''} {record.get('text') or ''}"))
    return frozenset(word for word, _ in counts.most_common(COMMON_WORDS))


def respell(text: str, copy: int, common: frozenset[str], table: dict[int, str]) -> str:
    """``text`` with each word outside ``common`` spelled with its letters moved (``table``)."""
    if not copy or not text:
        return text
    return _WORD.sub(
        lambda match: match.group() if match.group() in common else match.group().translate(table),
        text,
    )


def write_corpus(
    corpus: Path, copies: int, path: Path, common: frozenset[str], limit: int | None = None
) -> int:
    """The corpus (its first ``limit`` articles) and ``copies - 1`` respelled copies of it,
    as one ``.jsonl.gz``; the number of articles written."""
    written = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for copy in range(copies):
            shift = {ord(c): LETTERS[(i + copy) % len(LETTERS)] for i, c in enumerate(LETTERS)}
            with gzip.open(corpus, "rt", encoding="utf-8") as lines:
                for number, line in enumerate(lines):
                    if limit is not None and number >= limit:
                        break
                    if not line.strip():
                        continue
                    record: dict[str, Any] = json.loads(line)
                    if copy:
                        record["id"] = f"{record['id']}~{copy}"
                        for key in ("title", "text"):
                            if isinstance(record.get(key), str):
                                record[key] = respell(record[key], copy, common, shift)
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
    return written


class MemorySplit:
    """Peaks of the resident memory of this process's descendants, split by kind."""

    #: Seconds per step of :attr:`steps`.
    STEP = 100

    def __init__(self) -> None:
        self.peak_mb = 0.0  # anonymous + file + shared, as the resident size counts them
        self.file_at_peak_mb = 0.0
        self.anon_peak_mb = 0.0
        # The proportional set size: each shared page divided among the processes that
        # map it, so the shared libraries count once for the tree, not once per process.
        self.pss_peak_mb = 0.0
        # Per STEP seconds since the first sample: the maximum anonymous and file MB.
        self.steps: list[list[float]] = []
        self._start: float | None = None

    def sample(self) -> None:
        anon, file, pss = _descendants_memory(os.getpid())
        if anon + file > self.peak_mb:
            self.peak_mb, self.file_at_peak_mb = anon + file, file
        self.anon_peak_mb = max(self.anon_peak_mb, anon)
        self.pss_peak_mb = max(self.pss_peak_mb, pss)
        now = time.monotonic()
        self._start = now if self._start is None else self._start
        step = int((now - self._start) // self.STEP)
        while len(self.steps) <= step:
            self.steps.append([0.0, 0.0])
        self.steps[step] = [max(self.steps[step][0], anon), max(self.steps[step][1], file)]


def _descendants_memory(root: int) -> tuple[float, float, float]:
    """Anonymous, file-backed (with shared) and proportional resident MB of ``root``'s
    descendants."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    parents[int(entry.name)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except OSError:
                continue
    anon = file = pss = 0
    for pid in parents:
        ancestor = parents[pid]
        while ancestor > 1 and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor != root:
            continue
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                for line in status:
                    key, _, value = line.partition(":")
                    if key == "RssAnon":
                        anon += int(value.split()[0])
                    elif key in ("RssFile", "RssShmem"):
                        file += int(value.split()[0])
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return anon * 1024 / 1e6, file * 1024 / 1e6, pss * 1024 / 1e6


@contextmanager
def memory_split(poll: float = 0.1) -> Iterator[MemorySplit]:
    """Sample the descendants' memory while the block runs (a build started in it)."""
    split = MemorySplit()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(poll):
            split.sample()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield split
    finally:
        done.set()
        watcher.join()


def segment_sizes(index: Path) -> list[int]:
    """The documents of each tantivy segment of the index at ``index`` (largest first)."""
    marker = json.loads((index / "arsearch.json").read_text("utf-8"))
    meta = index / marker["generation"] / "engine" / "meta.json"
    if not meta.exists():
        return []  # another engine
    segments = json.loads(meta.read_text("utf-8"))["segments"]
    return sorted((segment["max_doc"] for segment in segments), reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", default="1,2,4", help="copies of the corpus per build")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--anchor-python", default=default_python())
    parser.add_argument("--limit", type=int, help="only the first N articles per copy")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/arsearch-bench-scale"))
    args = parser.parse_args()

    print(f"{utc_now()}; {machine()}; {revision()}\n{uptime()}", flush=True)
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = common_words(args.corpus)
    queries = sample_queries(args.corpus)
    query_file = write_queries(queries, args.workdir / "queries.tsv")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        name = f"news-{size}x" + (f"-first-{args.limit}" if args.limit else "")
        corpus = args.workdir / f"{name}.jsonl.gz"
        if not corpus.exists():
            write_corpus(args.corpus, size, corpus, common, args.limit)
        raw = raw_text_mb(corpus)
        load = uptime().split("load average: ")[-1]
        index = args.workdir / f"index-{name}"
        command = [sys.executable, "-m", "arsearch", "index", str(corpus), "--index", str(index)]
        with memory_split() as split:
            build: Build = run_build([*command, "--rebuild"], index, args.workdir / "build.log")
        with Index.open(index) as opened:
            latency = time_queries(opened, queries, passes=args.passes, snippets=True)
        anchor = run_anchor(
            "tantivy_std",
            corpus=corpus,
            workdir=args.workdir / f"anchor-{name}",
            python=args.anchor_python,
            queries=query_file,
            passes=args.passes,
        )
        stock = anchor_latency(anchor)
        row = {
            "size": size,
            "docs": build.documents,
            "raw_mb": raw,
            "load": load,
            "seconds": build.seconds,
            "cpu": build.cpu,
            "peak_mb": build.peak_mb,
            "anon_peak_mb": split.anon_peak_mb,
            "file_at_peak_mb": split.file_at_peak_mb,
            "pss_peak_mb": split.pss_peak_mb,
            "memory_per_100s": [[round(anon), round(file)] for anon, file in split.steps],
            "index_mb": build.index_mb,
            "segments": segment_sizes(index),
            "p50": latency.p50,
            "p95": latency.p95,
            "stock_seconds": anchor["build_s"],
            "stock_peak_mb": anchor["peak_rss_mb"],
            "stock_index_mb": anchor["index_mb"],
            "stock_p50": stock.p50,
            "stock_p95": stock.p95,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"\n{uptime()}\n")
    print(
        "| size | docs | load (1/5/15) | arsearch s / 1,000 docs | CPU s | peak MB "
        "(anonymous peak; file pages at the peak) | peak PSS MB | index MB "
        "(/ raw) | p50 ms 1w/2w/phrase | p95 ms 1w/2w/phrase | stock s / 1,000 docs | "
        "stock peak MB | stock index MB | stock p95 ms (no snippets) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|")
    for r in rows:
        per = r["seconds"] / r["docs"] * 1000
        stock_per = r["stock_seconds"] / r["docs"] * 1000
        print(
            f"| {r['size']}x | {r['docs']:,} | {r['load']} | {per:.2f} | {r['cpu']:.0f} | "
            f"{r['peak_mb']:.0f} ({r['anon_peak_mb']:.0f}; {r['file_at_peak_mb']:.0f}) | "
            f"{r['pss_peak_mb']:.0f} | "
            f"{r['index_mb']:.0f} ({r['index_mb'] / r['raw_mb']:.2f}) | "
            + " / ".join(f"{r['p50'][k]:.2f}" for k in KINDS)
            + " | "
            + " / ".join(f"{r['p95'][k]:.2f}" for k in KINDS)
            + f" | {stock_per:.2f} | {r['stock_peak_mb']:.0f} | {r['stock_index_mb']:.0f} | "
            + " / ".join(f"{r['stock_p95'][k]:.2f}" for k in KINDS)
            + " |"
        )
    first, last = rows[0], rows[-1]
    ratio = (last["seconds"] / last["docs"]) / (first["seconds"] / first["docs"])
    stock_ratio = (last["stock_seconds"] / last["docs"]) / (first["stock_seconds"] / first["docs"])
    worst = max(last["p95"].values())
    print(
        f"\nbuild s per 1,000 docs at {last['size']}x / at {first['size']}x: {ratio:.2f} "
        f"(target <= {MAX_BUILD_RATIO}; stock Tantivy {stock_ratio:.2f}); peak "
        f"{last['peak_mb']:.0f} MB (target < {MAX_PEAK_MB}; anonymous memory alone "
        f"{last['anon_peak_mb']:.0f} MB, proportional set size "
        f"{last['pss_peak_mb']:.0f} MB); worst p95 with snippets "
        f"{worst:.2f} ms (target < {MAX_P95_MS})"
    )


if __name__ == "__main__":
    main()
