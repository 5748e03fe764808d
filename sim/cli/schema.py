"""``sim schema [--out FILE]``: the JSON Schema of the scenario format (for editors)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_write_text
from sim.scenario.schema import json_schema


@click.command(name="schema")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False), default=None, help="Write the schema to this file."
)
def command(out: str | None) -> None:
    """Print the JSON Schema of scenario files (or write it with --out)."""
    text = json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    target = Path(out)
    try:
        atomic_write_text(target, text)
    except OSError as err:
        raise SimUserError([Problem(out, None, "", f"cannot write: {err.strerror or err}")]) from None
    click.echo(f"wrote {out}")
