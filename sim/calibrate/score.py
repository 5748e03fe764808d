"""Forecast scores: Brier and log score per outcome and overall, against reference forecasters.

For a binary outcome with forecast probability p and truth y in {0, 1}:

- Brier score ``B = (p - y)^2`` (0 best, 0.25 for a 50/50 forecast, 1 worst);
- log score ``L = -ln(p if y else 1 - p)`` with p clipped to [1e-3, 1 - 1e-3] so that a forecast
  of 0 or 1 from finitely many runs is not scored as infinitely wrong (ln 2 = 0.693 for 50/50);
- skill against a reference ``1 - B / B_ref`` (positive: better than the reference).

Two reference forecasters: 50/50, and the base rate given with each observed outcome.
The reliability table bins every (forecast, truth) pair by forecast probability and compares the
mean forecast with the observed frequency in each bin.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibrate.observations import ObservedOutcome

LOG_CLIP = 1e-3
"""Probabilities are clipped to [LOG_CLIP, 1 - LOG_CLIP] in the log score."""

RELIABILITY_BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


def brier(p: float, y: bool) -> float:
    """(p - y)^2 for a probability p in [0, 1] and an outcome y."""
    return (p - float(y)) ** 2


def log_score(p: float, y: bool) -> float:
    """-ln of the probability given to what happened (nats; lower is better), p clipped."""
    q = min(max(p, LOG_CLIP), 1.0 - LOG_CLIP)
    return -math.log(q if y else 1.0 - q)


def truth_at(obs: ObservedOutcome, when: dt.date) -> bool | None:
    """Whether the outcome had happened by ``when``; None when the file does not say (it had not
    happened by an earlier date only)."""
    if obs.happened:
        return obs.by <= when
    return False if obs.by >= when else None


@dataclass(frozen=True)
class Forecast:
    """One forecaster's probabilities: ``label`` (run, variant or sweep point) -> outcome -> p,
    at the horizon date ``by``; ``runs`` the number of runs behind each probability."""

    label: str
    by: dt.date
    runs: int
    p: dict[str, float]


def probability_by(first_steps: np.ndarray, max_step: int) -> float:
    """Share of runs whose first step (NaN: never) is at or before ``max_step``."""
    steps = np.asarray(first_steps, dtype=float)
    return float(np.mean(np.nan_to_num(steps, nan=np.inf) <= max_step)) if steps.size else float("nan")


def score_table(forecasts: list[Forecast], observed: list[ObservedOutcome]) -> pd.DataFrame:
    """One row per (forecast, outcome) scored: p, truth, Brier and log score of the forecast, the
    50/50 forecaster and the base-rate forecaster. Outcomes whose truth at the horizon is unknown,
    or that the forecast does not have, are left out."""
    rows = []
    for f in forecasts:
        for o in observed:
            y = truth_at(o, f.by)
            if y is None or o.outcome not in f.p:
                continue
            p, base = f.p[o.outcome], o.base_rate.value
            rows.append(
                {
                    "forecast": f.label,
                    "outcome": o.outcome,
                    "by": f.by.isoformat(),
                    "runs": f.runs,
                    "p": p,
                    "happened": y,
                    "brier": brier(p, y),
                    "log": log_score(p, y),
                    "brier_5050": brier(0.5, y),
                    "log_5050": log_score(0.5, y),
                    "base_rate": base,
                    "brier_base": brier(base, y),
                    "log_base": log_score(base, y),
                }
            )
    return pd.DataFrame(rows)


def overall(table: pd.DataFrame) -> pd.DataFrame:
    """Mean scores per forecast over its outcomes, with Brier skill against both references."""
    if table.empty:
        return pd.DataFrame()
    cols = ["brier", "log", "brier_5050", "log_5050", "brier_base", "log_base"]
    g = table.groupby("forecast", sort=False)[cols].mean()
    g["outcomes"] = table.groupby("forecast", sort=False).size()
    g["skill_vs_5050"] = 1.0 - g["brier"] / g["brier_5050"]
    g["skill_vs_base"] = 1.0 - g["brier"] / g["brier_base"].where(g["brier_base"] > 0)
    return g.reset_index()


def reliability(table: pd.DataFrame, bins: tuple[float, ...] = RELIABILITY_BINS) -> pd.DataFrame:
    """Forecasts binned by probability: count, mean forecast, observed frequency per bin."""
    if table.empty:
        return pd.DataFrame(columns=["bin", "count", "mean_forecast", "observed_frequency"])
    edges = np.asarray(bins)
    idx = np.clip(np.searchsorted(edges, table["p"].to_numpy(), side="right") - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        sel = idx == b
        if not sel.any():
            continue
        rows.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "count": int(sel.sum()),
                "mean_forecast": float(table["p"].to_numpy()[sel].mean()),
                "observed_frequency": float(table["happened"].to_numpy()[sel].mean()),
            }
        )
    return pd.DataFrame(rows)
