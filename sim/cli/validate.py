"""``sim validate FILE...``: check scenario files and report every problem of each.

Prints ``ok  FILE  (N actors, M actions, ...)`` for each good file; the problems of bad files go
to stderr and the exit status is 2 if any file is bad.
"""

from __future__ import annotations

import click

from sim.core.errors import Problem, SimUserError
from sim.model.lint import scenario_warnings
from sim.scenario.loader import load_scenario, summary
from sim.scenario.schema import Scenario


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
        late = _compile_problem(name, scenario)
        if late is not None:
            problems.append(late)
            click.echo(f"bad {name}  (1 problem)")
            continue
        variant = f", variant of {scenario.variant_of}" if scenario.variant_of else ""
        click.echo(f"ok  {name}  ({summary(scenario)}{variant})")
        for warning in scenario_warnings(scenario):
            click.echo(f"warning: {name}: {warning}", err=True)
    if problems:
        raise SimUserError(problems)


def _compile_problem(name: str, scenario: Scenario) -> Problem | None:
    """Last net: compile the scenario as ``sim run`` does; anything it rejects is a problem here
    (the loader's checks give these a line; this catches what they might miss)."""
    from sim.model.compiled import compile_scenario
    from sim.scenario.paths import resolve_static_levers

    try:
        compile_scenario(resolve_static_levers(scenario))
    except SimUserError as err:
        return Problem(name, None, "", "; ".join(p.message for p in err.problems))
    except (ValueError, OverflowError) as err:
        return Problem(name, None, "", str(err))
    return None
