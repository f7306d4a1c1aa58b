"""``arsearch serve``: the search page and the JSON API over HTTP."""

from __future__ import annotations

import os
from typing import Any

import click

from ..index.settings import read_settings
from .common import cli, index_option

__all__ = ["serve_command"]

#: Where ``arsearch serve`` listens unless told otherwise (here or in the index's settings).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@cli.command("serve")
@index_option
@click.option(
    "--host",
    help=f"Address to listen on [{DEFAULT_HOST}, or serve.host]; 0.0.0.0 opens the page to "
    "the network: put a reverse proxy in front (see the README).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help=f"Port to listen on [{DEFAULT_PORT}, or serve.port]; 0: any free port.",
)
@click.option(
    "--api-key-file",
    type=click.Path(dir_okay=False, path_type=str),
    envvar="ARSEARCH_API_KEY_FILE",
    show_envvar=True,
    help="API keys, one a line: turns on POST and DELETE /api/documents for requests "
    "with Authorization: Bearer KEY (ARSEARCH_API_KEY may hold one key instead).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="A web origin whose pages may call the API (repeat; * for any) [serve.cors_origins].",
)
@click.option("--base-url", help="The page's public address, for links that leave it.")
@click.option(
    "--allow-writes-without-key",
    is_flag=True,
    help="Take writes without an API key (refused unless the host is a loopback address).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes answering requests [serve.workers, or one per core].",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    help="Threads answering requests in each worker process [4].",
)
@click.option(
    "--request-log/--no-request-log",
    default=True,
    show_default=True,
    help="One line per request on stderr: method, path, status, milliseconds.",
)
@click.pass_context
def serve_command(
    ctx: click.Context,
    index_dir: str,
    host: str | None,
    port: int | None,
    api_key_file: str | None,
    cors_origins: tuple[str, ...],
    base_url: str | None,
    allow_writes_without_key: bool,
    workers: int | None,
    threads: int | None,
    request_log: bool,
) -> None:
    """Serve the search page and the JSON API (Flask's debug server with --debug).

    One worker process per core answers (gunicorn runs them, waitress answers in
    each; one waitress process where gunicorn cannot run). A newly committed index,
    or one built after the server started, is picked up by every worker without a
    restart. Ctrl+C or SIGTERM stops them all. Options not given come from the
    index's settings (arsearch config).
    """
    # Imported here so that the other commands start without the web stack.
    from ..web import access_of, check_exposure, create_app
    from ..web.server import Limits, RequestLog, default_workers, forking_available, listen, serve

    settings = read_settings(index_dir)
    host = host or settings.host or DEFAULT_HOST
    port = (
        port if port is not None else settings.port if settings.port is not None else DEFAULT_PORT
    )
    workers = workers or settings.workers or default_workers()
    config: dict[str, Any] = {"INDEX": index_dir}
    if api_key_file:
        config["API_KEY_FILE"] = api_key_file
    if "ARSEARCH_API_KEY" in os.environ:
        config["API_KEYS"] = [os.environ["ARSEARCH_API_KEY"]]
    if cors_origins:
        config["CORS_ORIGINS"] = list(cors_origins)
    if base_url:
        config["BASE_URL"] = base_url
    if allow_writes_without_key:
        config["WRITES_WITHOUT_KEY"] = True
    app = create_app(config)
    check_exposure(host, app)
    access = access_of(app)
    writes = (
        "on, with an API key" if access.keys else "on, WITHOUT a key" if access.writes else "off"
    )
    if ctx.obj["debug"]:
        click.echo(f"Serving '{index_dir}' at {_url(host, port)} (Flask's debug server)")
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    sock = listen(host, port)
    workers = workers if forking_available() else 1
    if workers > 1:
        # Each worker opens the index after the fork; this process only supervises.
        app.extensions["arsearch"].close()
        del app

    def make_app() -> Any:
        made = create_app(config) if workers > 1 else app
        return RequestLog(made) if request_log else made

    click.echo(f"Serving '{index_dir}' at {_url(host, sock.getsockname()[1])} (Ctrl+C stops)")
    click.echo(f"Writes over HTTP: {writes}.", err=True)
    limits = Limits(threads=threads) if threads else Limits()
    shown = "1 process" if workers == 1 else f"{workers} processes"
    click.echo(f"Answering with {shown} of {limits.threads} threads.", err=True)
    try:
        serve(make_app, sock, workers=workers, limits=limits)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    click.echo("Stopped.", err=True)
