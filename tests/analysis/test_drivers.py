"""PRCC and standardized logit: checked against an independent formula and known structure."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from sim.analysis import drivers as drv

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from fake_results import make_results  # noqa: E402


def prcc_by_precision_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """PRCC from the inverse of the rank correlation matrix (partial correlation identity)."""
    ranks = np.column_stack([sps.rankdata(c) for c in np.column_stack([x, y]).T])
    prec = np.linalg.inv(np.corrcoef(ranks, rowvar=False))
    p = x.shape[1]
    return np.array([-prec[j, p] / np.sqrt(prec[j, j] * prec[p, p]) for j in range(p)])


def test_prcc_matches_precision_matrix_identity() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4))
    x[:, 1] += 0.5 * x[:, 0]  # correlated inputs: partial differs from plain correlation
    y = np.exp(x[:, 0]) - 2 * x[:, 2] ** 3 + rng.normal(size=400)
    coef, pval = drv.prcc(x, y)
    np.testing.assert_allclose(coef, prcc_by_precision_matrix(x, y), atol=1e-10)
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
    assert war.loc[0, "prcc"] > 0.3 and war.loc[0, "significant"]
    talks = t[t["outcome"] == "talks"].set_index("param")
    assert talks.loc["param.actors.alpha.traits.hawkishness", "prcc"] < 0
    assert talks.loc["param.dynamics.relaxation", "prcc"] > 0
    assert not talks.loc["param.actors.beta.traits.resolve", "significant"]
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
