"""What the sweep analysis knows about a sweep's design, and reading it from the sweep store.

:class:`DesignInfo` (kind, parameters, bounds, Sobol base sample size, seed) is built from
``sweep.json`` by :func:`design_from_meta`; :func:`read_store` reads a finished sweep through
:class:`sim.sweep.store.SweepStore`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core import columns
from sim.core.errors import Problem, SimUserError
from sim.sweep.store import SweepStore


@dataclass(frozen=True)
class DesignInfo:
    """What the analysis needs to know about a sweep design.

    ``kind``: ``grid``, ``lhs`` or ``sobol`` (anything else gets only surfaces and PRIM);
    ``parameters``: swept parameter paths, in design column order; ``bounds``: ``(low, high)``
    per parameter, same units as the parameter; ``n``: the base sample size ``N`` given to the
    sampler (Sobol: the design has ``N * (D + 2)`` points); ``calc_second_order``: as given to
    SALib; ``seed``: the design seed, reused for the bootstrap of the confidence intervals.
    """

    kind: str
    parameters: list[str]
    bounds: list[tuple[float, float]]
    n: int | None = None
    calc_second_order: bool = False
    seed: int | None = None

    def problem(self) -> dict[str, Any]:
        """The SALib ``problem`` dict of this design."""
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [[float(lo), float(hi)] for lo, hi in self.bounds],
        }


def read_store(store: Path) -> tuple[pd.DataFrame, DesignInfo, list[str], str]:
    """``(points, design, outcome columns, title)`` of the sweep store at ``store``.

    The store (:class:`sim.sweep.store.SweepStore`) reads ``sweep.json`` (declaration and
    resolved settings: design kind, parameters with low/high or values, seed) and
    ``points.parquet`` (``point``, one column per parameter path, ``runs``, ``p.<outcome>``
    probabilities 0..1); SimUserError naming the file when either is missing or unreadable.
    """
    sweep = SweepStore(store)
    meta, points = sweep.read_finished()
    design = design_from_meta(meta, sweep.sweep_json, points)
    ids = meta.get("outcomes")
    listed = [columns.probability(o) for o in ids] if isinstance(ids, list) else []
    outcomes = [c for c in listed if c in points.columns] or [
        c for c in points.columns if columns.is_probability(c)
    ]
    title = str(_lookup(meta, "title") or _lookup(meta, "id") or "Parameter sweep")
    return points, design, outcomes, title


@dataclass(frozen=True)
class ReportWords:
    """Reader-facing words of a sweep, from ``sweep.json`` (empty for stores written before
    they were recorded: the report then words parameter paths by
    :func:`sim.scenario.site_labels.label_from_path`)."""

    labels: dict[str, str]
    outcome_names: dict[str, str]
    calibrated: list[str]


def read_words(store: Path) -> ReportWords:
    """:class:`ReportWords` of the sweep store at ``store`` (keys ``labels``, ``outcome_names``,
    ``calibrated`` of ``sweep.json``; missing ones are empty)."""
    try:
        meta = json.loads(SweepStore(store).sweep_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    labels, names, calibrated = (meta.get(k) for k in ("labels", "outcome_names", "calibrated"))
    return ReportWords(
        labels={str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
        outcome_names={str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {},
        calibrated=[str(c) for c in calibrated] if isinstance(calibrated, list) else [],
    )


def _lookup(meta: Mapping[str, Any], key: str) -> Any:
    """``meta[key]``, else the same key in the nested ``settings`` or ``spec`` mapping (non-null)."""
    if meta.get(key) is not None:
        return meta[key]
    for sub in ("settings", "spec"):
        inner = meta.get(sub)
        if isinstance(inner, Mapping) and inner.get(key) is not None:
            return inner[key]
    return None


def design_from_meta(meta: Mapping[str, Any], where: Path, points: pd.DataFrame) -> DesignInfo:
    """Build :class:`DesignInfo` from ``sweep.json`` (``spec.design``, ``spec.parameters`` with
    low/high or values, ``settings.seed``, ``sobol_base_samples``, ``calc_second_order``)."""
    kind = _lookup(meta, "design")
    if isinstance(kind, Mapping):
        kind = kind.get("kind")
    params = _lookup(meta, "parameters")
    if not isinstance(params, list) or not params:
        raise SimUserError([Problem(str(where), None, "parameters", "sweep.json lists no swept parameters")])
    names = [str(p["path"]) if isinstance(p, Mapping) else str(p) for p in params]
    missing = [n for n in names if n not in points.columns]
    if missing:
        raise SimUserError(
            [
                Problem(
                    str(where), None, "parameters", f"points.parquet has no column for {', '.join(missing)}"
                )
            ]
        )
    bounds = [_bounds(p, points[n]) for p, n in zip(params, names, strict=True)]
    n = meta.get("sobol_base_samples")
    seed = _lookup(meta, "seed")
    return DesignInfo(
        kind=str(kind or "grid"),
        parameters=names,
        bounds=bounds,
        n=int(n) if isinstance(n, int) else None,
        calc_second_order=bool(_lookup(meta, "calc_second_order") or False),
        seed=int(seed) if isinstance(seed, int) else None,
    )


def _bounds(p: Any, column: pd.Series) -> tuple[float, float]:
    if isinstance(p, Mapping):
        if p.get("low") is not None and p.get("high") is not None:
            return float(p["low"]), float(p["high"])
        if p.get("values"):
            return float(min(p["values"])), float(max(p["values"]))
    return float(column.min()), float(column.max())
