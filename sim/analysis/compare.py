"""Counterfactual comparison of a base scenario with variants run on common random numbers.

The engine gives every actor its own random stream keyed by its id and the world its own stream,
all derived from the scenario seed (docs/architecture.md). Run ``n`` of a variant therefore sees
the same draws as run ``n`` of the base wherever the two scenarios agree, and the outcome of run
``n`` differs only where the change itself matters. Differences are computed run by run on the
aligned ``run`` index (variant − base), which removes most of the Monte Carlo noise the two
scenarios share: the paired interval is much narrower than the interval for two independent
samples of the same size.

Intervals (all two-sided, ``level`` default 0.95):

* paired difference of proportions: Newcombe (1998, Stat. Med. 17:2635, method 10), the hybrid
  score interval for paired data. It combines the Wilson intervals of the two marginal
  proportions with the phi correlation of the 2×2 table of pairs; it stays inside [−1, 1], is
  never degenerate when there are no discordant pairs, and agrees with the normal interval on the
  per-run differences ``d_n ∈ {−1, 0, 1}`` when counts are large. Tango's (1998) score interval is
  slightly better for tiny counts, but needs a root search per bound; with thousands of runs the
  two coincide to the third decimal.
* p-value: exact McNemar test, a two-sided binomial test of the discordant pairs (variant only vs
  base only) against 1/2 (``scipy.stats.binomtest``).
* unpaired difference (for contrast: what the same runs would give without CRN): Newcombe (1998,
  Stat. Med. 17:873, method 10), the hybrid score interval for independent proportions.
* mean peak/final escalation: paired t interval on the per-run differences; Welch interval for
  contrast.

A difference is *distinguishable from zero* when its paired interval excludes 0.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.stats import wilson_interval
from sim.core import columns
from sim.core.errors import Problem, SimUserError
from sim.engine.results import RunResults

# ---- statistics on paired binary data ---------------------------------------------------------


@dataclass(frozen=True)
class PairedCounts:
    """The 2×2 table of ``n`` paired runs.

    ``both``: outcome in base and variant; ``base_only``; ``variant_only``; ``neither``.
    """

    both: int
    base_only: int
    variant_only: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.base_only + self.variant_only + self.neither

    @classmethod
    def from_arrays(cls, base: np.ndarray, variant: np.ndarray) -> PairedCounts:
        """Count the pairs of two aligned boolean arrays of equal length."""
        b = np.asarray(base, dtype=bool)
        v = np.asarray(variant, dtype=bool)
        if b.shape != v.shape or b.ndim != 1:
            raise ValueError(f"paired arrays must be 1-D and of equal length, got {b.shape} and {v.shape}")
        return cls(
            both=int(np.sum(b & v)),
            base_only=int(np.sum(b & ~v)),
            variant_only=int(np.sum(~b & v)),
            neither=int(np.sum(~b & ~v)),
        )


def _wilson(k: int, n: int, level: float) -> tuple[float, float]:
    lo, hi = wilson_interval(k, n, level)
    return float(lo), float(hi)


def newcombe_paired_interval(c: PairedCounts, level: float = 0.95) -> tuple[float, float]:
    """Interval for ``p_variant − p_base`` from paired runs (Newcombe 1998, method 10).

    Returns (low, high) within [−1, 1]. ``phi`` is the correlation of the 2×2 table, with
    Newcombe's correction (a positive cross product ``ad − bc`` is reduced by ``n/2``; 0 when a
    margin is empty); with ``phi = 0`` this is the unpaired hybrid score interval. Matches
    ``contingencytables::Newcombe_square_and_add_CI_paired_2x2`` (Fagerland et al. 2017, ch. 8).
    """
    n = c.n
    if n == 0:
        return (-1.0, 1.0)
    k_var, k_base = c.both + c.variant_only, c.both + c.base_only
    p1, p2 = k_var / n, k_base / n
    l1, u1 = _wilson(k_var, n, level)
    l2, u2 = _wilson(k_base, n, level)
    margins = float(k_var) * (n - k_var) * k_base * (n - k_base)
    cross = float(c.both) * c.neither - float(c.base_only) * c.variant_only
    # Newcombe's phi: a positive cross product is shrunk by n/2 (his continuity correction).
    if cross > n / 2:
        cross -= n / 2
    elif cross >= 0:
        cross = 0.0
    phi = cross / math.sqrt(margins) if margins > 0 else 0.0
    diff = p1 - p2
    lo_sq = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    hi_sq = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    return (max(-1.0, diff - math.sqrt(max(lo_sq, 0.0))), min(1.0, diff + math.sqrt(max(hi_sq, 0.0))))


def newcombe_unpaired_interval(
    k_base: int, n_base: int, k_var: int, n_var: int, level: float = 0.95
) -> tuple[float, float]:
    """Interval for ``p_variant − p_base`` from two independent samples (Newcombe 1998, method 10)."""
    if n_base == 0 or n_var == 0:
        return (-1.0, 1.0)
    p1, p2 = k_var / n_var, k_base / n_base
    l1, u1 = _wilson(k_var, n_var, level)
    l2, u2 = _wilson(k_base, n_base, level)
    diff = p1 - p2
    return (
        max(-1.0, diff - math.hypot(p1 - l1, u2 - p2)),
        min(1.0, diff + math.hypot(u1 - p1, p2 - l2)),
    )


def paired_normal_interval(base: np.ndarray, variant: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Normal-approximation interval on per-run differences ``d_n = variant_n − base_n``.

    A cross-check of :func:`newcombe_paired_interval` for large ``n``; degenerate (zero width)
    when there are no discordant pairs.
    """
    d = np.asarray(variant, dtype=float) - np.asarray(base, dtype=float)
    if d.size < 2:
        return (-1.0, 1.0)
    half = float(stats.norm.ppf(0.5 + level / 2)) * float(d.std(ddof=1)) / math.sqrt(d.size)
    return (float(d.mean()) - half, float(d.mean()) + half)


