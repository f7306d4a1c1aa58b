"""Relevance benchmark: MRR@10, R@10, R@100 and nDCG@10 on real Arabic retrieval sets.

Builds indexes from ``../shared/data`` (``arcd`` and ``xquad_ar``, each alone and
with the whole ``news`` corpus added as distractors) with the default
configuration and with each stemmer, runs every question through
``Index.search`` with :mod:`arsearch.evaluation` (the code of ``arsearch eval``),
and with ``--write`` replaces the "## Relevance" and "## Relevance levers (issue 14)"
sections of ``bench/RESULTS.md`` (``--levers``: only the second, from the default and
issue 14's levers alone).

The default rows run the shipped configuration untouched. Each lever row runs
the same search with one field of the default ``arsearch.Ranking`` changed
(passed to ``Index.searcher(ranking=...)``), or on an index built with another
``Analyzer``; paired differences come with 95% bootstrap confidence intervals
over the questions.

Built indexes are cached outside the repository (``--cache``, default
``$TMPDIR/arsearch-relevance``), keyed by the analyzer configuration: the news
part (about a minute to index) is built once per configuration, copied, and
the small set added to the copy.

    python bench/relevance.py                    # print the sections
    python bench/relevance.py --write            # and write them to bench/RESULTS.md
    python bench/relevance.py --levers --write   # issue 14's levers only
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from arsearch import Analyzer, ArsearchError, Document, Index, Ranking, Results
from arsearch.evaluation import METRICS, evaluate, read_qrels, read_queries
from arsearch.index import DEFAULT_RANKING
from common import RESULTS, machine, utc_now, write_section

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
CACHE = Path(tempfile.gettempdir()) / "arsearch-relevance"
SETS = ("arcd", "xquad_ar")
LEVERS_SECTION = "## Relevance levers (issue 14)"
#: Bumped when arsearch changes what it indexes for a document, so cached
#: indexes are rebuilt (2: the body fields hold the title too; 3: index format 3).
LAYOUT = 3


@dataclass(frozen=True)
class Build:
    """An index-side configuration: what ``Index.create`` is given."""

    name: str
    stemmer: str = "light10"
    fold_hamza: bool = False
    #: Stop words removed from the shipped list (an ablation of the list itself).
    keep_stopwords: frozenset[str] = field(default_factory=frozenset)
    #: Index options (``Index.create(stem_positions=..., spellings=...)``), defaults
    #: as there.
    stem_positions: bool = True
    spellings: str | None = None
    #: The engine (bench/scaling.py compares xapian with the default).
    engine: str = "tantivy"

    def analyzer(self) -> Analyzer:
        """The analyzer this build indexes with."""
        base = Analyzer(stemmer=self.stemmer, fold_hamza=self.fold_hamza)
        if not self.keep_stopwords:
            return base
        return Analyzer(
            stemmer=self.stemmer,
            fold_hamza=self.fold_hamza,
            stopwords=sorted(base.stopwords - self.keep_stopwords),
        )

    def key(self) -> str:
        """A cache key that changes with the analyzer's whole configuration and the options."""
        options = {"stem_positions": self.stem_positions, "spellings": self.spellings}
        chosen: dict[str, Any] = {name: value for name, value in options.items() if value}
        if self.engine != "tantivy":  # keeps the cached tantivy indexes' keys
            chosen["engine"] = self.engine
        config = json.dumps(
            {"analyzer": self.analyzer().to_config(), "layout": LAYOUT, **chosen},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha1(config.encode("utf-8")).hexdigest()[:12]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _create(path: Path, build: Build) -> Index:
    return Index.create(
        path,
        analyzer=build.analyzer(),
        stem_positions=build.stem_positions,
        spellings=build.spellings,
        engine=build.engine,
    )


def read_corpus(path: Path) -> Iterator[Document]:
    """The documents of a ``corpus.jsonl.gz``: id, title and text.

    Only the searched fields are kept (some news dates are not ISO 8601, and
    metadata plays no part in ranking), so every document is indexed.
    """
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            yield Document(str(record["id"]), record.get("title") or "", record["text"])


def _add(index: Index, corpus: Path, build: Build) -> None:
    started = time.perf_counter()
    summary = index.add(read_corpus(corpus))
    index.commit()
    _log(f"    {corpus}: {summary.added:,} documents in {time.perf_counter() - started:.0f} s")


def _first_id(corpus: Path) -> str:
    return next(read_corpus(corpus)).id


def _complete(path: Path, corpus: Path) -> bool:
    """Whether a cached index was finished and still reads with this arsearch."""
    if not (path / ".complete").exists():
        return False
    try:
        with Index.open(path) as index:
            index.get(_first_id(corpus))
    except ArsearchError:
        return False  # built by an older format: build it again
    return True


def _mark_complete(path: Path) -> None:
    (path / ".complete").write_text("ok\n", encoding="utf-8")


def build_index(build: Build, dataset: str, with_news: bool, data: Path, cache: Path) -> Path:
    """The cached index of ``dataset`` (plus news) under ``build``; built when missing."""
    root = cache / build.key()
    target = root / (f"{dataset}+news" if with_news else dataset)
    corpus = data / dataset / "corpus.jsonl.gz"
    news_corpus = data / "news" / "corpus.jsonl.gz"
    if _complete(target, corpus):
        return target
    if target.exists():
        shutil.rmtree(target)
    root.mkdir(parents=True, exist_ok=True)
    if with_news:
        news = root / "news"
        if not _complete(news, news_corpus):
            if news.exists():
                shutil.rmtree(news)
            _log(f"  indexing news for {build.name} (once per configuration)")
            with _create(news, build) as index:
                _add(index, news_corpus, build)
            _mark_complete(news)
        shutil.copytree(news, target, ignore=shutil.ignore_patterns(".complete", "*.lock"))
        index = Index.open(target)
    else:
        index = _create(target, build)
    _log(f"  indexing {dataset}{' + news' if with_news else ''} for {build.name}")
    with index:
        _add(index, corpus, build)
    _mark_complete(target)
    return target


# -- runs ----------------------------------------------------------------------

#: The four runs of the issue: each set alone, then with the news distractors.
RUNS = ("arcd", "xquad_ar", "arcd+news", "xquad_ar+news")
RUN_NAMES = {"arcd": "arcd", "xquad_ar": "xquad_ar", "arcd+news": "arcd + news",
             "xquad_ar+news": "xquad_ar + news"}  # fmt: skip
#: MRR@10 targets of the default configuration (issue 14).
TARGETS = {"arcd": 0.83, "xquad_ar": 0.94, "arcd+news": 0.68, "xquad_ar+news": 0.86}
#: Lucene's ArabicAnalyzer with BM25 k1=1.2, b=0.75 through Anserini, from
#: ../shared/anchors/relevance.md (i.lucene-anserini): MRR@10, R@10, R@100, nDCG@10.
LUCENE = {
    "arcd": (0.797, 0.956, 0.982, 0.836),
    "xquad_ar": (0.923, 0.982, 0.989, 0.937),
    "arcd+news": (0.604, 0.796, 0.915, 0.651),
    "xquad_ar+news": (0.812, 0.893, 0.945, 0.832),
}

DEFAULT_BUILD = Build("default")


def _interrogatives() -> frozenset[str]:
    """The interrogatives section of the shipped stop-word list."""
    text = (
        resources.files("arsearch.analysis").joinpath("stopwords.txt").read_text(encoding="utf-8")
    )
    words: set[str] = set()
    inside = False
    for line in text.splitlines():
        if line.startswith("#"):
            inside = line.startswith("# interrogatives")
        elif inside and line.strip():
            words.add(line.split("#", 1)[0].strip())
    return frozenset(words)


#: Stems only, with no lever: the analogue of the anchors' c.light10 (light10
#: stems in one field holding title and text, BM25 1.2/0.75).
BASELINE = Ranking(
    title_boost=0.0,
    exact_weight=0.0,
    proclitics=False,
    fallback=False,
    proximity=0.0,
    stem_proximity=0.0,
    phrases="phrase",
    feedback_docs=0,
    feedback_terms=0,
    feedback_weight=0.0,
)

#: The levers in the order they were added, from the baseline to the default.
STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("+ exact forms beside the stems, weight 1 (exact + stem fusion)", {"exact_weight": 1.0}),
    ("exact forms weighted 0.25", {"exact_weight": DEFAULT_RANKING.exact_weight}),
    ("+ proclitic ب/ل/ك/و/ف stripped when the rest is more frequent", {"proclitics": True}),
    ("+ fallback for absent words (glued ال, nearest spellings)", {"fallback": True}),
    ("quoted phrase in a question: boost instead of phrase only", {"phrases": "boost"}),
    ("+ proximity bonus for neighbouring words", {
        "proximity": DEFAULT_RANKING.proximity, "proximity_slop": DEFAULT_RANKING.proximity_slop}),
    ("+ title fields weighted on top of the body", {"title_boost": DEFAULT_RANKING.title_boost}),
    ("proximity matched by stems (stem positions kept), replacing exact forms", {
        "stem_proximity": DEFAULT_RANKING.stem_proximity}),
)  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """One measured configuration: an index build and a ranking."""

    label: str
    build: Build = DEFAULT_BUILD
    ranking: Ranking = DEFAULT_RANKING
    #: Blank out the query language's operator characters before searching.
    plain_text: bool = False
    #: The table of issue 14's levers it belongs to ("alone", "together"), if any.
    lever: str = ""


