"""The parameter-site table and the trait table: one place that lists, reads and draws numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_helpers import MINI, line_of, mini_text

from sim.core.errors import SimUserError
from sim.scenario.loader import load_scenario
from sim.scenario.paths import get_param, list_param_paths
from sim.scenario.sites import FAMILIES, PathIndex, param_sites
from sim.scenario.traits import TRAITS

Write = Callable[..., Path]


def test_every_site_resolves_and_is_labelled() -> None:
    mini = load_scenario(MINI)
    sites = param_sites(mini)
    assert len({s.path for s in sites}) == len(sites)
    for site in sites:
        assert get_param(mini, site.path) == site.param
        assert site.label and not site.label.startswith(("actors.", "dynamics."))
    assert list_param_paths(mini) == [s.path for s in sites]
    assert set(list_param_paths(mini)) <= set(PathIndex.of(mini).all_paths())
    assert {f.pattern.split(".")[0] for f in FAMILIES} == {
        "actors",
        "relations",
        "dynamics",
        "events",
        "initial",
        "bargaining",
    }


def test_a_trait_with_a_default_may_be_left_out(write: Write) -> None:
    text = mini_text()
    line = "      inconsistency: {value: 0.05, assumption: low}\n"
    assert line in text
    scenario = load_scenario(write(text.replace(line, "", 1)))
    p = get_param(scenario, "actors.red_gov.traits.inconsistency")
    assert p.value == 0.0 and p.assumption is not None and "default" in p.assumption
    defaults = {t.name for t in TRAITS if t.default is not None}
    assert defaults == {"pressure_aversion", "spoiler_motive", "wait_out", "inconsistency"}


def test_a_trait_without_a_default_is_required(write: Write) -> None:
    text = mini_text()
    line = "      hawkishness: {value: 0.6, assumption: hawkish}\n"
    text = text.replace(line, "", 1)
    path = write(text)
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.field == "actors[0].traits.hawkishness" and p.message == "required key is missing"
    assert p.line is not None and p.line <= line_of(text, "resolve: {dist: beta")
