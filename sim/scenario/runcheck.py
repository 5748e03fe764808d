"""Checks beyond the schema, so that ``sim validate`` rejects everything ``sim run`` would.

Called by :func:`sim.scenario.loader.validate_data`:

- :func:`type_problems` (before pydantic): booleans are not numbers and numbers or strings are
  not booleans (pydantic's lax mode would read ``runs: true`` as 1 and ``on: "yes"`` as true);
- :func:`run_problems` (after pydantic): what the engine would refuse later: dates past
  9999-12-31, lever ``set:`` values outside the range of the parameter they replace, and batches
  too large for memory (own-state conditions outside red lines are refused by the condition
  kinds' cross-checks).

Each problem is ``(loc, message)`` with ``loc`` a path into the raw data (for file:line).
"""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from sim.core.columns import HIST_BINS
from sim.core.errors import SimUserError
from sim.scenario.schema import Scenario

Loc = tuple[Any, ...]
Found = list[tuple[Loc, str]]


def _strip(ann: Any) -> Any:
    while get_origin(ann) is typing.Annotated:
        ann = get_args(ann)[0]
    return ann


def _members(ann: Any) -> list[Any]:
    ann = _strip(ann)
    if get_origin(ann) in (typing.Union, types.UnionType):
        return [_strip(a) for a in get_args(ann) if a is not type(None)]
    return [ann]


def type_problems(data: Any) -> Found:
    """Booleans where the schema wants a number, non-booleans where it wants a boolean."""
    found: Found = []
    _walk(data, Scenario, (), found)
    return found


def _walk(node: Any, ann: Any, loc: Loc, found: Found) -> None:
    members = _members(ann)
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if isinstance(node, dict) and models:
        model: type[BaseModel] | None = models[0]
        if len(models) > 1:  # a tagged union (relations): pick by `type`
            tagged = [m for m in models if "type" in m.model_fields]
            model = next(
                (m for m in tagged if node.get("type") in get_args(m.model_fields["type"].annotation)),
                None,
            )
        if model is None:
            return
        for key, value in node.items():
            if isinstance(key, str) and key in model.model_fields:
                _walk(value, model.model_fields[key].annotation, (*loc, key), found)
        return
    if isinstance(node, list):
        for m in members:
            if get_origin(m) is list:
                for i, item in enumerate(node):
                    _walk(item, get_args(m)[0], (*loc, i), found)
                return
        return
    if isinstance(node, dict):
        for m in members:
            if get_origin(m) is dict:
                for key, value in node.items():
                    _walk(value, get_args(m)[1], (*loc, key), found)
                return
        return
    numeric = any(m in (int, float) for m in members)
    boolean = bool in members
    if isinstance(node, bool) and numeric and not boolean:
        found.append((loc, f"expected a number, got {str(node).lower()} (booleans are not numbers)"))
    elif boolean and not numeric and node is not None and not isinstance(node, bool):
        found.append((loc, f"expected true or false, got {node!r}"))


def run_problems(scenario: Scenario) -> Found:
    """What the engine would reject in a scenario that passed the schema and cross-references."""
    found: Found = []  # own-state conditions outside red lines: the condition kinds' cross-checks
    meta = scenario.scenario
    try:
        meta.date_of(meta.horizon)
    except OverflowError:
        found.append(
            (
                ("scenario", "start_date"),
                f"start_date {meta.start_date} + horizon x step_days ({meta.horizon} x {meta.step_days} "
                "days) passes 9999-12-31; choose an earlier start_date or a shorter horizon",
            )
        )
    found += _lever_sets(scenario)
    need = batch_bytes(scenario)
    if need > MAX_BATCH_BYTES:
        found.append(
            (
                ("scenario", "horizon"),
                f"one batch needs about {need / 2**20:,.0f} MiB for per-step aggregates "
                f"(horizon {meta.horizon} x {len(scenario.actors)} actors x "
                f"{len(scenario.actions)} actions); "
                f"the limit is {MAX_BATCH_BYTES / 2**20:,.0f} MiB: shorten the horizon, use longer "
                "steps (step_days) or keep fewer samples",
            )
        )
    return found


MAX_BATCH_BYTES = 1 << 30
"""Per-step memory of one batch (bounded whatever the number of runs; see docs/architecture.md)."""


def batch_bytes(scenario: Scenario) -> int:
    """Memory that grows with the horizon in one batch (and again in the combined result):
    the escalation histogram (101 int64 per step), action counts (int64 per actor x action per
    step) and the kept sample paths (float64 + int16 per actor per step)."""
    meta = scenario.scenario
    a, k = len(scenario.actors), len(scenario.actions)
    per_step = 8 * HIST_BINS + 8 * a * k + meta.monte_carlo.samples * (8 + 2 * a)
    return (meta.horizon + 1) * per_step


def _lever_sets(scenario: Scenario) -> Found:
    """Each lever's ``set:`` applied alone: its value must fit the parameter it replaces."""
    from sim.scenario.paths import apply_overrides

    found: Found = []
    for i, lever in enumerate(scenario.levers):
        for j, effect in enumerate(lever.effects):
            if effect.key != "set":
                continue
            setter = effect.value
            try:
                apply_overrides(scenario, {setter.path: setter.value})
            except SimUserError as err:
                for p in err.problems:
                    message = p.message.split(": ", 1)[-1] if p.message.count(": ") else p.message
                    found.append(
                        (
                            ("levers", i, "effects", j, "set", "value"),
                            f"does not fit {setter.path}: {message}",
                        )
                    )
    return found