#: Characters that are operators in the query language.
_OPERATORS = re.compile(r"[\"“”«»()|+\-*~:]")


def as_plain_text(text: str) -> str:
    """``text`` with every operator character of the query language made a space.

    >>> as_plain_text('ما هو "المسرح البولوني"؟ (AS-206)')
    'ما هو  المسرح البولوني ؟  AS 206 '
    """
    return _OPERATORS.sub(" ", text)


def _variants() -> list[Variant]:
    """Every configuration the section reports, the default first."""
    variants = [Variant("default"), Variant("baseline", ranking=BASELINE)]
    ranking = BASELINE
    for label, change in STEPS:
        ranking = replace(ranking, **change)
        variants.append(Variant(label, ranking=ranking))
    if ranking != DEFAULT_RANKING:
        raise SystemExit("STEPS do not end at DEFAULT_RANKING: update bench/relevance.py")
    default = DEFAULT_RANKING
    other_title = 0.1 if default.title_boost == 0 else 0.0
    alternatives = [
        ("without proclitic stripping", {"proclitics": False}),
        ("without the fallback for absent words", {"fallback": False}),
        ("without the proximity bonus", {"proximity": 0.0, "stem_proximity": 0.0}),
        ("quoted phrase required", {"phrases": "require"}),
        ("quoted phrase only (its words not counted alone)", {"phrases": "phrase"}),
        ("exact forms weighted 1", {"exact_weight": 1.0}),
        ("stems only (no exact forms)", {"exact_weight": 0.0}),
        (f"title fields weighted {other_title:g}", {"title_boost": other_title}),
        ("title fields weighted 2 (the previous default)", {"title_boost": 2.0}),
        ("+ pseudo-relevance feedback (RM3: 5 docs, 10 terms, weight 0.2)", {
            "feedback_docs": 5, "feedback_terms": 10, "feedback_weight": 0.2}),
        ("+ pseudo-relevance feedback (RM3: 5 docs, 10 terms, weight 0.05)", {
            "feedback_docs": 5, "feedback_terms": 10, "feedback_weight": 0.05}),
    ]  # fmt: skip
    for label, change in alternatives:
        variants.append(Variant(label, ranking=replace(default, **change)))
    variants.append(Variant("operator characters read as spaces", plain_text=True))
    for build in _builds()[1:]:
        variants.append(Variant(build.name, build=build))
    return variants + _lever_variants()


