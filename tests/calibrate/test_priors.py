"""Priors of the constants to calibrate: defaults, log-uniform ranges, caps, bad paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.calibrate.priors import default_paths, select_priors
from sim.cli import main
from sim.core.errors import SimUserError
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_the_fixed_unsourced_dynamics_and_weights() -> None:
    sc = load_scenario(ROOT / "scenarios" / "iran_us_2019.yaml")
    paths = default_paths(sc)
    assert "dynamics.logit_precision" in paths and "dynamics.weights.spoiler" in paths
    assert "dynamics.relaxation" not in paths  # a distribution already
    assert "dynamics.weights.war_cost" not in paths
    assert not any(p.startswith("actors.") for p in paths)


def test_log_uniform_range_and_cap() -> None:
    sc = load_scenario(ROOT / "scenarios" / "iran_us_2019.yaml")
    logit, rate, war = select_priors(
        sc, ["dynamics.logit_precision", "dynamics.reconsider_rate", "dynamics.weights.war_cost"]
    )
    assert (logit.low, logit.high) == pytest.approx((1 / 3, 3.0))
    assert logit.ppf(np.array([0.5]))[0] == pytest.approx(1.0)  # the geometric middle
    assert rate.high == 1.0  # a share per step is capped at 1
    assert not war.log_uniform and (war.low, war.high) == (1.5, 5.0)


MINI_PRIOR = select_priors(
    load_scenario(ROOT / "tests" / "data" / "mini.yaml"), ["dynamics.accident_base"], 4.0
)


@given(st.floats(0, 1))
def test_ppf_stays_in_range(u: float) -> None:
    (p,) = MINI_PRIOR
    v = p.ppf(np.array([u]))[0]
    assert p.low * (1 - 1e-12) <= v <= p.high * (1 + 1e-12)


def test_bad_paths_are_user_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sc = load_scenario(ROOT / "tests" / "data" / "mini.yaml")
    with pytest.raises(SimUserError, match="not a parameter path"):
        select_priors(sc, ["dynamics.nothing"])
    code = main(
        [
            "calibrate",
            str(ROOT / "scenarios" / "iran_us_2019.yaml"),
            str(ROOT / "data" / "iran_us_2019_after.yaml"),
            "--out",
            str(tmp_path / "c"),
        ]
    )
    assert code == 2 and "no dated `events:`" in capsys.readouterr().err
