"""Summary statistics of an observed period and of simulated runs of the same period.

The simulated period mirrors the record: the scenario (with the record's ``setup:`` overrides)
starts the day before ``period.start``, so that step t is the day ``period.start + t - 1`` and the
horizon is the period's length in days. Scenario events dated after the period do not fire.

Every act is put in one *kind* by its action: ``military`` (tag ``military``), ``conflict`` (other
acts with Goldstein < 0), ``cooperation`` (Goldstein > 0); the status quo (Goldstein 0) is no act.
The statistics (their order is :attr:`StatSpec.names`):

- ``count.<actor>.<kind>``: acts of that kind by that actor over the period (one per actor-day),
  for every kind the actor has an action of;
- ``late_share``: share of the hostile acts (military and conflict, all actors) that fall in the
  second half of the period (0.5 when there are none): the timing of the confrontation;
- ``episodes``: escalation episodes, i.e. clusters of military acts (any actor) separated by more
  than ``EPISODE_GAP`` days without one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from sim.calibrate.observations import Observations
from sim.engine.allocator import restore_heap_allocation
from sim.engine.runner import prepare, release_model
from sim.engine.seeds import stream_factory
from sim.model.compiled import CompiledScenario
from sim.model.model import EscalationModel
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Scenario

EPISODE_GAP = 14
"""Days without a military act that separate two escalation episodes (an assumption: two weeks)."""

KINDS = ("military", "conflict", "cooperation")


def act_kind(scenario: Scenario, action_id: str) -> str | None:
    """The kind of an action (see the module docstring), None for no act."""
    a = next(x for x in scenario.actions if x.id == action_id)
    if "military" in a.tags:
        return "military"
    if a.goldstein < 0:
        return "conflict"
    if a.goldstein > 0:
        return "cooperation"
    return None


def period_scenario(scenario: Scenario, obs: Observations) -> Scenario:
    """The scenario over the observed period (see the module docstring)."""
    period = obs.observations.period
    assert period is not None
    sc = apply_overrides(scenario, dict(obs.setup)) if obs.setup else scenario
    start = period.start - dt.timedelta(days=1)
    head = sc.scenario.model_copy(update={"start_date": start, "horizon": period.days + 1, "step_days": 1})
    return sc.model_copy(update={"scenario": head})


@dataclass(frozen=True)
class StatSpec:
    """Which statistics, and the lookup tables that compute them from (A, N) choices."""

    names: tuple[str, ...]
    stat_of: np.ndarray  # (A, K) int: count statistic of actor a taking action k, -1 if none
    hostile: np.ndarray  # (A, K) bool
    military: np.ndarray  # (A, K) bool
    days: int

    @property
    def n_counts(self) -> int:
        return len(self.names) - 2

    @classmethod
    def of(cls, scenario: Scenario, days: int) -> StatSpec:
        ids = [a.id for a in scenario.actions]
        kinds = {a: act_kind(scenario, a) for a in ids}
        names: list[str] = []
        n_a = len(scenario.actors)
        stat_of = np.full((n_a, len(ids)), -1, dtype=np.int64)
        hostile = np.zeros((n_a, len(ids)), dtype=bool)
        military = np.zeros((n_a, len(ids)), dtype=bool)
        for i, actor in enumerate(scenario.actors):
            for kind in KINDS:
                own = [ids.index(a) for a in actor.actions if kinds[a] == kind]
                if own:
                    stat_of[i, own] = len(names)
                    names.append(f"count.{actor.id}.{kind}")
            for a in actor.actions:
                hostile[i, ids.index(a)] = kinds[a] in ("military", "conflict")
                military[i, ids.index(a)] = kinds[a] == "military"
        return cls(tuple([*names, "late_share", "episodes"]), stat_of, hostile, military, days)


def statistics_of(
    counts: np.ndarray, hostile_days: list[np.ndarray], military_days: list[np.ndarray], days: int
) -> np.ndarray:
    """Statistics (N, m) from count statistics (N, c) and, per run, the days (1..days) of hostile
    and of military acts (a day repeats once per act)."""
    late = np.array([np.mean(h > days / 2) if h.size else 0.5 for h in hostile_days])
    episodes = np.array([episodes_of(m) for m in military_days], dtype=float)
    return np.column_stack([counts, late, episodes])


def episodes_of(days: np.ndarray) -> int:
    """Clusters of days separated by more than EPISODE_GAP days."""
    if days.size == 0:
        return 0
    d = np.unique(days)
    return int(1 + np.sum(np.diff(d) > EPISODE_GAP))


def observed_statistics(spec: StatSpec, scenario: Scenario, obs: Observations) -> np.ndarray:
    """The record's statistics (m,), day t = date - period.start + 1 (as in the simulation)."""
    period = obs.observations.period
    assert period is not None
    actors = [a.id for a in scenario.actors]
    ids = [a.id for a in scenario.actions]
    counts = np.zeros(spec.n_counts)
    hostile, military = [], []
    for ev in obs.events:
        i, k = actors.index(ev.actor), ids.index(ev.action)
        day = (ev.date - period.start).days + 1
        if spec.stat_of[i, k] >= 0:
            counts[spec.stat_of[i, k]] += 1
        if spec.hostile[i, k]:
            hostile.append(day)
        if spec.military[i, k]:
            military.append(day)
    return statistics_of(counts[None, :], [np.array(hostile)], [np.array(military)], spec.days)[0]


