"""PRCC and standardized logit: checked against an independent formula and known structure."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from sim.analysis import drivers as drv

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from fake_results import make_results


def prcc_by_residuals(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """PRCC by its definition: correlate the residuals of rank regressions on the other inputs."""
    rx = np.column_stack([sps.rankdata(c) for c in x.T])
    ry = sps.rankdata(y)
    out = []
    for j in range(x.shape[1]):
        design = np.column_stack([np.ones(len(y)), np.delete(rx, j, axis=1)])
        ex = rx[:, j] - design @ np.linalg.lstsq(design, rx[:, j], rcond=None)[0]
        ey = ry - design @ np.linalg.lstsq(design, ry, rcond=None)[0]
        out.append(np.corrcoef(ex, ey)[0, 1])
    return np.array(out)


def test_prcc_matches_residual_definition() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4))
    x[:, 1] += 0.5 * x[:, 0]  # correlated inputs: partial differs from plain correlation
    y = np.exp(x[:, 0]) - 2 * x[:, 2] ** 3 + rng.normal(size=400)
    coef, pval = drv.prcc(x, y)
    np.testing.assert_allclose(coef, prcc_by_residuals(x, y), atol=1e-10)
    assert coef[0] > 0.5 and coef[2] < -0.5
    assert pval[0] < 1e-10 and pval[2] < 1e-10
    assert pval[3] > 1e-3


def test_prcc_edge_cases() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((50, 3))
    coef, pval = drv.prcc(x, np.ones(50))
    assert np.isnan(coef).all() and np.isnan(pval).all()
    x[:, 1] = 0.3
    coef, _ = drv.prcc(x, x[:, 0] + rng.random(50) * 0.1)
    assert np.isnan(coef[1]) and coef[0] > 0.9
    coef, _ = drv.prcc(rng.random((3, 3)), rng.random(3))  # too few runs
    assert np.isnan(coef).all()


def test_standardized_logit_recovers_known_coefficients() -> None:
    rng = np.random.default_rng(2)
    n = 20_000
    x = np.column_stack([rng.normal(5, 2, n), rng.uniform(0, 1, n), rng.normal(0, 1, n)])
    z = (x - x.mean(0)) / x.std(0)
    logit = 0.3 + 1.2 * z[:, 0] - 0.7 * z[:, 1]
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    coef, pval = drv.standardized_logit(x, y)
    np.testing.assert_allclose(coef, [1.2, -0.7, 0.0], atol=0.06)
    assert pval[0] < 1e-50 and pval[1] < 1e-50 and pval[2] > 1e-3


def test_drivers_table_finds_the_planted_driver() -> None:
    res = make_results(n=2000, seed=4)
    t = drv.drivers_table(res)
    assert set(t["outcome"]) == {"talks", "war"}
    assert len(t) == 2 * 3
    war = t[t["outcome"] == "war"].reset_index(drop=True)
    assert war.loc[0, "param"] == "param.actors.alpha.traits.hawkishness"
    assert float(war["prcc"].iloc[0]) > 0.3 and bool(war["significant"].iloc[0])
    talks = t[t["outcome"] == "talks"].set_index("param")
    prcc = talks["prcc"].astype(float).to_dict()
    assert prcc["param.actors.alpha.traits.hawkishness"] < 0
    assert prcc["param.dynamics.relaxation"] > 0
    assert not talks["significant"].to_dict()["param.actors.beta.traits.resolve"]
    assert (t["p_adjusted"] >= t["p_value"]).all()
    assert war.loc[0, "label"] == "alpha hawkishness"


def test_drivers_table_without_params() -> None:
    res = make_results(n=100)
    res.runs = res.runs.drop(columns=[c for c in res.runs.columns if c.startswith("param.")])
    t = drv.drivers_table(res)
    assert t.empty and "prcc" in t.columns


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("param.actors.khamenei.traits.resolve", "khamenei resolve"),
        ("param.relations.irgc_command.autonomy", "irgc_command autonomy"),
        ("param.dynamics.relaxation", "relaxation"),
        ("param.dynamics.weights.pain", "weights pain"),
        ("param.initial.pressure.iran", "pressure iran"),
    ],
)
def test_short_param_name(column: str, label: str) -> None:
    assert drv.short_param_name(column) == label


def test_subsample_for_huge_runs() -> None:
    res = make_results(n=3000, seed=4)
    full = drv.drivers_table(res)
    sub = drv.drivers_table(res, max_runs=1500)
    again = drv.drivers_table(res, max_runs=1500)
    assert sub.equals(again)  # reproducible
    assert not sub["prcc"].equals(full["prcc"])
    top = sub[sub["outcome"] == "war"].iloc[0]
    assert top["param"] == "param.actors.alpha.traits.hawkishness"
