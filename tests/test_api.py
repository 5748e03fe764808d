"""The notebook API returns DataFrames from real runs."""

from __future__ import annotations

from pathlib import Path

import sim.api as api

DATA = Path(__file__).parent / "data"


def test_run_and_outcomes_give_dataframes() -> None:
    res = api.run(DATA / "mini.yaml", runs=600, seed=3, workers=1)
    table = api.outcomes(res)
    assert list(table["id"]) == ["talks", "deal", "clash", "war"]
    assert ((table["ci_low"] <= table["probability"]) & (table["probability"] <= table["ci_high"])).all()
    assert len(res.runs) == 600
    assert abs(api.peaks(res)["share"].sum() - 1.0) < 1e-12


def test_overrides_change_the_run() -> None:
    calm = api.run(
        DATA / "mini.yaml", runs=600, seed=3, workers=1, overrides={"dynamics.weights.war_cost": 20.0}
    )
    base = api.run(DATA / "mini.yaml", runs=600, seed=3, workers=1)
    assert calm.runs["peak_escalation"].mean() < base.runs["peak_escalation"].mean()


def test_compare_pairs_variants() -> None:
    table = api.compare(DATA / "mini.yaml", DATA / "mini_forbid_strike.yaml", runs=600, seed=3, workers=1)
    assert set(table["outcome"]) == {"talks", "deal", "clash", "war"}
    row = table[table["outcome"] == "war"].iloc[0]
    assert row["ci_low"] <= row["diff"] <= row["ci_high"]
