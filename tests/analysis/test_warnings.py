"""Warnings about results: saturated outcomes and acts nobody chose (sim/analysis/warnings.py)."""

from __future__ import annotations

from pathlib import Path

from sim.analysis.warnings import run_warnings, saturated_outcomes, unchosen_actions
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.paths import apply_overrides

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def test_an_outcome_reached_in_every_run_early_is_flagged() -> None:
    res = run_scenario(load_scenario(MINI), runs=400, seed=1, workers=1, samples=0)
    # `clash` (escalation >= 50) in every run within days; `war` too, a little later
    (warning,) = [w for w in saturated_outcomes(res) if w.startswith("`clash`")]
    assert warning.startswith("`clash` (Clash) happens in 100.0% of runs")
    assert "saturated" in warning


def test_an_outcome_that_is_not_saturated_is_not_flagged() -> None:
    calm = apply_overrides(load_scenario(MINI), {"dynamics.reconsider_rate": 0.02})
    res = run_scenario(calm, runs=400, seed=1, workers=1, samples=0)
    assert res.runs["clash"].mean() < 0.99
    assert saturated_outcomes(res) == []


def _with_outcomes(tmp_path: Path, extra: str) -> Path:
    text = MINI.read_text().replace("outcomes:\n", "outcomes:\n" + extra, 1)
    (tmp_path / "s.yaml").write_text(text)
    return tmp_path / "s.yaml"


def test_an_outcome_near_certain_late_is_flagged_as_decided_by_the_horizon(tmp_path: Path) -> None:
    path = _with_outcomes(
        tmp_path,
        "  - {id: late, name: Late, when: {between: {start: 2020-02-20, end: 2020-02-29}}}\n",
    )
    res = run_scenario(load_scenario(path), runs=400, seed=1, workers=1, samples=0)
    (late,) = [w for w in saturated_outcomes(res) if w.startswith("`late`")]
    assert "happens in 100.0% of runs, typically by step 50 of 60" in late
    assert "horizon decides it" in late and "saturated" not in late


def test_an_outcome_in_no_run_is_flagged_once_there_are_enough_runs(tmp_path: Path) -> None:
    path = _with_outcomes(tmp_path, "  - {id: never, name: Never, when: {event_fired: change}}\n")
    scenario = apply_overrides(load_scenario(path), {"events.change.probability": 0.0})
    few = run_scenario(scenario, runs=400, seed=1, workers=1, samples=0)
    assert not [w for w in saturated_outcomes(few) if w.startswith("`never`")]
    many = run_scenario(scenario, runs=1000, seed=1, workers=1, samples=0)
    (never,) = [w for w in saturated_outcomes(many) if w.startswith("`never`")]
    assert "happens in none of 1,000 runs" in never


def test_an_act_nobody_chooses_is_flagged(tmp_path: Path) -> None:
    text = MINI.read_text().replace(
        "  - {id: hold, name: Hold, goldstein: 0, assumption: test}\n",
        "  - {id: hold, name: Hold, goldstein: 0, assumption: test}\n"
        "  - {id: sortie, name: Sortie, goldstein: -1, tags: [military], base_utility: -20,"
        " assumption: test}\n",
    )
    text = text.replace("actions: [hold, talk]\n", "actions: [hold, talk, sortie]\n", 1)
    (tmp_path / "s.yaml").write_text(text)
    res = run_scenario(load_scenario(tmp_path / "s.yaml"), runs=200, seed=1, workers=1, samples=0)
    warnings = unchosen_actions(res)
    assert len(warnings) == 1 and warnings[0].startswith("`sortie` (Sortie) was never chosen")
    assert warnings[0] in run_warnings(res)
