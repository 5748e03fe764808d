"""sim.scenario.paths: get/list/override Params by path, static levers."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_helpers import MINI, mini_text

from sim.core.errors import SimUserError
from sim.scenario.loader import load_scenario
from sim.scenario.paths import apply_overrides, get_param, list_param_paths, resolve_static_levers
from sim.scenario.schema import Param, Scenario


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return load_scenario(MINI)


def test_list_param_paths_all_resolve(mini: Scenario) -> None:
    paths = list_param_paths(mini)
    assert len(paths) == len(set(paths))
    for expected in (
        "actors.red_gov.traits.resolve",
        "actors.blue_gov.capabilities.economic",
        "relations.guard_veto.strength",
        "relations.guard_command.autonomy",
        "relations.guard_pull.weight",
        "dynamics.relaxation",
        "dynamics.weights.spoiler",
        "events.tanker_incident.probability",
        "initial.escalation",
        "initial.pressure.blue",
    ):
        assert expected in paths
    assert "events.election.probability" not in paths  # no probability set
    assert "initial.pressure.red" not in paths
    for path in paths:
        assert isinstance(get_param(mini, path), Param)
    assert get_param(mini, "actors.red_guard.traits.resolve").value == 0.8
    assert get_param(mini, "relations.guard_command.autonomy").dist == "truncnorm"


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("actors.red_gov.traits.resolv", "actors.red_gov.traits.resolve"),
        ("relations.guard_veto.weight", "relations.guard_veto.strength"),
        ("dynamics.relaxaton", "dynamics.relaxation"),
        ("initial.pressure.bleu", "initial.pressure.blue"),
    ],
)
def test_bad_path_did_you_mean(mini: Scenario, path: str, hint: str) -> None:
    with pytest.raises(SimUserError) as info:
        get_param(mini, path)
    assert f"did you mean `{hint}`" in info.value.problems[0].message


def test_bad_path_without_match_explains(mini: Scenario) -> None:
    with pytest.raises(SimUserError, match="paths look like"):
        get_param(mini, "nothing.at.all.like.this")


def test_apply_float_override(mini: Scenario) -> None:
    out = apply_overrides(mini, {"actors.red_gov.traits.resolve": 0.25, "dynamics.weights.pain": 3})
    p = get_param(out, "actors.red_gov.traits.resolve")
    assert p.value == 0.25 and p.dist == "fixed" and p.assumption == "override: actors.red_gov.traits.resolve"
    assert get_param(out, "dynamics.weights.pain").value == 3.0
    assert get_param(mini, "actors.red_gov.traits.resolve").dist == "beta"  # original untouched
    assert out.actor("blue_gov") == mini.actor("blue_gov")


def test_apply_param_override_keeps_provenance(mini: Scenario) -> None:
    new = Param(dist="uniform", low=0.1, high=0.3, quote="a quote", source="src_a")
    out = apply_overrides(mini, {"relations.guard_veto.strength": new})
    assert get_param(out, "relations.guard_veto.strength") == new


def test_override_adds_pressure_and_event_probability(mini: Scenario) -> None:
    out = apply_overrides(mini, {"initial.pressure.red": 0.4, "events.election.probability": 0.9})
    assert get_param(out, "initial.pressure.red").value == 0.4
    assert get_param(out, "events.election.probability").value == 0.9
    assert "initial.pressure.red" in list_param_paths(out)


def test_overrides_are_range_checked(mini: Scenario) -> None:
    with pytest.raises(SimUserError) as info:
        apply_overrides(mini, {"actors.red_gov.traits.resolve": 1.5, "initial.escalation": 500.0})
    text = str(info.value)
    assert "1.5 is above 1" in text
    with pytest.raises(SimUserError, match="draws of normal"):
        apply_overrides(
            mini, {"relations.guard_veto.strength": Param(dist="normal", mean=0.5, sd=0.1, assumption="x")}
        )


def test_override_errors_collected(mini: Scenario) -> None:
    with pytest.raises(SimUserError) as info:
        apply_overrides(mini, {"actors.nobody.traits.resolve": 0.5, "dynamics.relaxation": "fast"})  # type: ignore[dict-item]
    assert len(info.value.problems) == 2


def test_resolve_static_levers(tmp_path: Path, mini: Scenario) -> None:
    assert resolve_static_levers(mini) == mini  # lever off: nothing changes
    (tmp_path / "mini.yaml").write_text(mini_text(), encoding="utf-8")
    v = tmp_path / "v.yaml"
    v.write_text("extends: mini.yaml\nlevers:\n  - id: restraint\n    on: true\n", encoding="utf-8")
    on = load_scenario(v)
    assert get_param(on, "relations.guard_command.autonomy").dist == "truncnorm"  # loader keeps the lever
    out = resolve_static_levers(on)
    p = get_param(out, "relations.guard_command.autonomy")
    assert p.value == 0.1 and p.assumption == "tight control"
    assert [lv.id for lv in out.levers] == ["mediation", "restraint"]