#: Indexes built with issue 14's index options. Each lever of one build is measured
#: alone by turning the build's other lever off in the ranking: an option that the
#: ranking does not use changes no score (the stem positions row shows it).
HAMZA_BUILD = Build("stem positions, hamza spellings", stem_positions=True, spellings="hamza")
VOWELS_BUILD = Build("stem positions, vowel spellings", stem_positions=True, spellings="vowels")
#: The ranking of an options build with both its levers off: the scores before issue 14.
UNUSED = replace(DEFAULT_RANKING, stem_proximity=0.0, spelling_weight=0.0)
#: The index before issue 14: no stem positions, so the proximity bonus matches exact
#: forms. Issue 14's levers are measured against it.
BEFORE_BUILD = Build("no stem positions", stem_positions=False)
BEFORE = Variant("before issue 14 (no stem positions: proximity by exact forms)",
                 build=BEFORE_BUILD, lever="before")  # fmt: skip


def _lever_variants() -> list[Variant]:
    """Issue 14's levers, each alone, then together, and the configuration before them."""
    alone: list[tuple[str, Build, dict[str, Any]]] = [
        ("broken plurals: the other number's stems, weight 0.1", BEFORE_BUILD,
         {"plural_weight": 0.1}),
        ("broken plurals, weight 0.2", BEFORE_BUILD, {"plural_weight": 0.2}),
        ("broken plurals, weight 0.3", BEFORE_BUILD, {"plural_weight": 0.3}),
        ("name spellings, hamza seats, weight 0.3", HAMZA_BUILD, {"spelling_weight": 0.3}),
        ("name spellings, hamza seats, weight 0.5", HAMZA_BUILD, {"spelling_weight": 0.5}),
        ("name spellings, long vowels or hamza (the issue's rule), weight 0.2", VOWELS_BUILD,
         {"spelling_weight": 0.2}),
        ("name spellings, long vowels or hamza, weight 0.5", VOWELS_BUILD,
         {"spelling_weight": 0.5}),
        ("names kept apart: the exact form's share, 0.25", BEFORE_BUILD, {"exact_share": 0.25}),
        ("names kept apart: the exact form's share, 0.5", BEFORE_BUILD, {"exact_share": 0.5}),
        ("stem positions kept, not used (ranking unchanged)", HAMZA_BUILD, {}),
        ("paraphrase: proximity by stems, 0.2 (stem positions)", HAMZA_BUILD,
         {"stem_proximity": 0.2}),
        ("paraphrase: proximity by stems, 0.3 (stem positions)", HAMZA_BUILD,
         {"stem_proximity": 0.3}),
    ]  # fmt: skip
    together: list[tuple[str, Build, dict[str, Any]]] = [
        ("plurals 0.1 + hamza spellings 0.3 (no stem positions used)", HAMZA_BUILD,
         {"plural_weight": 0.1, "spelling_weight": 0.3}),
        ("stem proximity 0.3 + plurals 0.1 + hamza spellings 0.3", HAMZA_BUILD,
         {"stem_proximity": 0.3, "plural_weight": 0.1, "spelling_weight": 0.3}),
        ("stem proximity 0.3 + plurals 0.2 + vowel spellings 0.2 + exact share 0.25 "
         "(the issue's rules)", VOWELS_BUILD,
         {"stem_proximity": 0.3, "plural_weight": 0.2, "spelling_weight": 0.2,
          "exact_share": 0.25}),
    ]  # fmt: skip
    variants = [BEFORE]
    for table, rows in (("alone", alone), ("together", together)):
        for label, build, change in rows:
            base = UNUSED if build.stem_positions else DEFAULT_RANKING
            ranking = replace(base, **change)
            variants.append(Variant(label, build=build, ranking=ranking, lever=table))
    return variants


