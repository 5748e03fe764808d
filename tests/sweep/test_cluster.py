"""Real Dask processes on 127.0.0.1: an external scheduler + 2 workers gives the same results
as the embedded LocalCluster, and the sweep survives a worker killed mid-sweep."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim.sweep.execute import run_sweep
from sim.sweep.spec import ResolvedSweep
from sim.sweep.store import SweepStore

pytestmark = pytest.mark.cluster

DASK = str(Path(sys.executable).parent / "dask")  # the `dask` CLI of the interpreter running the tests


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def dask_cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, list[subprocess.Popen[bytes]]]]:
    """`dask scheduler` + 2 `dask worker` processes on loopback; yields (scheduler file, workers)."""
    from distributed import Client

    d = tmp_path_factory.mktemp("dask")
    sched_file = d / "scheduler.json"
    log = open(d / "log.txt", "wb")  # noqa: SIM115 - closed below
    sched = subprocess.Popen(
        [
            DASK,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--scheduler-file",
            str(sched_file),
            "--no-dashboard",
        ],
        stdout=log,
        stderr=log,
    )
    workers: list[subprocess.Popen[bytes]] = []
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sched_file.exists(), "scheduler did not start"
        for _ in range(2):
            workers.append(
                subprocess.Popen(
                    [
                        DASK,
                        "worker",
                        "--scheduler-file",
                        str(sched_file),
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    stdout=log,
                    stderr=log,
                )
            )
        with Client(scheduler_file=str(sched_file), timeout="30s") as c:
            c.wait_for_workers(2, timeout=90)
        yield sched_file, workers
    finally:
        for w in workers:
            _stop(w)
        _stop(sched)
        log.close()


def test_external_cluster_matches_embedded(
    dask_cluster: tuple[Path, list[subprocess.Popen[bytes]]],
    resolved: ResolvedSweep,
    embedded: pd.DataFrame,
    tmp_path: Path,
) -> None:
    sched_file, _ = dask_cluster
    out = run_sweep(resolved, tmp_path / "out", cluster=str(sched_file))
    assert out.nthreads == 2 and out.tasks_run == 12
    got = SweepStore(tmp_path / "out").read_runs()
    pd.testing.assert_frame_equal(got, embedded)
    assert len(got) == 6 * 4000


def _worker_child(nanny: subprocess.Popen[bytes]) -> psutil.Process:
    """The worker process a `dask worker` nanny spawned."""
    for child in psutil.Process(nanny.pid).children(recursive=True):
        if "spawn_main" in " ".join(child.cmdline()):
            return child
    raise AssertionError("no worker process under the nanny")


def test_worker_killed_mid_sweep(
    dask_cluster: tuple[Path, list[subprocess.Popen[bytes]]],
    resolved: ResolvedSweep,
    embedded: pd.DataFrame,
    tmp_path: Path,
) -> None:
    sched_file, workers = dask_cluster
    victim = _worker_child(workers[0])
    root = tmp_path / "out"
    seen: dict[str, int] = {}

    def killer() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            n = len(list((root / "tasks").glob("p*.parquet"))) if (root / "tasks").is_dir() else 0
            if n >= 2:
                seen["files_at_kill"] = n
                os.kill(victim.pid, signal.SIGKILL)
                return
            time.sleep(0.02)

    t = threading.Thread(target=killer)
    t.start()
    out = run_sweep(resolved, root, cluster=str(sched_file), max_in_flight=4)
    t.join()
    assert 2 <= seen["files_at_kill"] < 12, seen
    assert not victim.is_running() or victim.status() == psutil.STATUS_ZOMBIE
    assert out.tasks_run == 12
    pd.testing.assert_frame_equal(SweepStore(root).read_runs(), embedded)


def test_driver_killed_then_resumed(spec_path: Path, embedded: pd.DataFrame, tmp_path: Path) -> None:
    """`sim sweep` SIGKILLed (with its embedded cluster) mid-sweep; the rerun completes it."""
    sim = str(Path(DASK).with_name("sim"))
    root = tmp_path / "out"
    argv = [sim, "sweep", str(spec_path), "--out", str(root), "--workers", "1", "--no-progress"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            if (root / "tasks").is_dir() and len(list((root / "tasks").glob("p*.parquet"))) >= 3:
                break
            time.sleep(0.02)
        assert proc.poll() is None, proc.communicate()[0].decode()
        family = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        for child in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stdout is not None:
            proc.stdout.close()
    done_at_kill = len(list((root / "tasks").glob("p*.parquet")))
    assert 3 <= done_at_kill < 12 and not (root / "points.parquet").exists()
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resumed: {done_at_kill} of 12 tasks were already done" in rerun.stdout
    got = SweepStore(root).read_runs()
    assert not got.duplicated(["point", "run"]).any()
    pd.testing.assert_frame_equal(got, embedded)
    assert (root / "points.parquet").is_file()


def test_resume_cli_rejects_changed_design(
    spec_path: Path, tmp_path: Path, write_sweep: Callable[..., Path]
) -> None:
    del write_sweep
    sim = str(Path(DASK).with_name("sim"))
    root = tmp_path / "out"
    text = (
        spec_path.read_text()
        .replace("runs_per_point: 4000", "runs_per_point: 200")
        .replace("batch_size: 2000", "batch_size: 100")
    )
    small = spec_path.with_name("small.yaml")
    small.write_text(text)
    first = subprocess.run(
        [sim, "sweep", str(small), "--out", str(root), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr
    second = subprocess.run(
        [sim, "sweep", str(small), "--out", str(root), "--workers", "1", "--seed", "10"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode == 2 and "--fresh" in second.stderr and "Traceback" not in second.stderr
    third = subprocess.run(
        [sim, "sweep", str(small), "--out", str(root), "--workers", "1", "--seed", "10", "--fresh"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert third.returncode == 0 and "moved aside" in third.stdout, third.stderr
    assert len(list(tmp_path.glob("out.old-*"))) == 1
