"""Indexing benchmark: the whole news corpus, arsearch beside stock Tantivy, in one run.

Stock Tantivy (the anchor script's ``tantivy_std``, Rust tokenizing only) gives the
floor; ``tantivy_ar`` (Python analysis feeding Tantivy) is run beside it. arsearch
builds through its CLI, ``python -m arsearch index CORPUS --index DIR --rebuild``, once
per engine, each build in its own process. For each: wall time, documents/s, index
size on disk (apparent bytes, as the anchors count them) and peak memory, that is
the largest sum of resident memory over the process tree (arsearch analyses in
worker processes), polled from ``/proc``. Every build runs ``--repeat`` times,
interleaved, and the median is reported; ``--write`` replaces the "## Indexing"
section of ``bench/RESULTS.md``.

    python bench/indexing.py                      # 17 minutes on 2 busy cores
    python bench/indexing.py --write              # and record it
    python bench/indexing.py --limit 5000 --repeat 1 --engines tantivy   # a quick look
    python bench/indexing.py --engines tantivy --baseline /work/main/src   # before and after

The built indexes are left in ``--workdir`` (``$TMPDIR/arsearch-bench-indexing``),
where ``bench/queries.py`` can reuse them.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anchors import DEFAULT_CORPUS, default_python, recorded_table, revision, run_anchor, uptime
from common import machine, utc_now, write_section

SECTION = "## Indexing"
DEFAULT_ENGINE = "tantivy"
WORKDIR = Path(tempfile.gettempdir()) / "arsearch-bench-indexing"
#: Targets from issue 3, for the default engine.
MAX_TIME_RATIO = 2.0
MAX_SIZE_RATIO = 0.75
MAX_PEAK_MB = 500
_PAGE = os.sysconf("SC_PAGE_SIZE")
_ADDED = re.compile(r"added ([\d,]+), updated ([\d,]+), unchanged ([\d,]+)")


@dataclass(frozen=True)
class Build:
    """One measured build."""

    seconds: float
    documents: int
    index_mb: float
    peak_mb: float
    #: MB on disk by file suffix (``.store``, ``.pos``, ...), for the largest parts.
    parts: tuple[tuple[str, float], ...] = ()
    #: CPU seconds of the whole process tree (user + system), when measured.
    cpu: float | None = None


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants, summed, in MB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                # Fields after the command name, which may itself hold ") ".
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * _PAGE
    total = 0
    for pid, size in rss.items():
        ancestor = pid
        while ancestor > 1 and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        total += size if ancestor == root else 0
    return total / 1e6


def dir_mb(path: Path) -> float:
    """Apparent size of the files under ``path`` (``du -sb``), in MB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def parts_mb(path: Path, top: int = 4) -> tuple[tuple[str, float], ...]:
    """The ``top`` file suffixes under ``path`` by size, in MB (what the index is made of)."""
    sizes: dict[str, float] = {}
    for file in path.rglob("*"):
        if file.is_file():
            suffix = file.suffix or file.name
            sizes[suffix] = sizes.get(suffix, 0.0) + file.stat().st_size / 1e6
    return tuple(sorted(sizes.items(), key=lambda item: -item[1])[:top])


def run_build(
    command: Sequence[str],
    index: Path,
    log: Path,
    poll: float = 0.1,
    env: dict[str, str] | None = None,
) -> Build:
    """Run one build command, polling its process tree's memory until it exits."""
    peak = 0.0
    # The children's CPU counts every process the build waited for: its workers too.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        while process.poll() is None:
            peak = max(peak, tree_rss_mb(process.pid))
            time.sleep(poll)
        seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = log.read_text(encoding="utf-8")
    summary = _ADDED.search(text)
    if process.returncode != 0 or summary is None:
        raise RuntimeError(f"{shlex.join(command)} failed ({process.returncode}):\n{text[-2000:]}")
    added = int(summary.group(1).replace(",", ""))
    return Build(seconds, added, dir_mb(index), peak, parts_mb(index), cpu)


