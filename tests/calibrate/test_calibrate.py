"""Calibration on the engine: known constants recovered on the mini scenario; `sim calibrate`
end to end (variant that runs, report, result.json); resumption after a kill; the same numbers
on a real Dask cluster of 2 workers as in one process."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sim.calibrate import abc
from sim.calibrate.batch import EngineSimulator
from sim.calibrate.observations import Header, Observations, Period
from sim.calibrate.priors import select_priors
from sim.calibrate.summary import StatSpec, compile_period
from sim.calibrate.variant import marginals
from sim.cli import main
from sim.scenario.loader import load_scenario
from sim.workflow.calibrate import calibrate

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
PARAMS = ["dynamics.logit_precision", "dynamics.weights.war_cost", "dynamics.relaxation"]

RECORD = """observations:
  scenario: mini
  title: a made-up record
  period: {start: 2020-01-01, end: 2020-02-29}
setup:
  initial.escalation: {value: 15, assumption: test}
events:
"""


def test_recovers_known_constants() -> None:
    sc = load_scenario(DATA / "mini.yaml")
    period = Period(start=dt.date(2020, 1, 1), end=dt.date(2020, 2, 29))
    cs = compile_period(sc, Observations(observations=Header(scenario="mini", title="t", period=period)))
    spec = StatSpec.of(cs.scenario, cs.horizon)
    priors = select_priors(sc, PARAMS)
    sim = EngineSimulator(cs, spec, priors, seed=1)
    truth = np.array([[0.7, 0.3, 0.5]])
    record = sim(truth, 999)[0]  # a synthetic record from known constants
    gens, _ = abc.run(sim, record, 3, abc.Settings(particles=300, generations=6, seed=2))
    margs = marginals(gens[-1], priors)
    for m, p, u in zip(margs, priors, truth[0], strict=True):
        assert m.q05 <= p.ppf(np.array([u]))[0] <= m.q95, m.path
    assert margs[0].shrinkage < 0.85 and margs[1].shrinkage < 0.85  # logit precision and war cost learnt


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copy(DATA / "mini.yaml", tmp_path / "mini.yaml")
    rows = [
        (3, "guards", "strike"),
        (4, "south_gov", "sanction"),
        (10, "south_gov", "sanction"),
        (25, "guards", "strike"),
        (30, "leader", "strike"),
        (31, "south_gov", "strike"),
        (45, "diplomats", "talk"),
    ]
    text = RECORD + "".join(
        f"  - {{date: {dt.date(2020, 1, 1) + dt.timedelta(days=d - 1)}, actor: {a}, action: {k}, "
        f"what: w, source: s, quote: q}}\n"
        for d, a, k in rows
    )
    (tmp_path / "record.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "mini.yaml", tmp_path / "record.yaml"


SMALL = abc.Settings(particles=100, generations=3, seed=4)


def test_calibrate_cli_writes_a_variant_that_runs(tmp_path: Path) -> None:
    scen, rec = _setup(tmp_path)
    out = tmp_path / "cal"
    args = ["calibrate", str(scen), str(rec), "--particles", "100", "--generations", "3", "--out", str(out)]
    assert main([*args, *(x for p in PARAMS[:2] for x in ("--params", p))]) == 0
    variant = tmp_path / "mini_calibrated.yaml"
    v = load_scenario(variant)
    assert (
        v.dynamics.logit_precision.calibrated is not None
        and "record.yaml" in v.dynamics.logit_precision.calibrated
    )
    assert v.dynamics.logit_precision.dist == "truncnorm"
    assert v.scenario.start_date == load_scenario(scen).scenario.start_date  # forecasts from the base's start
    doc = json.loads((out / "result.json").read_text())
    assert [c["statistic"] for c in doc["checks"]][-2:] == ["late_share", "episodes"]
    assert len(doc["generations"]) == 3 and all(0 < g["acceptance"] <= 1 for g in doc["generations"])
    html = (out / "report.html").read_text()
    assert 'data-figures="4"' in html and "Posterior predictive checks" in html
    assert (
        main(
            [
                "run",
                str(variant),
                "--runs",
                "100",
                "--workers",
                "1",
                "--quiet",
                "--no-report",
                "--out",
                str(tmp_path / "run"),
            ]
        )
        == 0
    )


def test_killed_calibration_continues_with_the_same_numbers(tmp_path: Path) -> None:
    scen, rec = _setup(tmp_path)
    full = calibrate(scen, rec, params=PARAMS, out_dir=tmp_path / "a", settings=SMALL, report=False)
    (tmp_path / "a" / "state" / "gen-002.npz").unlink()  # killed during the last generation
    again = calibrate(scen, rec, params=PARAMS, out_dir=tmp_path / "a", settings=SMALL, report=False)
    assert again.resumed_from == 2
    np.testing.assert_array_equal(full.generations[-1].u, again.generations[-1].u)
    other = abc.Settings(particles=100, generations=3, seed=5)
    with pytest.raises(Exception, match="different calibration"):
        calibrate(scen, rec, params=PARAMS, out_dir=tmp_path / "a", settings=other, report=False)


@pytest.mark.cluster
def test_dask_workers_give_the_same_numbers(tmp_path: Path) -> None:
    scen, rec = _setup(tmp_path)
    one = calibrate(scen, rec, params=PARAMS, out_dir=tmp_path / "a", settings=SMALL, chunk=150, report=False)
    two = calibrate(
        scen, rec, params=PARAMS, out_dir=tmp_path / "b", settings=SMALL, chunk=150, workers=2, report=False
    )
    np.testing.assert_array_equal(one.generations[-1].u, two.generations[-1].u)
    np.testing.assert_array_equal(one.ppc, two.ppc)
