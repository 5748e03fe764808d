"""Axis helpers shared by every report: percent ticks with just the precision they need, and
rows for chart labels (scheduled events) so that no two labels overlap.

Both are pure functions of numbers, tested without a browser (tests/report/test_axes.py) and in
chromium (tick texts distinct, label boxes disjoint).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
"""Tick steps are one of these times a power of ten."""


def nice_step(span: float, target: int = 5) -> float:
    """The smallest 'nice' step (1, 2, 2.5 or 5 x 10^k) giving at most about ``target`` steps over
    ``span`` (> 0)."""
    raw = span / max(target, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    return next(m * mag for m in NICE_STEPS if m * mag >= raw * (1 - 1e-9))


def decimals_for(step: float) -> int:
    """Fewest decimals that write every multiple of ``step`` (> 0) exactly (0.25 -> 2, 5 -> 0)."""
    for d in range(0, 10):
        if abs(round(step, d) - step) <= 1e-9 * max(1.0, abs(step)):
            return d
    return 10


def percent_ticks(lo: float, hi: float, *, target: int = 5, signed: bool = False) -> dict[str, Any]:
    """Plotly axis settings for probabilities (0..1) shown as percent over ``lo``..``hi``.

    A fixed tick step (``dtick``, from 0) and a ``tickformat`` with exactly the decimals that the
    step needs, so that no two tick labels read the same ("0%, 0.5%, 1%, 1.5%", never
    "0%, 1%, 1%, 2%"). ``signed``: a "+" on positive ticks (differences).
    """
    span = hi - lo if math.isfinite(hi - lo) else 0.0
    if span <= 0:
        span = max(abs(hi) if math.isfinite(hi) else 0.0, 0.01)
    step = nice_step(span, target)
    digits = decimals_for(step * 100)
    return {"tickformat": f"{'+' if signed else ''}.{digits}%", "dtick": step, "tick0": 0.0}


def label_rows(
    starts: Sequence[float], widths: Sequence[float], right: Sequence[bool], gap: float = 0.0
) -> list[int]:
    """Row (0 = top) for each label so that labels in one row never overlap.

    Label ``i`` covers ``[starts[i] - widths[i], starts[i]]`` when ``right[i]`` (anchored on its
    right end) else ``[starts[i], starts[i] + widths[i]]``; ``gap`` is the least free space between
    two labels of one row. Greedy in order of left edge: each label takes the first row whose
    last label ends before it begins.
    """
    spans = [(s - w, s) if r else (s, s + w) for s, w, r in zip(starts, widths, right, strict=True)]
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    ends: list[float] = []
    rows = [0] * len(spans)
    for i in order:
        lo, hi = spans[i]
        row = next((k for k, end in enumerate(ends) if end + gap <= lo), len(ends))
        if row == len(ends):
            ends.append(hi)
        else:
            ends[row] = hi
        rows[i] = row
    return rows
