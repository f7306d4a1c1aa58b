"""Slow-query search: hostile query shapes of at most 512 characters, timed on the news index.

The bound of issue 10: every query of at most 512 characters answers within 1 s on the
news index, or is refused with a clear error (``QueryTooComplexError``, a 400 on the web).
This script looks for the queries that come closest to breaking it, systematically:

1. Word pools are drawn from a seeded sample of the corpus: frequent words, words found
   once, words no document holds, stop words, short prefixes, Latin words and digits.
2. Every shape family below (prefixes, fuzzy words, phrases, OR chains, negations,
   fields, filters, nested groups, operator soup, long words...) makes ``--per-family``
   queries, each filled up to 512 characters.
3. The slowest queries found are then mutated for ``--rounds`` rounds (a word replaced
   from another pool, a clause repeated, an operator added, two queries spliced), and a
   mutant is kept when it is slower: a hill climb towards the worst shapes.

Each query runs through ``Index.search`` (10 hits, snippets, facets) twice: cold, on an
``Index`` opened for it (a new snapshot: no spelling vocabulary loaded yet, as after a
commit), then warm, on the same object. A query's cost is the CPU time of the slower run
(the process's, engine threads included), which a busy machine does not inflate; the wall
times are recorded beside it. A refusal counts with the time it took to refuse.

    python bench/slowqueries.py                # about 5 minutes, the index of bench/queries.py
    python bench/slowqueries.py --write        # and record it
    python bench/slowqueries.py --index DIR    # another index of the news corpus
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from anchors import DEFAULT_CORPUS, revision, uptime
from arsearch import ArsearchError, Index, QueryTooComplexError, normalize
from arsearch.analysis import Analyzer
from arsearch.index import MAX_OFFSET
from common import machine, utc_now, write_section
from indexing import WORKDIR
from queries import open_or_build

SECTION = "## Hardening (issue 10): slow queries"
#: The query length the bound is about.
MAX_LENGTH = 512
#: The bound: seconds a query of at most MAX_LENGTH characters may take.
BOUND_SECONDS = 1.0
#: Articles in the news corpus.
NEWS_DOCUMENTS = 58_968
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_WORD = re.compile(r"[\u0621-\u064A]{2,}")
#: The outcome of a query refused with QueryTooComplexError.
TOO_COSTLY = "refused (too costly)"


@dataclass
class Pools:
    """The words queries are made of."""

    frequent: list[str]
    rare: list[str]
    absent: list[str]
    stopwords: list[str]
    latin: list[str]
    categories: list[str]
    sources: list[str]

    def any_word(self, rng: random.Random) -> str:
        pool = rng.choice([self.frequent, self.rare, self.absent, self.stopwords, self.latin])
        return rng.choice(pool)


def read_pools(corpus: Path, *, sample: int, seed: int) -> Pools:
    """Word pools from the first ``sample`` articles of the corpus."""
    counts: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= sample:
                break
            record = json.loads(line)
            text = f"{record.get('title') or ''} {record.get('text') or ''}"
            counts.update(set(_WORD.findall(normalize(text))))
            categories[record.get("category") or ""] += 1
            sources[record.get("source") or ""] += 1
    rng = random.Random(seed)
    stopwords = sorted(Analyzer().stopwords)
    frequent = [word for word, _ in counts.most_common(400) if word not in stopwords]
    rare = sorted(word for word, count in counts.items() if count == 1)
    by_letter: dict[str, list[str]] = {}
    for word in rare:
        by_letter.setdefault(word[0], []).append(word)
    # One rare word per first letter first: each needs its own spelling bucket.
    rare = [rng.choice(words) for _, words in sorted(by_letter.items())] + rng.sample(rare, 200)
    absent = [letter + "".join(rng.choice("ظغضذث") for _ in range(3)) for letter in LETTERS]
    return Pools(
        frequent=frequent,
        rare=rare,
        absent=absent,
        stopwords=stopwords,
        latin=["covid", "2021", "x", "a1", "الـ", "١٢٣", "😀", "e=mc2"],
        categories=[name for name, _ in categories.most_common(8) if name],
        sources=[name for name, _ in sources.most_common(8) if name],
    )


def fill(pieces: Iterator[str], separator: str = " ") -> str:
    """Join ``pieces`` until the next one would pass MAX_LENGTH characters."""
    out = ""
    for piece in pieces:
        longer = f"{out}{separator}{piece}" if out else piece
        if len(longer) > MAX_LENGTH:
            break
        out = longer
    return out


def forever(rng: random.Random, make: Callable[[], str]) -> Iterator[str]:
    while True:
        yield make()


Family = Callable[[random.Random, Pools], str]


def _families() -> dict[str, Family]:
    def cycle(items: list[str]) -> Iterator[str]:
        while True:
            yield from items

    return {
        "prefix, one letter, repeated": lambda r, p: fill(cycle([r.choice(LETTERS) + "*"])),
        "prefix, every letter": lambda r, p: fill(cycle([c + "*" for c in LETTERS])),
        "prefix, two letters, distinct": lambda r, p: fill(
            forever(r, lambda: r.choice("اوبلف") + r.choice(LETTERS) + "*")
        ),
        "prefix, frequent stems": lambda r, p: fill(
            forever(r, lambda: r.choice(p.frequent)[: r.randint(2, 4)] + "*")
        ),
        "fuzzy, one word, repeated": lambda r, p: fill(cycle([r.choice(p.frequent) + "~"])),
        "fuzzy, every first letter": lambda r, p: fill(
            cycle([c + r.choice(LETTERS) + r.choice(["~", "~1"]) for c in LETTERS])
        ),
        "fuzzy, frequent words": lambda r, p: fill(forever(r, lambda: r.choice(p.frequent) + "~")),
        "fuzzy, rare words": lambda r, p: fill(cycle([word + "~" for word in p.rare])),
        "plain, frequent words": lambda r, p: fill(forever(r, lambda: r.choice(p.frequent))),
        "plain, found once (did you mean)": lambda r, p: fill(cycle(p.rare)),
        "plain, absent (stand-ins)": lambda r, p: fill(cycle(p.absent)),
        "plain, stop words": lambda r, p: fill(forever(r, lambda: r.choice(p.stopwords))),
        "plain, proclitics": lambda r, p: fill(
            forever(r, lambda: r.choice(["و", "ب", "ل", "وب", "فل"]) + r.choice(p.frequent))
        ),
        "plain, glued at ال": lambda r, p: fill(
            forever(r, lambda: r.choice(p.frequent) + r.choice(p.frequent))
        ),
        "one long word": lambda r, p: r.choice(["ال" * 256, "ا" * 512, r.choice(LETTERS) * 512]),
        "phrase, long": lambda r, p: (
            '"' + fill(forever(r, lambda: r.choice(p.frequent)))[:510] + '"'
        ),
        "phrase, many pairs": lambda r, p: fill(
            forever(r, lambda: f'"{r.choice(p.frequent)} {r.choice(p.frequent)}"')
        ),
        "phrase, stop words": lambda r, p: (
            '"' + fill(forever(r, lambda: r.choice(p.stopwords)))[:510] + '"'
        ),
        "OR chain": lambda r, p: fill(forever(r, lambda: r.choice(p.frequent)), " OR "),
        "OR chain of prefixes": lambda r, p: fill(
            forever(r, lambda: r.choice(p.frequent)[:2] + "*"), " OR "
        ),
        "must, +word": lambda r, p: fill(forever(r, lambda: "+" + r.choice(p.frequent))),
        "negations": lambda r, p: fill(forever(r, lambda: "-" + r.choice(p.frequent))),
        "negated prefixes": lambda r, p: fill(forever(r, lambda: "-" + r.choice(LETTERS) + "*")),
        "title fields": lambda r, p: fill(
            forever(r, lambda: "title:" + r.choice([r.choice(p.frequent), r.choice(LETTERS) + "*"]))
        ),
        "nested groups": lambda r, p: "(" * 120 + " OR ".join(r.sample(p.frequent, 20)) + ")" * 120,
        "groups of prefixes": lambda r, p: fill(
            forever(r, lambda: f"({r.choice(LETTERS)}* OR {r.choice(p.frequent)}~)")
        ),
        "filters and words": lambda r, p: fill(
            forever(
                r,
                lambda: r.choice(
                    [
                        f"category:{r.choice(p.categories)}" if p.categories else "x",
                        f'source:"{r.choice(p.sources)}"' if p.sources else "x",
                        # In order: a range that ends before it starts is refused at once.
                        "date:{}..{}".format(*sorted(r.sample(range(1990, 2031), 2))),
                        r.choice(p.frequent),
                    ]
                ),
            )
        ),
        "operator soup": lambda r, p: "".join(
            r.choice(['"', "(", ")", "*", "~", "+", "-", ":", " OR ", " ", "|", "~1", "«", "»"])
            if r.random() < 0.4
            else r.choice(p.frequent)[: r.randint(1, 4)]
            for _ in range(400)
        )[:MAX_LENGTH],
        "mixed scripts": lambda r, p: fill(forever(r, lambda: p.any_word(r))),
    }


FAMILIES = _families()


@dataclass(order=True)
class Timed:
    """One query, timed twice: its CPU time (the sort key, the slower run) and wall times."""

    cpu: float
    family: str = field(compare=False)
    query: str = field(compare=False)
    outcome: str = field(compare=False)
    #: Wall-clock seconds of the cold and the warm run.
    walls: tuple[float, float] = field(compare=False, default=(0.0, 0.0))
    #: CPU seconds of the cold and the warm run.
    cpus: tuple[float, float] = field(compare=False, default=(0.0, 0.0))

    @property
    def wall(self) -> float:
        """The slower wall-clock time of the two runs."""
        return max(self.walls)


def time_query(path: Path, family: str, query: str) -> Timed:
    """A cold and a warm ``Index.search`` of ``query``: the times and what the last gave."""
    index = Index.open(path)
    try:
        walls: list[float] = []
        cpus: list[float] = []
        outcome = ""
        for _run in ("cold", "warm"):
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                results = index.search(query, limit=10)
                outcome = f"{results.total:,} hits" + (" (note)" if results.note else "")
            except QueryTooComplexError:
                outcome = TOO_COSTLY
            except ArsearchError as error:
                outcome = f"refused: {type(error).__name__}"
            cpus.append(time.process_time() - started_cpu)
            walls.append(time.perf_counter() - started)
        return Timed(max(cpus), family, query, outcome, (walls[0], walls[1]), (cpus[0], cpus[1]))
    finally:
        index.close()


def mutate(rng: random.Random, query: str, pools: Pools, others: list[Timed]) -> str:
    """A neighbour of ``query``: a word replaced, a clause repeated, an operator, a splice."""
    parts = query.split(" ") or [query]
    choice = rng.randrange(5)
    at = rng.randrange(len(parts))
    if choice == 0:
        parts[at] = pools.any_word(rng)
    elif choice == 1:
        parts.insert(at, parts[rng.randrange(len(parts))])
    elif choice == 2:
        parts[at] = rng.choice(["+", "-", "", "title:"]) + parts[at] + rng.choice(["*", "~", ""])
    elif choice == 3 and others:
        other = rng.choice(others).query.split(" ")
        parts = parts[: len(parts) // 2] + other[len(other) // 2 :]
    else:
        parts[at] = rng.choice(LETTERS) + rng.choice(["*", "~", ""])
    return " ".join(parts)[:MAX_LENGTH]


def search(path: Path, pools: Pools, *, per_family: int, rounds: int, seed: int) -> list[Timed]:
    """Every family, then the hill climb; every timed query, slowest first."""
    rng = random.Random(seed)
    timed: list[Timed] = []
    for name, make in FAMILIES.items():
        for _ in range(per_family):
            timed.append(time_query(path, name, make(rng, pools)))
        slowest = max(t for t in timed if t.family == name)
        print(
            f"{slowest.cpu:6.3f} s CPU {slowest.wall:6.3f} s wall  {name}: {slowest.outcome}",
            flush=True,
        )
    for round_number in range(rounds):
        top = sorted(timed, reverse=True)[:8]
        parent = rng.choice(top)
        query = mutate(rng, parent.query, pools, top)
        family = parent.family.removesuffix(" (mutated)") + " (mutated)"
        child = time_query(path, family, query)
        timed.append(child)
        if child.cpu > top[0].cpu:
            print(f"{child.cpu:6.3f} s CPU  round {round_number}: new slowest", flush=True)
    return sorted(timed, reverse=True)


#: Deep pages, timed apart from the query shapes: the bound is about a query's text, but
#: paging is a cost of its own (each hit before the page is fetched, and by date decoded).
DEEP_PAGES = [
    ("a frequent word", "الحكومة"),
    ("a prefix", "ال*"),
    ("a negation only", "-الحكومة"),
]


def time_deep_pages(path: Path) -> list[tuple[str, str, float, float]]:
    """The deepest page allowed (100 hits after 10,000) of a few broad queries, both orders:
    CPU and wall seconds."""
    rows = []
    with Index.open(path) as index:
        for label, query in DEEP_PAGES:
            for sort in ("relevance", "date"):
                started, started_cpu = time.perf_counter(), time.process_time()
                index.search(query, limit=100, page=MAX_OFFSET // 100 + 1, sort=sort)
                cpu = time.process_time() - started_cpu
                rows.append((label, sort, cpu, time.perf_counter() - started))
    return rows


def report(
    timed: list[Timed],
    deep: list[tuple[str, str, float, float]],
    *,
    started: str,
    load_start: str,
    load_end: str,
    args: str,
) -> str:
    """The RESULTS.md section."""
    by_family: dict[str, Timed] = {}
    for item in timed:
        if item.family not in by_family:
            by_family[item.family] = item
    answered = [t for t in timed if not t.outcome.startswith("refused")]
    refused = [t for t in timed if t.outcome == TOO_COSTLY]
    slowest = timed[0]
    by_wall = max(timed, key=lambda item: item.wall)
    rows = "\n".join(
        f"| {name} | {item.cpus[0]:.3f} | {item.cpus[1]:.3f} | {item.walls[0]:.3f} "
        f"| {item.walls[1]:.3f} | {item.outcome} | `{_shown(item.query)}` |"
        for name, item in sorted(by_family.items(), key=lambda pair: -pair[1].cpu)
    )

    def verdict(seconds: float) -> str:
        return "met" if seconds < BOUND_SECONDS else "**not met**"

    deep_rows = "\n".join(
        f"| {label} | {sort} | {cpu:.3f} | {wall:.3f} |" for label, sort, cpu, wall in deep
    )
    slowest_answered = f"{answered[0].cpu:.3f} s" if answered else "none answered"
    return f"""{SECTION}

