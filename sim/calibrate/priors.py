"""Priors of the constants to calibrate, on the unit cube (see sim.calibrate.abc).

A parameter that is already a distribution keeps it as its prior (inverse CDF of its Param). A
fixed constant v (an ``assumption:``) gets a log-uniform prior from v / spread to v * spread
(default spread 3: "within a factor of three", an assumption stated in docs/calibration.md),
capped where the scenario's own range checks stop it (shares and probabilities at 1).
By default the calibrated constants are the fixed, unsourced (``assumption:``) constants of
``dynamics`` and ``dynamics.weights``: the model's own numbers, not the article's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.core.errors import Problem, SimUserError
from sim.model.draws import param_ppf
from sim.scenario.base import Param
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Scenario
from sim.scenario.sites import param_sites

DEFAULT_GROUPS = ("dynamics", "weights")


@dataclass(frozen=True)
class Prior:
    """The prior of one path: its Param if random, else log-uniform on [low, high]."""

    path: str
    label: str
    base: Param
    low: float
    high: float

    @property
    def log_uniform(self) -> bool:
        return not self.base.is_random()

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at cube coordinates ``u`` (n,)."""
        if self.log_uniform:
            return np.asarray(self.low * (self.high / self.low) ** np.asarray(u))
        return param_ppf(self.base, np.asarray(u))

    def describe(self) -> str:
        if self.log_uniform:
            return f"log-uniform {self.low:.4g}..{self.high:.4g} (base value {self.base.value:.4g})"
        return f"{self.base.formatted()} (the scenario's own distribution)"


def default_paths(scenario: Scenario) -> list[str]:
    """The fixed ``assumption:`` constants of the dynamics and utility weights."""
    return [
        s.path
        for s in param_sites(scenario)
        if s.group in DEFAULT_GROUPS and not s.param.is_random() and s.param.assumption is not None
    ]


def _fits(scenario: Scenario, path: str, value: float) -> bool:
    try:
        apply_overrides(scenario, {path: Param(value=value, assumption="range check")})
    except SimUserError:
        return False
    return True


def select_priors(scenario: Scenario, paths: list[str] | None, spread: float = 3.0) -> list[Prior]:
    """Priors of ``paths`` (default: :func:`default_paths`); SimUserError for unknown paths or a
    constant at 0 (no scale for a log-uniform prior)."""
    sites = {s.path: s for s in param_sites(scenario)}
    chosen = paths or default_paths(scenario)
    problems, out = [], []
    for path in chosen:
        site = sites.get(path)
        if site is None:
            problems.append(
                Problem("--params", None, path, "not a parameter path of the scenario (see `sim show`)")
            )
            continue
        p = site.param
        if p.is_random():
            lo, hi = p.support()
            out.append(Prior(path, site.label, p, lo, hi))
            continue
        v = float(p.value or 0.0)
        if v <= 0 or not math.isfinite(v):
            problems.append(
                Problem(
                    "--params",
                    None,
                    path,
                    f"fixed at {v}: a log-uniform prior needs a value > 0; give it a range in the scenario",
                )
            )
            continue
        hi = v * spread
        if not _fits(scenario, path, hi):
            hi = 1.0 if v < 1.0 or _fits(scenario, path, 1.0) else v
        out.append(Prior(path, site.label, p, v / spread, hi))
    if problems:
        raise SimUserError(problems)
    return out


def values_at(priors: list[Prior], u: np.ndarray) -> dict[str, np.ndarray]:
    """path -> (n,) values of the particles ``u`` (n, k)."""
    return {p.path: p.ppf(u[:, i]) for i, p in enumerate(priors)}
