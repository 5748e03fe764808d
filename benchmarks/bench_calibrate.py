"""Calibration benchmark (``nox -s bench``): `sim calibrate` of 5 constants of the baseline on 1
and on 2 local Dask workers: wall time (from the cluster being up to the posterior predictive
draws), simulations per second, the speedup of 2 workers over 1, and the CPU seconds the tasks
used per wall second ("cores used": about 2 when both workers get a core; less on a machine
shared with other work, where the speedup cannot show).

The two runs give the same posterior (the numbers depend on the seed and chunk size only).
Writes reports/bench/calibrate.json.
Usage: python benchmarks/bench_calibrate.py [--particles N] [--generations T] [--chunk C]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

import numpy as np

from sim.calibrate.abc import Settings
from sim.workflow.calibrate import calibrate

PARAMS = [
    "dynamics.logit_precision",
    "dynamics.accident_base",
    "dynamics.weights.disposition",
    "dynamics.weights.resolve",
    "dynamics.weights.spoiler",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="scenarios/iran_us_2019.yaml")
    ap.add_argument("--record", default="data/iran_us_2019_before.yaml")
    ap.add_argument("--particles", type=int, default=1000)
    ap.add_argument("--generations", type=int, default=4)
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--out", default="reports/bench/calibrate.json")
    a = ap.parse_args()
    s = Settings(particles=a.particles, generations=a.generations, seed=1)
    rows = {}
    posts = []
    print(
        f"calibrate {len(PARAMS)} constants of {a.scenario}: "
        f"{a.particles} particles, {a.generations} generations"
    )
    print(
        f"{'workers':>7} {'simulations':>12} {'wall s':>8} {'sims/s':>9} "
        f"{'task CPU s':>10} {'cores used':>10}"
    )
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            variant = Path(a.scenario).with_name(f"bench_calibrated_{os.getpid()}.yaml")
            try:
                out = calibrate(
                    a.scenario,
                    a.record,
                    params=PARAMS,
                    out_dir=tmp,
                    variant_file=variant,
                    settings=s,
                    chunk=a.chunk,
                    cluster="local",
                    workers=workers,
                    report=False,
                )
            finally:
                variant.unlink(missing_ok=True)
        rate = out.simulations / out.elapsed_s
        cores = out.cpu_s / out.elapsed_s  # CPU seconds of the tasks per wall second
        rows[workers] = {
            "simulations": out.simulations,
            "wall_s": out.elapsed_s,
            "sims_per_s": rate,
            "task_cpu_s": out.cpu_s,
            "sims_per_cpu_s": out.simulations / out.cpu_s,
            "cores_used": cores,
        }
        posts.append(out.generations[-1].u)
        print(
            f"{workers:>7} {out.simulations:>12,} {out.elapsed_s:>8.2f} {rate:>9,.0f} "
            f"{out.cpu_s:>10.2f} {cores:>10.2f}"
        )
    speedup = rows[2]["sims_per_s"] / rows[1]["sims_per_s"]
    same = bool(np.array_equal(posts[0], posts[1]))
    print(f"speedup 2 vs 1 worker: {speedup:.2f}x; same posterior: {same}")
    load = os.getloadavg()[0]
    print(
        f"load average (1 min) at the end: {load:.2f} on {os.cpu_count()} cores (other processes share them)"
    )
    doc = {
        "scenario": a.scenario,
        "params": PARAMS,
        "particles": a.particles,
        "generations": a.generations,
        "chunk": a.chunk,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "one_worker": rows[1],
        "two_workers": rows[2],
        "speedup": speedup,
        "same_posterior": same,
        "load_average_1min": load,
    }
    p = Path(a.out)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(doc, indent=1))
    print(f"wrote {p}")


if __name__ == "__main__":
    main()
