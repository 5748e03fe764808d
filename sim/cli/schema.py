"""``sim schema [--out FILE]``: the JSON Schema of the scenario format (for editors)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from sim.scenario.errors import Problem, SimUserError
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
        _write_atomic(target, text)
    except OSError as err:
        raise SimUserError([Problem(out, None, "", f"cannot write: {err.strerror or err}")]) from None
    click.echo(f"wrote {out}")


def _write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` via a temporary file in the same folder, then rename."""
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
