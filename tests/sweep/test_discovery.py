"""PRIM scenario discovery: recovers a known box, finds nothing in noise, handles grids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discovery import MIN_CUT, TRAJECTORY_COLUMNS, cut_share, prim


def _uniform(n: int, d: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(size=(n, d)), columns=[f"x{i + 1}" for i in range(d)])


def test_prim_recovers_a_known_box() -> None:
    x = _uniform(2000, 4, seed=1)
    y = ((x["x1"] > 0.7) & (x["x2"] < 0.3)).to_numpy()
    res = prim(x, y, label="P(war) > 20%")
    box = res.box.set_index("parameter")
    assert list(box.index[box["restricted"]]) == ["x1", "x2"]
    assert box.loc["x1", "low"] == pytest.approx(0.7, abs=0.03)
    assert box.loc["x2", "high"] == pytest.approx(0.3, abs=0.03)
    assert box.loc["x1", "high"] == x["x1"].max() and box.loc["x2", "low"] == x["x2"].min()
    assert res.density >= 0.95 and res.coverage >= 0.9
    assert res.support == pytest.approx(0.09, abs=0.02)
    assert res.density_gain > 8  # base rate is ~0.09
    assert (box.loc[["x1", "x2"], "qp_value"] < 1e-10).all()
    assert box.loc[["x3", "x4"], "qp_value"].isna().all()
    assert list(res.restricted()["parameter"]) == ["x1", "x2"]


def test_trajectory_is_monotone_and_respects_min_support() -> None:
    x = _uniform(1000, 3, seed=2)
    y = ((x["x1"] > 0.6) | (x["x3"] < 0.1)).to_numpy()
    res = prim(x, y, min_support=0.2)
    t = res.trajectory
    assert list(t.columns) == TRAJECTORY_COLUMNS
    peel = t[t["phase"].isin(["start", "peel"])]
    assert (np.diff(peel["support"]) < 0).all()
    assert (np.diff(peel["density"]) >= 0).all()
    assert (t["support"] >= 0.2 - 1e-12).all()
    assert t.loc[0, "coverage"] == 1.0 and t.loc[0, "support"] == 1.0
    assert t.loc[0, "density"] == pytest.approx(y.mean())
    assert res.chosen == len(t) - 1 and len(res.limits) == len(t)


def test_no_structure_gives_low_density_gain() -> None:
    x = _uniform(1500, 4, seed=3)
    y = np.random.default_rng(4).uniform(size=1500) < 0.3
    res = prim(x, y)
    assert res.coverage >= 0.5
    assert res.density_gain < 1.25
    assert (res.box["qp_value"].dropna() > 0.01).all()


def test_pasting_undoes_an_overeager_peel() -> None:
    """With coarse peels the box overshoots; pasting restores coverage without losing density."""
    x = _uniform(1000, 2, seed=5)
    y = (x["x1"] > 0.5).to_numpy()
    res = prim(x, y, peel_alpha=0.4, paste_alpha=0.02)
    t = res.trajectory
    assert (t["phase"] == "paste").any()
    peeled = t[t["phase"] != "paste"].iloc[-1]
    assert res.coverage > peeled["coverage"] and res.density == 1.0
    assert res.box.set_index("parameter").loc["x1", "low"] == pytest.approx(0.5, abs=0.02)


def test_prim_on_a_grid_peels_whole_levels() -> None:
    a, b = np.meshgrid(np.linspace(0, 1, 6), np.linspace(0, 1, 6), indexing="ij")
    x = pd.DataFrame({"a": np.repeat(a.ravel(), 3), "b": np.repeat(b.ravel(), 3)})
    y = (x["a"] >= 0.6).to_numpy()
    res = prim(x, y)
    box = res.box.set_index("parameter").to_dict("index")
    assert res.density == 1.0 and res.coverage == 1.0
    assert 0.4 < box["a"]["low"] < 0.6 and not box["b"]["restricted"]


def test_bad_input_raises() -> None:
    x = _uniform(10, 2, seed=0)
    with pytest.raises(ValueError):
        prim(x, np.ones(9, dtype=bool))
    with pytest.raises(ValueError):
        prim(x, np.ones(10, dtype=bool), peel_alpha=0.6)


def test_cut_share_of_the_issue_example_is_a_trim() -> None:
    # a box of 0.31-0.94 out of 0.3-1.0 leaves out 10% of the range: below MIN_CUT
    assert cut_share(0.31, 0.94, 0.3, 1.0) == pytest.approx(0.10)
    assert cut_share(0.31, 0.94, 0.3, 1.0) < MIN_CUT
    assert cut_share(0.7, 1.0, 0.0, 1.0) == pytest.approx(0.7)
    assert cut_share(0.0, 1.0, 0.0, 1.0) == 0.0
    assert cut_share(0.5, 0.5, 0.5, 0.5) == 0.0  # a parameter with one value


def test_only_restrictions_that_matter_are_reported() -> None:
    x = _uniform(2000, 3, seed=7)
    y = (x["x1"] > 0.6).to_numpy()
    res = prim(x, y)
    box = res.box.set_index("parameter")
    # x1 carries the cases; the others are at most trimmed at the edges by the peeling/pasting
    assert list(res.restrictions()["parameter"]) == ["x1"]
    assert box.loc["x1", "cut"] == pytest.approx(0.6, abs=0.05) and bool(box.loc["x1", "matters"])
    assert (box.loc[["x2", "x3"], "cut"] < MIN_CUT).all()
    assert set(res.trimmed()["parameter"]) == set(box.index[box["restricted"] & ~box["matters"]])
    # a looser threshold turns trims into restrictions; a threshold of 1 leaves none
    assert set(prim(x, y, min_cut=0.0).restrictions()["parameter"]) == set(res.restricted()["parameter"])
    assert prim(x, y, min_cut=1.0).restrictions().empty
