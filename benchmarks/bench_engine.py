"""Engine benchmark (``nox -s bench``): ratios measured in one run of this script.

1. Runs/s of the model stepped one replication at a time through Mesa (``n_runs=1`` models) vs
   the vectorised batch path (one model stepping a batch), same scenario, same process.
   Bar: >= 300x (issues 11, 12).
2. 1,000,000 runs of the baseline on all cores: wall time (bar: < 300 s on 2 cores) and peak
   memory of the driver plus its worker processes (bar: < 1.5 GB).
3. How cost grows with runs (10^3..10^6), actors (4..64) and steps (30..1000).

Prints a table and writes reports/bench/engine.json. Usage:
    python benchmarks/bench_engine.py [--scenario FILE] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

from sim.engine.runner import CHUNK_RUNS, prepare, run_batch, run_chunk, run_scenario
from sim.engine.seeds import stream_factory
from sim.model.model import EscalationModel
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario


def per_replication_rate(scenario: Scenario, n: int) -> float:
    """Runs/s of Mesa models of one replication each (batch index = run index)."""
    cs = prepare(scenario)
    started = time.perf_counter()
    for b in range(n):
        model = EscalationModel(cs, 1, stream_factory(1, b))
        model.run()
        model.remove_all_agents()
    return n / (time.perf_counter() - started)


def batch_rate(scenario: Scenario, size: int, repeats: int = 2) -> float:
    """Runs/s of the batch path in this process (best of ``repeats`` batches)."""
    cs = prepare(scenario)
    best = 0.0
    for r in range(repeats):
        started = time.perf_counter()
        run_batch(cs, seed=1, batch_index=r, size=size)
        best = max(best, size / (time.perf_counter() - started))
    return best


def chunk_rate(scenario: Scenario, batch: int, repeats: int = 2) -> float:
    """Runs/s of consecutive batches stepped as one chunk (as run_scenario does for big runs)."""
    cs = prepare(scenario)
    blocks = max(1, CHUNK_RUNS // batch)
    best = 0.0
    for r in range(repeats):
        started = time.perf_counter()
        run_chunk(cs, seed=1, first_batch=r * blocks, sizes=(batch,) * blocks, batch_size=batch)
        best = max(best, blocks * batch / (time.perf_counter() - started))
    return best


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest finished child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def with_actors(scenario: Scenario, n_actors: int) -> Scenario:
    """The scenario with ``n_actors`` actors: the first ones, or copies of them, relations among
    kept actors only (a scaling probe, not a meaningful crisis)."""
    base = scenario.actors
    actors = []
    for k in range(n_actors):
        a = base[k % len(base)]
        actors.append(a if k < len(base) else a.model_copy(update={"id": f"{a.id}_c{k}", "red_lines": []}))
    kept = {a.id for a in actors}

    def keep(rel: Any) -> bool:
        ids = [
            getattr(rel, f, None)
            for f in ("holder", "subject", "commander", "subordinate", "source", "target")
        ]
        ids += list(getattr(rel, "members", []))
        return all(i in kept for i in ids if i is not None)

    relations = [r for r in scenario.relations if keep(r)]
    return scenario.model_copy(update={"actors": actors, "relations": relations})


def with_horizon(scenario: Scenario, steps: int) -> Scenario:
    meta = scenario.scenario.model_copy(update={"horizon": steps})
    return scenario.model_copy(update={"scenario": meta})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/iran_us_2019.yaml")
    ap.add_argument("--quick", action="store_true", help="skip the 10^6-run measurements")
    ap.add_argument("--out", default="reports/bench/engine.json")
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    workers = os.cpu_count() or 1
    batch = sc.scenario.monte_carlo.batch_size
    report: dict[str, Any] = {
        "scenario": sc.scenario.id,
        "horizon": sc.scenario.horizon,
        "actors": len(sc.actors),
        "cpu_count": workers,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }

    one = per_replication_rate(sc, 30)
    fast = batch_rate(sc, batch)
    report["mesa_one_at_a_time_runs_per_s"] = one
    report["batch_runs_per_s"] = fast
    report["batch_speedup"] = fast / one
    print(f"Mesa one replication at a time: {one:10.1f} runs/s")
    print(f"vectorised batch of {batch:>6}:   {fast:10.1f} runs/s")
    print(f"ratio: {fast / one:.0f}x (bar: >= 300x)  {'PASS' if fast / one >= 300 else 'FAIL'}")
    chunked = chunk_rate(sc, batch)
    report["chunk_runs_per_s"] = chunked
    print(f"batches stepped as one chunk:   {chunked:10.1f} runs/s ({chunked / fast:.2f}x one batch)")

    scaling_runs = []
    for runs in [10**3, 10**4, 10**5] if args.quick else [10**3, 10**4, 10**5, 10**6]:
        started = time.perf_counter()
        run_scenario(sc, runs=runs, workers=workers, samples=0)
        wall = time.perf_counter() - started
        scaling_runs.append({"runs": runs, "seconds": wall, "runs_per_s": runs / wall})
        print(f"runs {runs:>9,}: {wall:8.1f} s  {runs / wall:10.0f} runs/s")
    report["scaling_runs"] = scaling_runs
    own, child = peak_rss_mb()
    peak = own + child * min(workers, 2)
    report["peak_memory_mb_driver"] = own
    report["peak_memory_mb_worker"] = child
    report["peak_memory_mb_total"] = peak
    if not args.quick:
        million = scaling_runs[-1]["seconds"]
        report["million_runs_seconds"] = million
        print(f"10^6 runs: {million:.0f} s (bar: < 300 s) {'PASS' if million < 300 else 'FAIL'}")
        print(
            f"peak memory driver + workers: {peak:.0f} MB (bar: < 1536 MB) "
            f"{'PASS' if peak < 1536 else 'FAIL'}"
        )

    size = min(batch, 2048)
    scaling_actors = []
    for n_actors in (4, 8, 16, 32, 64):
        rate = batch_rate(with_actors(sc, n_actors), size, repeats=1)
        scaling_actors.append({"actors": n_actors, "runs_per_s": rate})
        print(f"actors {n_actors:>3}: {rate:10.0f} runs/s (batch {size})")
    report["scaling_actors"] = scaling_actors
    scaling_steps = []
    for steps in (30, 100, 300, 1000):
        rate = batch_rate(with_horizon(sc, steps), size, repeats=1)
        scaling_steps.append({"steps": steps, "runs_per_s": rate, "run_steps_per_s": rate * steps})
        print(f"steps {steps:>5}: {rate:10.0f} runs/s  {rate * steps:12.0f} run-steps/s")
    report["scaling_steps"] = scaling_steps

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"written: {out}")


if __name__ == "__main__":
    main()
