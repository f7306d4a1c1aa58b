"""The ``arsearch`` command: a thin door over the public API."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, NoReturn, TypeVar

import click

from . import __version__
from .analysis import STEMMERS
from .documents import read_documents
from .engines import ENGINES
from .errors import DEFAULT_INDEX_DIR, ArsearchError, DocumentError, UsageError
from .index import DEFAULT_BATCH_SIZE, MAX_LIMIT, SORT_ORDERS, AddSummary, Index, filter_names
from .models import FIELDS, Document, Results

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _index_option(func: F) -> F:
    decorator = click.option(
        "--index",
        "index_dir",
        envvar="ARSEARCH_INDEX",
        default=DEFAULT_INDEX_DIR,
        show_default=True,
        show_envvar=True,
        help="The index directory.",
    )
    return decorator(func)


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class _Progress:
    """A one-line progress display on a terminal; silent when stderr is not one."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.last = 0.0

    def __call__(self, summary: AddSummary) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self.last < 0.2:
            return
        self.last = now
        rate = summary.total / max(now - self.started, 1e-9)
        click.echo(f"\r  {summary.total:,} documents ({rate:,.0f}/s)", err=True, nl=False)

    def done(self) -> None:
        if self.enabled and self.last:
            click.echo("\r" + " " * 60 + "\r", err=True, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="arsearch")