Written by `bench/slowqueries.py` on {started}; {machine()}.
Load at start: `{load_start}`; at end: `{load_end}`.
Code measured: {revision()}. Arguments: `{args}`.

{len(timed)} queries of at most {MAX_LENGTH} characters on the news index (58,968 articles,
tantivy), each run cold (a newly opened index: no spelling vocabulary loaded) then warm
through `Index.search` (10 hits, snippets, facets). A query's cost is its CPU time (the
process's, engine threads included), the slower of the two runs: on a shared machine its
wall-clock time also holds the time it waited for a core, shown beside it.
{len(FAMILIES)} shape families, then a hill climb that mutates the costliest queries found.

- Costliest query: {slowest.cpu:.3f} s of CPU ({slowest.outcome}), {slowest.wall:.3f} s wall;
  the bound is {BOUND_SECONDS:.0f} s: {verdict(slowest.cpu)}.
- Slowest query by the wall clock: {by_wall.wall:.3f} s ({by_wall.cpu:.3f} s of CPU):
  {verdict(by_wall.wall)} at the load averages above.
- Costliest answered query: {slowest_answered} of CPU; refused as too costly:
  {len(refused)} of {len(timed)}.

The costliest query of each family (query text cut to 60 characters):

| family | CPU s, cold | CPU s, warm | wall s, cold | wall s, warm | outcome | query |
|---|---:|---:|---:|---:|---|---|
{rows}

