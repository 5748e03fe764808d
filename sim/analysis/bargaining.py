"""Bargaining summaries of a run (docs/model.md, "Bargaining"): how often a deal was struck, the
distribution of the agreed terms per issue, how often deals broke down and offers were vetoed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.stats import wilson_interval
from sim.core import columns as col
from sim.engine.results import RunResults


@dataclass(frozen=True)
class DealSummary:
    """Shares of runs (0..1) with an offer, a deal (with its 95% Wilson interval), a breakdown
    among runs with a deal, and a veto; ``terms`` one row per issue (see :func:`deal_terms`)."""

    offer: float
    deal: float
    deal_ci: tuple[float, float]
    broken_given_deal: float
    vetoed: float
    terms: pd.DataFrame


def deal_terms(results: RunResults) -> pd.DataFrame:
    """Per issue: name, the two ends' words, and the median, 25th and 75th percentiles of the first
    deal's term (0..1) over the runs with a deal (NaN when none)."""
    section = results.scenario.bargaining
    rows = []
    for issue in section.issues if section is not None else []:
        values = results.runs[col.deal_term(issue.id)].dropna().to_numpy(dtype=float)
        q = np.quantile(values, [0.25, 0.5, 0.75]) if values.size else np.full(3, np.nan)
        rows.append(
            {"issue": issue.id, "name": issue.name, "low": issue.low, "high": issue.high,
             "median": q[1], "q25": q[0], "q75": q[2], "deals": int(values.size)}
        )  # fmt: skip
    return pd.DataFrame(rows)


def deal_summary(results: RunResults) -> DealSummary | None:
    """The bargaining summary, or None when the scenario does not bargain."""
    if results.scenario.bargaining is None or col.DEAL_STEP not in results.runs:
        return None
    runs = results.runs
    n = len(runs)
    dealt = runs[col.DEAL_STEP].notna()
    k = int(dealt.sum())
    lo, hi = wilson_interval(k, n)
    broken = runs[col.BREAKDOWN_STEP].notna() & dealt
    return DealSummary(
        offer=float(runs[col.FIRST_OFFER].notna().mean()),
        deal=k / n if n else float("nan"),
        deal_ci=(float(lo), float(hi)),
        broken_given_deal=float(broken.sum() / k) if k else float("nan"),
        vetoed=float((runs[col.DEAL_VETOED] > 0).mean()),
        terms=deal_terms(results),
    )