def mcnemar_exact_p(c: PairedCounts) -> float:
    """Two-sided exact McNemar p-value: binomial test of the discordant pairs against 1/2."""
    m = c.base_only + c.variant_only
    if m == 0:
        return 1.0
    return float(stats.binomtest(c.variant_only, m, 0.5, alternative="two-sided").pvalue)


# ---- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeDiff:
    """One outcome compared. Probabilities in [0, 1]; ``diff`` = variant − base."""

    outcome: str
    name: str
    n: int
    p_base: float
    p_variant: float
    diff: float
    paired: tuple[float, float]
    unpaired: tuple[float, float]
    p_value: float
    distinguishable: bool
    counts: PairedCounts

    @property
    def paired_width(self) -> float:
        return self.paired[1] - self.paired[0]

    @property
    def unpaired_width(self) -> float:
        return self.unpaired[1] - self.unpaired[0]


@dataclass(frozen=True)
class MeanDiff:
    """Difference of the mean of a per-run metric (ladder points), variant − base."""

    metric: str
    mean_base: float
    mean_variant: float
    diff: float
    paired: tuple[float, float]
    unpaired: tuple[float, float]
    distinguishable: bool


@dataclass(frozen=True)
class VariantComparison:
    """A variant compared with the base on the runs both share (aligned by ``run``).

    ``crn`` is True when both were run with the same seed and batch size, so that run ``n`` used
    the same random streams in both; ``notes`` says why not otherwise. ``params_*`` check it on
    the draws themselves (``param.*`` and ``event.*`` column names): drawn identically
    in every run, differing (the variant changed that parameter, or streams are not shared), only
    in the variant, only in the base (an actor, relation or event added or removed).
    """

    base_id: str
    variant_id: str
    variant_title: str
    seed_base: int
    seed_variant: int
    runs: int
    crn: bool
    level: float
    outcomes: list[OutcomeDiff]
    escalation: list[MeanDiff]
    only_in_base: list[str] = field(default_factory=list)
    only_in_variant: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    params_identical: list[str] = field(default_factory=list)
    params_differing: list[str] = field(default_factory=list)
    params_new: list[str] = field(default_factory=list)
    params_gone: list[str] = field(default_factory=list)

    def outcome(self, outcome_id: str) -> OutcomeDiff:
        return next(o for o in self.outcomes if o.outcome == outcome_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (intervals as [low, high] lists)."""
        d = asdict(self)
        for o, src in zip(d["outcomes"], self.outcomes, strict=True):
            o["paired"], o["unpaired"] = list(src.paired), list(src.unpaired)
            o["paired_width"], o["unpaired_width"] = src.paired_width, src.unpaired_width
        for e in d["escalation"]:
            e["paired"], e["unpaired"] = list(e["paired"]), list(e["unpaired"])
        return d


def compare_binary(
    outcome: str, name: str, base: np.ndarray, variant: np.ndarray, level: float = 0.95
) -> OutcomeDiff:
    """Compare an outcome given as two aligned boolean arrays (run ``n`` of each at index ``n``)."""
    c = PairedCounts.from_arrays(base, variant)
    n = c.n
    k_base, k_var = c.both + c.base_only, c.both + c.variant_only
    paired = newcombe_paired_interval(c, level)
    return OutcomeDiff(
        outcome=outcome,
        name=name,
        n=n,
        p_base=k_base / n if n else math.nan,
        p_variant=k_var / n if n else math.nan,
        diff=(k_var - k_base) / n if n else math.nan,
        paired=paired,
        unpaired=newcombe_unpaired_interval(k_base, n, k_var, n, level),
        p_value=mcnemar_exact_p(c),
        distinguishable=paired[0] > 0.0 or paired[1] < 0.0,
        counts=c,
    )


def compare_means(metric: str, base: np.ndarray, variant: np.ndarray, level: float = 0.95) -> MeanDiff:
    """Paired t and Welch intervals for ``mean(variant) − mean(base)`` of aligned float arrays."""
    x = np.asarray(base, dtype=float)
    y = np.asarray(variant, dtype=float)
    n = x.size
    diff = float(y.mean() - x.mean()) if n else math.nan
    paired = unpaired = (-math.inf, math.inf)
    if n >= 2:
        q = float(stats.t.ppf(0.5 + level / 2, n - 1))
        half = q * float((y - x).std(ddof=1)) / math.sqrt(n)
        paired = (diff - half, diff + half)
        vx, vy = float(x.var(ddof=1)) / n, float(y.var(ddof=1)) / n
        se = math.sqrt(vx + vy)
        if se > 0:
            dof = (vx + vy) ** 2 / (vx**2 / (n - 1) + vy**2 / (n - 1))
            half_u = float(stats.t.ppf(0.5 + level / 2, dof)) * se
        else:
            half_u = 0.0
        unpaired = (diff - half_u, diff + half_u)
    return MeanDiff(
        metric=metric,
        mean_base=float(x.mean()) if n else math.nan,
        mean_variant=float(y.mean()) if n else math.nan,
        diff=diff,
        paired=paired,
        unpaired=unpaired,
        distinguishable=paired[0] > 0.0 or paired[1] < 0.0,
    )


# ---- RunResults -------------------------------------------------------------------------------


def align_runs(base: RunResults, variant: RunResults) -> pd.DataFrame:
    """Join the kept per-run tables (``RunResults.runs``) on ``run``; base columns end in ``_b``,
    variant ones in ``_v``. :func:`compare_results` pairs every run column by column instead.

    Raises SimUserError when the two do not hold the same runs (they must be run with the same
    ``--runs``).
    """
    b, v = base.runs, variant.runs
    _check_same_runs(base, variant, b[columns.RUN].to_numpy(), v[columns.RUN].to_numpy())
    return b.merge(v, on=columns.RUN, suffixes=("_b", "_v"), validate="one_to_one").sort_values(columns.RUN)


def _check_same_runs(base: RunResults, variant: RunResults, run_b: np.ndarray, run_v: np.ndarray) -> None:
    """SimUserError unless the two hold the same run indexes."""
    rb, rv = set(run_b.tolist()), set(run_v.tolist())
    if rb != rv:
        raise SimUserError(
            [
                Problem(
                    file=variant.scenario.scenario.id,
                    line=None,
                    field="runs",
                    message=(
                        f"holds {len(rv)} runs but the base {base.scenario.scenario.id} holds {len(rb)} "
                        f"({len(rb ^ rv)} run indexes differ): run both with the same --runs"
                    ),
                )
            ]
        )


class _Pairing:
    """Every run of two results paired by run index, read one column at a time (all runs, from
    ``runs`` or the rows file: a pair of columns in memory at once, not two tables)."""

    def __init__(self, base: RunResults, variant: RunResults) -> None:
        self.base, self.variant = base, variant
        run_b, run_v = base.column(columns.RUN), variant.column(columns.RUN)
        _check_same_runs(base, variant, run_b, run_v)
        self.order_b = np.argsort(run_b, kind="stable")
        self.order_v = np.argsort(run_v, kind="stable")
        self.n = int(run_b.size)

    def pair(self, column: str, dtype: type | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Base and variant values of ``column``, run ``i`` of each at position ``i``."""
        x = self.base.column(column)[self.order_b]
        y = self.variant.column(column)[self.order_v]
        return (x, y) if dtype is None else (x.astype(dtype), y.astype(dtype))


def compare_results(base: RunResults, variant: RunResults, level: float = 0.95) -> VariantComparison:
    """Compare ``variant`` with ``base`` run by run over all runs, for every outcome both
    scenarios declare."""
    pairs = _Pairing(base, variant)
    names = {o.id: o.name for o in base.scenario.outcomes}
    var_ids = set(variant.outcome_ids)
    shared = [o for o in base.outcome_ids if o in var_ids]
    outcomes = [compare_binary(o, names[o], *pairs.pair(columns.happened(o), bool), level) for o in shared]
    escalation = [
        compare_means(m, *pairs.pair(m, float), level)
        for m in columns.ESCALATION_METRICS
        if m in base.runs.columns and m in variant.runs.columns
    ]
    notes = _crn_notes(base, variant)
    draws = _draw_alignment(pairs)
    return VariantComparison(
        base_id=base.scenario.scenario.id,
        variant_id=variant.scenario.scenario.id,
        variant_title=variant.scenario.scenario.title,
        seed_base=base.seed,
        seed_variant=variant.seed,
        runs=pairs.n,
        crn=not notes,
        level=level,
        outcomes=outcomes,
        escalation=escalation,
        only_in_base=[o for o in base.outcome_ids if o not in var_ids],
        only_in_variant=[o for o in variant.outcome_ids if o not in set(base.outcome_ids)],
        notes=notes,
        **draws,
    )


def _draw_alignment(pairs: _Pairing) -> dict[str, list[str]]:
    """Which random draws (``param.*``/``event.*``) are identical run by run in both."""
    in_b = columns.drawn_columns(pairs.base.runs.columns)
    in_v = columns.drawn_columns(pairs.variant.runs.columns)
    shared = [c for c in in_b if c in set(in_v)]
    same = [c for c in shared if np.array_equal(*pairs.pair(c))]
    return {
        "params_identical": same,
        "params_differing": [c for c in shared if c not in set(same)],
        "params_new": [c for c in in_v if c not in set(in_b)],
        "params_gone": [c for c in in_b if c not in set(in_v)],
    }


def _crn_notes(base: RunResults, variant: RunResults) -> list[str]:
    """Why run ``n`` of the two may not share its random streams (empty list: it does)."""
    notes = []
    if base.seed != variant.seed:
        notes.append(f"different seeds ({base.seed} vs {variant.seed}): no common random numbers")
    if base.batch_size != variant.batch_size:
        notes.append(f"different batch sizes ({base.batch_size} vs {variant.batch_size}): streams differ")
    return notes


def compare_all(base: RunResults, variants: list[RunResults], level: float = 0.95) -> list[VariantComparison]:
    """Compare each variant with the base."""
    return [compare_results(base, v, level) for v in variants]
