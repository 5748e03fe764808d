"""`sim app` benchmark (``nox -s bench``): seconds from "Run what-if" to the finished cards.

Starts the real ``sim app`` on ``scenarios/`` (a free port), then for each number of runs posts a
what-if (``dynamics.weights.war_cost`` moved) twice through the HTTP API exactly as the page does
(POST ``/api/run``, poll ``/api/job`` every 0.1 s): the first also computes the baseline, the
second reuses the cached baseline. Goal: a few thousand runs in seconds, i.e. a cached rerun of
4,000 runs of the Iran scenario under 10 s on two cores.

Prints a table and writes reports/bench/app.json. Usage:
    python benchmarks/bench_app.py [--scenario NAME] [--runs 1000 2000 4000 10000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

GOAL_S = 10.0
"""Cached rerun of 4,000 runs, seconds."""


def _start(folder: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", folder, "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for _ in range(20):
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", proc.stdout.readline())
        if match:
            return proc, match.group(1)
    proc.terminate()
    raise SystemExit("sim app printed no URL")


def _call(url: str, method: str, path: str, body: Any = None) -> Any:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    data = json.dumps(body) if body is not None else None
    conn.request(method, path, data, {"Content-Type": "application/json"})
    res = conn.getresponse()
    out = json.loads(res.read())
    conn.close()
    if res.status != 200:
        raise SystemExit(f"{method} {path}: {res.status} {out}")
    return out


def timed_rerun(url: str, name: str, runs: int, war_cost: float) -> float:
    """Seconds from posting the what-if to a finished job."""
    started = time.perf_counter()
    params = {"dynamics.weights.war_cost": {"centre": war_cost, "spread": 0.5}}
    job = _call(url, "POST", "/api/run", {"name": name, "runs": runs, "levers": {}, "params": params})
    while (status := _call(url, "GET", f"/api/job?id={job['id']}"))["state"] == "running":
        time.sleep(0.1)
    if status["state"] != "done":
        raise SystemExit(f"job failed: {status['error']}")
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", default="scenarios")
    ap.add_argument("--scenario", default="iran_us_2019.yaml")
    ap.add_argument("--runs", type=int, nargs="+", default=[1000, 2000, 4000, 10000])
    ap.add_argument("--out", default="reports/bench/app.json")
    args = ap.parse_args()
    proc, url = _start(args.folder)
    rows = []
    try:
        for runs in args.runs:
            first = timed_rerun(url, args.scenario, runs, 3.0)
            cached = timed_rerun(url, args.scenario, runs, 6.0)
            rows.append({"runs": runs, "first_s": round(first, 2), "cached_s": round(cached, 2)})
            print(f"{runs:>6} runs: first {first:5.2f} s (baseline too), rerun {cached:5.2f} s", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    at_4000 = [r["cached_s"] for r in rows if r["runs"] == 4000]
    report = {
        "scenario": args.scenario,
        "rows": rows,
        "goal": f"cached rerun of 4,000 runs < {GOAL_S} s",
        "met": bool(at_4000) and at_4000[0] < GOAL_S,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"goal ({report['goal']}): {'met' if report['met'] else 'NOT met'}; wrote {out}")


if __name__ == "__main__":
    main()
