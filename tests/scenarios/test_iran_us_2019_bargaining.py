"""The Iran-U.S. 2019 bargaining (scenarios/iran_us_2019.yaml): directions the article implies."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.core import columns as col
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _runs(name: str, runs: int = 600):  # type: ignore[no-untyped-def]
    sc = load_scenario(ROOT / "scenarios" / name)
    return run_scenario(sc, runs=runs, seed=7, workers=1, samples=0).runs


def test_relief_on_the_table_brings_more_deals_with_more_relief() -> None:
    base = _runs("iran_us_2019.yaml")
    relief = _runs("iran_us_2019_sanctions_relief.yaml")
    assert relief[col.DEAL_STEP].notna().mean() > base[col.DEAL_STEP].notna().mean() + 0.2
    term = col.deal_term("sanctions_relief")
    assert np.nanmedian(relief[term]) > np.nanmedian(base[term])


def test_the_leader_vetoes_some_deals_and_an_offer_is_always_made() -> None:
    base = _runs("iran_us_2019.yaml")
    assert (base[col.DEAL_VETOED] > 0).mean() > 0.1
    assert base[col.FIRST_OFFER].notna().all()
