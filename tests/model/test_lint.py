"""Warnings about effects that can never apply (sim/model/lint.py)."""

from __future__ import annotations

from pathlib import Path

from sim.model.lint import scenario_warnings
from sim.scenario.loader import load_scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"
LEADER_ACTS = "    actions: [hold, strike]\n    adversaries: [south]\n  - id: diplomats"


def _mini(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lint.yaml"
    path.write_text(text)
    return path


def test_a_clean_scenario_has_no_warnings() -> None:
    assert scenario_warnings(load_scenario(MINI)) == []


def test_red_line_on_an_act_its_owner_never_weighs(tmp_path: Path) -> None:
    text = MINI.read_text()
    assert LEADER_ACTS in text
    red_line = (
        "    red_lines:\n      - {id: no_relief, description: x, when: {escalation_at_least: 10}, "
        "utility: {relief: -2}, forbid: [strike], assumption: test}\n"
    )
    text = text.replace(LEADER_ACTS, LEADER_ACTS.replace("  - id: diplomats", red_line + "  - id: diplomats"))
    (warning,) = scenario_warnings(load_scenario(_mini(tmp_path, text)))
    assert warning.startswith("actors.leader.red_lines.no_relief: acts on `relief`")
    assert "can never apply" in warning


def test_a_vetoed_act_counts_as_weighed(tmp_path: Path) -> None:
    # the leader may veto the diplomats' talks, so a red line on `talk` does apply
    text = MINI.read_text().replace(
        LEADER_ACTS,
        LEADER_ACTS.replace(
            "  - id: diplomats",
            "    red_lines:\n      - {id: no_talks, description: x, when: {escalation_at_least: 10}, "
            "utility: {talk: -2}, assumption: test}\n  - id: diplomats",
        ),
    )
    assert scenario_warnings(load_scenario(_mini(tmp_path, text))) == []


def test_lever_utility_nobody_weighs(tmp_path: Path) -> None:
    text = MINI.read_text().replace(
        "{utility: {actors: [south_gov], actions: [relief], delta: 3.0}}",
        "{utility: {actors: [guards], actions: [relief], delta: 3.0}}",
    )
    (warning,) = scenario_warnings(load_scenario(_mini(tmp_path, text)))
    assert warning.startswith("levers.") and "no actor it names scores `relief`" in warning
