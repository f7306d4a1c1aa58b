"""``arsearch query`` and ``arsearch eval``: searching an index and scoring it."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Literal

import click

from ..errors import UsageError
from ..index import MAX_LIMIT, SORT_ORDERS, Index, filter_names
from ..models import FIELDS, Results
from ..query import verbatim_query
from .common import F, cli, index_option

__all__ = ["eval_command", "query_command"]


def _filter_options(func: F) -> F:
    """One option per filter of the field table: ``--category`` (repeatable), ``--date-from``."""
    for name in reversed(filter_names(FIELDS)):
        flag = "--" + name.replace("_", "-")
        if name in FIELDS:
            func = click.option(flag, name, multiple=True, help=f"Only this {name} (repeat).")(func)
        else:
            field, _, end = name.rpartition("_")
            side = "on or after" if end == "from" else "on or before"
            func = click.option(
                flag, name, help=f"Only documents whose {field} is {side} this ISO date."
            )(func)
    return func


class _QueryCommand(click.Command):
    """A command whose words may start with a minus: ``arsearch query -بغداد`` searches.

    Any argument that is not one of the command's options is a word of the query,
    even when it starts with ``-``; ``--`` still ends the options.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options: list[str] = []
        words: list[str] = []
        takes_value = {
            name: not (isinstance(param, click.Option) and param.is_flag)
            for param in self.get_params(ctx)
            if isinstance(param, click.Option)
            for name in param.opts + param.secondary_opts
        }
        pending = iter(args)
        for arg in pending:
            if arg == "--":
                words.extend(pending)
                break
            name = arg.partition("=")[0] if arg.startswith("--") else arg
            if name not in takes_value:
                words.append(arg)
                continue
            options.append(arg)
            if takes_value[name] and "=" not in arg:
                value = next(pending, None)
                if value is None:
                    raise click.BadOptionUsage(
                        name, f"Option '{name}' requires an argument.", ctx=ctx
                    )
                options.append(value)
        return super().parse_args(ctx, [*options, "--", *words])


QUERY_LANGUAGE = """\b
The query language:
  نفط أسعار             any of the words; documents with more of them first
  "أسعار النفط"          the words in this order
  +نفط  -بغداد           must have, must not have (also: AND, &&, NOT, !)
  نفط AND ليبيا          both (as +نفط +ليبيا); NOT بغداد is -بغداد
  نفط OR غاز            either (also: |, ||); (نفط OR غاز) -ليبيا groups
  اقتصا*  نفظ~           words that start so; spellings one or two letters off
  title:نفط              only in titles
  category:sport  source:"صحيفة الصباح"   filters (also --category, --source)
  date:2021  date:2021-03  date:2021-01-01..2021-06   a year, a month, a day, a range

\b
Words may follow one another unquoted: arsearch query أسعار النفط.
A word may start with a minus: arsearch query -بغداد النفط.
A query that is exactly an option's name needs -- first: arsearch query -- -h.
A word no document holds is searched as its nearest indexed spelling, and the
output says so; quote it ("word") to search it exactly as typed."""


@cli.command("query", cls=_QueryCommand, epilog=QUERY_LANGUAGE)
@click.argument("words", nargs=-1, required=True)
@index_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, MAX_LIMIT))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1))
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance", show_default=True)
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def query_command(
    words: tuple[str, ...],
    index_dir: str,
    limit: int,
    page: int,
    sort: Literal["relevance", "date"],
    as_json: bool,
    **filters: Any,
) -> None:
    """Search the index for WORDS (the query language is below)."""
    text = " ".join(words)
    wanted = {
        name: list(value) if isinstance(value, tuple) else value for name, value in filters.items()
    }
    with Index.open(index_dir) as index:
        results = index.search(text, limit=limit, page=page, sort=sort, filters=wanted)
    if results.note:
        click.echo(f"note: {results.note}", err=True)
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_results(results, bold=sys.stdout.isatty())


def _print_results(results: Results, *, bold: bool) -> None:
    first = (results.page - 1) * results.limit + 1
    last = first + len(results.hits) - 1
    if results.total:
        click.echo(f"{first:,}-{last:,} of {results.total:,} results ({results.took_ms:.1f} ms)")
    else:
        click.echo(f"no results ({results.took_ms:.1f} ms)")
    if results.corrected:
        instead = verbatim_query(results.query, results.corrected)
        click.echo(f"showing results for: {results.corrected} (search instead for: {instead})")
    if results.did_you_mean:
        click.echo(f"did you mean: {results.did_you_mean}")
    for rank, hit in enumerate(results.hits, first):
        title = (hit.title.ansi() if bold else hit.title.plain()) or "(untitled)"
        meta = "  ".join(part for part in (hit.id, hit.date, hit.source) if part)
        click.echo(f"\n{rank:,}. {title}\n   {meta}")
        click.echo(f"   {hit.snippet.ansi() if bold else hit.snippet.plain()}")


_METRIC_LABELS = {
    "mrr_at_10": "MRR@10",
    "recall_at_10": "Recall@10",
    "recall_at_100": "Recall@100",
    "ndcg_at_10": "nDCG@10",
}


@cli.command("eval")
@click.option(
    "--queries",
    "queries_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help='Queries, one JSON object {"id", "text"} per line.',
)
@click.option(
    "--qrels",
    "qrels_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="Judgments, TREC qrels: 'qid 0 docid rel' per line.",
)
@index_option
@click.option(
    "--run-out",
    type=click.Path(dir_okay=False, path_type=str),
    help="Also write the rankings as a TREC run file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with every query's scores.")
def eval_command(
    queries_path: str, qrels_path: str, index_dir: str, run_out: str | None, as_json: bool
) -> None:
    """Score the index on judged queries: MRR@10, Recall@10, Recall@100 and nDCG@10.

    Every query runs through the same search as `arsearch query`, query
    language included, and its first 100 hits are scored.
    """
    from ..evaluation import DEPTH, evaluate, read_qrels, read_queries, write_run

    folder = os.path.dirname(run_out or "") or "."
    if run_out is not None and not os.path.isdir(folder):
        # Checked before the queries run, so that no work is lost to a mistyped path.
        raise UsageError(
            f"Cannot write the run file '{run_out}': the folder '{folder}' does not exist."
        )
    queries = read_queries(queries_path)
    qrels = read_qrels(qrels_path)
    index = Index.open(index_dir)
    try:
        evaluation = evaluate(index, queries, qrels)
    finally:
        index.close()
    if not evaluation.queries:
        raise UsageError(
            f"No query of '{queries_path}' has a relevant document in '{qrels_path}': "
            "check that both files use the same query ids."
        )
    if evaluation.unjudged:
        click.echo(
            f"note: {len(evaluation.unjudged):,} queries have no relevant document "
            f"in '{qrels_path}' and were not scored",
            err=True,
        )
    if evaluation.missing:
        click.echo(
            f"note: {len(evaluation.missing):,} judged queries are not in '{queries_path}'",
            err=True,
        )
    for scores in evaluation.queries:
        if scores.error is not None:
            click.echo(f"note: query '{scores.id}' did not run: {scores.error}", err=True)
    if run_out is not None:
        rows = write_run(evaluation, run_out)
        click.echo(f"run: {rows:,} rows written to '{run_out}'", err=True)
    if as_json:
        click.echo(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(evaluation.queries):,} queries, first {DEPTH} hits of each")
    for name, value in evaluation.means.items():
        click.echo(f"{_METRIC_LABELS[name]:<11} {value:.4f}")
