"""What every command shares: the command group, the ``--index`` option, exit codes, failing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from .. import __version__
from ..errors import DEFAULT_INDEX_DIR

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "cli",
    "fail",
    "index_option",
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def index_option(func: F) -> F:
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


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="arsearch")
@click.option("--debug", is_flag=True, help="Show full tracebacks (and Flask's debug server).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Full-text search for Arabic: index articles, query them, serve a search page."""
    ctx.obj = {"debug": debug}