@click.option("--debug", is_flag=True, help="Show full tracebacks (and Flask's debug server).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Full-text search for Arabic: index articles, query them, serve a search page."""
    ctx.obj = {"debug": debug}


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@_index_option
@click.option("--engine", type=click.Choice(ENGINES), help="Engine for a new index [tantivy].")
@click.option("--stemmer", type=click.Choice(STEMMERS), help="Stemmer for a new index [light10].")
@click.option("--rebuild", is_flag=True, help="Delete the index and build it anew.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record and commit nothing.")
def index_command(
    paths: tuple[str, ...],
    index_dir: str,
    engine: str | None,
    stemmer: str | None,
    rebuild: bool,
    strict: bool,
) -> None:
    """Add the articles in PATH... (folders or .txt/.md/.jsonl[.gz]/.json/.csv files)."""
    started = time.perf_counter()
    index = Index.open(index_dir, create=True, overwrite=rebuild, engine=engine, stemmer=stemmer)
    skipped: list[str] = []

    def on_error(error: DocumentError) -> None:
        skipped.append(str(error))
        click.echo(f"skipped: {error}", err=True)

    def on_notice(message: str) -> None:
        click.echo(f"note: {message}", err=True)

    progress = _Progress()
    documents: Iterator[Document] = read_documents(
        paths, on_error=None if strict else on_error, on_notice=on_notice
    )
    try:
        summary = index.add(
            documents,
            batch_size=0 if strict else DEFAULT_BATCH_SIZE,
            progress=progress,
            workers=None,
        )
        index.commit()
    except DocumentError as error:
        index.rollback()
        index.close(discard=True)
        progress.done()
        _fail(f"{error} (--strict: nothing was committed)")
    except KeyboardInterrupt:
        index.close(discard=True)
        progress.done()
        click.echo(
            "Interrupted: the index was left as it was; run the same command to rebuild it."
            if rebuild
            else "Interrupted: committed batches are kept; run the same command to finish.",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    progress.done()
    index.close()
    seconds = time.perf_counter() - started
    click.echo(
        f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"skipped {len(skipped)} in {seconds:.2f} s"
    )
    sys.exit(EXIT_ERROR if skipped else EXIT_OK)


@cli.command("delete")
@click.argument("ids", nargs=-1, required=True)
@_index_option
def delete_command(ids: tuple[str, ...], index_dir: str) -> None:
    """Delete the documents with the given IDS."""
    with Index.open(index_dir) as index:
        missing = [doc_id for doc_id in ids if not index.delete(doc_id)]
    for doc_id in missing:
        click.echo(f"not found: no document with id '{doc_id}'", err=True)
    click.echo(f"deleted {len(ids) - len(missing)}, not found {len(missing)}")
    sys.exit(EXIT_ERROR if missing else EXIT_OK)


@cli.command("stats")
@_index_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_command(index_dir: str, as_json: bool) -> None:
    """Show the number of documents, the engine, the analyzer and the size on disk."""
    index = Index.open(index_dir)
    try:
        stats = index.stats()
    finally:
        index.close()
    if as_json:
        click.echo(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
        return
    analyzer = stats.analyzer
    click.echo(f"index:       {stats.path}")
    click.echo(f"documents:   {stats.documents:,}")
    click.echo(f"engine:      {stats.engine}")
    click.echo(
        f"analyzer:    stemmer {analyzer.get('stemmer')}, normalization "
        f"v{analyzer.get('normalization')}, {len(analyzer['stopwords']['words'])} stop words"
    )
    click.echo(f"size:        {stats.size_bytes / 1e6:.2f} MB")
    click.echo(f"last commit: {stats.last_commit or 'never'}")


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


@cli.command("query")
@click.argument("text")
@_index_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, MAX_LIMIT))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1))
@click.option("--sort", type=click.Choice(SORT_ORDERS), default="relevance", show_default=True)
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def query_command(
    text: str,
    index_dir: str,
    limit: int,
    page: int,
    sort: Literal["relevance", "date"],
    as_json: bool,
    **filters: Any,
) -> None:
    """Search the index for TEXT (see the query language in the README)."""
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
        click.echo(f"{first}-{last} of {results.total} results ({results.took_ms:.1f} ms)")
    else:
        click.echo(f"no results ({results.took_ms:.1f} ms)")
    if results.did_you_mean:
        click.echo(f"did you mean: {results.did_you_mean}")
    for rank, hit in enumerate(results.hits, first):
        title = (hit.title.ansi() if bold else hit.title.plain()) or "(untitled)"
        meta = "  ".join(part for part in (hit.id, hit.date, hit.source) if part)
        click.echo(f"\n{rank}. {title}\n   {meta}")
        click.echo(f"   {hit.snippet.ansi() if bold else hit.snippet.plain()}")


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@cli.command("serve")
@_index_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 opens the page to the network).",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.pass_context
def serve_command(ctx: click.Context, index_dir: str, host: str, port: int) -> None:
    """Serve the search page and the JSON API (waitress; Flask's debug server with --debug).

    A newly committed index, or one built after the server started, is picked up
    without a restart.
    """
    # Imported here so that the other commands start without the web stack.
    from waitress.server import create_server

    from .web import create_app

    app = create_app({"INDEX": index_dir})
    if ctx.obj["debug"]:
        click.echo(f"Serving '{index_dir}' at {_url(host, port)} (Flask's debug server)")
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    server = create_server(app, host=host, port=port)
    click.echo(f"Serving '{index_dir}' at {_url(host, int(server.effective_port))} (Ctrl+C stops)")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.close()


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
@_index_option
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
    from .evaluation import DEPTH, evaluate, read_qrels, read_queries, write_run

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
            f"note: {len(evaluation.unjudged)} queries have no relevant document "
            f"in '{qrels_path}' and were not scored",
            err=True,
        )
    if evaluation.missing:
        click.echo(
            f"note: {len(evaluation.missing)} judged queries are not in '{queries_path}'",
            err=True,
        )
    for scores in evaluation.queries:
        if scores.error is not None:
            click.echo(f"note: query '{scores.id}' did not run: {scores.error}", err=True)
    if run_out is not None:
        rows = write_run(evaluation, run_out)
        click.echo(f"run: {rows} rows written to '{run_out}'", err=True)
    if as_json:
        click.echo(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(evaluation.queries)} queries, first {DEPTH} hits of each")
    for name, value in evaluation.means.items():
        click.echo(f"{_METRIC_LABELS[name]:<11} {value:.4f}")


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI; errors become one line on stderr and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="arsearch", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except UsageError as error:
        _fail(error.for_cli(), EXIT_USAGE)
    except ArsearchError as error:
        _fail(error.for_cli())
    except SystemExit:
        raise
    except Exception as error:  # any bug: one line for users, the traceback with --debug
        if debug:
            raise
        _fail(f"{type(error).__name__}: {error} (rerun with --debug for details)")
    sys.exit(EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