def raw_text_mb(corpus: Path) -> float:
    """Title and text of every article in UTF-8, in MB, counted as the anchors count it."""
    total = 0
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                title, text = record.get("title") or "", record.get("text") or ""
                total += len(((title + "\n" + text) if title else text).encode("utf-8"))
    return total / 1e6


def first_documents(corpus: Path, limit: int, workdir: Path) -> Path:
    """A corpus of the first ``limit`` articles, written to ``workdir`` (for quick runs)."""
    subset = workdir / f"first-{limit}.jsonl.gz"
    if not subset.exists():
        with (
            gzip.open(corpus, "rt", encoding="utf-8") as src,
            gzip.open(subset, "wt", encoding="utf-8") as dst,
        ):
            dst.writelines(itertools.islice(src, limit))
    return subset


def median_build(builds: Sequence[Build]) -> Build:
    """The median of each measure over the repeats."""
    return Build(
        statistics.median(b.seconds for b in builds),
        builds[0].documents,
        statistics.median(b.index_mb for b in builds),
        statistics.median(b.peak_mb for b in builds),
        builds[-1].parts,
        statistics.median(b.cpu for b in builds) if builds[0].cpu is not None else None,
    )


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def anchor_build(result: dict[str, Any]) -> Build:
    """An anchor run's figures as a :class:`Build` (its own timing of the build alone)."""
    if "error" in result:
        raise RuntimeError(f"anchor {result['engine']}: {result['error']}")
    return Build(result["build_s"], result["docs"], result["index_mb"], result["peak_rss_mb"])


