"""Readable parameter labels: actor name + trait words, plain words for the world's dynamics,
from the one parameter-site table; and words from a path alone when the scenario is not at hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.loader import load_scenario
from sim.scenario.site_labels import DYNAMICS_LABELS, WEIGHT_LABELS, label_from_path
from sim.scenario.sites import DYNAMICS_NAMES, WEIGHT_NAMES, label_for, param_labels, param_sites
from sim.scenario.traits import TRAIT_BY_NAME

IRAN = Path(__file__).resolve().parents[2] / "scenarios" / "iran_us_2019.yaml"


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    return param_labels(load_scenario(IRAN))


def test_traits_read_actor_name_and_trait_words(labels: dict[str, str]) -> None:
    assert (
        labels["actors.khamenei.traits.pressure_aversion"]
        == "Ayatollah Ali Khamenei (Supreme Leader): refusal to talk under pressure"
    )
    assert (
        labels["actors.trump_admin.traits.inconsistency"]
        == "The Trump administration: inconsistent signalling"
    )


def test_no_label_is_a_bare_field_name(labels: dict[str, str]) -> None:
    assert labels["dynamics.relaxation"] == "calming of escalation per step"
    fields = set(DYNAMICS_NAMES) | set(WEIGHT_NAMES) | set(TRAIT_BY_NAME)
    for path, label in labels.items():
        assert label not in fields, f"{path}: {label!r} is an internal name"
        assert "_" not in label.split(": ")[-1], f"{path}: {label!r} has an identifier in it"


def test_every_dynamics_and_weight_field_has_words() -> None:
    assert set(DYNAMICS_LABELS) == set(DYNAMICS_NAMES)
    assert set(WEIGHT_LABELS) == set(WEIGHT_NAMES)


def test_labels_are_those_of_the_site_table(labels: dict[str, str]) -> None:
    sites = param_sites(load_scenario(IRAN))
    assert labels == {s.path: s.label for s in sites}


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("actors.khamenei.traits.pressure_aversion", "khamenei: refusal to talk under pressure"),
        ("actors.irgc.capabilities.military", "irgc: military capability"),
        ("dynamics.relaxation", "calming of escalation per step"),
        ("dynamics.weights.war_cost", "weight of the cost of war"),
        ("dynamics.weights.new_term", "weight of new term"),
        ("events.election.probability", "chance of election"),
        ("events.election.delay", "delay of election (days)"),
        ("relations.khamenei_commands_irgc.autonomy", "khamenei_commands_irgc: autonomy"),
        ("initial.escalation", "initial escalation"),
        ("initial.pressure.iran", "initial pressure on iran"),
    ],
)
def test_label_from_path(path: str, label: str) -> None:
    assert label_from_path(path) == label


def test_label_for_prefers_the_scenario_words(labels: dict[str, str]) -> None:
    path = "actors.irgc.traits.resolve"
    assert label_for(path, labels) == "Islamic Revolutionary Guard Corps: resolve"
    assert label_for(path) == "irgc: resolve"
