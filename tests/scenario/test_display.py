"""sim.scenario.display: the one parameter formatter and the one scenario diff (show, reports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.display import collapse_items, differences, format_param, scenario_diff
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Param

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize(
    ("param", "named", "unnamed"),
    [
        (Param(value=0.6, assumption="t"), "0.6", "0.6"),
        (Param(dist="beta", a=2, b=2, assumption="t"), "beta(a=2, b=2)", "beta(2, 2)"),
        (
            Param(dist="uniform", low=0.2, high=0.8, assumption="t"),
            "uniform(low=0.2, high=0.8)",
            "uniform(0.2, 0.8)",
        ),
        (
            Param(dist="truncnorm", mean=0.5, sd=0.1, low=0, high=1, assumption="t"),
            "truncnorm(mean=0.5, sd=0.1, low=0, high=1)",
            "truncnorm(0.5, 0.1, 0, 1)",
        ),
    ],
)
def test_format_param(param: Param, named: str, unnamed: str) -> None:
    assert format_param(param) == named
    assert format_param(param, named=False) == unnamed


def test_format_param_none() -> None:
    assert format_param(None) == "-"


def test_variant_diff_by_field_and_by_parameter() -> None:
    base = load_scenario(SCENARIOS / "iran_us_2019.yaml")
    variant = load_scenario(SCENARIOS / "iran_us_2019_sanctions_relief.yaml")
    diff = scenario_diff(base, variant)
    assert diff and all(old != new for old, new in diff.values())
    assert list(diff) == sorted(diff)
    assert scenario_diff(base, base) == {}
    rows = differences(base, variant)
    assert ("scenario.id", base.scenario.id, variant.scenario.id) in rows
    assert differences(base, base) == []


def test_collapse_folds_whole_items_only() -> None:
    diff = {
        "actors.proxy.name": (None, "P"),
        "actors.proxy.side": (None, "n"),
        "actors.guards.name": ("G", None),
        "actors.guards.role": ("r", None),
        "actors.leader.traits.resolve.value": (0.6, 0.7),
        "levers.x.on": (False, True),
    }
    out = collapse_items(diff)
    assert out["actors.proxy"] == (None, "added")
    assert out["actors.guards"] == ("present", "removed")
    assert out["actors.leader.traits.resolve.value"] == (0.6, 0.7)
    assert out["levers.x.on"] == (False, True)