def _builds() -> list[Build]:
    return [
        DEFAULT_BUILD,
        Build("fold ؤ and ئ to ء (fold_hamza=True)", fold_hamza=True),
        Build("interrogatives kept (not stop words)", keep_stopwords=_interrogatives()),
        Build("stemmer tashaphyne", stemmer="tashaphyne"),
        Build("stemmer snowball", stemmer="snowball"),
        Build("stemmer none", stemmer="none"),
    ]


@dataclass
class Measured:
    """One configuration on one run: mean metrics and each question's reciprocal rank."""

    means: dict[str, float]
    reciprocal: list[float]
    seconds: float


def _measure(
    variant: Variant, run: str, data: Path, cache: Path, resolved: dict[tuple[str, str], Path]
) -> Measured:
    dataset, _, news = run.partition("+")
    key = (variant.build.key(), run)
    if key not in resolved:
        resolved[key] = build_index(variant.build, dataset, bool(news), data, cache)
    queries = read_queries(data / dataset / "queries.jsonl")
    qrels = read_qrels(data / dataset / "qrels.tsv")
    started = time.perf_counter()
    with Index.open(resolved[key]) as index, index.searcher(ranking=variant.ranking) as searcher:

        def search(text: str, limit: int) -> Results:
            return searcher.search(as_plain_text(text), limit=limit, snippets=False)

        evaluation = evaluate(
            searcher, queries, qrels, search=search if variant.plain_text else None
        )
    by_id = {scores.id: scores.mrr_at_10 for scores in evaluation.queries}
    return Measured(
        means=evaluation.means,
        reciprocal=[by_id[query_id] for query_id in sorted(by_id)],
        seconds=time.perf_counter() - started,
    )


# -- statistics ----------------------------------------------------------------


def paired_ci(
    a: list[float], b: list[float], *, resamples: int, seed: int = 6
) -> tuple[float, float, float]:
    """Mean of ``a - b`` and its 95% paired bootstrap interval (percentiles).

    >>> paired_ci([1.0, 1.0, 0.0], [0.0, 1.0, 0.0], resamples=200)[0]
    0.3333333333333333
    """
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    n = len(diffs)
    rng = random.Random(seed)
    means = sorted(
        sum(map(diffs.__getitem__, rng.choices(range(n), k=n))) / n for _ in range(resamples)
    )
    low = means[int(0.025 * resamples)]
    high = means[min(resamples - 1, int(0.975 * resamples))]
    return sum(diffs) / n, low, high


def _diff(cell: tuple[float, float, float]) -> str:
    mean, low, high = cell
    mark = "" if low <= 0 <= high else " *"
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]{mark}"


# -- the section -----------------------------------------------------------------


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' with uncommitted changes in src/' if dirty else ''}"


