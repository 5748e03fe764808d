"""Command line: ``sim validate|show|schema|run|report|sweep|compare|new|app|score|calibrate``.

Each command lives in its own module; this one wires them and turns user errors into a clear
message and exit status 2, never a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from sim import __version__
from sim.core.errors import SimUserError

COMMANDS = {
    "validate": "sim.cli.validate",
    "show": "sim.cli.show",
    "schema": "sim.cli.schema",
    "run": "sim.cli.run",
    "report": "sim.cli.report",
    "sweep": "sim.cli.sweep",
    "compare": "sim.cli.compare",
    "new": "sim.cli.new",
    "score": "sim.cli.score",
    "calibrate": "sim.cli.calibrate",
    "app": "sim.cli.app",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast `sim --help`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(cmd_name):
            return None
        module = importlib.import_module(COMMANDS[cmd_name])
        command: click.Command = module.command
        return command


def _available(name: str) -> bool:
    return importlib.util.find_spec(COMMANDS[name]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sim")
def cli() -> None:
    """Simulate how political negotiations escalate or settle."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sim`` console script."""
    try:
        cli.main(args=argv, prog_name="sim", standalone_mode=False)
    except SimUserError as err:
        click.echo(f"error: {len(err.problems)} problem(s)" if len(err.problems) > 1 else "error:", err=True)
        for p in err.problems:
            click.echo(f"  {p}".replace("  : ", "  "), err=True)
        return err.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
