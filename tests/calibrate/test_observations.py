"""The observations format: the shipped data files load and cross-check; bad rows name file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calibrate.observations import check_against, load_observations
from sim.core.errors import SimUserError
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BEFORE = ROOT / "data" / "iran_us_2019_before.yaml"
AFTER = ROOT / "data" / "iran_us_2019_after.yaml"


def test_shipped_record_is_valid_and_ends_before_the_strikes() -> None:
    sc = load_scenario(ROOT / "scenarios" / "iran_us_2019.yaml")
    obs = load_observations(BEFORE)
    check_against(obs, sc, BEFORE)
    assert obs.observations.period is not None
    assert max(e.date for e in obs.events).isoformat() <= "2019-09-13"
    assert not obs.outcomes  # nothing after the record goes into the fitting file
    after = load_observations(AFTER)
    check_against(after, sc, AFTER)
    assert {o.outcome for o in after.outcomes} == {"talks", "agreement", "clash", "war"}


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "obs.yaml"
    p.write_text(body, encoding="utf-8")
    return p


HEAD = "observations:\n  scenario: mini\n  title: t\n  period: {start: 2020-01-01, end: 2020-01-31}\n"


def test_missing_source_names_line_and_field(tmp_path: Path) -> None:
    p = _write(
        tmp_path, HEAD + "events:\n  - {date: 2020-01-02, actor: leader, action: strike, what: x, quote: q}\n"
    )
    with pytest.raises(SimUserError) as e:
        load_observations(p)
    (prob,) = e.value.problems
    assert prob.line == 6 and prob.field == "events[0].source" and "missing" in prob.message


def test_unknown_ids_and_dates_outside_the_period(tmp_path: Path) -> None:
    sc = load_scenario(ROOT / "tests" / "data" / "mini.yaml")
    p = _write(
        tmp_path,
        HEAD
        + "events:\n"
        + "  - {date: 2020-03-02, actor: leader, action: talk, what: x, source: s, quote: q}\n"
        + "  - {date: 2020-01-02, actor: nobody, action: strike, what: x, source: s, quote: q}\n"
        + "outcomes:\n"
        + "  - {outcome: peace, happened: true, by: 2020-02-01, evidence: e, source: s,\n"
        + "     base_rate: {value: 0.2, assumption: a}}\n",
    )
    obs = load_observations(p)
    with pytest.raises(SimUserError) as e:
        check_against(obs, sc, p)
    text = "\n".join(str(x) for x in e.value.problems)
    assert "obs.yaml:6: events[0].action: `leader` has no action `talk`" in text
    assert "events[0].date: 2020-03-02 is outside the period" in text
    assert "obs.yaml:7: events[1].actor: unknown actor `nobody`" in text
    assert "outcomes[0].outcome: unknown outcome `peace`" in text


def test_events_need_a_period(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "observations: {scenario: mini, title: t}\n"
        "events:\n  - {date: 2020-01-02, actor: leader, action: strike, what: x, source: s, quote: q}\n",
    )
    with pytest.raises(SimUserError, match=r"needs `observations\.period"):
        load_observations(p)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8), st.dates())
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["observations", "events", "outcomes", "setup", "context", "other"]),
        _values,
        max_size=4,
    )
)
def test_any_mapping_loads_or_is_a_user_error(tmp_path_factory: pytest.TempPathFactory, doc: dict) -> None:
    p = tmp_path_factory.mktemp("obs") / "o.yaml"
    p.write_text(yaml.safe_dump(doc, default_flow_style=False), encoding="utf-8")
    try:
        load_observations(p)
    except SimUserError as err:
        assert err.problems and all(str(x) for x in err.problems)