class RecordingModel(EscalationModel):
    """The escalation model that also records, per run, what the statistics need."""

    def __init__(
        self,
        cs: CompiledScenario,
        spec: StatSpec,
        n_runs: int,
        seed: int,
        key: int,
        given: Mapping[str, np.ndarray],
    ):
        super().__init__(cs, n_runs, stream_factory(seed, key), given=given)
        self.spec = spec
        self.counts = np.zeros((n_runs, spec.n_counts))
        self.hostile_n = np.zeros(n_runs)
        self.hostile_late = np.zeros(n_runs)
        self.mil_last = np.full(n_runs, -(10**9))
        self.episodes = np.zeros(n_runs)

    def step(self) -> None:
        super().step()
        t = self.steps
        choices = np.stack([a.choice for a in self.actor_agents])  # (A, N) after the relations
        rows = np.arange(choices.shape[0])[:, None]
        stat = self.spec.stat_of[rows, choices]  # (A, N)
        a_i, r_i = np.nonzero(stat >= 0)
        np.add.at(self.counts, (r_i, stat[a_i, r_i]), 1.0)
        n_hostile = self.spec.hostile[rows, choices].sum(axis=0)
        self.hostile_n += n_hostile
        if t > self.spec.days / 2:
            self.hostile_late += n_hostile
        mil = self.spec.military[rows, choices].any(axis=0)
        self.episodes += mil & (t - self.mil_last > EPISODE_GAP)
        self.mil_last = np.where(mil, t, self.mil_last)

    def statistics(self) -> np.ndarray:
        late = np.where(self.hostile_n > 0, self.hostile_late / np.maximum(self.hostile_n, 1), 0.5)
        return np.column_stack([self.counts, late, self.episodes])


def simulate_statistics(
    cs: CompiledScenario, spec: StatSpec, values: Mapping[str, np.ndarray], seed: int, key: int
) -> np.ndarray:
    """Statistics (n, m) of n runs of the period, run i with ``values[path][i]`` for each path."""
    n = len(next(iter(values.values())))
    restore_heap_allocation()  # as run_batch: Dask workers pin malloc to mmap otherwise
    with threadpool_limits(limits=1):
        model = RecordingModel(cs, spec, n, seed, key, values)
        for _ in range(cs.horizon):
            model.step()
        out = model.statistics()
    release_model(model)
    return out


def compile_period(scenario: Scenario, obs: Observations) -> CompiledScenario:
    """The compiled period scenario (static levers applied)."""
    return prepare(period_scenario(scenario, obs))
