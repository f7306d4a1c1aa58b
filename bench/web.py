"""Throughput of ``GET /api/search``: concurrent clients against a real ``arsearch serve``.

Builds an index of the news corpus (or reuses ``--index``), starts ``arsearch serve`` on a
free loopback port, and runs ``--clients`` threads for ``--seconds`` seconds, each with
its own keep-alive connection, sending queries of one or two words sampled from the
corpus's titles with a fixed seed. Reports requests/s, p50, p99 and errors; ``--write``
replaces the "## Web API throughput" section of bench/RESULTS.md.

    python bench/web.py                       # build a temporary index, run 8 x 30 s
    python bench/web.py --index /tmp/news     # build it there once, reuse it next time
    python bench/web.py --seconds 5 --write   # a shorter run, recorded

``--wrk`` drives the server with wrk instead (a C load generator, so the client does
not measure itself; Debian's ``wrk``), a different query on every request
(bench/wrk_queries.lua), for each worker count and connection count given, in one run:

    python bench/web.py --index /tmp/news --wrk --workers 1,2 --connections 8,32 --soak 60

``--servers arsearch,gthread`` adds gunicorn's own threaded worker (``-k gthread``,
4 threads) beside ``arsearch serve`` (gunicorn running waitress in each worker), and
``--idle N`` first opens N connections that send nothing, as slow clients do, and times
one search beside them. ``--variants`` interleaves variants of ``arsearch serve`` in
each round (threads per worker, the GIL's switch interval, ``freeze=0``); each row also gives the
server's CPU per answer (its processes' CPU time over the answers, from /proc), which
other jobs on the machine disturb far less than the latencies:

    python bench/web.py --index /tmp/news --wrk --rounds 5 --variants "default;freeze=0"

``--baseline SRC`` adds the same server run from another source tree (``PYTHONPATH=SRC``),
interleaved with this one in each round, for a before and after in one run:

    python bench/web.py --index /tmp/news --wrk --workers 2 --connections 8 --rounds 5 \
        --baseline /work/main/src
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
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from anchors import DEFAULT_CORPUS
from arsearch import analyze

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Web API throughput"
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


def start_server(
    index: Path,
    log: Path,
    workers: int | None = None,
    kind: str = "arsearch",
    variant: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[str], str, int]:
    """A server on a free loopback port: the process, its host and its port.

    ``kind`` "arsearch" is ``arsearch serve`` (``workers`` None: its default);
    "gthread" is gunicorn's threaded worker over the same app, for comparison.
    ``variant`` (arsearch only): ``threads`` for ``--threads``, ``switch`` for the
    processes' GIL switch interval in seconds (Python's default: 0.005), ``freeze=0``
    for no freezing of the heap (see :func:`preamble`), ``src`` for the source tree to
    run (``PYTHONPATH``).
    """
    variant = variant or {}
    env = {**os.environ, "PYTHONPATH": variant["src"]} if "src" in variant else None
    if kind == "gthread":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        app = f"arsearch.web:create_app({{'INDEX': {str(index)!r}}})"
        command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "4"]
        command += ["-w", str(workers or 1), "-b", f"127.0.0.1:{port}", app]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
        wait_ready("127.0.0.1", port)
        return process, "127.0.0.1", port
    command = [sys.executable, "-m", "arsearch"]
    if "switch" in variant or variant.get("freeze") == "0":
        command[1:] = ["-c", preamble(variant) + "from arsearch.cli import main; main()"]
    command += ["serve", "--index", str(index), "--port", "0"]
    if workers is not None:
        command += ["--workers", str(workers)]
    if "threads" in variant:
        command += ["--threads", variant["threads"]]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env=env
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
    if not match:
        process.kill()
        raise SystemExit(f"arsearch serve did not start: {line!r}; see {log}")
    wait_ready(match.group(1), int(match.group(2)))
    return process, match.group(1), int(match.group(2))


def preamble(variant: dict[str, str]) -> str:
    """``python -c`` code run before ``arsearch``'s: what gunicorn's forked workers inherit.

    ``switch``: the GIL switch interval in seconds; ``freeze=0``: no ``gc.freeze`` of the
    workers' long-lived objects (web/heap.py), to measure what it does.

    >>> preamble({"switch": "0.001", "freeze": "0"}).split("; ")[:2]
    ['import sys', 'sys.setswitchinterval(0.001)']
    """
    code = ""
    if "switch" in variant:
        code += f"import sys; sys.setswitchinterval({float(variant['switch'])!r}); "
    if variant.get("freeze") == "0":
        code += "from arsearch.web import heap; heap.settle = lambda *args, **kwargs: None; "
    return code


def parse_variants(text: str) -> list[dict[str, str]]:
    """``--variants``: ``;``-separated variants of ``key=value,...`` (``default``: none).

    >>> parse_variants("default;threads=2,switch=0.001")
    [{}, {'threads': '2', 'switch': '0.001'}]
    """
    variants = []
    for item in text.split(";"):
        pairs = [pair.split("=", 1) for pair in item.split(",") if pair and pair != "default"]
        variant = {key.strip(): value.strip() for key, value in pairs}
        if set(variant) - {"threads", "switch", "freeze", "src"}:
            raise SystemExit(
                f"--variants: only threads=, switch=, freeze=0 and src= are known, not {item!r}"
            )
        variants.append(variant)
    return variants


def variant_name(variant: dict[str, str]) -> str:
    """How a variant is shown in the table."""
    return ",".join(f"{key}={value}" for key, value in variant.items()) or "default"


def wait_ready(host: str, port: int, seconds: float = 60) -> None:
    """Wait until every worker can answer (a few searches on new connections)."""
    deadline = time.monotonic() + seconds
    answered = 0
    while answered < 8:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("GET", "/api/search?q=x")
            connection.getresponse().read()
            connection.close()
            answered += 1
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"no server on {host}:{port} after {seconds} s") from None
            time.sleep(0.2)


def stop_server(process: subprocess.Popen[str]) -> None:
    """SIGTERM, as a service manager stops it; then wait."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


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


