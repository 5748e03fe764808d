"""What a calibration produced (sim.workflow.calibrate builds it; the report reads it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibrate import abc
from sim.calibrate.priors import Prior
from sim.calibrate.variant import Marginal


@dataclass
class CalibrationOutcome:
    """Everything a calibration produced (see the module docstring)."""

    root: Path
    priors: list[Prior]
    names: tuple[str, ...]
    observed: np.ndarray
    generations: list[abc.Generation]
    scale: np.ndarray
    ppc: np.ndarray  # (n, m) statistics simulated at posterior draws
    marginals: list[Marginal]
    variant: Path
    data_file: str
    settings: abc.Settings
    elapsed_s: float
    simulations: int
    resumed_from: int
    cpu_s: float = 0.0  # CPU seconds of the simulation tasks (all workers)
    forecasts: dict[str, dict[str, float]] = field(default_factory=dict)
    report: Path | None = None

    def summary(self) -> dict[str, Any]:
        """The JSON-able result (result.json)."""
        gens = [
            {"t": g.t, "eps": g.eps, "sims": g.sims, "acceptance": g.acceptance, "ess": g.ess}
            for g in self.generations
        ]
        q = np.quantile(self.ppc, [0.05, 0.5, 0.95], axis=0)
        checks = [
            {
                "statistic": n,
                "observed": float(self.observed[j]),
                "q05": float(q[0, j]),
                "median": float(q[1, j]),
                "q95": float(q[2, j]),
                "tail": float(
                    min(
                        np.mean(self.ppc[:, j] <= self.observed[j]),
                        np.mean(self.ppc[:, j] >= self.observed[j]),
                    )
                ),
            }
            for j, n in enumerate(self.names)
        ]
        return {
            "data_file": self.data_file,
            "settings": asdict(self.settings),
            "generations": gens,
            "posterior": [asdict(m) for m in self.marginals],
            "priors": [{"path": p.path, "prior": p.describe()} for p in self.priors],
            "checks": checks,
            "simulations": self.simulations,
            "elapsed_s": self.elapsed_s,
            "cpu_s": self.cpu_s,
            "resumed_from_generation": self.resumed_from,
            "variant": str(self.variant),
            "forecasts": self.forecasts,
        }
