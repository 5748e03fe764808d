"""Driver memory vs runs (``nox -s bench``; issue #15 point 6).

Runs the baseline scenario for N runs (default 10^4, 10^5, 3*10^5) in a fresh subprocess per N,
the way ``sim run`` does (engine, then the results folder without the HTML report), and records
the peak resident memory of that driver process (``ru_maxrss``; worker processes are children
and are not counted). Reports MiB per N and the growth per run between the smallest and largest
N; the goal is a flat driver (growth per run ~ 0). Writes reports/bench/memory.json.

Usage: python benchmarks/bench_memory.py [--runs 10000 100000 300000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CHILD = """
import resource, sys
from pathlib import Path
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.workflow.run import save_run

if __name__ == "__main__":
    scenario, runs, workers, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = run_scenario(load_scenario(scenario), runs=runs, workers=workers)
    save_run(results, Path(out), report={report})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(before / 1024, peak / 1024)
"""


def driver_peak_mib(scenario: str, runs: int, workers: int, report: bool = False) -> tuple[float, float]:
    """(RSS after imports, peak RSS) in MiB of a fresh driver running ``runs`` runs."""
    with tempfile.TemporaryDirectory() as tmp:
        code = CHILD.replace("{report}", str(report))
        script = Path(tmp) / "child.py"
        script.write_text(code)
        done = subprocess.run(
            [sys.executable, str(script), scenario, str(runs), str(workers), f"{tmp}/out"],
            check=True,
            capture_output=True,
            text=True,
        )
    base, peak = (float(x) for x in done.stdout.split()[-2:])
    return base, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/iran_us_2019.yaml")
    ap.add_argument("--runs", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="reports/bench/memory.json")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    for runs in args.runs:
        base, peak = driver_peak_mib(args.scenario, runs, args.workers)
        rows.append({"runs": runs, "rss_after_imports_mib": base, "peak_rss_mib": peak})
        print(f"runs {runs:>9,}: driver peak {peak:8.1f} MiB (after imports {base:6.1f} MiB)")
    first, last = rows[0], rows[-1]
    per_run_kib = (
        (last["peak_rss_mib"] - first["peak_rss_mib"]) * 1024 / (last["runs"] - first["runs"])
        if last["runs"] != first["runs"]
        else 0.0
    )
    ratio = last["peak_rss_mib"] / first["peak_rss_mib"]
    print(
        f"growth: {per_run_kib:.3f} KiB per run; peak ratio {last['runs']:,} vs {first['runs']:,}"
        f" runs: {ratio:.2f}x (goal: flat, ratio ~1)"
    )
    report = {"scenario": args.scenario, "workers": args.workers, "rows": rows}
    report |= {"growth_kib_per_run": per_run_kib, "peak_ratio_last_vs_first": ratio}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
