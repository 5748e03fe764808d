"""``sim new NAME``: write a commented scenario template that validates and runs as written.

The template (``sim/templates/scenario.yaml``) is a two-sided crisis with a spoiler: weekly steps,
a ladder whose war rung needs a strike, deliberate decisions, a command relation, an election, a
mediation lever. As written it gives talks in about half the runs and war in about a fifth, with
no saturation warning; every number is marked as an assumption to be replaced.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import click

from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_write_bytes

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def template_text(name: str, title: str) -> str:
    """The template with its id and title filled in."""
    text = files("sim").joinpath("templates/scenario.yaml").read_text(encoding="utf-8")
    return text.replace("__ID__", name).replace("__TITLE__", title.replace("\n", " "))


@click.command(name="new")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=".", help="Folder [.].")
@click.option("--title", default=None, help="The scenario's title [NAME in words].")
def command(name: str, folder: str, title: str | None) -> None:
    """Write NAME.yaml, a commented scenario that runs as written, to start a new crisis from."""
    if not NAME_RE.match(name):
        raise SimUserError(
            [
                Problem(
                    "NAME",
                    None,
                    name,
                    "a lower-case id: a letter, then letters, digits or _ (e.g. my_crisis)",
                )
            ]
        )
    path = Path(folder) / f"{name}.yaml"
    if path.exists():
        raise SimUserError([Problem(str(path), None, "NAME", "exists already: choose another NAME or --dir")])
    shown = title if title else name.replace("_", " ").capitalize()
    if any(c in shown for c in ":#{}[]\"'"):
        shown = '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, template_text(name, shown).encode("utf-8"))
    click.echo(f"wrote {path}")
    click.echo(f"next: sim validate {path} && sim run {path}")