LUA = Path(__file__).resolve().parent / "wrk_queries.lua"
KEYS = ("rps", "p50_ms", "p99_ms", "cpu_ms")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


def run_wrk(host: str, port: int, connections: int, seconds: float, queries: Path) -> dict:
    """One wrk run with one thread: requests/s, p50/p99 in ms, errors (all kinds, and non-2xx)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(LUA), f"http://{host}:{port}", "--", str(queries)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(row for row in out.splitlines() if row.startswith("JSON "))
    result: dict = json.loads(line[5:])
    result["rps"] = result["requests"] / result["seconds"]
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def workers_of(pid: int) -> list[int]:
    """The child processes of ``pid`` (the workers of a gunicorn master), from /proc."""
    try:
        listing = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(child) for child in listing.split()]


def tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) of ``pid`` and its live children so far, from /proc."""
    total = 0
    for one in (pid, *workers_of(pid)):
        try:
            stat = Path(f"/proc/{one}/stat").read_text(encoding="ascii")
        except OSError:
            continue
        # The fields after the command's closing parenthesis; utime and stime are 14 and 15.
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    statm = Path(f"/proc/{pid}/statm").read_text(encoding="ascii")
    return int(statm.split()[1]) * _PAGE / 1e6


def idle_probe(host: str, port: int, idle: int, path: str) -> float:
    """Seconds one search takes while ``idle`` connections are open and send nothing."""
    silent = [socket.create_connection((host, port), timeout=30) for _ in range(idle)]
    try:
        time.sleep(0.5)  # let the server accept them
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
        except OSError:
            return float("inf")
        finally:
            connection.close()
        return time.perf_counter() - started
    finally:
        for sock in silent:
            sock.close()


def run_wrk_bench(args: argparse.Namespace, index: Path, scratch: Path) -> list[dict]:
    """Every server kind x worker count x connection count, in one run; the rows."""
    queries = scratch / "queries.txt"
    sampled = sample_queries(args.corpus, QUERIES, SEED)
    queries.write_text("\n".join(quote(q) for q in sampled) + "\n", encoding="utf-8")
    rows = []
    variants = parse_variants(args.variants)
    if args.baseline:
        variants += [{**variant, "src": str(args.baseline)} for variant in variants]
    plan = [
        (kind, variant, int(workers))
        for _ in range(args.rounds)
        for kind in args.servers.split(",")
        for variant in (variants if kind == "arsearch" else [{}])
        for workers in args.workers.split(",")
    ]
    for number, (kind, variant, workers) in enumerate(plan):
        last_round = number >= len(plan) - len(plan) // args.rounds
        process, host, port = start_server(index, scratch / "server.log", workers, kind, variant)
        server = kind if not variant else f"{kind} {variant_name(variant)}"
        try:
            run_wrk(host, port, 8, args.warmup, queries)
            for connections in (int(c) for c in args.connections.split(",")):
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                cpu = tree_cpu(process.pid)
                result = run_wrk(host, port, connections, args.seconds, queries)
                # The server's CPU per answer: far less sensitive to the machine's load.
                result["cpu_ms"] = (tree_cpu(process.pid) - cpu) * 1000 / max(1, result["requests"])
                row = {"server": server, "workers": workers, "connections": connections}
                rows.append({**row, "load": load, **result})
                print(json.dumps(rows[-1]), flush=True)
            if args.idle and last_round:
                took = idle_probe(host, port, args.idle, "/api/search?q=" + quote(sampled[0]))
                row = {"server": server, "workers": workers, "idle": args.idle, "took": took}
                rows.append(row)
                print(json.dumps(row), flush=True)
            if (
                args.soak
                and last_round
                and kind == "arsearch"
                and not variant
                and workers == max(map(int, args.workers.split(",")))
            ):
                pids = workers_of(process.pid) or [process.pid]
                before = [rss_mb(pid) for pid in pids]
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                result = run_wrk(host, port, 32, args.soak, queries)
                after = [rss_mb(pid) if Path(f"/proc/{pid}").exists() else 0 for pid in pids]
                row = {"server": server, "workers": workers, "connections": 32, "soak": True}
                row.update(load=load, rss_before=before, rss_after=after, **result)
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            stop_server(process)
    return rows