def _load() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def section(
    results: dict[str, dict[str, Measured]],
    variants: list[Variant],
    resamples: int,
    started: str,
    data: Path,
) -> str:
    """The "## Relevance" section of RESULTS.md."""
    default = results["default"]
    baseline = results["baseline"]
    out = [
        "## Relevance",
        "",
        f"Written by `bench/relevance.py` on {started}; {machine()}.",
        f"Load average at the end: {_load()}. Code: commit {_git_commit()}.",
        "Reproduce: `python bench/relevance.py --write` (about 10 minutes here, caches cold).",
        "",
        "Every question goes through `Index.search` with page size 100 (the code of",
        "`arsearch eval`), raw text as published, query language included; tantivy engine.",
        "Sets from `../shared/data`: arcd (460 paragraphs, 1,395 questions), xquad_ar (240",
        "paragraphs, 1,190 questions), each alone and with the 58,968 news articles added as",
        "distractors. One relevant paragraph per question. Lucene is ArabicAnalyzer with",
        "BM25 k1=1.2, b=0.75 through Anserini, from `../shared/anchors/relevance.md`.",
        "",
        "### Default configuration against the targets (MRR@10)",
        "",
        "| set | arsearch default | target | Lucene | light10 stems only (ours) | met |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for run in RUNS:
        mrr = default[run].means["mrr_at_10"]
        out.append(
            f"| {RUN_NAMES[run]} | **{mrr:.3f}** | >= {TARGETS[run]:.2f} | {LUCENE[run][0]:.3f} | "
            f"{baseline[run].means['mrr_at_10']:.3f} | {'yes' if mrr >= TARGETS[run] else 'no'} |"
        )
    out += [
        "",
        "### Default configuration, every metric (Lucene in brackets)",
        "",
        "| set | MRR@10 | R@10 | R@100 | nDCG@10 | seconds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in RUNS:
        means = default[run].means
        cells = [f"{means[name]:.3f} ({LUCENE[run][i]:.3f})" for i, name in enumerate(METRICS)]
        out.append(f"| {RUN_NAMES[run]} | {' | '.join(cells)} | {default[run].seconds:.1f} |")
    header = " | ".join(RUN_NAMES[run] for run in RUNS)
    out += [
        "",
        "### Paired differences in MRR@10, with 95% bootstrap intervals",
        "",
        f"{resamples:,} paired resamples of the questions; `*` marks an interval that",
        "excludes 0. The baseline is light10 stems only, in one field that holds title and",
        "text (the anchors' c.light10), on the same index and stop words as the default.",
        "",
        f"| comparison | {header} |",
        "|---|" + "---:|" * len(RUNS),
    ]
    cell = {
        run: paired_ci(default[run].reciprocal, baseline[run].reciprocal, resamples=resamples)
        for run in RUNS
    }
    out.append(
        "| default − light10 stems only | " + " | ".join(_diff(cell[r]) for r in RUNS) + " |"
    )
    out += [
        "",
        "### What each lever added (MRR@10; each step against the previous one)",
        "",
        f"| step | {header} |",
        "|---|" + "---:|" * len(RUNS),
    ]
    previous = "baseline"
    out.append(
        "| light10 stems only (baseline) | "
        + " | ".join(f"{baseline[r].means['mrr_at_10']:.3f}" for r in RUNS)
        + " |"
    )
    for label, _change in STEPS:
        now, before = results[label], results[previous]
        cells = []
        for run in RUNS:
            ci = paired_ci(now[run].reciprocal, before[run].reciprocal, resamples=resamples)
            cells.append(f"{now[run].means['mrr_at_10']:.3f} ({_diff(ci)})")
        out.append(f"| {label} | {' | '.join(cells)} |")
        previous = label
    out += [
        "",
        "### Alternatives to the default (MRR@10, and the difference from the default)",
        "",
        f"| configuration | {header} |",
        "|---|" + "---:|" * len(RUNS),
    ]
    steps = {label for label, _ in STEPS}
    for variant in variants:
        if variant.label in ("default", "baseline") or variant.label in steps or variant.lever:
            continue
        now = results[variant.label]
        cells = []
        for run in RUNS:
            ci = paired_ci(now[run].reciprocal, default[run].reciprocal, resamples=resamples)
            cells.append(f"{now[run].means['mrr_at_10']:.3f} ({_diff(ci)})")
        out.append(f"| {variant.label} | {' | '.join(cells)} |")
    out += ["", "### Decisions", ""]
    out += _decisions(results, resamples, data)
    return "\n".join(out) + "\n"


def _against_default(
    results: dict[str, dict[str, Measured]], label: str, resamples: int, base: str = "default"
) -> list[tuple[float, float, float]]:
    """The paired differences of ``label`` from ``base`` on each run."""
    against = results[base]
    return [
        paired_ci(results[label][run].reciprocal, against[run].reciprocal, resamples=resamples)
        for run in RUNS
    ]


def _span(cells: list[tuple[float, float, float]]) -> str:
    means = [mean for mean, _, _ in cells]
    return f"{min(means):+.3f} to {max(means):+.3f}"


def _decisions(results: dict[str, dict[str, Measured]], resamples: int, data: Path) -> list[str]:
    fold = _against_default(results, _builds()[1].name, resamples)
    folded = Analyzer().fold_hamza
    excluding = sum(1 for _, low, high in fold if low > 0 or high < 0)
    reading = (
        "within noise, so the default keeps the finer distinction"
        if excluding == 0
        else "not within noise everywhere: see the row above"
    )
    lines = [
        f"- **ؤ and ئ are {'folded' if folded else 'not folded'} to ء by default**"
        f" (`Analyzer(fold_hamza={folded})`). Folding them moved MRR@10 by {_span(fold)}",
        f"  over the four runs ({excluding} of 4 intervals exclude 0): {reading}.",
        "  `Index.create(path, fold_hamza=True)` folds them for one index.",
    ]
    require = _against_default(results, "quoted phrase required", resamples)
    only = _against_default(results, "quoted phrase only (its words not counted alone)", resamples)
    plain = _against_default(results, "operator characters read as spaces", resamples)
    feedback_strong, feedback_weak = (
        _against_default(results, label, resamples)
        for label in (
            "+ pseudo-relevance feedback (RM3: 5 docs, 10 terms, weight 0.2)",
            "+ pseudo-relevance feedback (RM3: 5 docs, 10 terms, weight 0.05)",
        )
    )
    tashaphyne = _against_default(results, "stemmer tashaphyne", resamples)
    snowball = _against_default(results, "stemmer snowball", resamples)
    counts = {
        dataset: sum(
            1
            for query in read_queries(data / dataset / "queries.jsonl")
            if _OPERATORS.search(query.text)
        )
        for dataset in SETS
    }
    lines += [
        "- **A quoted phrase inside a longer query is a boost, not a requirement.** Its words",
        "  count as plain words and the exact phrase adds to the score. Requiring the phrase",
        f"  moved MRR@10 by {_span(require)}, counting only the exact phrase by {_span(only)}.",
        "  A query that is only a phrase still requires it.",
        f"- **Operator characters stay operators.** {counts['arcd']} arcd and"
        f" {counts['xquad_ar']} xquad_ar questions",
        "  hold one (quotes, a leading `- `, a hyphen inside `AS-206`, parentheses, a colon",
        "  in `4:51`). Reading every one of them as a space instead moved MRR@10 by"
        f" {_span(plain)}: the lenient parser already",
        "  reads questions well (a lone `-` is dropped, `(…)` only groups, `x:y` splits).",
        "- **Pseudo-relevance feedback is implemented but off** (`Ranking.feedback_*`): it",
        f"  moved MRR@10 by {_span(feedback_strong)} at weight 0.2 and by"
        f" {_span(feedback_weak)} at 0.05.",
        f"- **light10 stays the stemmer**: tashaphyne moved MRR@10 by {_span(tashaphyne)},",
        f"  snowball by {_span(snowball)} (both lose most with the news distractors).",
    ]
    return lines


# -- issue 14's levers ------------------------------------------------------------

#: The seed of the random pairs checked by hand.
PAIRS_SEED = 1414
#: Verdicts of the pairs the seed draws from each rule's pairs on the news corpus, by
#: hand (✓: one word written two ways); a pair drawn without a verdict is reported as
#: unchecked.
HAND_CHECKED: dict[tuple[str, str], str] = {
    # hamza seats
    ("الغنائم", "الغنايم"): "✓ spoils",
    ("بالمئه", "بالميه"): "✓ per cent (بالمية is also dialect for 'with water')",
    ("الدائره", "الدايره"): "✓ the circle, the department",
    ("واعطاؤها", "واعطائها"): "✓ one word in two cases",
    ("الجزائر", "الجزاير"): "✓ Algeria",
    ("بناءها", "بنائها"): "✓ one word in two cases",
    ("نساءهم", "نسائهم"): "✓ one word in two cases",
    ("فائض", "فايض"): "✓ surplus",
    ("عائمه", "عايمه"): "✓ floating",
    ("وبدء", "وبدئ"): "✗ the start / was begun (a passive verb; some write the noun so)",
    ("اعضاءها", "اعضاؤها"): "✓ one word in two cases",
    ("قائده", "قايده"): "✓ its leader",
    ("ابناءنا", "ابناؤنا"): "✓ one word in two cases",
    ("الضرائب", "الضرايب"): "✓ taxes",
    ("حدائق", "حدايق"): "✓ gardens",
    ("اراءه", "ارائه"): "✓ one word in two cases",
    ("ابناءها", "ابنائها"): "✓ one word in two cases",
    ("قارئه", "قاريه"): "✗ a reader / continental",
    ("زبائن", "زباين"): "✓ customers",
    ("فوائد", "فوايد"): "✓ benefits",
    # long vowels or hamza seats (the rule)
    ("المر", "المور"): "✗ the bitter / Moore",
    ("وهادي", "وهدي"): "✗ and Hadi / and Huda (two names)",
    ("براي", "برايي"): "✗ in the opinion of / in my opinion",
    ("السامعي", "السمعي"): "✗ al-Sameai (a name) / auditory",
    ("لنمو", "لينمو"): "✗ for growth / so that it grows",
    ("الدراويش", "الدرويش"): "✗ dervishes / the dervish",
    ("تاصل", "تصل"): "✗ took root / arrives",
    ("لتجنب", "لتجنيب"): "✗ to avoid / to spare",
    ("شمل", "شمول"): "✗ included / inclusion",
    ("سله", "سيله"): "✗ a basket / its torrent",
    ("مالوش", "ملوش"): "✓ dialect 'he has no', two spellings",
    ("التغيرات", "التغييرات"): "✗ changes / alterations",
    ("صن", "صون"): "✗ Sun / preservation",
    ("اتت", "اتيت"): "✗ she came / I came",
    ("الفانيه", "الفنيه"): "✗ the mortal / the technical",
    ("ويحاسب", "ويحسب"): "✗ holds to account / counts",
    ("وافيا", "وفيا"): "✗ sufficient / loyal",
    ("تلاحقه", "تلحقه"): "✗ pursues him / catches up with him",
    ("الابرز", "البرز"): "✗ the most prominent / Alborz",
    ("احداثه", "احدثه"): "✗ its events / caused it",
}


@dataclass
class PairsReport:
    """The name-spelling pairs one rule found on the news corpus, and a sample of them."""

    rule: str
    pairs: int
    frequent: int
    sample: list[tuple[str, int, str, int]]


def spelling_pairs(cache: Path) -> list[PairsReport]:
    """Each rule's pairs in the news index built with it (``--cache``), and 20 drawn at random."""
    reports = []
    for build in (HAMZA_BUILD, VOWELS_BUILD):
        with Index.open(cache / build.key() / "news") as index, index.searcher() as searcher:
            found = searcher.spellings
        pairs = found.pairs()
        frequent = sum(1 for a, b in pairs if min(found.docs(a), found.docs(b)) >= 20)
        drawn = random.Random(PAIRS_SEED).sample(pairs, min(20, len(pairs)))
        sample = [(a, found.docs(a), b, found.docs(b)) for a, b in drawn]
        reports.append(PairsReport(str(build.spellings), len(pairs), frequent, sample))
    return reports


def _lever_table(
    results: dict[str, dict[str, Measured]],
    variants: list[Variant],
    lever: str,
    resamples: int,
    header: str,
) -> list[str]:
    out = [f"| configuration | {header} |", "|---|" + "---:|" * len(RUNS)]
    for variant in variants:
        if variant.lever != lever:
            continue
        now = results[variant.label]
        differences = _against_default(results, variant.label, resamples, BEFORE.label)
        cells = [
            f"{now[run].means['mrr_at_10']:.3f} ({_diff(ci)})"
            for run, ci in zip(RUNS, differences, strict=True)
        ]
        out.append(f"| {variant.label} | {' | '.join(cells)} |")
    return out


def _excluding(cells: list[tuple[float, float, float]]) -> str:
    """How many intervals exclude 0, and on which side."""
    up = sum(1 for _, low, _ in cells if low > 0)
    down = sum(1 for _, _, high in cells if high < 0)
    return f"{up} of 4 intervals above 0, {down} below"


def levers_section(
    results: dict[str, dict[str, Measured]],
    variants: list[Variant],
    resamples: int,
    started: str,
    reports: list[PairsReport],
) -> str:
    """The "## Relevance levers (issue 14)" section of RESULTS.md."""
    header = " | ".join(RUN_NAMES[run] for run in RUNS)
    default, before = results["default"], results[BEFORE.label]
    against = _against_default(results, "default", resamples, BEFORE.label)
    out = [
        LEVERS_SECTION,
        "",
        f"Written by `bench/relevance.py --levers` on {started}; {machine()}.",
        f"Load average at the end: {_load()}. Code: commit {_git_commit()}.",
        "Reproduce: `python bench/relevance.py --levers --write` (about 25 minutes here,",
        "caches cold). The runs are deterministic: the same figures at any load.",
        "",
        'The sets, questions and search are those of "Relevance" above. Each lever is',
        "measured against the configuration before issue 14 (an index without stem",
        "positions, whose proximity bonus matches exact forms), with paired 95% bootstrap",
        f"intervals ({resamples:,} resamples of the questions; `*`: the interval excludes 0).",
        "",
        "### The default against the targets (MRR@10)",
        "",
        "| set | before issue 14 | default | difference | target | met |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for run, cell in zip(RUNS, against, strict=True):
        now = default[run].means["mrr_at_10"]
        met = "yes" if now >= TARGETS[run] else "**no**"
        out.append(
            f"| {RUN_NAMES[run]} | {before[run].means['mrr_at_10']:.3f} | **{now:.3f}** | "
            f"{_diff(cell)} | >= {TARGETS[run]:.2f} | {met} |"
        )
    out += [
        "",
        "### Each lever alone (MRR@10, and the difference from before issue 14)",
        "",
        "Broken plurals and names kept apart are `Ranking` fields searched on an index",
        "without stem positions. Name spellings and proximity by stems need an index option",
        "(`Index.create(spellings=..., stem_positions=True)`); their rows run on indexes",
        "built with both options, the lever not measured turned off in the ranking",
        "(`stem_proximity=0`, `spelling_weight=0`): the row where both are off shows that an",
        "unused option changes no score.",
        "",
        *_lever_table(results, variants, "alone", resamples, header),
        "",
        "### Levers together (MRR@10, and the difference from before issue 14)",
        "",
        *_lever_table(results, variants, "together", resamples, header),
    ]
    for report in reports:
        out += [
            "",
            f"### Name spellings, rule `{report.rule}`: pairs on the news corpus",
            "",
            f"{report.pairs:,} pairs with both words in at least 5 of the 58,968 articles"
            f" ({report.frequent:,} with both in at least 20). {len(report.sample)} drawn at"
            f" random (seed {PAIRS_SEED}), checked by hand (✓: one word written two ways):",
            "",
            "| # | pair (documents) | verdict |",
            "|---:|---|---|",
        ]
        right = 0
        for number, (a, a_docs, b, b_docs) in enumerate(report.sample, 1):
            verdict = HAND_CHECKED.get((a, b), "not checked")
            right += verdict.startswith("✓")
            out.append(f"| {number} | {a} {a_docs:,} / {b} {b_docs:,} | {verdict} |")
        out += ["", f"**{right} of {len(report.sample)}** are one word written two ways."]
    out += ["", "### Decisions", "", *_lever_decisions(results, resamples)]
    return "\n".join(out) + "\n"


def _lever_decisions(results: dict[str, dict[str, Measured]], resamples: int) -> list[str]:
    def measured(label: str) -> str:
        cells = _against_default(results, label, resamples, BEFORE.label)
        return f"{_span(cells)} ({_excluding(cells)})"

    stems = "paraphrase: proximity by stems, 0.3 (stem positions)"
    return [
        "- **Proximity by stems is on by default** (`Index.create(stem_positions=True)`,",
        f"  `Ranking.stem_proximity=0.3`): {measured(stems)}. It is the one lever that",
        "  helps a set beyond noise and harms none; its cost in size and indexing time is",
        '  in "Relevance levers: cost (issue 14)" below. An index built before keeps its',
        "  exact-form proximity until it is rebuilt.",
        "- **Broken plurals are off** (`Ranking.plural_weight=0`): weight 0.1 moved MRR@10",
        f"  by {measured('broken plurals: the other number' + chr(39) + 's stems, weight 0.1')},"
        f" 0.3 by {measured('broken plurals, weight 0.3')}.",
        "- **Name spellings are off** (`Index.create(spellings=None)`): hamza seats at 0.3",
        f"  moved MRR@10 by {measured('name spellings, hamza seats, weight 0.3')}; the",
        "  issue's long-vowel rule at 0.5 by"
        f" {measured('name spellings, long vowels or hamza, weight 0.5')}, and its pairs",
        "  are mostly different words (the hand checks above).",
        "- **Names kept apart is off** (`Ranking.exact_share=0`): 0.25 moved MRR@10 by",
        f"  {measured('names kept apart: the exact form' + chr(39) + 's share, 0.25')}.",
        *FIXTURE_AND_PARAPHRASE,
    ]


#: What the decisions add from outside these runs: the الكاظمي fixture
#: (tests/test_relevance_levers.py) and the paraphrase levers tried for issue 14.
FIXTURE_AND_PARAPHRASE = [
    "- **The الكاظمي fixture is not fixed by any lever.** In",
    "  `tests/test_relevance_levers.py`, three long articles about مصطفى الكاظمي sit among",
    "  short ones about نادي كاظمة, موسى الكاظم, كاظم الساهر and تحية كاظم, and 60 others.",
    "  Unquoted, `الكاظمي` ranks the short ones first with the default (with or without",
    "  stem positions) and with `exact_share=1.0`: light10 cuts it to كاظم, which they hold",
    '  more densely. Quoted, `"الكاظمي"` and `+"الكاظمي" واشنطن` rank the three first.',
    "- **Paraphrase (item 5): proximity by stems is the lever tried, and kept.** The",
    "  research for this issue also measured, against the same default: RM3 feedback in",
    "  four settings (-0.008 to +0.001; 6 of 16 intervals below 0, none above), exact-form",
    "  proximity in both word orders (+0.005 * on arcd + news, -0.002 on arcd) or with slop",
    "  3 (within noise), and stem proximity 0.3 at slop 0 (as slop 1, within 0.001) or slop",
    "  2 (arcd + news -0.002 instead of +0.003).",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data directory")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built indexes are kept")
    parser.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument(
        "--levers", action="store_true", help="only the default and issue 14's levers"
    )
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()
    started = utc_now()
    variants = _variants()
    if args.levers:
        variants = [variant for variant in variants if variant.label == "default" or variant.lever]
    resolved: dict[tuple[str, str], Path] = {}
    results: dict[str, dict[str, Measured]] = {}
    for variant in variants:
        results[variant.label] = {}
        for run in RUNS:
            measured = _measure(variant, run, args.data, args.cache, resolved)
            results[variant.label][run] = measured
            _log(
                f"{variant.label} / {run}: MRR@10 {measured.means['mrr_at_10']:.4f} "
                f"({measured.seconds:.1f} s)"
            )
    sections = []
    if not args.levers:
        general = section(results, variants, args.resamples, started, args.data)
        sections.append(("## Relevance", general))
    pairs = spelling_pairs(args.cache)
    sections.append(
        (LEVERS_SECTION, levers_section(results, variants, args.resamples, started, pairs))
    )
    for heading, text in sections:
        print(text)
        if args.write:
            write_section(heading, text)
            _log(f"wrote the {heading[3:]} section of {RESULTS}")


if __name__ == "__main__":
    main()
