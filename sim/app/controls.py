"""Parameters as two sliders (centre, spread) and levers as switches, and back to a scenario.

Every parameter site (:func:`sim.scenario.sites.param_sites`) becomes a control with its label,
its distribution, its provenance and a slider range. Moving the sliders reshapes the
distribution keeping its family (a fixed value with a spread becomes a uniform range):

========== ============================ ============================
dist       centre                       spread
========== ============================ ============================
fixed      value                        0 (a spread > 0 makes it uniform)
uniform    (low + high) / 2             (high - low) / 2
normal     mean                         sd
truncnorm  mean (bounds kept)           sd
beta       mean a / (a + b)             standard deviation
triangular mode                         (high - low) / 2
========== ============================ ============================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.core.errors import Problem, SimUserError
from sim.scenario.base import Param
from sim.scenario.paths import apply_overrides, revalidate
from sim.scenario.schema import Scenario
from sim.scenario.sites import ParamSite, param_sites

LIMITS: dict[tuple[str, str], tuple[float, float]] = {
    ("dynamics", "logit_precision"): (0.01, 100.0),
    ("dynamics", "accident_growth"): (0.0, 50.0),
    ("dynamics", "accident_severity"): (0.0, 100.0),
    ("events", "delay"): (0.0, 3650.0),
    ("events", "duration"): (0.0, 3650.0),
    ("bargaining", "deal_weight"): (0.0, 50.0),
    ("bargaining", "audience_cost"): (0.0, 50.0),
}
"""Ranges of the parameters not in 0..1 (besides weights, 0..50, and initial escalation, 0..ladder
max), as the schema checks them (sim.scenario.schema.Dynamics, Event.delay and .duration in days,
sim.scenario.kinds.bargaining.Bargaining)."""


@dataclass(frozen=True)
class WhatIf:
    """What the analyst changed: lever states and (centre, spread) per parameter path."""

    levers: Mapping[str, bool]
    params: Mapping[str, tuple[float, float]]

    @classmethod
    def from_json(cls, data: Any) -> WhatIf:
        """Parse ``{"levers": {id: bool}, "params": {path: {"centre": x, "spread": y}}}``."""
        if not isinstance(data, dict):
            raise SimUserError([Problem("request", None, "", "expected a JSON object")])
        levers = data.get("levers") or {}
        params = data.get("params") or {}
        if not isinstance(levers, dict) or not isinstance(params, dict):
            raise SimUserError([Problem("request", None, "", "levers and params are JSON objects")])
        out: dict[str, tuple[float, float]] = {}
        for path, v in params.items():
            try:
                out[str(path)] = (float(v["centre"]), float(v["spread"]))
            except (TypeError, KeyError, ValueError):
                raise SimUserError(
                    [Problem("request", None, str(path), "needs numbers centre and spread")]
                ) from None
            if not all(math.isfinite(x) for x in out[str(path)]) or out[str(path)][1] < 0:
                raise SimUserError([Problem("request", None, str(path), "centre finite, spread >= 0")])
        return cls(levers={str(k): bool(v) for k, v in levers.items()}, params=out)

    def changes(self, scenario: Scenario) -> WhatIf:
        """Only what differs from ``scenario`` (levers flipped, parameters moved)."""
        state = {lv.id: lv.on for lv in scenario.levers}
        sites = {s.path: s.param for s in param_sites(scenario)}
        levers = {k: v for k, v in self.levers.items() if k in state and state[k] != v}
        params = {
            p: cs for p, cs in self.params.items() if p not in sites or not _same(centre_spread(sites[p]), cs)
        }
        return WhatIf(levers=levers, params=params)

    @property
    def empty(self) -> bool:
        return not self.levers and not self.params


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


def centre_spread(p: Param) -> tuple[float, float]:
    """The (centre, spread) of a Param, as in the module's table."""
    if p.dist == "fixed":
        return float(p.value or 0.0), 0.0
    if p.dist in ("normal", "truncnorm"):
        return float(p.mean or 0.0), float(p.sd or 0.0)
    if p.dist == "beta":
        a, b = float(p.a or 1.0), float(p.b or 1.0)
        return a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    lo, hi = float(p.low or 0.0), float(p.high or 0.0)
    centre = float(p.mode) if p.dist == "triangular" and p.mode is not None else (lo + hi) / 2
    return centre, (hi - lo) / 2


