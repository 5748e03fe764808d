"""Sweep benchmark (``nox -s bench``): the same sweep on 1 and on 2 local Dask workers.

1. Throughput (runs/s) with 2 worker processes vs 1. Bar: >= 1.8x.
2. Dask overhead with 2 workers: 1 - (sum of task compute time measured inside the tasks) /
   (wall time of the sweep * workers). Bar: < 5%. Wall time runs from the first submit to the
   last stored file (it includes writing task files; it excludes starting the cluster, which
   happens once per sweep, and the import of the engine on each worker, done before timing).

Keeps to 2 cores (the machine's size). Prints a table and writes reports/bench/sweep.json.
Usage:
    python benchmarks/bench_sweep.py [--scenario FILE] [--points N] [--runs-per-point R]
        [--batch-size B] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

from sim.sweep.cluster import connect
from sim.sweep.execute import SweepOutcome, run_sweep
from sim.sweep.resolve import resolve
from sim.sweep.spec import spec_from_cli

PARAMS = ["dynamics.relaxation=0.01:0.1", "dynamics.accident_base=0.0:0.01"]


def _warm() -> None:
    """Import the engine on a worker (outside the timed part)."""
    import sim.engine.runner
    import sim.scenario.paths  # noqa: F401


def timed_sweep(scenario: str, workers: int, points: int, runs: int, batch: int) -> SweepOutcome:
    """Run an LHS sweep on ``workers`` local worker processes into a temporary directory."""
    spec = spec_from_cli(
        scenario,
        PARAMS,
        design="lhs",
        points=points,
        runs_per_point=runs,
        batch_size=batch,
        seed=1,
        sweep_id="bench",
    )
    resolved = resolve(spec)
    with connect(None, workers=workers) as client, tempfile.TemporaryDirectory() as tmp:
        client.run(_warm)
        return run_sweep(resolved, Path(tmp) / "out", client=client)


def row(label: str, out: SweepOutcome) -> dict[str, Any]:
    rate = out.runs_run / out.wall_s
    print(
        f"{label:<10} {out.nthreads:>7} {out.tasks_run:>6} {out.runs_run:>9,} {out.wall_s:>8.2f} "
        f"{out.compute_s:>10.2f} {rate:>10,.0f} {out.overhead_share:>9.1%}"
    )
    return {
        "workers": out.nthreads,
        "tasks": out.tasks_run,
        "runs": out.runs_run,
        "wall_s": out.wall_s,
        "compute_s": out.compute_s,
        "runs_per_s": rate,
        "overhead_share": out.overhead_share,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    default = (
        "scenarios/iran_us_2019.yaml"
        if Path("scenarios/iran_us_2019.yaml").exists()
        else "tests/data/mini.yaml"
    )
    ap.add_argument("--scenario", default=default)
    ap.add_argument("--points", type=int, default=12)
    ap.add_argument("--runs-per-point", type=int, default=8_000)
    ap.add_argument("--batch-size", type=int, default=4_000)
    ap.add_argument("--quick", action="store_true", help="a quarter of the runs per point")
    ap.add_argument("--out", default="reports/bench/sweep.json")
    args = ap.parse_args()
    runs = args.runs_per_point // 4 if args.quick else args.runs_per_point
    batch = min(args.batch_size, runs)
    print(f"sweep: {args.scenario}, lhs {args.points} points x {runs:,} runs, tasks of {batch:,} runs")
    print(
        f"{'cluster':<10} {'workers':>7} {'tasks':>6} {'runs':>9} {'wall s':>8} {'compute s':>10} "
        f"{'runs/s':>10} {'overhead':>9}"
    )
    one = row("1 worker", timed_sweep(args.scenario, 1, args.points, runs, batch))
    two = row("2 workers", timed_sweep(args.scenario, 2, args.points, runs, batch))
    speedup = two["runs_per_s"] / one["runs_per_s"]
    overhead = two["overhead_share"]
    ok_speed, ok_overhead = speedup >= 1.8, overhead < 0.05
    print(f"speedup 2 vs 1 worker: {speedup:.2f}x (bar: >= 1.8x)  {'PASS' if ok_speed else 'FAIL'}")
    print(f"Dask overhead with 2 workers: {overhead:.1%} (bar: < 5%)  {'PASS' if ok_overhead else 'FAIL'}")
    report = {
        "scenario": args.scenario,
        "design": "lhs",
        "points": args.points,
        "runs_per_point": runs,
        "batch_size": batch,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "one_worker": one,
        "two_workers": two,
        "speedup": speedup,
        "speedup_bar": 1.8,
        "speedup_pass": ok_speed,
        "overhead_share": overhead,
        "overhead_bar": 0.05,
        "overhead_pass": ok_overhead,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
