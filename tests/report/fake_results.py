"""Synthetic scenarios and RunResults for unit tests of analysis and reports.

The numbers are random (numpy) but have known structure: ``war`` is driven up by
``param.actors.alpha.traits.hawkishness`` and ``talks`` down by it and up by
``param.dynamics.relaxation``; ``param.actors.beta.traits.resolve`` is pure noise.
Not a model run: use the engine (sim.engine.runner) for end-to-end tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.core.columns import HIST_BINS
from sim.engine.results import RunResults, Trajectory
from sim.scenario.schema import TRAIT_NAMES, Scenario

A = {"assumption": "synthetic test value"}


def _p(value: float) -> dict[str, Any]:
    return {"value": value, **A}


def _traits(hawk: dict[str, Any] | None = None, resolve: dict[str, Any] | None = None) -> dict[str, Any]:
    t = {name: _p(0.5) for name in TRAIT_NAMES}
    if hawk:
        t["hawkishness"] = hawk
    if resolve:
        t["resolve"] = resolve
    return t


def scenario_dict(
    alpha_name: str = "Alpha state", beta_name: str = "Beta state", horizon: int = 60
) -> dict[str, Any]:
    """A small valid scenario: two actors, four actions, ladder of four levels, two events."""
    weights = {
        k: _p(1.0)
        for k in (
            "disposition",
            "reciprocity",
            "resolve",
            "pain",
            "duress",
            "distrust",
            "wait_out",
            "war_cost",
            "spoiler",
        )
    }
    dyn = {
        k: _p(0.1)
        for k in (
            "relaxation",
            "accident_base",
            "accident_growth",
            "accident_severity",
            "pressure_decay",
            "distrust_learning",
            "mixed_signal_sensitivity",
            "prospect_decay",
        )
    }
    dyn["relaxation"] = {"dist": "uniform", "low": 0.0, "high": 0.2, **A}
    dyn["logit_precision"] = _p(1.0)
    dyn["weights"] = weights
    return {
        "scenario": {
            "id": "toy",
            "title": "Toy crisis & <test>",
            "sources": [
                {
                    "id": "src",
                    "author": "A. Author",
                    "title": "On toys",
                    "outlet": "Journal",
                    "date": "2019-01-01",
                }
            ],
            "start_date": "2019-05-01",
            "step_days": 2,
            "horizon": horizon,
        },
        "ladder": {
            "scale": "toy points",
            "max": 100.0,
            "levels": [
                {"name": "calm", "at": 0},
                {"name": "tension", "at": 25},
                {"name": "crisis", "at": 50},
                {"name": "war", "at": 80},
            ],
            "assumption": "synthetic",
        },
        "dynamics": dyn,
        "initial": {"escalation": _p(20.0)},
        "actions": [
            {"id": "wait", "name": "Wait", "goldstein": 0.0, **A},
            {"id": "talk", "name": "Talk", "goldstein": 4.0, "tags": ["negotiation"], **A},
            {"id": "sanction", "name": "Sanction", "goldstein": -4.0, **A},
            {"id": "strike", "name": "Strike", "goldstein": -9.0, "tags": ["military"], **A},
        ],
        "actors": [
            {
                "id": "alpha",
                "name": alpha_name,
                "side": "east",
                "role": "leader",
                "traits": _traits(
                    hawk={
                        "dist": "beta",
                        "a": 2.0,
                        "b": 2.0,
                        "quote": "Alpha is a hawk <sometimes>",
                        "source": "src",
                    }
                ),
                "capabilities": {"military": _p(0.5), "economic": _p(0.5)},
                "actions": ["wait", "talk", "strike"],
                "adversaries": ["west"],
            },
            {
                "id": "beta",
                "name": beta_name,
                "side": "west",
                "role": "leader",
                "traits": _traits(resolve={"dist": "uniform", "low": 0.2, "high": 0.8, **A}),
                "capabilities": {"military": _p(0.9), "economic": _p(0.9)},
                "actions": ["wait", "talk", "sanction", "strike"],
                "adversaries": ["east"],
            },
        ],
        "events": [
            {"id": "deadline", "name": "Deadline", "start": "2019-05-21", **A},
            {
                "id": "summit",
                "name": "Summit window",
                "start": "2019-06-10",
                "end": "2019-06-20",
                "probability": {"value": 0.5, **A},
                **A,
            },
        ],
        "outcomes": [
            {"id": "talks", "name": "Talks open", "when": {"action": {"actions": ["talk"], "count": 3}}},
            {"id": "war", "name": "War", "when": {"escalation_at_least": 80}},
        ],
        "status_quo_action": "wait",
    }


def make_scenario(**kw: Any) -> Scenario:
    return Scenario.model_validate(scenario_dict(**kw))


def make_results(
    n: int = 500, seed: int = 1, scenario: Scenario | None = None, samples: int = 4
) -> RunResults:
    """Random RunResults of ``n`` runs with the structure described in the module docstring."""
    sc = scenario or make_scenario()
    rng = np.random.default_rng(seed)
    horizon = sc.scenario.horizon
    hawk = rng.beta(2, 2, n)
    relax = rng.uniform(0, 0.2, n)
    noise = rng.uniform(0.2, 0.8, n)
    # escalation paths: drifting random walks, drift set by hawkishness
    steps = rng.normal((hawk - 0.45)[:, None] * 3.0, 4.0, (n, horizon))
    esc = np.clip(20.0 + np.cumsum(steps, axis=1), 0, sc.ladder.max)
    esc = np.concatenate([np.full((n, 1), 20.0), esc], axis=1)
    war_step = np.argmax(esc >= 80, axis=1).astype(float)
    war = (esc >= 80).any(axis=1)
    war_step[~war] = np.nan
    p_talks = 1 / (1 + np.exp(-(-4 * (hawk - 0.5) + 10 * (relax - 0.1))))
    talks = rng.random(n) < p_talks
    talks_step = np.where(talks, rng.integers(1, horizon + 1, n), np.nan).astype(float)
    runs = pd.DataFrame(
        {
            "run": np.arange(n, dtype=np.int64),
            "batch": (np.arange(n) // 256).astype(np.int32),
            "talks": talks,
            "talks_step": talks_step,
            "war": war,
            "war_step": war_step,
            "peak_escalation": esc.max(axis=1),
            "final_escalation": esc[:, -1],
            "event.summit": rng.random(n) < 0.5,
            "param.actors.alpha.traits.hawkishness": hawk,
            "param.dynamics.relaxation": relax,
            "param.actors.beta.traits.resolve": noise,
        }
    )
    edges = np.linspace(0, sc.ladder.max, HIST_BINS + 1)
    hist = np.stack([np.histogram(esc[:, t], bins=edges)[0] for t in range(horizon + 1)]).astype(np.int64)
    n_actors, n_actions = len(sc.actors), len(sc.actions)
    counts = np.zeros((horizon, n_actors, n_actions), dtype=np.int64)
    acts = np.zeros((samples, horizon, n_actors), dtype=np.int64)
    for i, actor in enumerate(sc.actors):
        idx = [sc.action_ids.index(a) for a in actor.actions]
        probs = rng.dirichlet(np.ones(len(idx)))
        counts[:, i, idx] = rng.multinomial(n, probs, size=horizon)
        acts[:, :, i] = rng.choice(idx, size=(samples, horizon), p=probs)
    trajs = [
        Trajectory(run=int(r), escalation=esc[r].copy(), actions=acts[j])
        for j, r in enumerate(range(samples))
    ]
    return RunResults(
        scenario=sc,
        seed=seed,
        runs_count=n,
        batch_size=256,
        runs=runs,
        escalation_hist=hist,
        action_counts=counts,
        samples=trajs,
        elapsed_s=1.5,
    )
