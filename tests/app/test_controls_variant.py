"""Sliders to Params and back, and the downloaded variant: every slider position gives a valid
scenario, and the variant file, saved beside its base, loads to exactly what the app ran."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_app_helpers import DATA, ROOT

from sim.app.controls import WhatIf, apply_what_if, centre_spread, controls, reshape
from sim.app.variant import variant_yaml
from sim.scenario.base import Param
from sim.scenario.loader import load_scenario
from sim.scenario.paths import get_param
from sim.scenario.schema import Scenario

MINI = load_scenario(DATA / "mini.yaml")
SPECS = controls(MINI)["params"]


@pytest.mark.parametrize(
    "param",
    [
        Param(value=0.4, assumption="x"),
        Param(dist="uniform", low=0.2, high=0.6, assumption="x"),
        Param(dist="beta", a=6, b=4, assumption="x"),
        Param(dist="truncnorm", mean=0.6, sd=0.15, low=0, high=1, assumption="x"),
        Param(dist="triangular", low=0.3, mode=0.6, high=0.9, assumption="x"),
    ],
)
def test_reshape_keeps_the_family_and_moves_centre_and_spread(param: Param) -> None:
    centre, spread = centre_spread(param)
    same = reshape(param, centre, spread, 0.0, 1.0, "same")
    assert same.dist == param.dist and same.assumption == "same" and same.quote is None
    assert centre_spread(same) == pytest.approx((centre, spread), rel=1e-4, abs=1e-6)
    moved = reshape(param, 0.5, 0.05, 0.0, 1.0, "moved")
    assert centre_spread(moved) == pytest.approx((0.5, 0.05), rel=1e-3)
    assert reshape(param, 0.5, 0.0, 0.0, 1.0, "fixed") == Param(value=0.5, assumption="fixed")


def test_a_fixed_value_with_a_spread_becomes_a_range_inside_the_limits() -> None:
    p = reshape(Param(value=0.9, assumption="x"), 0.95, 0.2, 0.0, 1.0, "y")
    assert (p.dist, p.low, p.high) == ("uniform", 0.75, 1.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_slider_position_gives_a_valid_scenario(data: st.DataObject) -> None:
    chosen = data.draw(
        st.lists(st.sampled_from(SPECS), min_size=1, max_size=6, unique_by=lambda s: s["path"])
    )
    params = {
        s["path"]: (
            data.draw(st.floats(s["min"], s["max"])),
            data.draw(st.floats(0.0, s["spread_max"])),
        )
        for s in chosen
    }
    variant, new = apply_what_if(MINI, WhatIf(levers={}, params=params))
    for path, param in new.items():
        assert get_param(variant, path) == param


def test_unmoved_sliders_and_unflipped_levers_are_no_change() -> None:
    everything = WhatIf(
        levers={lv.id: lv.on for lv in MINI.levers},
        params={s["path"]: (s["centre"], s["spread"]) for s in SPECS},
    )
    assert everything.changes(MINI).empty


def _every_param_moved(scenario: Scenario) -> WhatIf:
    specs = controls(scenario)["params"]
    params = {s["path"]: (s["min"] + 0.4 * (s["max"] - s["min"]), s["spread_max"] / 5) for s in specs}
    return WhatIf(levers={lv.id: not lv.on for lv in scenario.levers}, params=params)


SCENARIOS = [DATA / "mini.yaml", *sorted((ROOT / "scenarios").glob("*.yaml"))]


@pytest.mark.parametrize("base_file", SCENARIOS, ids=lambda p: p.name)
def test_every_slider_starts_inside_its_range(base_file: Path) -> None:
    """Each parameter's current distribution lies within its slider's range (nothing is clamped
    by merely opening a scenario), and the unmoved sliders reproduce it exactly."""
    base = load_scenario(base_file)
    for spec in controls(base)["params"]:
        lo, hi = get_param(base, spec["path"]).support()
        assert spec["min"] <= lo and hi <= spec["max"], spec
        assert spec["min"] <= spec["centre"] <= spec["max"], spec


@pytest.mark.parametrize("base_file", SCENARIOS, ids=lambda p: p.name)
def test_variant_file_loads_to_what_the_app_ran(tmp_path: Path, base_file: Path) -> None:
    for f in base_file.parent.glob("*.yaml"):  # the base and whatever it extends
        shutil.copy(f, tmp_path / f.name)
    base = load_scenario(base_file)
    what_if = _every_param_moved(base).changes(base)
    ran, new = apply_what_if(base, what_if)
    text = variant_yaml(base, base_file.name, what_if.levers, new)
    (tmp_path / "what_if.yaml").write_text(text)
    loaded = load_scenario(tmp_path / "what_if.yaml")
    assert loaded.variant_of == base_file.name and loaded.scenario.id == f"{base.scenario.id}_what_if"
    for path in new:
        assert get_param(loaded, path) == get_param(ran, path), path
    assert [(lv.id, lv.on) for lv in loaded.levers] == [(lv.id, lv.on) for lv in ran.levers]
    assert loaded.model_dump(exclude={"scenario", "variant_of"}) == ran.model_dump(
        exclude={"scenario", "variant_of"}
    )


def test_variant_file_names_only_what_changed() -> None:
    path = "dynamics.weights.war_cost"
    what_if = WhatIf(levers={"relief_offered": True}, params={path: (10.0, 0.0)})
    _, new = apply_what_if(MINI, what_if)
    text = variant_yaml(MINI, "mini.yaml", what_if.levers, new)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == [
        "extends: mini.yaml",
        "scenario:",
        "  id: mini_what_if",
        "  title: 'Two-sided test crisis: what-if'",
        "levers:",
        "- {id: relief_offered, 'on': true}",
        "dynamics:",
        "  weights:",
        "    war_cost: {assumption: what-if in sim app; was 3, dist: fixed, value: 10.0}",
    ]