def limits(site: ParamSite, scenario: Scenario) -> tuple[float, float]:
    """The range the schema allows for a site's draws."""
    if site.group == "weights":
        return 0.0, 50.0
    if site.path == "initial.escalation":
        return 0.0, float(scenario.ladder.max)
    return LIMITS.get((site.group, site.name), (0.0, 1.0))


def reshape(p: Param, centre: float, spread: float, lo: float, hi: float, note: str) -> Param:
    """``p`` moved to ``centre`` with ``spread``, same family where possible, draws in [lo, hi]."""
    centre, spread = _round(min(max(centre, lo), hi)), _round(spread)
    prov = {"assumption": note}
    a, b = _round(max(lo, centre - spread)), _round(min(hi, centre + spread))
    if spread <= 1e-9 * max(1.0, hi - lo) or a >= b:
        return Param(value=centre, **prov)
    if p.dist in ("normal", "truncnorm"):
        bounds = (p.low, p.high) if p.dist == "truncnorm" else (lo, hi)
        mean = min(max(centre, bounds[0] or lo), bounds[1] or hi)
        return Param(dist="truncnorm", mean=mean, sd=spread, low=bounds[0], high=bounds[1], **prov)
    if p.dist == "beta" and 1e-6 < centre < 1 - 1e-6:
        sd = min(spread, 0.99 * math.sqrt(centre * (1 - centre)))
        k = centre * (1 - centre) / sd**2 - 1
        return Param(dist="beta", a=_round(centre * k), b=_round((1 - centre) * k), **prov)
    if p.dist == "triangular":
        return Param(dist="triangular", low=a, mode=centre, high=b, **prov)
    return Param(dist="uniform", low=a, high=b, **prov)


def _round(x: float) -> float:
    """Six significant digits: what the variant file says is exactly what ran."""
    return float(f"{x:.6g}")


def control(site: ParamSite, scenario: Scenario) -> dict[str, Any]:
    """A slider pair as JSON: path, label, group, distribution, provenance, range, step."""
    p = site.param
    centre, spread = centre_spread(p)
    lo, hi = limits(site, scenario)
    top = hi if hi <= 1.0 else min(hi, _nice_ceiling(max(3 * abs(centre), 1.5 * p.support()[1], 1.0)))
    return {
        "path": site.path,
        "label": site.label,
        "group": site.group,
        "dist": p.formatted(),
        "quote": p.quote,
        "source": p.source,
        "assumption": p.assumption,
        "centre": centre,
        "spread": spread,
        "min": lo,
        "max": top,
        "spread_max": (top - lo) / 2,
        "step": _nice_step(top - lo),
    }


def _nice_ceiling(x: float) -> float:
    """1, 2, 5, 10, 20, 50 ... at or above ``x``."""
    mag = 10 ** math.floor(math.log10(x))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= x - 1e-12)


def _nice_step(width: float) -> float:
    return _nice_ceiling(width / 1000) if width > 0 else 0.001


def controls(scenario: Scenario) -> dict[str, Any]:
    """Everything the page needs to draw the controls of ``scenario``."""
    return {
        "levers": [
            {"id": lv.id, "name": lv.name, "description": lv.description, "on": lv.on}
            for lv in scenario.levers
        ],
        "params": [control(site, scenario) for site in param_sites(scenario)],
    }


def apply_what_if(scenario: Scenario, what_if: WhatIf) -> tuple[Scenario, dict[str, Param]]:
    """The variant: levers switched, parameters reshaped. Returns it with the new Params by path."""
    sites = {s.path: s for s in param_sites(scenario)}
    unknown = [p for p in what_if.params if p not in sites]
    unknown += [f"levers.{k}" for k in what_if.levers if k not in {lv.id for lv in scenario.levers}]
    if unknown:
        raise SimUserError([Problem("request", None, u, "not in this scenario") for u in unknown])
    new: dict[str, Param] = {}
    for path, (centre, spread) in what_if.params.items():
        site = sites[path]
        lo, hi = limits(site, scenario)
        note = f"what-if in sim app; was {site.param.formatted()}"
        new[path] = reshape(site.param, centre, spread, lo, hi, note)
    variant = apply_overrides(scenario, new) if new else scenario
    if what_if.levers:
        data = variant.model_dump(mode="python", exclude_none=True)
        for lever in data.get("levers", []):
            lever["on"] = what_if.levers.get(lever["id"], lever.get("on", False))
        variant = revalidate(data)
    return variant, new
