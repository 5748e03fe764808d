"""SLURM benchmark (``nox -s bench``): the same sweep through a real single-node SLURM cluster
(``--cluster slurm``, dask-jobqueue) and on the embedded LocalCluster, 2 workers each.

The overhead of going through the queue, as ratios SLURM / local:

- start: from opening the cluster to 2 workers connected (sbatch, scheduling, worker start-up);
- sweep: wall time of the sweep itself, workers up (the same measure as bench_sweep.py);
- total: start + sweep, what a user waits for.

Each cluster runs ``--repeat`` times (alternated, as the machine may be shared); the best
total of each is compared.

The cluster is started with scripts/slurm-local.sh (root; slurm-wlm and munge are installed if
missing) and stopped at the end. When it cannot be set up, the benchmark says why and writes
``{"skipped": reason}``. Writes reports/bench/slurm.json.
Usage:
    python benchmarks/bench_slurm.py [--scenario FILE] [--points N] [--runs-per-point R]
        [--batch-size B] [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from sim.sweep.cluster import connect
from sim.sweep.execute import run_sweep
from sim.sweep.resolve import resolve
from sim.sweep.spec import ResolvedSweep, spec_from_cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sweep"))
from slurm_cluster import local_slurm, unavailable

PARAMS = ["dynamics.relaxation=0.01:0.1", "dynamics.accident_base=0.0:0.01"]
WORKERS = 2


def _warm() -> None:
    """Import the engine on a worker (outside the timed sweep)."""
    import sim.engine.runner
    import sim.scenario.paths  # noqa: F401


def timed(resolved: ResolvedSweep, cluster: str | None, config: Path | None) -> dict[str, float]:
    """Open the cluster, wait for 2 workers, run the sweep into a temporary folder; times in s."""
    t0 = time.perf_counter()
    with connect(cluster, config, workers=WORKERS) as client, tempfile.TemporaryDirectory() as tmp:
        client.wait_for_workers(WORKERS, timeout=300)
        start_s = time.perf_counter() - t0
        client.run(_warm)
        out = run_sweep(resolved, Path(tmp) / "out", client=client)
    assert out.nthreads == WORKERS, out.nthreads
    return {
        "start_s": start_s,
        "sweep_s": out.wall_s,
        "total_s": start_s + out.wall_s,
        "runs_per_s": out.runs_run / out.wall_s,
        "overhead_share": out.overhead_share,
    }


def hpc_config(folder: Path) -> Path:
    """The docs' newcomer config: 2 jobs of 1 core and 2GB, this interpreter on the node."""
    cfg = {
        "cores": 1,
        "memory": "2GB",
        "queue": "debug",
        "jobs": WORKERS,
        "python": sys.executable,
        "interface": "lo",
        "job_extra_directives": [f"--output={folder}/%j.out"],
    }
    path = folder / "hpc.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the shortest total time (the machine is shared: the least disturbed one)."""
    return min(runs, key=lambda r: r["total_s"])


def compare(resolved: ResolvedSweep, repeat: int) -> dict[str, Any]:
    """``repeat`` runs on each cluster, alternated (local, slurm, slurm, local, ...), the best of
    each and their ratios. The SLURM cluster is started once; each run submits its own jobs."""
    runs: dict[str, list[dict[str, float]]] = {"local": [], "slurm": []}
    with local_slurm() as slurm:
        os.environ["SLURM_CONF"] = str(slurm.conf)  # dask-jobqueue's sbatch and scancel
        try:
            config = hpc_config(slurm.root)
            for i in range(repeat):
                order = ("local", "slurm") if i % 2 == 0 else ("slurm", "local")
                for name in order:
                    kind = "slurm" if name == "slurm" else None
                    runs[name].append(timed(resolved, kind, config if kind else None))
        finally:
            os.environ.pop("SLURM_CONF", None)
    local, queued = best(runs["local"]), best(runs["slurm"])
    ratios = {k: queued[k] / local[k] for k in ("start_s", "sweep_s", "total_s")}
    return {"local": local, "slurm": queued, "ratio": ratios, "all_runs": runs}


def show(report: dict[str, Any]) -> None:
    print(f"{'cluster':<8} {'start s':>8} {'sweep s':>8} {'total s':>8} {'runs/s':>9} {'overhead':>9}")
    for name in ("local", "slurm"):
        r = report[name]
        print(
            f"{name:<8} {r['start_s']:>8.2f} {r['sweep_s']:>8.2f} {r['total_s']:>8.2f} "
            f"{r['runs_per_s']:>9,.0f} {r['overhead_share']:>9.1%}"
        )
    q = report["ratio"]
    print(
        f"SLURM / local, {WORKERS} workers: start {q['start_s']:.2f}x, sweep {q['sweep_s']:.3f}x, "
        f"total {q['total_s']:.3f}x"
    )


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
    ap.add_argument("--repeat", type=int, default=2, help="runs per cluster, alternated; best kept")
    ap.add_argument("--out", default="reports/bench/slurm.json")
    args = ap.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    reason = unavailable()
    if reason is not None:
        print(f"SLURM benchmark skipped: {reason}")
        out.write_text(json.dumps({"skipped": reason}, indent=1))
        return
    runs = args.runs_per_point // 4 if args.quick else args.runs_per_point
    batch = min(args.batch_size, runs)
    spec = spec_from_cli(
        args.scenario,
        PARAMS,
        design="lhs",
        points=args.points,
        runs_per_point=runs,
        batch_size=batch,
        seed=1,
        sweep_id="bench-slurm",
    )
    print(f"sweep: {args.scenario}, lhs {args.points} points x {runs:,} runs, tasks of {batch:,} runs")
    report = compare(resolve(spec), args.repeat)
    show(report)
    settings = {"scenario": args.scenario, "points": args.points, "runs_per_point": runs}
    out.write_text(json.dumps({**settings, "batch_size": batch, "workers": WORKERS, **report}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
