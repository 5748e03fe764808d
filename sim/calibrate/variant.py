"""The posterior as a scenario: a variant that ``extends:`` the base and replaces each calibrated
constant by its posterior marginal, with provenance ``calibrated:`` (data file and method).

Each marginal is summarised as a truncated normal (weighted mean and sd of the particles,
truncated to the prior's range); correlations between constants are not carried over (the
report's pair plots show them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.calibrate.abc import Generation, weighted_quantile
from sim.calibrate.priors import Prior
from sim.core.errors import Problem, SimUserError


@dataclass(frozen=True)
class Marginal:
    """Posterior summary of one constant: weighted mean, sd, 5/50/95% quantiles, prior range, and
    the posterior-to-prior sd ratio on the unit cube (near 1: the data did not inform it)."""

    path: str
    mean: float
    sd: float
    q05: float
    q50: float
    q95: float
    low: float
    high: float
    shrinkage: float


def marginals(gen: Generation, priors: list[Prior]) -> list[Marginal]:
    """Posterior marginals of the last generation."""
    out = []
    prior_sd = math.sqrt(1 / 12)  # sd of a uniform on [0, 1]: the prior on the cube
    for i, p in enumerate(priors):
        theta = p.ppf(gen.u[:, i])
        mean = float(gen.w @ theta)
        sd = math.sqrt(max(float(gen.w @ (theta - mean) ** 2), 0.0))
        q = [float(x) for x in weighted_quantile(theta, gen.w, np.array([0.05, 0.5, 0.95]))]
        u_mean = float(gen.w @ gen.u[:, i])
        u_sd = math.sqrt(max(float(gen.w @ (gen.u[:, i] - u_mean) ** 2), 0.0))
        out.append(Marginal(p.path, mean, sd, q[0], q[1], q[2], p.low, p.high, u_sd / prior_sd))
    return out


def posterior_param(m: Marginal, provenance: str) -> dict[str, Any]:
    """The YAML mapping of one posterior marginal (truncated normal, or fixed if it has no spread)."""
    if m.sd <= 1e-12 * max(1.0, abs(m.mean)):
        return {"value": _r(m.mean), "calibrated": provenance}
    low, high = m.low, m.high
    if not (math.isfinite(low) and math.isfinite(high)):
        return {"dist": "normal", "mean": _r(m.mean), "sd": _r(m.sd), "calibrated": provenance}
    return {
        "dist": "truncnorm",
        "mean": _r(m.mean),
        "sd": _r(m.sd),
        "low": _r(low),
        "high": _r(high),
        "calibrated": provenance,
    }


def _r(x: float) -> float:
    return float(f"{x:.6g}")


def _put(data: dict[str, Any], path: str, value: dict[str, Any]) -> None:
    """Set ``path`` in variant data: lists of actors, relations and events merge by id."""
    parts = path.split(".")
    head = parts[0]
    if head in ("actors", "relations", "events"):
        items = data.setdefault(head, [])
        item = next((x for x in items if x["id"] == parts[1]), None)
        if item is None:
            item = {"id": parts[1]}
            items.append(item)
        node, rest = item, parts[2:]
    elif (
        head in ("dynamics", "initial")
        and path != "initial.pressure"
        and not path.startswith("initial.pressure.")
    ):
        node, rest = data, parts
    else:
        raise SimUserError(
            [Problem("--params", None, path, "a calibrated variant cannot write this path yet")]
        )
    for key in rest[:-1]:
        node = node.setdefault(key, {})
    node[rest[-1]] = value


def variant_yaml(
    base_file: Path, variant_id: str, title: str, margs: list[Marginal], provenance: str, out_file: Path
) -> str:
    """Text of the calibrated variant (its ``extends:`` relative to ``out_file``'s folder)."""
    data: dict[str, Any] = {
        "extends": base_file.resolve().relative_to(out_file.resolve().parent).as_posix(),
        "scenario": {"id": variant_id, "title": title},
    }
    for m in margs:
        _put(data, m.path, posterior_param(m, provenance))
    head = (
        f"# Calibrated variant of {base_file.name}, written by `sim calibrate`: every constant below\n"
        "# is a posterior marginal (truncated normal) of an ABC-SMC fit to the record named in its\n"
        "# `calibrated:` provenance. Regenerate it rather than editing it by hand.\n"
    )
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
