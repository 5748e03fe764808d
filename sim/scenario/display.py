"""How a scenario is shown to people: one parameter formatter and one scenario diff.

Used by ``sim show`` (tables in the terminal), the run report (the scenario section, variant
differences highlighted) and the comparison report (what each variant changes).

- :func:`format_param`: ``0.6`` for a fixed value, ``beta(a=2, b=2)`` for a distribution
  (``beta(2, 2)`` with ``named=False``), ``-`` for none.
- :func:`scenario_diff`: every field whose value differs, by field path
  (``actors.<id>.traits.<trait>.<field>``, ``levers.<id>.on``, ``scenario.title``, ...).
- :func:`differences`: the readable summary of that diff: each parameter path whose value or
  distribution differs, items added or removed, levers switched, metadata changed.
- :func:`collapse_items`: a diff with the fields of an item added or removed as a whole folded
  into one line.
"""

from __future__ import annotations

from typing import Any

from sim.scenario.paths import get_param, list_param_paths
from sim.scenario.schema import Param, Scenario

ITEM_GROUPS = ("actors", "actions", "relations", "events", "levers", "states", "outcomes")
"""Lists of items with an ``id`` whose additions and removals :func:`differences` reports."""

META_FIELDS = ("id", "title", "start_date", "step_days", "horizon")
"""Scenario metadata whose changes :func:`differences` reports."""


def format_param(p: Param | None, *, named: bool = True) -> str:
    """``0.6`` for a fixed value, ``beta(a=2, b=2)`` for a distribution (``beta(2, 2)`` when not
    ``named``), ``-`` for none. Values in the parameter's own units, ``:g`` formatted."""
    return "-" if p is None else p.formatted(named)


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a model dump; lists of dicts with ``id`` are keyed by id."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(v, dict) and "id" in v for v in obj):
        for v in obj:
            out.update(_flatten(v, f"{prefix}.{v['id']}"))
    else:
        out[prefix] = obj
    return out


def scenario_diff(base: Scenario, variant: Scenario) -> dict[str, tuple[Any, Any]]:
    """Field paths whose value differs: path -> (base value, variant value), sorted by path;
    a field missing on one side is None there. ``variant_of`` is ignored."""
    a = _flatten(base.model_dump(mode="json", exclude={"variant_of"}))
    b = _flatten(variant.model_dump(mode="json", exclude={"variant_of"}))
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def differences(base: Scenario, variant: Scenario) -> list[tuple[str, str, str]]:
    """``(what, base value, variant value)`` for every Param, id set, lever state or meta change."""
    rows = _param_rows(base, variant)
    for group in ITEM_GROUPS:
        old_ids = [x.id for x in getattr(base, group)]
        new_ids = [x.id for x in getattr(variant, group)]
        rows += [(f"{group}.{i}", "-", "added") for i in new_ids if i not in old_ids]
        rows += [(f"{group}.{i}", "present", "removed") for i in old_ids if i not in new_ids]
    diff = scenario_diff(base, variant)
    for lv in variant.levers:
        old_on, new_on = diff.get(f"levers.{lv.id}.on", (None, None))
        if old_on is not None and new_on is not None:
            rows.append((f"levers.{lv.id}", _onoff(old_on), _onoff(new_on)))
    for field in META_FIELDS:
        if f"scenario.{field}" in diff:
            old, new = diff[f"scenario.{field}"]
            rows.append((f"scenario.{field}", str(old), str(new)))
    return rows


def _param_rows(base: Scenario, variant: Scenario) -> list[tuple[str, str, str]]:
    """Each parameter path whose formatted value differs (``-`` where the path is absent)."""
    rows: list[tuple[str, str, str]] = []
    b_paths, v_paths = set(list_param_paths(base)), set(list_param_paths(variant))
    for path in sorted(b_paths | v_paths):
        old = format_param(get_param(base, path)) if path in b_paths else "-"
        new = format_param(get_param(variant, path)) if path in v_paths else "-"
        if old != new:
            rows.append((path, old, new))
    return rows


def _onoff(on: bool) -> str:
    return "on" if on else "off"


def collapse_items(diff: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """Fold the fields of an item added or removed as a whole (``actors.<id>``, ``relations.<id>``,
    ...) into one line: ``(absent, "added")`` or ``("present", "removed")``."""
    groups: dict[str, list[str]] = {}
    for k in diff:
        parts = k.split(".")
        groups.setdefault(".".join(parts[:2]) if len(parts) > 2 else k, []).append(k)
    out: dict[str, tuple[Any, Any]] = {}
    for prefix, keys in groups.items():
        if len(keys) > 1 and all(diff[k][0] is None for k in keys):
            out[prefix] = (None, "added")
        elif len(keys) > 1 and all(diff[k][1] is None for k in keys):
            out[prefix] = ("present", "removed")
        else:
            out.update((k, diff[k]) for k in keys)
    return out
