"""``arsearch serve``: the search page and the JSON API over HTTP."""

from __future__ import annotations

import click

from .common import cli, index_option

__all__ = ["serve_command"]


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@cli.command("serve")
@index_option
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

    from ..web import create_app

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
