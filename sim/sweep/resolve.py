"""Checking a declared sweep against its scenario: every path exists, every value is allowed,
the design fits the parameters; the result is a :class:`~sim.sweep.spec.ResolvedSweep` with its
seed and batch size settled."""

from __future__ import annotations

from sim.core.errors import Problem, SimUserError
from sim.scenario.schema import Scenario
from sim.sweep.spec import DEFAULT_BATCH, DESIGNS, ParamSpec, ResolvedSweep, SweepSpec


def resolve(spec: SweepSpec) -> ResolvedSweep:
    """Load the scenario and check every parameter path and range against it.

    Raises SimUserError listing every problem, each naming the sweep file and line.
    """
    from sim.scenario.loader import load_scenario

    scenario = load_scenario(spec.scenario_path)
    problems = _check_design_shape(spec)
    seen: set[str] = set()
    for i, prm in enumerate(spec.params):
        where = f"sweep.parameters[{i}]" if spec.lines else prm.path
        if prm.path in seen:
            problems.append(
                Problem(spec.source, prm.line, where, f"{prm.path} is swept twice; keep one entry")
            )
        seen.add(prm.path)
        problems += check_param(scenario, prm, spec.source, where)
    if problems:
        raise SimUserError(problems)
    seed = spec.seed if spec.seed is not None else scenario.scenario.monte_carlo.seed
    batch = spec.batch_size or min(spec.runs_per_point, DEFAULT_BATCH)
    return ResolvedSweep(spec=spec, scenario=scenario, seed=seed, batch_size=batch)


def _check_design_shape(spec: SweepSpec) -> list[Problem]:
    out: list[Problem] = []
    line = spec.lines.get("design")
    if spec.design not in DESIGNS:
        out.append(
            Problem(spec.source, line, "design", f"unknown design {spec.design!r}; use {', '.join(DESIGNS)}")
        )
    if spec.design in ("lhs", "sobol"):
        for i, p in enumerate(spec.params):
            if p.values is not None:
                out.append(
                    Problem(
                        spec.source,
                        p.line,
                        f"sweep.parameters[{i}]" if spec.lines else p.path,
                        f"{spec.design} needs a range (low/high), not a value list; use design: grid",
                    )
                )
    if spec.design == "sobol" and spec.points is not None and spec.points & (spec.points - 1):
        out.append(
            Problem(
                spec.source,
                spec.lines.get("points"),
                "points",
                f"sobol needs a power of two base samples (e.g. {1 << max(spec.points.bit_length() - 1, 1)})",
            )
        )
    return out


def check_param(scenario: Scenario, prm: ParamSpec, source: str, where: str) -> list[Problem]:
    """Problems of one swept parameter: unknown path (with did-you-mean) or values out of range."""
    from sim.scenario.paths import apply_overrides, get_param

    try:
        get_param(scenario, prm.path)
    except SimUserError as err:
        return [Problem(source, prm.line, where, "; ".join(p.message for p in err.problems))]
    lo, hi = prm.bounds
    for value in sorted({lo, hi}):
        try:
            apply_overrides(scenario, {prm.path: value})
        except SimUserError as err:
            why = "; ".join(p.message for p in err.problems)
            return [
                Problem(
                    source, prm.line, where, f"{prm.path}={value:g} is not allowed ({why}); narrow the range"
                )
            ]
    return []
