"""Throughput of ``GET /api/search``: concurrent clients against a real ``arsearch serve``.

Builds an index of the news corpus (or reuses ``--index``), starts ``arsearch serve`` on a
free loopback port, and runs ``--clients`` threads for ``--seconds`` seconds, each with
its own keep-alive connection, sending queries of one or two words sampled from the
corpus's titles with a fixed seed. Reports requests/s, p50, p99 and errors; ``--write``
replaces the "## Web API throughput" section of bench/RESULTS.md.

    python bench/web.py                       # build a temporary index, run 8 x 30 s
    python bench/web.py --index /tmp/news     # build it there once, reuse it next time
    python bench/web.py --seconds 5 --write   # a shorter run, recorded
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from arsearch import analyze

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Web API throughput"
DEFAULT_CORPUS = Path("/work/shared/data/news/corpus.jsonl.gz")
SEED = 5
#: Titles read from the start of the corpus to draw query words from.
TITLES = 5_000
QUERIES = 2_000
#: A hard bound on the requests of one client, whatever the clock says.
MAX_REQUESTS_PER_CLIENT = 1_000_000
WARMUP_REQUESTS = 50


@dataclass
class ClientTally:
    """What one client thread saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def sample_queries(corpus: Path, count: int, seed: int) -> list[str]:
    """``count`` queries of one or two title words from the start of ``corpus``."""
    words: list[str] = []
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= TITLES:
                break
            title = json.loads(line).get("title") or ""
            # Words that are searched (a stem: not a stop word), of Arabic letters.
            words += [
                token.text
                for token in analyze(title)
                if token.stem and re.fullmatch(r"[\u0621-\u064a\u064b-\u0652]{3,}", token.text)
            ]
    if not words:
        raise SystemExit(f"No words found in the titles of {corpus}.")
    rng = random.Random(seed)
    return [" ".join(rng.sample(words, rng.choice((1, 2)))) for _ in range(count)]


def ensure_index(index: Path, corpus: Path) -> dict[str, object]:
    """Build the index of ``corpus`` at ``index`` unless one is there; its stats."""
    if not (index / "arsearch.json").exists():
        print(f"indexing {corpus} into {index} ...", file=sys.stderr)
        started = time.perf_counter()
        built = subprocess.run(
            [sys.executable, "-m", "arsearch", "index", str(corpus), "--index", str(index)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # one line per skipped record: not needed here
            text=True,
            check=False,
        )
        # Exit code 1 means some records were skipped, which the corpus has.
        if built.returncode not in (0, 1):
            raise SystemExit(f"arsearch index failed ({built.returncode}): {built.stdout}")
        print(f"  {built.stdout.strip()} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    stats = subprocess.run(
        [sys.executable, "-m", "arsearch", "stats", "--json", "--index", str(index)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, object] = json.loads(stats.stdout)
    return data


def start_server(index: Path, log: Path) -> tuple[subprocess.Popen[str], str, int]:
    """``arsearch serve`` on a free loopback port: the process, its host and its port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "arsearch", "serve", "--index", str(index), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
    if not match:
        process.kill()
        raise SystemExit(f"arsearch serve did not start: {line!r}; see {log}")
    return process, match.group(1), int(match.group(2))


def run_client(
    host: str,
    port: int,
    queries: list[str],
    deadline: float,
    seed: int,
    tally: ClientTally,
    max_requests: int = MAX_REQUESTS_PER_CLIENT,
) -> None:
    """Send searches until ``deadline`` (or ``max_requests``) on one keep-alive connection."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        for _ in range(max_requests):
            if time.perf_counter() >= deadline:
                break
            path = "/api/search?q=" + quote(rng.choice(queries))
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                if response.status == 200 and body.startswith(b'{"query"'):
                    tally.latencies.append(time.perf_counter() - started)
                else:
                    tally.errors += 1
                    tally.first_error = tally.first_error or f"{response.status} {body[:200]!r}"
            except (OSError, http.client.HTTPException) as error:
                tally.errors += 1
                tally.first_error = tally.first_error or repr(error)
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
    finally:
        connection.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``sorted_values`` fall (nearest rank)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


def replace_section(text: str, section: str) -> str:
    """``text`` with the ``SECTION`` heading and its body replaced by ``section`` (or added)."""
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        return pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1).rstrip() + "\n"
    head = text.rstrip() + "\n\n" if text.strip() else "# Benchmark results\n\n"
    return head + section.rstrip("\n") + "\n"


def main() -> None:
    """Parse the arguments, run the benchmark, print and optionally record the result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="index directory to reuse (built if absent)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 600:
        parser.error("--clients must be 1..64 and --seconds 0..600")

    scratch = Path(tempfile.mkdtemp(prefix="arsearch-bench-web-"))
    index = args.index or scratch / "index"
    try:
        stats = ensure_index(index, args.corpus)
        queries = sample_queries(args.corpus, QUERIES, SEED)
        process, host, port = start_server(index, scratch / "server.log")
        try:
            warm = ClientTally()
            run_client(host, port, queries, float("inf"), SEED, warm, WARMUP_REQUESTS)
            # Other work on the machine slows the server: say how busy it was.
            load = os.getloadavg()[0]
            tallies = [ClientTally() for _ in range(args.clients)]
            started = time.perf_counter()
            deadline = started + args.seconds
            threads = [
                threading.Thread(
                    target=run_client, args=(host, port, queries, deadline, SEED + n, tally)
                )
                for n, tally in enumerate(tallies)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    latencies = sorted(t for tally in tallies for t in tally.latencies)
    errors = sum(tally.errors for tally in tallies)
    rate = len(latencies) / elapsed
    p50 = percentile(latencies, 0.50) * 1000
    p99 = percentile(latencies, 0.99) * 1000
    print(
        f"{len(latencies):,} requests in {elapsed:.1f} s with {args.clients} clients: "
        f"{rate:,.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, {errors} errors"
    )
    first_error = next((tally.first_error for tally in tallies if tally.first_error), "")
    if first_error:
        print(f"first error: {first_error}")
    if args.write:
        today = datetime.now(timezone.utc).date().isoformat()
        section = (
            f"{SECTION}\n\n"
            f"`python bench/web.py --write` on {today}; {machine()}; load average "
            f"{load:.1f} when it started.\n\n"
            f"`GET /api/search` (10 hits, snippets, facets) on `arsearch serve` (waitress) over "
            f"an index of the news corpus ({stats['documents']:,} documents, {stats['engine']}), "
            f"from "
            f"{args.clients} client threads with keep-alive connections over loopback for "
            f"{args.seconds:g} s; queries of one or two words drawn from the corpus's titles "
            f"(seed {SEED}).\n\n"
            "| clients | seconds | requests | requests/s | p50 | p99 | errors |\n"
            "|---:|---:|---:|---:|---:|---:|---:|\n"
            f"| {args.clients} | {elapsed:.1f} | {len(latencies):,} | {rate:,.0f} | "
            f"{p50:.1f} ms | {p99:.1f} ms | {errors} |\n"
        )
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        RESULTS.write_text(replace_section(old, section), encoding="utf-8")
        print(f"recorded in {RESULTS.relative_to(ROOT)}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
