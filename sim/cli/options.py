"""Options shared by several commands: ``--set PATH=VALUE`` (repeatable).

``PATH`` is a parameter path as in sweeps (``sim show`` lists them, e.g.
``actors.khamenei.traits.pressure_aversion``); ``VALUE`` is a number (a fixed value whose
provenance reads ``assumption: override: PATH``) or a YAML mapping of a Param, e.g.
``{dist: beta, a: 2, b: 5, assumption: "why"}``. The overridden numbers are recorded in the
results' ``scenario.json`` and shown with their provenance in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
import yaml

from sim.core.errors import Problem, SimUserError
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Scenario

F = TypeVar("F", bound=Callable[..., Any])


def set_option(func: F) -> F:
    """The ``--set PATH=VALUE`` option (repeatable), passed to the command as ``sets``."""
    return click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="PATH=VALUE",
        help="Override a parameter, e.g. --set actors.irgc.traits.resolve=0.9 (repeatable).",
    )(func)


def parse_sets(items: tuple[str, ...]) -> dict[str, Any]:
    """``("a.b=0.5", "c={dist: uniform, low: 0, high: 1, assumption: x}")`` -> overrides by path."""
    out: dict[str, Any] = {}  # path -> number or Param mapping (validated by apply_overrides)
    problems: list[Problem] = []
    for item in items:
        path, sep, text = item.partition("=")
        path, text = path.strip(), text.strip()
        if not sep or not path or not text:
            problems.append(Problem("--set", None, item, "write PATH=VALUE, e.g. dynamics.relaxation=0.05"))
            continue
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
        if isinstance(value, bool) or not isinstance(value, int | float | dict):
            why = "VALUE is a number or a Param mapping such as {value: 0.5, assumption: why}"
            problems.append(Problem("--set", None, item, why))
            continue
        out[path] = float(value) if isinstance(value, int | float) else value
    if problems:
        raise SimUserError(problems)
    return out


def with_sets(scenario: Scenario, items: tuple[str, ...]) -> Scenario:
    """``scenario`` with the ``--set`` overrides applied (unchanged when there are none)."""
    return apply_overrides(scenario, parse_sets(items)) if items else scenario
