"""Sensitivity analysis: Sobol known answer (Ishigami), rank correlations, response surfaces."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample
from scipy import stats

from sim.analysis.sensitivity import (
    RANK_COLUMNS,
    SOBOL_COLUMNS,
    DesignInfo,
    analyse_points,
    analyse_sweep,
    ishigami,
    ishigami_indices,
    rank_correlations,
    response_surface,
    sobol_indices,
)
from sim.core.errors import SimUserError

NAMES = ["x1", "x2", "x3"]
PI_BOUNDS = [(-math.pi, math.pi)] * 3


def _ishigami_points(n: int, seed: int = 3) -> tuple[pd.DataFrame, DesignInfo]:
    design = DesignInfo("sobol", NAMES, PI_BOUNDS, n=n, calc_second_order=False, seed=seed)
    x = sobol_sample.sample(design.problem(), n, calc_second_order=False, seed=seed)
    pts = pd.DataFrame(x, columns=NAMES)
    pts["f"] = ishigami(x)
    return pts, design


def test_analytic_ishigami_indices_match_literature() -> None:
    s1, st = ishigami_indices(7.0, 0.1)
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_sobol_recovers_ishigami_indices() -> None:
    pts, design = _ishigami_points(4096)
    res = sobol_indices(pts, design, ["f"], seed=1)
    assert list(res.columns) == SOBOL_COLUMNS
    assert list(res["parameter"]) == NAMES
    s1, st = ishigami_indices()
    np.testing.assert_allclose(res["S1"], s1, atol=0.04)
    np.testing.assert_allclose(res["ST"], st, atol=0.04)
    # confidence intervals are positive, not absurdly wide, and cover the truth
    assert (res["S1_conf"] > 0).all() and (res["S1_conf"] < 0.08).all()
    assert (np.abs(res["ST"] - st) <= 2 * res["ST_conf"] + 0.01).all()


def test_sobol_small_sample_is_worse_than_large() -> None:
    """The estimator converges: error with N=64 exceeds error with N=4096 (guards a no-op)."""
    s1, _ = ishigami_indices()
    small = sobol_indices(*_ishigami_points(64), ["f"], seed=1)
    large = sobol_indices(*_ishigami_points(4096), ["f"], seed=1)
    assert small["S1_conf"].mean() > 2 * large["S1_conf"].mean()
    assert np.abs(large["S1"] - s1).max() < np.abs(small["S1"] - s1).max()


def test_sobol_constant_output_gives_nan_and_wrong_size_raises() -> None:
    pts, design = _ishigami_points(64)
    pts["flat"] = 0.25
    res = sobol_indices(pts, design, ["flat"])
    assert res[["S1", "ST"]].isna().all().all()
    with pytest.raises(ValueError, match="multiple of 5"):
        sobol_indices(pts.iloc[:-1], design, ["f"])


def test_rank_correlations_spearman_matches_scipy_and_prcc_sees_through_confounding() -> None:
    rng = np.random.default_rng(0)
    n = 400
    x = rng.uniform(size=(n, 3))
    y = 4 * x[:, 0] + np.exp(2 * x[:, 1]) + rng.normal(0, 0.05, n)  # x3 is irrelevant
    pts = pd.DataFrame(x, columns=NAMES).assign(y=y)
    table = rank_correlations(pts, NAMES, ["y"])
    assert list(table.columns) == RANK_COLUMNS
    res = table.set_index("parameter").to_dict("index")
    for p in NAMES:
        rho, pval = stats.spearmanr(pts[p], pts["y"])
        assert res[p]["spearman"] == pytest.approx(rho, abs=1e-9)
        assert res[p]["spearman_p"] == pytest.approx(pval, rel=1e-6, abs=1e-12)
    # monotone effects: PRCC removes the other parameter's variance, so it is stronger than Spearman
    assert res["x1"]["prcc"] > res["x1"]["spearman"] > 0.2
    assert res["x2"]["prcc"] > 0.9 and res["x2"]["prcc_p"] < 1e-10
    assert abs(res["x3"]["prcc"]) < 0.15 and res["x3"]["prcc_p"] > 0.01


def test_rank_correlations_negative_and_constant() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(100, 2))
    pts = pd.DataFrame(x, columns=["a", "b"]).assign(y=-x[:, 0], flat=1.0)
    res = rank_correlations(pts, ["a", "b"], ["y", "flat"]).set_index(["output", "parameter"])
    cells = res.to_dict("index")
    assert cells[("y", "a")]["prcc"] == pytest.approx(-1.0)
    assert math.isnan(cells[("flat", "a")]["spearman"]) and math.isnan(cells[("flat", "a")]["prcc"])


def _grid() -> pd.DataFrame:
    a, b, c = np.meshgrid([0.0, 0.5, 1.0], [10.0, 20.0], [0.0, 1.0], indexing="ij")
    pts = pd.DataFrame({"a": a.ravel(), "b": b.ravel(), "c": c.ravel()})
    pts["p.war"] = 0.1 * pts["a"] + 0.01 * pts["b"] + 0.3 * pts["c"]
    return pts


def test_response_surface_averages_or_slices() -> None:
    pts = _grid()
    s = response_surface(pts, "a", "b", "p.war")
    assert list(s.values.columns) == [0.0, 0.5, 1.0] and list(s.values.index) == [10.0, 20.0]
    assert s.values.to_dict()[1.0][20.0] == pytest.approx(0.1 + 0.2 + 0.15)  # c averaged: 0.3 * 0.5
    cut = response_surface(pts, "a", "b", "p.war", at={"c": 0.9})
    assert cut.values.to_dict()[1.0][20.0] == pytest.approx(0.1 + 0.2 + 0.3)
    assert "c=1" in cut.how


def test_response_surface_bins_scattered_points() -> None:
    rng = np.random.default_rng(2)
    pts = pd.DataFrame(rng.uniform(size=(2000, 2)), columns=["a", "b"])
    pts["p"] = pts["a"]
    s = response_surface(pts, "a", "b", "p", bins=4, bounds={"a": (0, 1), "b": (0, 1)})
    assert s.values.shape == (4, 4)
    np.testing.assert_allclose(s.values.columns, [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(s.values.mean(axis=0), [0.125, 0.375, 0.625, 0.875], atol=0.02)


def test_analyse_points_chooses_by_design() -> None:
    pts, design = _ishigami_points(128)
    pts["p.war"] = (pts["f"] - pts["f"].min()) / np.ptp(pts["f"])
    res = analyse_points(pts, design, ["p.war"])
    assert res.sobol is not None and res.ranks is None
    assert len(res.surfaces) == 3 and len(res.prim) == 1
    lhs = DesignInfo("lhs", NAMES, PI_BOUNDS, n=len(pts))
    res2 = analyse_points(pts, lhs, ["p.war"], thresholds={"war": 1.0})
    assert res2.sobol is None and res2.ranks is not None
    assert res2.prim == [] and "PRIM skipped" in res2.notes[0]


def test_analyse_sweep_missing_store_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(SimUserError, match=r"sweep\.json"):
        analyse_sweep(tmp_path)


def _write_store(root: Path, design_kind: str, points: int, seed: int = 11) -> Path:
    """A real sweep store (sim.sweep.store layout) with per-run rows drawn from a known
    P(war) = 0.8 * [a > 0.6] * (1 - b) + 0.05, so analyses have something to find."""
    from sim.sweep.designs import make_design
    from sim.sweep.spec import ParamSpec, SweepSpec
    from sim.sweep.store import SweepStore
    from sim.sweep.summary import summarize_points

    params = (
        ParamSpec("actors.x.traits.resolve", low=0.0, high=1.0),
        ParamSpec("dynamics.relaxation", low=0.0, high=1.0),
        ParamSpec("dynamics.prospect_decay", low=0.0, high=1.0),
    )
    spec = SweepSpec(
        id="unit-sweep",
        scenario_path=Path("s.yaml"),
        params=params,
        design=design_kind,
        points=points,
        runs_per_point=100,
        seed=seed,
    )
    design = make_design(design_kind, params, points, seed)
    a, b = design[params[0].path].to_numpy(), design[params[1].path].to_numpy()
    prob = 0.8 * (a > 0.6) * (1 - b) + 0.05
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame(
        {
            "point": np.repeat(design["point"].to_numpy(), 100),
            "run": np.tile(np.arange(100), len(design)),
            "war": rng.uniform(size=100 * len(design)) < np.repeat(prob, 100),
        }
    )
    n_base = len(design) // (len(params) + 2) if design_kind == "sobol" else None
    meta = {
        "id": spec.id,
        "spec": spec.to_json(),
        "outcomes": ["war"],
        "hash": "h",
        "settings": {"design": design_kind, "points": len(design), "seed": seed},
        "calc_second_order": False if design_kind == "sobol" else None,
        "sobol_base_samples": n_base,
    }
    store = SweepStore(root)
    store.open(meta, design)
    store.write_points(summarize_points(runs, design, ["war"]))
    return root


@pytest.mark.parametrize("kind", ["grid", "lhs", "sobol"])
def test_analyse_sweep_reads_a_real_store(tmp_path: Path, kind: str) -> None:
    store = _write_store(tmp_path / "s", kind, {"grid": 5, "lhs": 200, "sobol": 64}[kind])
    res = analyse_sweep(store)
    a, b, c = res.design.parameters
    assert res.design.kind == kind and res.outcomes == ["p.war"] and res.title == "unit-sweep"
    assert len(res.surfaces) == 3
    if kind == "sobol":
        assert res.sobol is not None and res.design.n == 64
        st = res.sobol.set_index("parameter")["ST"]
        assert st[a] > 0.4 and st[b] > 0.1 and st[c] < 0.05
    if kind == "lhs":
        assert res.ranks is not None
        ranks = res.ranks.set_index("parameter")
        prcc, pval = ranks["prcc"], ranks["prcc_p"]
        assert prcc[a] > 0.5 and prcc[b] < -0.1 and abs(prcc[c]) < 0.2
        assert pval[a] < 1e-6 and pval[b] < 0.05 and pval[c] > 0.01
    if kind == "grid":
        assert res.sobol is None and res.ranks is None
        assert res.surfaces[0].values.shape == (5, 5)
    box = res.prim[0].restricted().set_index("parameter")
    assert a in box.index and box.loc[a, "low"] == pytest.approx(0.6, abs=0.15)
    assert c not in box.index
