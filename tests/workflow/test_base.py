"""sim.workflow.base: the one way run, show and report find a variant's base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.scenario.loader import load_scenario
from sim.workflow.base import base_of, base_of_results

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASE, VARIANT = SCENARIOS / "iran_us_2019.yaml", SCENARIOS / "iran_us_2019_sanctions_relief.yaml"


def test_base_of_a_variant_file_is_its_resolved_base() -> None:
    variant = load_scenario(VARIANT)
    base = base_of(variant, VARIANT)
    assert base is not None and base == load_scenario(BASE)


def test_a_base_scenario_has_no_base() -> None:
    assert base_of(load_scenario(BASE), BASE) is None


def test_stored_results_find_the_base_next_to_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no scenarios/ folder here
    variant = load_scenario(VARIANT)
    assert variant.variant_of
    results = tmp_path / "results"
    results.mkdir()
    assert base_of(variant, results_dir=results) is None
    shutil.copy(BASE, results / variant.variant_of)
    base = base_of(variant, results_dir=results)
    assert base is not None and base.scenario.id == load_scenario(BASE).scenario.id


def test_a_base_that_does_not_load_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    variant = load_scenario(VARIANT)
    assert variant.variant_of
    (tmp_path / variant.variant_of).write_text("not: [a scenario")
    assert base_of(variant, results_dir=tmp_path) is None


def test_results_prefer_the_stored_base(tmp_path: Path) -> None:
    class Stored:
        base_scenario = load_scenario(BASE)
        scenario = load_scenario(VARIANT)

    assert base_of_results(Stored(), tmp_path) is Stored.base_scenario  # type: ignore[arg-type]