def print_wrk_table(rows: list[dict]) -> None:
    """The rows as a Markdown table (and the idle probes and soaks below it)."""
    print(
        "\n| server | workers | connections | load (1 min, each round) | requests/s | p50 ms "
        "| p99 ms | server CPU ms per answer | errors (all rounds) |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    groups: dict[tuple[str, int, int], list[dict]] = {}
    for row in rows:
        if "rps" in row and not row.get("soak"):
            groups.setdefault((row["server"], row["workers"], row["connections"]), []).append(row)
    for (server, workers, connections), runs in groups.items():
        # Medians over the rounds; the load of each round.
        rate, p50, p99, cpu = (statistics.median(run[k] for run in runs) for k in KEYS)
        loads = " / ".join(run["load"].split()[0] for run in runs)
        errors = sum(run["errors"] for run in runs)
        print(
            f"| {server} | {workers} | {connections} | {loads} | {rate:.0f} | {p50:.1f} | "
            f"{p99:.1f} | {cpu:.2f} | {errors:.0f} |"
        )
    workers = sorted({w for _, w, _ in groups})
    for (server, many, connections), runs in groups.items():
        one = groups.get((server, workers[0], connections), [])
        if many == workers[0] or len(one) != len(runs):
            continue
        # Each round's ratio against one worker's figure of the same round, then the median.
        ratios = [run["rps"] / base["rps"] for run, base in zip(runs, one, strict=True)]
        shown = " / ".join(f"{ratio:.2f}" for ratio in ratios)
        print(
            f"{server}, {connections} connections: {many} workers / {workers[0]}, median of "
            f"rounds {statistics.median(ratios):.2f}x ({shown})"
        )
    for row in rows:
        if "idle" in row:
            print(
                f"{row['server']} x{row['workers']}: one search beside {row['idle']} silent "
                f"connections took {row['took'] * 1000:.0f} ms"
            )
        if row.get("soak"):
            before = ", ".join(f"{mb:.0f}" for mb in row["rss_before"])
            after = ", ".join(f"{mb:.0f}" for mb in row["rss_after"])
            print(
                f"{row['server']} x{row['workers']} soak {row['seconds']:.0f} s at 32 connections "
                f"(load {row['load']}): {row['rps']:.0f} requests/s, p99 {row['p99_ms']:.1f} ms, "
                f"{row['errors']:.0f} errors; RSS per worker MB before {before}, after {after}"
            )


def main() -> None:
    """Parse the arguments, run the benchmark, print and optionally record the result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="index directory to reuse (built if absent)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--write", action="store_true", help="record in bench/RESULTS.md")
    parser.add_argument("--wrk", action="store_true", help="drive the server with wrk")
    parser.add_argument("--servers", default="arsearch", help="with --wrk: arsearch,gthread")
    parser.add_argument("--workers", default="1,2", help="with --wrk: worker counts")
    parser.add_argument("--connections", default="8,32", help="with --wrk: connection counts")
    parser.add_argument("--warmup", type=float, default=3.0, help="with --wrk: seconds")
    parser.add_argument("--soak", type=float, default=0.0, help="with --wrk: seconds at 32")
    parser.add_argument("--rounds", type=int, default=1, help="with --wrk: medians of N")
    parser.add_argument("--idle", type=int, default=0, help="with --wrk: silent connections")
    parser.add_argument(
        "--variants",
        default="default",
        help="with --wrk: arsearch serve variants, interleaved: "
        "default;threads=2;switch=0.001;freeze=0",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="with --wrk: also run each variant from this source tree, interleaved",
    )
    args = parser.parse_args()
    if args.wrk:
        scratch = Path(tempfile.mkdtemp(prefix="arsearch-bench-wrk-"))
        try:
            index = args.index or scratch / "index"
            ensure_index(index, args.corpus)
            print_wrk_table(run_wrk_bench(args, index, scratch))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return
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
            stop_server(process)
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
