"""Summaries of the bargaining (docs/model.md, "Bargaining"): how often offers, deals and
breakdowns happen, when, and on what terms (from the per-run ``deal.*`` columns)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.stats import wilson_interval
from sim.core import columns as col
from sim.engine.results import RunResults


def bargains(results: RunResults) -> bool:
    """True when the scenario bargains (its runs carry ``deal.*`` columns)."""
    return col.DEAL_STEP in results.runs.columns


def deal_table(results: RunResults, conf: float = 0.95) -> pd.DataFrame:
    """One row per bargaining event (first offer, deal, breakdown of a deal): share of runs with
    a Wilson interval, and the median step among the runs where it happened. Exact over all runs
    (from the streamed tallies)."""
    tally = results.tally
    n = tally.n
    rows = []
    for column, what in (
        (col.FIRST_OFFER, "an offer is tabled"),
        (col.DEAL_STEP, "a deal is struck"),
        (col.BREAKDOWN_STEP, "the deal breaks down"),
    ):
        k = tally.count(column)
        lo, hi = wilson_interval(k, n, conf)
        rows.append(
            {
                "event": what,
                "probability": k / n if n else float("nan"),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "median_step": tally.median_step(column),
            }
        )
    vetoed = tally.count(col.DEAL_VETOED)
    lo, hi = wilson_interval(vetoed, n, conf)
    rows.append(
        {
            "event": "a veto blocks an accepted deal",
            "probability": vetoed / n if n else float("nan"),
            "ci_low": float(lo),
            "ci_high": float(hi),
            "median_step": float("nan"),
        }
    )
    return pd.DataFrame(rows)


def terms_table(results: RunResults) -> pd.DataFrame:
    """Per issue, the first deal's terms over the runs that struck one: quartiles and mean (0..1).

    From the kept rows (``results.runs``: the first MAX_KEPT_RUNS runs, all of them below), so
    ``deals`` counts the deals among those runs."""
    sc = results.scenario
    if sc.bargaining is None:
        return pd.DataFrame(columns=["issue", "name", "low", "high", "deals", "q25", "median", "q75", "mean"])
    rows = []
    for issue in sc.bargaining.issues:
        values = results.runs[col.deal_term(issue.id)].dropna().to_numpy(dtype=float)
        q = np.quantile(values, [0.25, 0.5, 0.75]) if values.size else [np.nan] * 3
        rows.append(
            {
                "issue": issue.id,
                "name": issue.name,
                "low": issue.low,
                "high": issue.high,
                "deals": int(values.size),
                "q25": float(q[0]),
                "median": float(q[1]),
                "q75": float(q[2]),
                "mean": float(values.mean()) if values.size else float("nan"),
            }
        )
    return pd.DataFrame(rows)
