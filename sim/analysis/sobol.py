"""Sobol first- and total-order indices of a Saltelli design (SALib), and the Ishigami function
whose analytic indices test the estimator."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.sweep_design import DesignInfo

SOBOL_COLUMNS = ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]


def sobol_indices(
    points: pd.DataFrame,
    design: DesignInfo,
    outputs: Sequence[str],
    *,
    conf_level: float = 0.95,
    seed: int | None = 0,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Sobol first- and total-order indices per output, from a Saltelli design.

    ``points`` must hold the design points in the sampler's row order (``N * (D + 2)`` rows
    when ``calc_second_order`` is false). Returns a tidy frame with columns
    ``output, parameter, S1, S1_conf, ST, ST_conf`` (``*_conf`` = half-width of the
    ``conf_level`` bootstrap interval). An output that does not vary gets NaN indices.
    """
    from SALib.analyze import sobol as sobol_analyze

    d = len(design.parameters)
    expected = (2 * d + 2) if design.calc_second_order else (d + 2)
    if len(points) == 0 or len(points) % expected:
        raise ValueError(
            f"a Sobol design over {d} parameters has a multiple of {expected} points; got {len(points)}"
        )
    rows: list[dict[str, Any]] = []
    for out in outputs:
        y = points[out].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0.0:
            rows += [_nan_sobol_row(out, p) for p in design.parameters]
            continue
        res = sobol_analyze.analyze(
            design.problem(),
            y,
            calc_second_order=design.calc_second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
        for i, p in enumerate(design.parameters):
            rows.append(
                {
                    "output": out,
                    "parameter": p,
                    "S1": float(res["S1"][i]),
                    "S1_conf": float(res["S1_conf"][i]),
                    "ST": float(res["ST"][i]),
                    "ST_conf": float(res["ST_conf"][i]),
                }
            )
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS)


def _nan_sobol_row(out: str, param: str) -> dict[str, Any]:
    nan = float("nan")
    return {"output": out, "parameter": param, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami test function on ``x`` of shape ``(n, 3)`` with inputs in ``[-pi, pi]``.

    ``f = sin x1 + a sin^2 x2 + b x3^4 sin x1``; used as the known-answer test of the Sobol
    estimator (analytic indices in :func:`ishigami_indices`).
    """
    x = np.asarray(x, dtype=float)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic first- and total-order Sobol indices ``(S1, ST)`` of :func:`ishigami`."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    s1 = np.array([v1, v2, 0.0]) / var
    st = np.array([v1 + v13, v2, v13]) / var
    return s1, st


MAX_HALF_WIDTH = 0.1
"""Sobol indices can be ranked when every 95% interval is at most +/- this wide (indices are
shares of variance, 0..1: +/- 0.1 separates a major from a minor parameter)."""


def suggested_base_samples(n: int, half_width: float, target: float = MAX_HALF_WIDTH) -> int:
    """Base sample size ``N`` expected to bring a half-width of ``half_width`` (seen with ``n``
    base samples) down to ``target``: widths shrink as ``1/sqrt(N)``; rounded up to a power of
    two (Saltelli/Sobol sequences are balanced at powers of two)."""
    need = n * (half_width / target) ** 2
    return int(2 ** math.ceil(math.log2(max(need, n + 1))))


def sobol_width_warning(
    table: pd.DataFrame, n: int | None, n_parameters: int, target: float = MAX_HALF_WIDTH
) -> str | None:
    """A plain-words warning when the intervals of one output's indices (rows of
    :data:`SOBOL_COLUMNS`) are too wide to rank the parameters, with the ``N`` to use; None when
    every half-width is at most ``target``."""
    widths = table[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
    widths = widths[np.isfinite(widths)]
    if widths.size == 0 or float(widths.max()) <= target:
        return None
    worst = float(widths.max())
    text = (
        f"The intervals are too wide to rank the parameters (up to \u00b1{worst:.2f}; ranking "
        f"needs about \u00b1{target:.2f} or less)."
    )
    if n:
        better = suggested_base_samples(n, worst, target)
        text += (
            f" They come from {n} base samples; rerun the sweep with about {better} "
            f"({better * (n_parameters + 2):,} points) to narrow them enough."
        )
    return text
