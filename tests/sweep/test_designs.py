"""Designs: grid size and order, LHS stratification, Sobol (SALib) shape, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.analyze import sobol as sobol_analyze

from sim.sweep.designs import make_design, salib_problem
from sim.sweep.spec import ParamSpec

A = ParamSpec("a", low=0.0, high=1.0)
B = ParamSpec("b", low=-2.0, high=2.0)
C = ParamSpec("c", values=(1.0, 5.0, 7.0))


def test_grid_is_full_factorial() -> None:
    d = make_design("grid", (A, B, C), 4, seed=0)
    assert len(d) == 4 * 4 * 3
    assert list(d.columns) == ["point", "a", "b", "c"]
    assert d["point"].tolist() == list(range(48))
    assert sorted(set(d["a"])) == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert set(d["c"]) == {1.0, 5.0, 7.0}
    assert not d.duplicated(["a", "b", "c"]).any()
    # per-parameter levels override the sweep's points
    d2 = make_design("grid", (ParamSpec("a", low=0, high=1, levels=2), B), 3, seed=0)
    assert len(d2) == 6


@pytest.mark.parametrize("n", [10, 37])
def test_lhs_one_point_per_stratum(n: int) -> None:
    d = make_design("lhs", (A, B), n, seed=5)
    assert len(d) == n
    for p in (A, B):
        lo, hi = p.bounds
        strata = np.floor((d[p.path].to_numpy() - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_lhs_depends_on_seed_only() -> None:
    d1, d2, d3 = (make_design("lhs", (A, B), 16, seed=s) for s in (1, 1, 2))
    assert d1.equals(d2) and not d1.equals(d3)


def test_sobol_shape_and_salib_analyzable() -> None:
    n = 64
    d = make_design("sobol", (A, B, ParamSpec("x", low=0.0, high=3.0)), n, seed=3)
    assert len(d) == n * (3 + 2)
    assert d["b"].between(-2, 2).all() and d["x"].between(0, 3).all()
    y = d["a"].to_numpy() * 4 + d["b"].to_numpy() ** 2 * 0.01
    res = sobol_analyze.analyze(
        salib_problem((A, B, ParamSpec("x", low=0.0, high=3.0))), y, calc_second_order=False, seed=1
    )
    # y depends on a mostly, on b slightly, not at all on x
    assert res["ST"][0] > 0.9 and res["ST"][2] == pytest.approx(0.0, abs=1e-9)
