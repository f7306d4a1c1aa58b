"""Xapian benchmark (issue 11): relevance beside tantivy, build cost of 2 shards, query latency.

Three parts, each xapian beside tantivy in the same run (only same-run ratios mean
anything on a shared machine):

1. Relevance: the default configuration of ``bench/relevance.py`` on the four sets,
   on a tantivy index and on a local xapian index (MRR@10 and the other metrics).
2. Build cost: the news corpus built with ``arsearch index`` into a local tantivy index
   and into a xapian cluster of 2 shard servers on 127.0.0.1 (one writer thread per
   shard), then the shards compacted with ``xapian-compact`` in parallel.
3. Query latency: arcd's questions (page of 10, snippets, exact total and facets) on
   the tantivy news index, the 2 compacted shards and a local xapian news index.

    python bench/scaling.py            # print the section (about 15 minutes here)
    python bench/scaling.py --write    # and replace its section of bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from arsearch import Index
from arsearch.evaluation import read_queries
from arsearch.shards import ShardProcesses, serve_shard
from common import machine, utc_now, write_section
from relevance import CACHE, DATA, LUCENE, RUN_NAMES, RUNS, Build, Variant, _measure, build_index

HEADING = "## Xapian engine and cluster"
XAPIAN = Build("xapian", engine="xapian")
WORKDIR = Path(tempfile.gettempdir()) / "arsearch-bench-xapian"


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def relevance(data: Path, cache: Path) -> list[str]:
    resolved: dict[tuple[str, str], Path] = {}
    out = [
        "### Relevance: MRR@10 of the default configuration, local xapian beside tantivy",
        "",
        "| set | tantivy | xapian | drift | Lucene | xapian R@100 (tantivy) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in RUNS:
        _log(f"relevance {run}")
        tantivy = _measure(Variant("default"), run, data, cache, resolved)
        xapian = _measure(Variant("xapian", build=XAPIAN), run, data, cache, resolved)
        a, b = tantivy.means["mrr_at_10"], xapian.means["mrr_at_10"]
        out.append(
            f"| {RUN_NAMES[run]} | {a:.3f} | {b:.3f} | {b - a:+.3f} | {LUCENE[run][0]:.3f} | "
            f"{xapian.means['recall_at_100']:.3f} ({tantivy.means['recall_at_100']:.3f}) |"
        )
    return out


def _timed_index(args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "arsearch", "index", *args], capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some records skipped, the same for both
        raise SystemExit(f"arsearch index failed: {done.stderr[-500:]}")
    _log(f"  {done.stdout.strip()}")
    return seconds


def build_cost(data: Path, workdir: Path) -> tuple[list[str], list[str]]:
    corpus = str(data / "news" / "corpus.jsonl.gz")
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    _log("build: tantivy")
    tantivy_s = _timed_index([corpus, "--index", str(workdir / "tantivy"), "--engine", "tantivy"])
    ports = [_free_port(), _free_port()]
    shard_dirs = [workdir / "shards" / f"s{n}" for n in (0, 1)]
    servers = [serve_shard(d, port=p) for d, p in zip(shard_dirs, ports, strict=True)]
    shards = [f"127.0.0.1:{p}" for p in ports]
    try:
        _log("build: xapian, 2 shards")
        flags = [f for s in shards for f in ("--shard", s)]
        xapian_s = _timed_index(
            [corpus, "--index", str(workdir / "cluster"), "--engine", "xapian", *flags]
        )
    finally:
        for server in servers:
            server.stop()
    built = [_size(d) for d in shard_dirs]
    started = time.perf_counter()
    compactions = [
        subprocess.Popen(["xapian-compact", "-q", str(d), str(d) + ".compact"]) for d in shard_dirs
    ]
    for process in compactions:
        process.wait()
    compact_s = time.perf_counter() - started
    for d in shard_dirs:
        shutil.rmtree(d)
        Path(str(d) + ".compact").rename(d)
    compacted = [_size(d) for d in shard_dirs]
    tantivy_mb = _size(workdir / "tantivy") / 1e6
    with Index.open(workdir / "tantivy") as index:
        documents = len(index)
    out = [
        f"### Build cost: the news corpus ({documents:,} articles) with `arsearch index`",
        "",
        "| build | seconds | × tantivy | MB | × tantivy |",
        "|---|---:|---:|---:|---:|",
        f"| tantivy, local | {tantivy_s:.1f} | 1.0 | {tantivy_mb:.0f} | 1.0 |",
        f"| xapian, 2 shard servers on 127.0.0.1 | {xapian_s:.1f} | {xapian_s / tantivy_s:.1f} | "
        f"{sum(built) / 1e6:.0f} | {sum(built) / 1e6 / tantivy_mb:.1f} |",
        f"| … then `xapian-compact`, both shards in parallel | +{compact_s:.1f} | "
        f"{(xapian_s + compact_s) / tantivy_s:.1f} | {sum(compacted) / 1e6:.0f} | "
        f"{sum(compacted) / 1e6 / tantivy_mb:.1f} |",
    ]
    return out, shards


def _latencies(index: Index, queries: list[str]) -> tuple[float, float]:
    for text in queries[:20]:
        index.search(text)  # warm the caches
    times = []
    for text in queries:
        started = time.perf_counter()
        index.search(text, limit=10)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def latency(data: Path, cache: Path, workdir: Path, shards: list[str]) -> list[str]:
    queries = [query.text for query in read_queries(data / "arcd" / "queries.jsonl")][:300]
    local = build_index(XAPIAN, "arcd", True, data, cache).parent / "news"
    servers: list[ShardProcesses] = []
    for number, address in enumerate(shards):
        port = int(address.rsplit(":", 1)[1])
        servers.append(serve_shard(workdir / "shards" / f"s{number}", port=port))
    rows = []
    try:
        for label, path in (
            ("tantivy, local", workdir / "tantivy"),
            ("xapian, 2 compacted shards on 127.0.0.1", workdir / "cluster"),
            ("xapian, local (not compacted)", local),
        ):
            _log(f"latency: {label}")
            with Index.open(path) as index:
                p50, p95 = _latencies(index, queries)
            rows.append(f"| {label} | {p50:.1f} | {p95:.1f} |")
    finally:
        for server in servers:
            server.stop()
    return [
        f"### Query latency: {len(queries)} arcd questions on the news corpus",
        "",
        "Page of 10 with snippets, exact total and facets, one thread, after 20 warm-up queries.",
        "",
        "| index | p50 ms | p95 ms |",
        "|---|---:|---:|",
        *rows,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data directory")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built indexes are kept")
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="the build-cost indexes")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()
    started, load_before = utc_now(), _load()
    parts = relevance(args.data, args.cache)
    cost, shards = build_cost(args.data, args.workdir)
    timing = latency(args.data, args.cache, args.workdir, shards)
    section = [
        HEADING,
        "",
        f"Written by `bench/scaling.py` on {started}; {machine()}.",
        f"Load average at the start: {load_before}; at the end: {_load()}. Other jobs shared",
        "the cores, so only the ratios within this run are firm. Xapian: BM25+ (k1 1.2,",
        "b 0.75, δ 0, min_normlen 0), flush threshold 2,000 (local) and 10⁹ on the shard",
        "servers (a client's batch is committed by its commit only).",
        "",
        *parts,
        "",
        *cost,
        "",
        *timing,
    ]
    text = "\n".join(section) + "\n"
    print(text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
