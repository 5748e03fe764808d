"""``sim app [SCENARIO_DIR]``: the what-if workbench in the browser (sim.app)."""

from __future__ import annotations

import ipaddress
import webbrowser
from pathlib import Path

import click

from sim.core.errors import Problem, SimUserError


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.command("app")
@click.argument("scenario_dir", type=click.Path(file_okay=False, exists=True), default="scenarios")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any free port."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep it loopback).")
@click.option("--workers", type=click.IntRange(1, 1024), help="Local processes per run [all cores].")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option("--quiet", is_flag=True, help="Do not log requests.")
def command(
    scenario_dir: str, port: int, host: str, workers: int | None, open_browser: bool, quiet: bool
) -> None:
    """Serve a local web app to try what-ifs on the scenarios of SCENARIO_DIR [scenarios]."""
    from sim.app.server import make_server

    if not _is_loopback(host):
        click.echo(f"warning: binding {host}: anyone who can reach it can run simulations", err=True)
    try:
        server = make_server(Path(scenario_dir), host=host, port=port, workers=workers, quiet=quiet)
    except OSError as err:
        raise SimUserError(
            [Problem("", None, "--port", f"cannot listen on {host}:{port} ({err.strerror})")]
        ) from None
    click.echo(f"sim app: {server.url}  (serving {server.bench.root}; Ctrl+C stops)", color=False)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
