"""Sweeps on a real single-node SLURM cluster (munged, slurmctld, slurmd on 127.0.0.1).

Both ways of docs/sweeps.md: ``--cluster slurm`` (dask-jobqueue submits the workers) and
``srun dask worker`` jobs joined through ``--cluster scheduler.json``. Each gives the rows of the
embedded LocalCluster, also when one worker job is cancelled with ``scancel`` mid-sweep.

Needs root; installs Debian's slurm-wlm and munge when missing (skipped, with the reason, when
that is impossible, or with SIM_SKIP_SLURM=1). The daemons are stopped by PID at the end.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psutil
import pytest
import yaml
from slurm_cluster import LocalSlurm, local_slurm, unavailable

from sim.sweep.execute import run_sweep
from sim.sweep.spec import ResolvedSweep
from sim.sweep.store import SweepStore

pytestmark = pytest.mark.slurm

BIN = Path(sys.executable).parent
TASKS = 12
"""Tasks of the shared sweep (conftest.spec_path): 6 points x 2 batches."""


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSlurm]:
    """The cluster, for this module; afterwards none of its daemons may be alive."""
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no local SLURM cluster: {reason}")
    with local_slurm(tmp_path_factory.mktemp("slurm")) as cluster:
        pids = cluster.pids()
        yield cluster
    alive = {d: pid for d, pid in pids.items() if psutil.pid_exists(pid)}
    assert not alive, f"daemons still running after stop: {alive}"


def write_hpc_config(folder: Path) -> Path:
    """The newcomer's config of docs/sweeps.md: 2 jobs of 1 core, job logs in ``folder/jobs``."""
    (folder / "jobs").mkdir()
    cfg = {
        "cores": 1,
        "memory": "2GB",
        "walltime": "00:15:00",
        "queue": "debug",
        "jobs": 2,
        "python": sys.executable,
        "interface": "lo",
        "job_extra_directives": [f"--output={folder / 'jobs'}/%j.out"],
    }
    path = folder / "hpc.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def job_logs(folder: Path) -> str:
    """The worker jobs' output files, for failure messages."""
    return "\n".join(f"--- {f}\n{f.read_text()[-3000:]}" for f in sorted(folder.glob("*.out")))


