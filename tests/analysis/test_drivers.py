"""PRCC and standardized logit: checked against an independent formula and known structure."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sim.analysis import drivers as drv

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from fake_results import make_results


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
    # readable labels from the parameter-site table: actor name + trait words
    assert war.loc[0, "label"] == "Alpha state: hawkishness"
    assert talks.loc["param.dynamics.relaxation", "label"] == "calming of escalation per step"


def test_drivers_table_without_params() -> None:
    res = make_results(n=100)
    res.runs = res.runs.drop(columns=[c for c in res.runs.columns if c.startswith("param.")])
    t = drv.drivers_table(res)
    assert t.empty and "prcc" in t.columns


def test_subsample_for_huge_runs() -> None:
    res = make_results(n=3000, seed=4)
    full = drv.drivers_table(res)
    sub = drv.drivers_table(res, max_runs=1500)
    again = drv.drivers_table(res, max_runs=1500)
    assert sub.equals(again)  # reproducible
    assert not sub["prcc"].equals(full["prcc"])
    top = sub[sub["outcome"] == "war"].iloc[0]
    assert top["param"] == "param.actors.alpha.traits.hawkishness"
