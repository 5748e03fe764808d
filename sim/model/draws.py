"""Per-run draws: every uncertain number of a batch, one value per run.

``draw_parameters`` draws every parameter site of the scenario (``sim.scenario.sites``) by inverse
transform of a uniform taken from a stream keyed by the site's path, so adding or removing an
actor, a relation or an event leaves every other draw unchanged (common random numbers across
variants); then whether each probabilistic event happens, and when (its delay).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.core import columns as col
from sim.model.compiled import CompiledScenario, StreamFactory
from sim.model.rules import WeightArrays
from sim.scenario.base import Param
from sim.scenario.sites import param_sites
from sim.scenario.traits import CAPABILITY_NAMES, TRAIT_NAMES


def param_ppf(p: Param, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of ``p`` at uniforms ``u`` (N,): one value per run, within ``p.support()``.

    Clipped to the support: scipy's truncnorm/triang (and ``low + u (high - low)``) can land an
    ulp outside the bounds after rescaling, e.g. a trait drawn at -6e-15 instead of 0.
    """
    lo, hi = p.support()
    return np.clip(_ppf_unclipped(p, u), lo, hi)


def _ppf_unclipped(p: Param, u: np.ndarray) -> np.ndarray:
    if p.dist == "fixed":
        assert p.value is not None
        return np.full(u.shape, p.value)
    if p.dist == "uniform":
        assert p.low is not None and p.high is not None
        return p.low + u * (p.high - p.low)
    if p.dist == "normal":
        return np.asarray(stats.norm.ppf(u, loc=p.mean, scale=p.sd))
    if p.dist == "truncnorm":
        assert p.mean is not None and p.sd is not None and p.low is not None and p.high is not None
        lo, hi = (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd
        return np.asarray(stats.truncnorm.ppf(u, lo, hi, loc=p.mean, scale=p.sd))
    if p.dist == "beta":
        return np.asarray(stats.beta.ppf(u, p.a, p.b))
    assert p.low is not None and p.high is not None and p.mode is not None
    c = (p.mode - p.low) / (p.high - p.low)
    return np.asarray(stats.triang.ppf(u, c, loc=p.low, scale=p.high - p.low))


def window_steps(days: np.ndarray, step_days: float) -> np.ndarray:
    """Steps a window of ``days`` covers: ceil(days / step_days), at least 1 (an event lasts at
    least the step it happens in). The 1e-9 absorbs rounding of fractions like 1/24."""
    return np.maximum(np.ceil(days / step_days - 1e-9), 1).astype(np.int64)


@dataclass
class Draws:
    """Every uncertain number of a batch, one value per run.

    traits/capabilities: name -> (A, N); dynamics: name -> (N,); weights: WeightArrays of (N,);
    relations: relation id -> (N,) (strength, autonomy or weight); events: (E, N) bool (happens);
    event_shift: (E, N) int, steps each event is delayed (its drawn ``delay`` in whole steps);
    event_stretch: (E, N) int, steps its window lasts beyond its first (from a drawn ``duration``);
    initial_escalation (N,); initial_pressure (A, N); by_site: every site's values by (group, owner,
    name), e.g. positions and bargaining constants; columns: ``param.<path>`` for random params
    and ``event.<id>`` for probabilistic events, to store with the runs.
    """

    traits: dict[str, np.ndarray]
    capabilities: dict[str, np.ndarray]
    dynamics: dict[str, np.ndarray]
    weights: WeightArrays
    relations: dict[str, np.ndarray]
    events: np.ndarray
    event_shift: np.ndarray
    event_stretch: np.ndarray
    initial_escalation: np.ndarray
    initial_pressure: np.ndarray
    columns: dict[str, np.ndarray]
    by_site: dict[tuple[str, str, str], np.ndarray]


def draw_parameters(
    cs: CompiledScenario, stream: StreamFactory, n: int, given: Mapping[str, np.ndarray] | None = None
) -> Draws:
    """Draw every Param of the scenario (its parameter sites) for ``n`` runs from path-keyed
    streams, then whether each probabilistic event happens.

    ``given``: parameter path -> (n,) values to use instead of drawing (e.g. the particles of a
    calibration, one per run); they are stored as ``param.<path>`` columns too. The other sites'
    draws are unchanged (their streams are keyed by path).
    """
    sc = cs.scenario
    columns: dict[str, np.ndarray] = {}
    drawn: dict[tuple[str, str, str], np.ndarray] = {}
    given = given or {}
    sites = param_sites(sc)
    unknown = sorted(set(given) - {site.path for site in sites})
    if unknown:
        raise ValueError(f"given values for paths that are no parameter site: {', '.join(unknown)}")
    for site in sites:
        if site.path in given:
            values = np.asarray(given[site.path], dtype=float).reshape(n)
            columns[col.param(site.path)] = values.astype(np.float32)
        elif site.param.is_random():
            values = param_ppf(site.param, stream(f"param:{site.path}").random(n))
            columns[col.param(site.path)] = values.astype(np.float32)
        else:
            values = param_ppf(site.param, np.zeros(n))
        drawn[site.group, site.owner, site.name] = values

    def per_actor(group: str, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        return {x: np.stack([drawn[group, a.id, x] for a in sc.actors]) for x in names}

    happens = np.ones((len(cs.events), n), dtype=bool)
    for e_i, ev in enumerate(cs.events):
        if ev.probability is not None:
            happens[e_i] = stream(f"event:{ev.id}").random(n) < drawn["events", ev.id, "probability"]
            columns[col.event(ev.id)] = happens[e_i]
    shift = np.zeros((len(cs.events), n), dtype=np.int64)
    stretch = np.zeros((len(cs.events), n), dtype=np.int64)
    for e_i, ev in enumerate(cs.events):
        if ("events", ev.id, "delay") in drawn:
            days = drawn["events", ev.id, "delay"]
            shift[e_i] = np.floor(days / sc.scenario.step_days).astype(np.int64)
        if ("events", ev.id, "duration") in drawn:
            stretch[e_i] = window_steps(drawn["events", ev.id, "duration"], sc.scenario.step_days) - 1
    init_p = np.zeros((len(sc.actors), n))
    for sp in sc.initial.pressure:
        for i, a in enumerate(sc.actors):
            if a.side == sp.side:
                init_p[i] = drawn["initial", sp.side, "pressure"]
    return Draws(
        traits=per_actor("traits", TRAIT_NAMES),
        capabilities=per_actor("capabilities", CAPABILITY_NAMES),
        dynamics={name: v for (group, _, name), v in drawn.items() if group == "dynamics"},
        weights=WeightArrays(**{name: v for (group, _, name), v in drawn.items() if group == "weights"}),
        relations={owner: v for (group, owner, _), v in drawn.items() if group == "relations"},
        events=happens,
        event_shift=shift,
        event_stretch=stretch,
        initial_escalation=drawn["initial", "", "escalation"],
        initial_pressure=init_p,
        columns=columns,
        by_site=drawn,
    )
