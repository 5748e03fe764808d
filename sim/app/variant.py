"""The what-if as a variant file: ``extends: <base file>`` plus only what changed, merged by id.

Saved beside its base, the text passes ``sim validate`` and loads to the scenario the app ran
(docs/scenario-format.md, "Variants"). A changed parameter gives its whole distribution and an
``assumption:``, which replace the base's. Parameters are written through the parameter-site table
(:data:`sim.scenario.sites.FAMILIES`) into a skeleton holding only the ids, then empty items are
dropped, so the file names no more than the analyst touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml

from sim.scenario.base import Param
from sim.scenario.schema import Scenario
from sim.scenario.sites import FAMILIES

MAX_ID = 64


class _Dumper(yaml.SafeDumper):
    """Safe YAML with each Param and lever switch on one line (``{dist: beta, a: 2, b: 3, ...}``)."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = "dist" in data or set(data) == {"id", "on"}
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)


def variant_id(base_id: str, suffix: str = "what_if") -> str:
    """``<base id>_what_if``, shortened to fit an identifier."""
    return f"{base_id[: MAX_ID - len(suffix) - 1]}_{suffix}"


def _skeleton(scenario: Scenario) -> dict[str, Any]:
    """Lists of items with only their ids, mappings empty: what the site families write into."""
    initial = scenario.model_dump(mode="json", exclude_none=True)["initial"]
    return {
        "actors": [{"id": a.id} for a in scenario.actors],
        "relations": [{"id": r.id} for r in scenario.relations],
        "events": [{"id": e.id} for e in scenario.events],
        "dynamics": {"weights": {}},
        "initial": {"pressure": initial.get("pressure", [])},
    }


def _prune(data: dict[str, Any], touched_pressure: bool) -> dict[str, Any]:
    """Drop items holding only an id, empty mappings and an untouched pressure list."""
    out: dict[str, Any] = {}
    for key in ("actors", "relations", "events"):
        items = [item for item in data[key] if len(item) > 1]
        if items:
            out[key] = items
    weights = data["dynamics"].pop("weights")
    dynamics = {**data["dynamics"], **({"weights": weights} if weights else {})}
    if dynamics:
        out["dynamics"] = dynamics
    initial = {k: v for k, v in data["initial"].items() if k != "pressure" or touched_pressure}
    if initial:
        out["initial"] = initial
    if data.get("bargaining"):  # bargaining constants (positions travel with their actors)
        out["bargaining"] = data["bargaining"]
    return out


def _written(new: Param) -> dict[str, Any]:
    """``new`` as a mapping. It always names its distribution (``dist``) and its provenance (an
    ``assumption:``), so the loader's merge replaces the base's distribution and provenance
    whole (sim.scenario.loader, ``_param_base``): no null keys are needed."""
    return new.model_dump(mode="json", exclude_none=True)


def variant_data(
    base: Scenario, base_file: str, levers: Mapping[str, bool], params: Mapping[str, Param]
) -> dict[str, Any]:
    """The variant as plain data (``extends``, ``scenario``, ``levers``, changed parameters)."""
    data = _skeleton(base)
    for path, param in params.items():
        parts = path.split(".")
        family = next(f for f in FAMILIES if f.matches(parts))
        family.set(data, parts, _written(param))
    meta = base.scenario
    out: dict[str, Any] = {
        "extends": base_file,
        "scenario": {"id": variant_id(meta.id), "title": f"{meta.title}: what-if"},
    }
    if levers:
        out["levers"] = [{"id": k, "on": v} for k, v in levers.items()]
    touched_pressure = any(p.startswith("initial.pressure.") for p in params)
    out.update(_prune(data, touched_pressure))
    return out


def variant_yaml(
    base: Scenario, base_file: str, levers: Mapping[str, bool], params: Mapping[str, Param]
) -> str:
    """The variant file's text, with a header comment saying where it came from."""
    body = yaml.dump(
        variant_data(base, base_file, levers, params),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    header = (
        f"# What-if variant of {base_file}, made in `sim app` on {dt.date.today().isoformat()}.\n"
        f"# Save it beside {base_file}; then `sim validate` / `sim run` / `sim compare` it.\n"
    )
    return header + body
