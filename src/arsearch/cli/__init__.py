"""The ``arsearch`` command: a thin door over the public API, one module per group of commands.

Each command parses its arguments, calls the library and formats the result;
the library's errors become one ``Error:`` line and an exit code.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ..errors import ArsearchError, UsageError
from . import config, documents, indexing, searching, serving, shards, synonyms
from .common import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, cli, fail

__all__ = [
    "cli",
    "config",
    "documents",
    "indexing",
    "main",
    "searching",
    "serving",
    "shards",
    "synonyms",
]


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
        fail(error.for_cli(), EXIT_USAGE)
    except ArsearchError as error:
        fail(error.for_cli())
    except SystemExit:
        raise
    except Exception as error:  # any bug: one line for users, the traceback with --debug
        if debug:
            raise
        fail(f"{type(error).__name__}: {error} (rerun with --debug for details)")
    sys.exit(EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