def render(
    rows: dict[str, list[Build]],
    *,
    raw_mb: float,
    command: str,
    load: tuple[str, str],
    started: str,
    code: str,
) -> str:
    """The "## Indexing" section; ``rows`` is keyed by the name shown, builds in run order."""
    medians = {name: median_build(builds) for name, builds in rows.items() if builds}
    floor = medians.get("anchor `tantivy_std`")
    documents = max((m.documents for m in medians.values()), default=0)
    lines = [
        SECTION,
        "",
        f"Written by `bench/indexing.py` on {started}; {machine()}.",
        f"Load at start: `{load[0]}`; at end: `{load[1]}`.",
        f"Code measured: {code} (the editable install, at the start of the run).",
        f"Corpus: {documents:,} articles, {raw_mb:.1f} MB of title and text (UTF-8).",
        "",
        f"Reproduce: `{command}`",
        "",
        "Measured in this run, median of the runs. The anchors time their build alone, in",
        "process; arsearch's time is the CLI's wall time, interpreter start included, and its",
        "peak memory is summed over the process tree (the CLI and its analysis workers).",
        "",
        "| build | runs (s) | build s | CPU s (tree) | docs/s | index MB | index / raw text | "
        "peak MB | time / stock Tantivy |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in medians.items():
        runs = ", ".join(f"{b.seconds:.1f}" for b in rows[name])
        ratio = f"{m.seconds / floor.seconds:.2f}" if floor else "-"
        lines.append(
            f"| {name} | {runs} | {m.seconds:.1f} | {'-' if m.cpu is None else f'{m.cpu:.1f}'} | "
            f"{m.documents / m.seconds:,.0f} | "
            f"{m.index_mb:.1f} | {m.index_mb / raw_mb:.2f} | {m.peak_mb:.0f} | {ratio} |"
        )
    lines.append("")
    for name, m in medians.items():
        if m.parts:
            parts = ", ".join(f"`{suffix}` {mb:.1f}" for suffix, mb in m.parts)
            lines.append(f"- {name} on disk, largest parts (MB): {parts}")
    default = medians.get(f"arsearch `{DEFAULT_ENGINE}`")
    if default and floor:
        time_ratio = default.seconds / floor.seconds
        size_ratio = default.index_mb / raw_mb
        lines += [
            "",
            "Targets for the default engine (issue 3):",
            "",
            "| measure | target | measured | met |",
            "|---|---|---:|---|",
            f"| build time / stock Tantivy | <= {MAX_TIME_RATIO} | {time_ratio:.2f} | "
            f"{_mark(time_ratio <= MAX_TIME_RATIO)} |",
            f"| index size / raw text | <= {MAX_SIZE_RATIO} | {size_ratio:.2f} | "
            f"{_mark(size_ratio <= MAX_SIZE_RATIO)} |",
            f"| peak memory | < {MAX_PEAK_MB} MB | {default.peak_mb:.0f} MB | "
            f"{_mark(default.peak_mb < MAX_PEAK_MB)} |",
        ]
    lines += [
        "",
        "The anchors' recorded figures (`../shared/anchors/README.md`, an earlier run on the",
        "same corpus and machine type):",
        "",
        recorded_table(),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N articles (a quick look)")
    parser.add_argument("--repeat", type=int, default=2, help="builds of each kind [2]")
    parser.add_argument("--engines", default="tantivy,whoosh", help="arsearch engines")
    parser.add_argument("--anchor-engines", default="tantivy_std,tantivy_ar")
    parser.add_argument("--anchor-python", default=default_python())
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--write", action="store_true", help="replace the RESULTS.md section")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another arsearch's src/ folder (say /work/main/src), built the same way, "
        "interleaved: a before and after in one run",
    )
    args = parser.parse_args(argv)

    started, load_start, code = utc_now(), uptime(), revision()
    print(f"{started}; {machine()}; {code}\n{load_start}", flush=True)
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = first_documents(args.corpus, args.limit, args.workdir) if args.limit else args.corpus
    raw_mb = raw_text_mb(corpus)
    anchors = [e for e in args.anchor_engines.split(",") if e]
    engines = [e for e in args.engines.split(",") if e]
    rows: dict[str, list[Build]] = {f"anchor `{e}`": [] for e in anchors}
    # Each arsearch build: its row, the engine, and the source tree (None: this one).
    builds = [(f"arsearch `{e}`", e, None) for e in engines]
    if args.baseline:
        builds = [(f"{name} (baseline)", e, args.baseline) for name, e, _ in builds] + builds
    rows |= {name: [] for name, _, _ in builds}
    for attempt in range(1, args.repeat + 1):
        # Interleaved, so that a burst of load elsewhere spreads over every kind.
        for anchor in anchors:
            result = run_anchor(
                anchor, corpus=corpus, workdir=args.workdir / "anchors", python=args.anchor_python
            )
            rows[f"anchor `{anchor}`"].append(build := anchor_build(result))
            print(f"[{attempt}] anchor {anchor}: {build}", flush=True)
        for name, engine, source in builds:
            index = args.workdir / engine
            command = [sys.executable, "-m", "arsearch", "index", str(corpus)]
            command += ["--index", str(index), "--engine", engine, "--rebuild"]
            env = None if source is None else {**os.environ, "PYTHONPATH": str(source)}
            rows[name].append(
                build := run_build(command, index, args.workdir / f"{engine}.log", env=env)
            )
            print(f"[{attempt}] {name}: {build}", flush=True)
    reproduce = "python bench/indexing.py" + (f" --limit {args.limit}" if args.limit else "")
    reproduce += "" if args.repeat == 2 else f" --repeat {args.repeat}"
    reproduce += f" --baseline {args.baseline}" if args.baseline else ""
    section = render(
        rows,
        raw_mb=raw_mb,
        command=reproduce + " --write",
        load=(load_start, uptime()),
        started=started,
        code=code,
    )
    print("\n" + section)
    if args.write:
        write_section(SECTION, section)
        print("wrote the section to bench/RESULTS.md")


if __name__ == "__main__":
    main()
