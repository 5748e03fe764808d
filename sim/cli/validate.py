"""``sim validate FILE...``: check scenario files and report every problem of each.

Prints ``ok  FILE  (N actors, M actions, ...)`` for each good file; the problems of bad files go
to stderr and the exit status is 2 if any file is bad.
"""

from __future__ import annotations

import click

from sim.core.errors import Problem, SimUserError
from sim.model.lint import scenario_warnings
from sim.scenario.loader import load_scenario, summary


@click.command(name="validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def command(files: tuple[str, ...]) -> None:
    """Check scenario FILES: YAML, fields, ranges and cross-references."""
    problems: list[Problem] = []
    for name in files:
        try:
            scenario = load_scenario(name)
        except SimUserError as err:
            problems.extend(err.problems)
            click.echo(f"bad {name}  ({len(err.problems)} problem{'s' if len(err.problems) != 1 else ''})")
            continue
        variant = f", variant of {scenario.variant_of}" if scenario.variant_of else ""
        click.echo(f"ok  {name}  ({summary(scenario)}{variant})")
        for warning in scenario_warnings(scenario):
            click.echo(f"warning: {name}: {warning}", err=True)
    if problems:
        raise SimUserError(problems)
