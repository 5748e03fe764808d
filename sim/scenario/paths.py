"""Get and set a scenario's numbers (:class:`~sim.scenario.schema.Param`) by dotted path.

Paths (ids are the scenario's own):

- ``actors.<id>.traits.<trait>``, ``actors.<id>.capabilities.<military|economic>``
- ``relations.<id>.strength`` (veto), ``.autonomy`` (command), ``.weight`` (alliance, influence)
- ``dynamics.<name>``, ``dynamics.weights.<name>``
- ``events.<id>.probability``
- ``initial.escalation``, ``initial.pressure.<side>``

Sweeps and the ``param.<path>`` result columns use these paths. Overrides are revalidated through
the pydantic model, so range checks still apply.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sim.core.errors import Problem, SimUserError
from sim.scenario.schema import CAPABILITY_NAMES, TRAIT_NAMES, Dynamics, Param, Scenario, Weights

RELATION_PARAM: dict[str, str] = {
    "veto": "strength",
    "command": "autonomy",
    "alliance": "weight",
    "influence": "weight",
}
"""The Param field of each relation type."""

DYNAMICS_NAMES: tuple[str, ...] = tuple(k for k in Dynamics.model_fields if k != "weights")
WEIGHT_NAMES: tuple[str, ...] = tuple(Weights.model_fields)


@dataclass
class PathIndex:
    """The ids a path may name: actors, relations (id -> type), events, sides."""

    actors: list[str] = field(default_factory=list)
    relations: dict[str, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, scenario: Scenario) -> PathIndex:
        """Index of a validated scenario."""
        return cls(
            actors=scenario.actor_ids,
            relations={r.id: r.type for r in scenario.relations},
            events=[e.id for e in scenario.events],
            sides=scenario.sides,
        )

    def all_paths(self) -> list[str]:
        """Every path this index allows (events and pressure whether set or not)."""
        out = [f"actors.{a}.traits.{t}" for a in self.actors for t in TRAIT_NAMES]
        out += [f"actors.{a}.capabilities.{c}" for a in self.actors for c in CAPABILITY_NAMES]
        out += [
            f"relations.{r}.{RELATION_PARAM[t]}" for r, t in self.relations.items() if t in RELATION_PARAM
        ]
        out += [f"dynamics.{d}" for d in DYNAMICS_NAMES]
        out += [f"dynamics.weights.{w}" for w in WEIGHT_NAMES]
        out += [f"events.{e}.probability" for e in self.events]
        out += ["initial.escalation"] + [f"initial.pressure.{s}" for s in self.sides]
        return out


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
    heads = (
        "actors.<id>.traits.<trait>, actors.<id>.capabilities.<name>, relations.<id>.<field>, "
        "dynamics.<name>, dynamics.weights.<name>, events.<id>.probability, initial.escalation, "
        "initial.pressure.<side>"
    )
    return f"{msg}; paths look like {heads}"


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


def _check(scenario: Scenario, path: str, what: str = "") -> list[str]:
    problem = path_problem(path, PathIndex.of(scenario))
    if problem:
        raise SimUserError([Problem(what, None, path if isinstance(path, str) else "", problem)])
    return path.split(".")


def get_param(scenario: Scenario, path: str) -> Param:
    """The Param at ``path``; SimUserError (with a did-you-mean) if the path names none."""
    parts = _check(scenario, path)
    head = parts[0]
    if head == "actors":
        group = (
            scenario.actor(parts[1]).traits if parts[2] == "traits" else scenario.actor(parts[1]).capabilities
        )
        return _param(getattr(group, parts[3]))
    if head == "relations":
        rel = next(r for r in scenario.relations if r.id == parts[1])
        return _param(getattr(rel, parts[2]))
    if head == "dynamics":
        return _param(
            getattr(scenario.dynamics.weights, parts[2])
            if parts[1] == "weights"
            else getattr(scenario.dynamics, parts[1])
        )
    if head == "events":
        prob = next(e for e in scenario.events if e.id == parts[1]).probability
        if prob is None:
            raise SimUserError(
                [Problem("", None, path, "this event has no `probability:` (it always fires)")]
            )
        return prob
    if parts[1] == "escalation":
        return scenario.initial.escalation
    for sp in scenario.initial.pressure:
        if sp.side == parts[2]:
            return sp.value
    raise SimUserError(
        [Problem("", None, path, f"no initial pressure is set for side {parts[2]} (it starts at 0)")]
    )


def _param(value: Any) -> Param:
    assert isinstance(value, Param)
    return value


def list_param_paths(scenario: Scenario) -> list[str]:
    """Every path that holds a Param in ``scenario`` (set events' probabilities, set pressures)."""
    index = PathIndex.of(scenario)
    index.events = [e.id for e in scenario.events if e.probability is not None]
    index.sides = [sp.side for sp in scenario.initial.pressure]
    return index.all_paths()


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


def _set_in(data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
    head = parts[0]
    if head == "actors":
        actor = next(a for a in data["actors"] if a["id"] == parts[1])
        actor[parts[2]][parts[3]] = param
    elif head == "relations":
        next(r for r in data["relations"] if r["id"] == parts[1])[parts[2]] = param
    elif head == "dynamics":
        target = data["dynamics"]["weights"] if parts[1] == "weights" else data["dynamics"]
        target[parts[-1]] = param
    elif head == "events":
        next(e for e in data["events"] if e["id"] == parts[1])["probability"] = param
    elif parts[1] == "escalation":
        data["initial"]["escalation"] = param
    else:
        pressures = data["initial"]["pressure"]
        for sp in pressures:
            if sp["side"] == parts[2]:
                sp["value"] = param
                break
        else:
            pressures.append({"side": parts[2], "value": param})


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
            parts = _check(scenario, path)
            param = _as_param(path, value)
        except SimUserError as err:
            problems.extend(err.problems)
            continue
        _set_in(data, parts, param.model_dump(exclude_none=True))
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
                if effect.set is not None:
                    overrides[effect.set.path] = effect.set.value
    return apply_overrides(scenario, overrides)
