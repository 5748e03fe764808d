"""#15.2/#15.10 property: SIGKILL ``sim run`` / ``sim sweep`` at random moments, then look and rerun.

After every kill the folder is either one complete, valid result or refused with a clear message
(SimUserError, exit 2), never a mixture; rerunning the same command always succeeds.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
from reliability_helpers import MINI, SIM, sim

from sim.core.errors import SimUserError
from sim.engine.results import RunResults
from sim.sweep.store import SweepStore

RUN_KILLS = 6
SWEEP_KILLS = 3


def _kill_after(cmd: list[str], delay: float) -> int:
    proc = subprocess.Popen([SIM, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return proc.returncode


def test_sim_run_killed_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(15)
    out = tmp_path / "res"
    states = {"valid": 0, "refused": 0}
    for k in range(RUN_KILLS):
        cmd = [
            "run",
            str(MINI),
            "--runs",
            "1500",
            "--seed",
            str(k),
            "--out",
            str(out),
            "--quiet",
            "--workers",
            "1",
        ]
        _kill_after(cmd, rng.uniform(0.5, 4.0))
        try:
            r = RunResults.load(out)
        except SimUserError as err:
            assert err.problems and str(err)
            states["refused"] += 1
            report = sim("report", str(out))
            assert report.returncode == 2 and "Traceback" not in report.stderr
        else:
            assert r.runs_count == len(r.runs) == 1500  # one whole run: its seed, its rows
            states["valid"] += 1
    assert sum(states.values()) == RUN_KILLS
    final = sim("run", str(MINI), "--runs", "300", "--seed", "99", "--out", str(out), "--quiet")
    assert final.returncode == 0, final.stderr
    assert RunResults.load(out).seed == 99


def test_sim_sweep_killed_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(16)
    out = tmp_path / "sw"
    cmd = [
        "sweep",
        str(MINI),
        "--vary",
        "actors.leader.traits.resolve=0.2:0.8",
        "--points",
        "4",
        "--runs-per-point",
        "400",
        "--batch-size",
        "100",
        "--out",
        str(out),
        "--workers",
        "1",
        "--no-report",
    ]
    for _ in range(SWEEP_KILLS):
        _kill_after(cmd, rng.uniform(1.0, 8.0))
        store = SweepStore(out)
        try:
            store.verify()
        except SimUserError as err:
            assert err.problems
    t0 = time.monotonic()
    final = sim(*cmd)
    assert final.returncode == 0, final.stderr
    SweepStore(out).verify()
    ref = tmp_path / "ref"
    assert sim(*cmd[:-5], "--out", str(ref), "--workers", "1", "--no-report").returncode == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "points.parquet"), pd.read_parquet(ref / "points.parquet")
    )
    assert time.monotonic() - t0 < 300