def sim_sweep(slurm: LocalSlurm, spec: Path, out: Path, *cluster_args: str) -> None:
    """Run the `sim sweep` command against the cluster, as a user would; asserts it succeeds."""
    argv = [str(BIN / "sim"), "sweep", str(spec), "--out", str(out), "--no-progress", *cluster_args]
    done = subprocess.run(argv, env=slurm.env, cwd=out.parent, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{job_logs(out.parent / 'jobs')}"


def wait_no_jobs(slurm: LocalSlurm, timeout_s: float = 30) -> None:
    """Wait until squeue lists no job (the driver cancels its worker jobs when it closes)."""
    deadline = time.monotonic() + timeout_s
    while slurm.queued_jobs() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not slurm.queued_jobs(), slurm.run("squeue")


class JobCanceller(threading.Thread):
    """Cancels the oldest running job with ``scancel`` once ``root/tasks`` holds 2 task files and
    2 jobs are running; records the job and the number of files at that moment in ``seen``."""

    def __init__(self, slurm: LocalSlurm, root: Path) -> None:
        super().__init__(daemon=True)
        self.slurm, self.tasks = slurm, root / "tasks"
        self.seen: dict[str, object] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            files = len(list(self.tasks.glob("p*.parquet"))) if self.tasks.is_dir() else 0
            jobs = self.slurm.running_jobs() if files >= 2 else []
            if len(jobs) >= 2:
                self.slurm.run("scancel", jobs[0])
                self.seen.update(job=jobs[0], files_at_cancel=files)
                return

    def stop(self) -> dict[str, object]:
        self.done.set()
        self.join(timeout=30)
        return self.seen


def assert_same_rows(root: Path, embedded: pd.DataFrame) -> None:
    """Every (point, run) once, rows identical to the embedded cluster's."""
    got = SweepStore(root).read_runs()
    assert not got.duplicated(["point", "run"]).any()
    pd.testing.assert_frame_equal(got, embedded)
    assert (root / "points.parquet").is_file()


def test_daemons_listen_on_loopback_only(slurm: LocalSlurm) -> None:
    assert slurm.listening() == {"127.0.0.1"}
    assert slurm.run("sinfo", "-h", "-N", "-o", "%P %T").split() == ["debug*", "idle"]


def test_cluster_slurm_matches_local(
    slurm: LocalSlurm, spec_path: Path, embedded: pd.DataFrame, tmp_path: Path
) -> None:
    hpc = write_hpc_config(tmp_path)
    sim_sweep(slurm, spec_path, tmp_path / "out", "--cluster", "slurm", "--cluster-config", str(hpc))
    assert_same_rows(tmp_path / "out", embedded)
    assert len(list((tmp_path / "jobs").glob("*.out"))) == 2
    wait_no_jobs(slurm)


def test_cluster_slurm_job_cancelled_mid_sweep(
    slurm: LocalSlurm,
    resolved: ResolvedSweep,
    embedded: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLURM_CONF", str(slurm.conf))  # dask-jobqueue's sbatch/scancel
    hpc = write_hpc_config(tmp_path)
    root = tmp_path / "out"
    canceller = JobCanceller(slurm, root)
    canceller.start()
    try:
        out = run_sweep(resolved, root, cluster="slurm", cluster_config=hpc, max_in_flight=4)
    finally:
        seen = canceller.stop()
    assert "job" in seen, f"no job cancelled mid-sweep\n{job_logs(tmp_path / 'jobs')}"
    assert 2 <= int(str(seen["files_at_cancel"])) < TASKS, seen
    assert out.tasks_run == TASKS
    assert_same_rows(root, embedded)
    assert "CANCELLED" in (tmp_path / "jobs" / f"{seen['job']}.out").read_text()
    wait_no_jobs(slurm)


WORKER_JOB = """\
#!/bin/bash
#SBATCH --job-name=sim-worker
#SBATCH --partition=debug
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=00:15:00
srun {dask} worker --scheduler-file {sched} --nworkers 1 --nthreads 1 --host 127.0.0.1 --no-dashboard
"""
"""The docs' job script: one single-threaded Dask worker started with srun."""


@pytest.fixture
def srun_workers(slurm: LocalSlurm, tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """`dask scheduler` on 127.0.0.1 + 2 batch jobs running `srun dask worker`; yields
    (scheduler file, job ids). Cancels the jobs and stops the scheduler at the end."""
    from distributed import Client

    sched_file, jobs_dir = tmp_path / "scheduler.json", tmp_path / "jobs"
    jobs_dir.mkdir()
    script = tmp_path / "worker.sbatch"
    script.write_text(WORKER_JOB.format(dask=BIN / "dask", sched=sched_file))
    argv = [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    with open(tmp_path / "scheduler.log", "wb") as log:
        sched = subprocess.Popen([*argv, "--scheduler-file", str(sched_file)], stdout=log, stderr=log)
    jobs: list[str] = []
    try:
        for _ in range(2):
            out = slurm.run("sbatch", "--parsable", f"--output={jobs_dir}/%j.out", str(script))
            jobs.append(out.strip().split(";")[0])
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        with Client(scheduler_file=str(sched_file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
        yield sched_file, jobs
    finally:
        try:
            slurm.run("scancel", *jobs, check=False)
            wait_no_jobs(slurm)
        finally:
            sched.terminate()
            sched.wait(timeout=30)


def test_srun_workers_scheduler_file_matches_local(
    slurm: LocalSlurm,
    srun_workers: tuple[Path, list[str]],
    spec_path: Path,
    embedded: pd.DataFrame,
    tmp_path: Path,
) -> None:
    sched_file, _ = srun_workers
    sim_sweep(slurm, spec_path, tmp_path / "out", "--cluster", str(sched_file))
    assert_same_rows(tmp_path / "out", embedded)


def test_srun_worker_job_cancelled_mid_sweep(
    slurm: LocalSlurm,
    srun_workers: tuple[Path, list[str]],
    resolved: ResolvedSweep,
    embedded: pd.DataFrame,
    tmp_path: Path,
) -> None:
    sched_file, jobs = srun_workers
    root = tmp_path / "out"
    canceller = JobCanceller(slurm, root)
    canceller.start()
    try:
        out = run_sweep(resolved, root, cluster=str(sched_file), max_in_flight=4)
    finally:
        seen = canceller.stop()
    assert seen.get("job") in jobs, f"no worker job cancelled mid-sweep\n{job_logs(tmp_path / 'jobs')}"
    assert 2 <= int(str(seen["files_at_cancel"])) < TASKS, seen
    assert out.tasks_run == TASKS
    assert_same_rows(root, embedded)
    assert seen["job"] not in slurm.running_jobs()