Deep pages, apart (page {MAX_OFFSET // 100 + 1} of 100 hits, the deepest allowed: every hit
before it is fetched from the engine, and for the date order decoded):

| query | order | CPU s | wall s |
|---|---|---:|---:|
{deep_rows}
"""


def _shown(query: str) -> str:
    text = query if len(query) <= 60 else query[:60] + "…"
    return text.replace("|", "\\|").replace("`", "'")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--index",
        type=Path,
        default=WORKDIR / "tantivy",
        help="An index of the news corpus (built there when missing, as bench/queries.py does).",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sample", type=int, default=5_000, help="Articles the pools come from.")
    parser.add_argument("--per-family", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=120)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="Record the section in RESULTS.md.")
    args = parser.parse_args(argv)
    open_or_build(args.index, args.corpus, NEWS_DOCUMENTS, "tantivy").close()
    started, load_start = utc_now(), uptime()
    pools = read_pools(args.corpus, sample=args.sample, seed=args.seed)
    timed = search(
        args.index, pools, per_family=args.per_family, rounds=args.rounds, seed=args.seed
    )
    deep = time_deep_pages(args.index)
    shown_args = " ".join(sys.argv[1:]) if argv is None else " ".join(argv)
    section = report(
        timed, deep, started=started, load_start=load_start, load_end=uptime(), args=shown_args
    )
    print(section)
    if args.write:
        write_section(SECTION, section)
    return 0 if timed[0].cpu < BOUND_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
