"""Tests of the Monte Carlo engine (sim/engine/runner.py): reproducibility, batches, workers,
common random numbers, aggregates, and that one-run and batched models agree."""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.engine.results import RunResults
from sim.engine.runner import (
    CHUNK_BLOCKS,
    CHUNK_RUNS,
    CHUNKS_PER_WORKER,
    ProgressCallback,
    batch_plan,
    chunk_plan,
    prepare,
    run_batch,
    run_chunk,
    run_scenario,
)
from sim.engine.seeds import stream_factory
from sim.model.compiled import CompiledScenario
from sim.model.model import NEVER, EscalationModel
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

DATA = Path(__file__).parents[1] / "data"


def _run(
    sc: Scenario,
    runs: int = 400,
    seed: int = 5,
    batch_size: int = 150,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> RunResults:
    return run_scenario(
        sc, runs=runs, seed=seed, batch_size=batch_size, workers=workers, samples=3, progress=progress
    )


def _assert_same(a: RunResults, b: RunResults) -> None:
    pd.testing.assert_frame_equal(a.runs, b.runs)
    assert np.array_equal(a.escalation_hist, b.escalation_hist)
    assert np.array_equal(a.action_counts, b.action_counts)
    assert [s.run for s in a.samples] == [s.run for s in b.samples]
    for x, y in zip(a.samples, b.samples, strict=True):
        assert np.array_equal(x.escalation, y.escalation) and np.array_equal(x.actions, y.actions)


def test_batch_plan() -> None:
    assert batch_plan(400, 150) == [(0, 150), (1, 150), (2, 100)]
    assert batch_plan(300, 150) == [(0, 150), (1, 150)]
    assert batch_plan(1, 4096) == [(0, 1)]


def test_same_seed_same_results(mini_scenario: Scenario) -> None:
    _assert_same(_run(mini_scenario), _run(mini_scenario))


def test_different_seed_different_results(mini_scenario: Scenario) -> None:
    a, b = _run(mini_scenario, seed=5), _run(mini_scenario, seed=6)
    assert not np.array_equal(a.runs["peak_escalation"], b.runs["peak_escalation"])
    assert not np.array_equal(a.action_counts, b.action_counts)


def test_default_settings_come_from_the_scenario(mini_scenario: Scenario) -> None:
    mc = mini_scenario.scenario.monte_carlo  # runs 2000, seed 7, batch 500, samples 4
    res = run_scenario(mini_scenario, runs=600, workers=1)
    assert (res.seed, res.batch_size, res.runs_count) == (mc.seed, mc.batch_size, 600)
    assert len(res.samples) == mc.samples
    np.testing.assert_array_equal(res.runs["run"], np.arange(600))
    np.testing.assert_array_equal(res.runs["batch"], np.repeat([0, 1], [500, 100]))


def test_workers_do_not_change_results(mini_scenario: Scenario) -> None:
    one = _run(mini_scenario, runs=500, batch_size=100, workers=1)
    two = _run(mini_scenario, runs=500, batch_size=100, workers=2)
    assert two.extra["workers"] == 2
    _assert_same(one, two)


def test_first_batches_do_not_depend_on_total_runs(mini_scenario: Scenario) -> None:
    n = 300
    short = _run(mini_scenario, runs=n, batch_size=150)
    long = _run(mini_scenario, runs=2 * n, batch_size=150)
    pd.testing.assert_frame_equal(short.runs, long.runs.iloc[:n].reset_index(drop=True))
    batch = run_batch(prepare(mini_scenario), seed=5, batch_index=3, size=150, batch_size=150)
    pd.testing.assert_frame_equal(batch.runs, long.runs.iloc[450:].reset_index(drop=True))


def test_removing_an_actor_keeps_the_others_draws(mini_scenario: Scenario) -> None:
    """Common random numbers: every parameter the two scenarios share is drawn identically."""
    variant = load_scenario(DATA / "mini_no_guards.yaml")
    base, other = _run(mini_scenario), _run(variant)
    shared = [str(c) for c in base.runs if str(c).startswith(("param.", "event.")) and c in other.runs]
    assert "param.actors.leader.traits.hawkishness" in shared
    assert "param.actors.south_gov.traits.hawkishness" in shared
    assert "param.initial.escalation" in shared and "event.change" in shared
    assert not any(".guards" in str(c) for c in other.runs)
    pd.testing.assert_frame_equal(base.runs[shared], other.runs[shared])
    # ... while the runs themselves differ (the guards matter)
    assert not np.array_equal(base.runs["peak_escalation"], other.runs["peak_escalation"])


def test_aggregate_totals(mini_scenario: Scenario) -> None:
    res = _run(mini_scenario, runs=350)
    np.testing.assert_array_equal(res.escalation_hist.sum(axis=1), 350)
    np.testing.assert_array_equal(res.action_counts.sum(axis=(1, 2)), 350 * 4)
    np.testing.assert_array_equal(res.action_counts.sum(axis=2), 350)  # each actor, each step
    assert len(res.runs) == 350 and res.runs["run"].is_unique


def test_progress_reports_every_run(mini_scenario: Scenario) -> None:
    seen: list[int] = []
    _run(mini_scenario, runs=350, progress=seen.append)
    assert sorted(seen) == [50, 150, 150]


def test_runs_must_be_positive(mini_scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="runs"):
        run_scenario(mini_scenario, runs=0, workers=1)


# ---- one implementation: one-run Mesa models and the batch agree --------------------------------


def _two_proportion_p(x1: int, x2: int, n: int) -> float:
    """Two-sided p-value of the pooled two-proportion z test with n trials each."""
    pooled = (x1 + x2) / (2 * n)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (x1 - x2) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    return float(2 * stats.norm.sf(abs(z)))


def _model_table(cs: CompiledScenario, seed: int, batch_index: int, n: int) -> pd.DataFrame:
    """Run one Mesa model of ``n`` replications; per-run outcome steps and final escalation."""
    model = EscalationModel(cs, n, stream_factory(seed, batch_index))
    assert isinstance(model, mesa.Model)
    out = model.run()
    model.remove_all_agents()
    table = {oid: out.outcome_step[o] for o, oid in enumerate(cs.outcome_ids)}
    return pd.DataFrame(table | {"final_escalation": out.final, "peak_escalation": out.peak})


def test_one_run_at_a_time_matches_the_batch(mini_scenario: Scenario) -> None:
    """M one-replication Mesa models (n_runs=1, batch b) vs one batch of M runs: the same code,
    so outcome rates and escalation distributions must be statistically indistinguishable."""
    m = 300
    cs = prepare(mini_scenario)
    singles = pd.concat([_model_table(cs, 21, b, 1) for b in range(m)], ignore_index=True)
    batch = _model_table(cs, 22, 0, m)
    assert len(singles) == len(batch) == m
    for oid in cs.outcome_ids:
        x1, x2 = int((singles[oid] != NEVER).sum()), int((batch[oid] != NEVER).sum())
        assert _two_proportion_p(x1, x2, m) > 0.001, (oid, x1, x2)
        a, b = singles.loc[singles[oid] != NEVER, oid], batch.loc[batch[oid] != NEVER, oid]
        if len(a) > 10 and len(b) > 10:
            assert stats.ks_2samp(a, b, method="asymp").pvalue > 0.001, (oid, a.mean(), b.mean())
    for col in ("final_escalation", "peak_escalation"):
        assert stats.ks_2samp(singles[col], batch[col], method="asymp").pvalue > 0.001, col
    # the check has power: talks happen in some runs but not all
    assert 0.05 < (batch["talks"] != NEVER).mean() < 0.95


def test_table_is_the_batches_in_run_order(mini_scenario: Scenario) -> None:
    """The driver fills one array per column batch by batch (workers finish in any order); the
    table must equal the batches run one by one and concatenated, dtypes included."""
    res = _run(mini_scenario, runs=350, batch_size=100, workers=2)
    cs = prepare(mini_scenario)
    parts = [
        run_batch(cs, seed=5, batch_index=b, size=size, batch_size=100).runs
        for b, size in batch_plan(350, 100)
    ]
    pd.testing.assert_frame_equal(res.runs, pd.concat(parts, ignore_index=True))


@pytest.mark.parametrize("scenario_file", ["tests/data/mini.yaml", "scenarios/iran_us_2019.yaml"])
def test_chunk_equals_its_batches_run_one_by_one(scenario_file: str) -> None:
    """Stepping consecutive batches as one model (a chunk) is a speed setting: every row,
    aggregate and kept trajectory equals the batches run alone (Iran: bargaining, deliberation,
    delayed events; any draw that depended on other runs of the batch would show here)."""
    cs = prepare(load_scenario(Path(__file__).parents[2] / scenario_file))
    sizes = (300, 300, 300, 150)
    parts = [
        run_batch(cs, seed=7, batch_index=5 + k, size=s, batch_size=300, keep_samples=5 if k == 0 else 0)
        for k, s in enumerate(sizes)
    ]
    chunk = run_chunk(cs, seed=7, first_batch=5, sizes=sizes, batch_size=300, keep_samples=5)
    pd.testing.assert_frame_equal(chunk.runs, pd.concat([p.runs for p in parts], ignore_index=True))
    assert np.array_equal(chunk.escalation_hist, sum(p.escalation_hist for p in parts))
    assert np.array_equal(chunk.action_counts, sum(p.action_counts for p in parts))
    assert [s.run for s in chunk.samples] == [s.run for s in parts[0].samples] == list(range(1500, 1505))
    for x, y in zip(chunk.samples, parts[0].samples, strict=True):
        assert np.array_equal(x.escalation, y.escalation) and np.array_equal(x.actions, y.actions)


def test_run_scenario_in_chunks_equals_batches_one_by_one(mini_scenario: Scenario) -> None:
    """32 batches on one worker are stepped 8 at a time; the table is still the batches'."""
    assert [len(s) for _, s in chunk_plan(batch_plan(3200, 100), 100, 1)] == [8, 8, 8, 8]
    res = _run(mini_scenario, runs=3200, batch_size=100)
    cs = prepare(mini_scenario)
    parts = [run_batch(cs, seed=5, batch_index=b, size=n, batch_size=100) for b, n in batch_plan(3200, 100)]
    pd.testing.assert_frame_equal(res.runs, pd.concat([p.runs for p in parts], ignore_index=True))
    assert np.array_equal(res.escalation_hist, sum(p.escalation_hist for p in parts))
    assert [s.run for s in res.samples] == [0, 1, 2]


@given(
    runs=st.integers(1, 200_000),
    batch_size=st.integers(1, 20_000),
    workers=st.integers(1, 16),
)
def test_chunk_plan_covers_the_batches_in_order(runs: int, batch_size: int, workers: int) -> None:
    plan = batch_plan(runs, batch_size)
    chunks = chunk_plan(plan, batch_size, workers)
    flat = [(first + k, size) for first, sizes in chunks for k, size in enumerate(sizes)]
    assert flat == plan
    for _, sizes in chunks:
        assert len(sizes) <= CHUNK_BLOCKS
        assert len(sizes) == 1 or sum(sizes) <= CHUNK_RUNS
    if any(len(sizes) > 1 for _, sizes in chunks):  # grouping never starves a worker
        assert len(chunks) >= CHUNKS_PER_WORKER * workers
