"""CPU-seconds per indexing stage, over the whole process tree (parent and workers).

Runs what ``arsearch index CORPUS --index DIR --rebuild`` runs, in this process, with
timers wrapped around the functions of each stage. Python stages are timed on the
CPU clock of the thread that runs them, exclusive of nested timed stages (a
stack per thread); worker processes get the same wrappers through their pool
initializer and report their totals in a file. The Rust threads of the engine
(indexing, store compression, merges) are timed as the process's CPU minus its
Python threads, read from ``/proc/self/task``.

    python bench/stages.py                    # the news corpus
    python bench/stages.py --limit 20000      # a quick look

Not a benchmark of record: the wrappers cost a little (about a microsecond a call).
"""

from __future__ import annotations

import argparse
import functools
import glob
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anchors import DEFAULT_CORPUS

_TICK = os.sysconf("SC_CLK_TCK")
_totals: dict[str, float] = defaultdict(float)
_calls: dict[str, int] = defaultdict(int)
_local = threading.local()
_OUT = Path(tempfile.gettempdir()) / "arsearch-stages"


def _stack() -> list[list[Any]]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def timed(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its own CPU time (nested timed calls excluded) charged to ``stage``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        stack = _stack()
        now = time.thread_time()
        if stack:
            outer = stack[-1]
            _totals[outer[0]] += now - outer[1]
        frame = [stage, now]
        stack.append(frame)
        try:
            return function(*args, **kwargs)
        finally:
            end = time.thread_time()
            _totals[stage] += end - frame[1]
            _calls[stage] += 1
            stack.pop()
            if stack:
                stack[-1][1] = end

    return wrapper


def timed_iter(stage: str, iterable: Any) -> Any:
    """An iterator whose ``next`` calls are charged to ``stage`` (reading a generator)."""
    iterator = iter(iterable)
    step = timed(stage, iterator.__next__)
    while True:
        try:
            yield step()
        except StopIteration:
            return


def patch(owner: Any, name: str, stage: str) -> None:
    setattr(owner, name, timed(stage, getattr(owner, name)))


def _patch_common(prefix: str) -> None:
    """Wrappers used in both the parent and the workers."""
    from arsearch.analysis import Analyzer
    from arsearch.index import builder, codec, pipeline

    patch(Analyzer, "index_terms", prefix + "analysis")
    patch(codec.DocumentCodec, "compress", prefix + "zstd compress")
    patch(codec, "pack_text", prefix + "pack text (one byte a character)")
    patch(builder, "encode_record", prefix + "JSON encode")
    patch(pipeline, "decode_record", prefix + "JSON decode")
    patch(builder, "content_hash", prefix + "hash")
    patch(builder, "date_key", prefix + "date parse")
    patch(builder.RowBuilder, "row", prefix + "engine document (rest)")
    patch(pipeline, "_make_chunk", prefix + "chunk loop")


def worker_init(*args: Any) -> None:
    """The pool initializer: the usual one, then the wrappers."""
    from arsearch.index import pipeline

    initialize = pipeline._init_worker  # in a worker, the module's own
    _patch_common("worker: ")
    original = pipeline._make_chunk

    def chunk_and_dump(chunk: Any) -> Any:
        records = original(chunk)
        own = resource.getrusage(resource.RUSAGE_SELF)
        data = {"stages": dict(_totals), "cpu": own.ru_utime + own.ru_stime}
        (_OUT / f"worker-{os.getpid()}.json").write_text(json.dumps(data))
        return records

    pipeline._make_chunk = chunk_and_dump
    initialize(*args)


def thread_cpu() -> dict[int, float]:
    """CPU seconds of each live thread of this process, by native id."""
    out = {}
    for path in glob.glob("/proc/self/task/*/stat"):
        try:
            with open(path, "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        out[int(path.split("/")[-2])] = (int(fields[11]) + int(fields[12])) / _TICK
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", default=str(Path(tempfile.gettempdir()) / "arsearch-stages-ix"))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--engine", default="tantivy")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--json", help="write the table as JSON here")
    args = parser.parse_args(argv)

    import itertools

    from arsearch import Index
    from arsearch.documents import formats, reading
    from arsearch.engines import tantivy_engine
    from arsearch.index import core, pipeline

    _OUT.mkdir(exist_ok=True)
    for old in _OUT.glob("worker-*.json"):
        old.unlink()
    _patch_common("parent: ")
    patch(formats, "_loads", "parent: JSON parse (input)")
    patch(formats, "build_document", "parent: validate (build_document)")
    patch(core, "encode_document", "parent: JSON encode (known id)")
    patch(core, "content_hash", "parent: hash (known id)")
    patch(core, "train_dictionary", "parent: train zstd dictionary")
    patch(tantivy_engine.TantivyReader, "contains", "parent: id lookup (contains)")
    patch(pipeline.DocumentPipeline, "put", "parent: pipeline.put (queue)")
    patch(pipeline.DocumentPipeline, "_drain_one", "parent: drain (unpickled results)")
    patch(tantivy_engine.TantivyWriter, "add", "parent: engine add (Python side)")
    patch(tantivy_engine.TantivyWriter, "commit", "parent: engine commit (Python side)")
    patch(core.Index, "_add_all", "parent: add loop")
    pipeline._init_worker = worker_init
    read_documents = reading.read_documents

    python_threads: dict[int, float] = {}
    original_close = pipeline.DocumentPipeline.close

    def close_and_sample(self: Any) -> None:
        # The pool's helper threads end with the pool: read their CPU first.
        cpu = thread_cpu()
        for thread in threading.enumerate():
            if thread.native_id in cpu:
                python_threads[thread.native_id] = cpu[thread.native_id]
        original_close(self)

    pipeline.DocumentPipeline.close = close_and_sample  # type: ignore[method-assign]

    commit_wall = [0.0]
    original_commit = core.Index.commit

    def commit_and_time(self: Any) -> None:
        started = time.perf_counter()
        original_commit(self)
        commit_wall[0] += time.perf_counter() - started

    core.Index.commit = commit_and_time  # type: ignore[method-assign]

    cpu_start = os.times()
    wall_start = time.perf_counter()
    main_start = time.thread_time()
    index = Index.create(args.index, engine=args.engine, overwrite=True)
    documents = timed_iter(
        "parent: read + decompress + decode lines", read_documents([args.corpus])
    )
    if args.limit:
        documents = itertools.islice(documents, args.limit)
    kwargs = {} if args.batch_size is None else {"batch_size": args.batch_size}
    summary = index.add(documents, workers=None, **kwargs)
    index.commit()
    index.close()
    wall = time.perf_counter() - wall_start
    main_cpu = time.thread_time() - main_start
    cpu_end = os.times()
    own_cpu = (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system)
    children_cpu = (cpu_end.children_user - cpu_start.children_user) + (
        cpu_end.children_system - cpu_start.children_system
    )

    stages = dict(_totals)
    timed_main = sum(v for k, v in stages.items() if k.startswith("parent: "))
    main_id = threading.main_thread().native_id
    helper_threads = sum(v for tid, v in python_threads.items() if tid != main_id)
    stages["parent: other Python (main thread, untimed)"] = main_cpu - timed_main
    stages["parent: pool helper threads (pickle, pipes)"] = helper_threads
    stages["parent: engine threads (Rust: index, store, merge)"] = (
        own_cpu - main_cpu - helper_threads
    )
    worker_cpu = 0.0
    for report in _OUT.glob("worker-*.json"):
        data = json.loads(report.read_text())
        worker_cpu += data["cpu"]
        timed_worker = 0.0
        for name, value in data["stages"].items():
            stages[name] = stages.get(name, 0.0) + value
            timed_worker += value
        stages["worker: other (start-up, unpickle, pickle)"] = (
            stages.get("worker: other (start-up, unpickle, pickle)", 0.0)
            + data["cpu"]
            - timed_worker
        )
    # Worker reports are written after each chunk; children's CPU counts start-up too.
    rows = sorted(stages.items(), key=lambda item: -item[1])
    total = own_cpu + children_cpu
    print(f"{summary.to_dict()} in {wall:.1f} s wall; commits {commit_wall[0]:.1f} s wall")
    print(
        f"CPU: tree {total:.1f} s = parent {own_cpu:.1f} (main thread {main_cpu:.1f}) "
        f"+ workers {children_cpu:.1f} (reported {worker_cpu:.1f})"
    )
    print("| stage | CPU s | share of tree |")
    print("|---|---:|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.2f} | {value / total:.0%} |")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "wall": wall,
                    "commit_wall": commit_wall[0],
                    "tree_cpu": total,
                    "parent_cpu": own_cpu,
                    "main_cpu": main_cpu,
                    "workers_cpu": children_cpu,
                    "stages": stages,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    # Workers unpickle ``stages.worker_init`` by module name, so run as ``stages``.
    import stages

    stages.main()
