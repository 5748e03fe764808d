"""Get and set a scenario's numbers (:class:`~sim.scenario.base.Param`) by dotted path.

The paths are those of the parameter-site table (``sim.scenario.sites``). Overrides are
revalidated through the pydantic model, so range checks still apply.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from sim.core.errors import Problem, SimUserError
from sim.scenario.base import Param
from sim.scenario.kinds.effects import Timing
from sim.scenario.schema import Scenario
from sim.scenario.sites import FAMILIES, PathIndex, SiteFamily, list_param_paths, param_sites

__all__ = [
    "PathIndex",
    "apply_overrides",
    "get_param",
    "list_param_paths",
    "param_sites",
    "path_problem",
    "resolve_static_levers",
    "revalidate",
]


def path_problem(path: str, index: PathIndex) -> str | None:
    """Why ``path`` names no parameter of a scenario with ``index`` (None if it does)."""
    if not isinstance(path, str):
        return f"a parameter path is a dotted string, got {type(path).__name__}"
    candidates = index.all_paths()
    if path in candidates:
        return None
    hint = _closest(path, candidates)
    msg = f"unknown parameter path `{path}`"
    if hint:
        return f"{msg}; did you mean `{hint[0]}`?"
    return f"{msg}; paths look like {', '.join(f.pattern for f in FAMILIES)}"


def _closest(path: str, candidates: list[str]) -> list[str]:
    """The closest candidate, preferring those that share the longest leading part of ``path``."""
    parts = path.split(".")
    for n in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:n]) + "."
        near = [c for c in candidates if c.startswith(prefix)]
        if near:
            hint = difflib.get_close_matches(path, near, n=1, cutoff=0.5)
            if hint:
                return hint
    return difflib.get_close_matches(path, candidates, n=1, cutoff=0.6)


def _family(scenario: Scenario, path: str) -> tuple[SiteFamily, list[str]]:
    problem = path_problem(path, PathIndex.of(scenario))
    if problem:
        raise SimUserError([Problem("", None, path if isinstance(path, str) else "", problem)])
    parts = path.split(".")
    return next(f for f in FAMILIES if f.matches(parts)), parts


def get_param(scenario: Scenario, path: str) -> Param:
    """The Param at ``path``; SimUserError (with a did-you-mean) if the path names none."""
    family, parts = _family(scenario, path)
    return family.get(scenario, parts)


def _as_param(path: str, value: float | Param | Mapping[str, Any]) -> Param:
    if isinstance(value, Param):
        return value
    if isinstance(value, Mapping):
        try:
            return Param.model_validate(value)
        except ValidationError as err:
            raise SimUserError([Problem("", None, path, _first_msg(err))]) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SimUserError([Problem("", None, path, f"an override is a number or a Param, got {value!r}")])
    try:
        return Param(value=float(value), assumption=f"override: {path}")
    except ValidationError as err:
        raise SimUserError([Problem("", None, path, _first_msg(err))]) from None


def _first_msg(err: ValidationError) -> str:
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in err.errors())


def apply_overrides(scenario: Scenario, overrides: Mapping[str, float | Param]) -> Scenario:
    """A copy of ``scenario`` with the Params at the given paths replaced.

    A number means a fixed value with provenance ``assumption: "override: <path>"``; a Param keeps
    its own provenance. All problems (bad paths, out-of-range values) are raised together.
    """
    if not overrides:
        return scenario
    problems: list[Problem] = []
    data = scenario.model_dump(mode="python", exclude_none=True)
    for path, value in overrides.items():
        try:
            family, parts = _family(scenario, path)
            param = _as_param(path, value)
        except SimUserError as err:
            problems.extend(err.problems)
            continue
        family.set(data, parts, param.model_dump(exclude_none=True))
    if problems:
        raise SimUserError(problems)
    return revalidate(data, paths=overrides.keys())


def revalidate(data: dict[str, Any], paths: Iterable[str] = ()) -> Scenario:
    """Validate a dumped scenario again; errors name the override paths involved."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        shown = ", ".join(paths)
        problems = [
            Problem(
                "",
                None,
                shown,
                f"{'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}",
            )
            for e in err.errors()
        ]
        raise SimUserError(problems) from None


def resolve_static_levers(scenario: Scenario) -> Scenario:
    """Apply the ``set:`` effects of the levers that are on, in order; the levers stay listed."""
    overrides: dict[str, float | Param] = {}
    for lever in scenario.levers:
        if lever.on:
            for effect in lever.effects:
                if effect.kind.timing is Timing.STATIC:
                    overrides[effect.value.path] = effect.value.value
    return apply_overrides(scenario, overrides)
