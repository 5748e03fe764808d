"""A real single-node SLURM cluster for the tests and the benchmark.

A thin Python face of ``scripts/slurm-local.sh`` (the one place that writes slurm.conf and
starts or stops munged, slurmctld and slurmd): :func:`unavailable` says why a cluster cannot be
set up here (then callers skip), :func:`local_slurm` starts one in a fresh folder and stops its
daemons by PID on exit, failure included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "slurm-local.sh"
DAEMONS = ("munged", "slurmctld", "slurmd")
PARTITION = "debug"


class SlurmSetupError(RuntimeError):
    """The packages are installed but the cluster did not come up (message: script output, logs)."""


@dataclass(frozen=True)
class LocalSlurm:
    """A running cluster: its folder (slurm.conf, logs, pid files) and how to talk to it."""

    root: Path

    @property
    def conf(self) -> Path:
        """The slurm.conf every SLURM command must read (``SLURM_CONF``)."""
        return self.root / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        """This process's environment with ``SLURM_CONF`` pointing at the cluster."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def run(self, *argv: str, check: bool = True) -> str:
        """Run a SLURM command (sbatch, squeue, scancel, ...) against this cluster; its stdout."""
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def running_jobs(self) -> list[str]:
        """Ids of the jobs in state RUNNING, oldest first."""
        out = self.run("squeue", "-h", "--states=RUNNING", "-o", "%i")
        return sorted(out.split(), key=int)

    def queued_jobs(self) -> list[str]:
        """Ids of every job squeue still lists (pending, running, completing)."""
        return self.run("squeue", "-h", "-o", "%i").split()

    def pids(self) -> dict[str, int]:
        """PIDs of the daemons, from their pid files."""
        return {d: int((self.root / f"{d}.pid").read_text()) for d in DAEMONS}

    def listening(self) -> set[str]:
        """IP addresses the daemons listen on (TCP): all must be loopback."""
        import psutil

        addrs = set()
        for pid in self.pids().values():
            for conn in psutil.Process(pid).net_connections(kind="tcp"):
                if conn.status == psutil.CONN_LISTEN:
                    addrs.add(conn.laddr.ip)
        return addrs

    def logs(self, lines: int = 30) -> str:
        """The last lines of every daemon log, for error messages."""
        return _log_tails(self.root, lines)


def _log_tails(root: Path, lines: int) -> str:
    parts = []
    for log in sorted((root / "log").glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {log}\n" + "\n".join(tail))
    return "\n".join(parts)


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


def unavailable() -> str | None:
    """Why a local SLURM cluster cannot be set up here (None: it can; packages installed if needed)."""
    if os.environ.get("SIM_SKIP_SLURM"):
        return "SIM_SKIP_SLURM is set"
    if not sys.platform.startswith("linux"):
        return "a local SLURM cluster needs Linux"
    if os.geteuid() != 0:
        return "starting munged/slurmctld/slurmd needs root (SlurmUser=root)"
    if shutil.which("slurmctld") is None and shutil.which("apt-get") is None:
        return "slurm-wlm is not installed and apt-get is not available"
    checked = _script("check")
    if checked.returncode != 0:
        return checked.stderr.strip().removeprefix("slurm-local: ")
    done = _script("install")
    if done.returncode != 0:
        return f"cannot install slurm-wlm and munge: {done.stderr.strip() or done.stdout.strip()}"
    return None


@contextmanager
def local_slurm(root: Path | None = None) -> Iterator[LocalSlurm]:
    """Start a cluster in ``root`` (default: a new short folder in /tmp), stop it on exit.

    The folder is short on purpose (munge's socket path must fit a Unix socket name). Raises
    :class:`SlurmSetupError` with the script's output and the daemon logs if it does not start;
    the daemons that did start are stopped (by PID) in every case.
    """
    own = root is None
    folder = Path(tempfile.mkdtemp(prefix="sim-slurm-")) if root is None else root
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = _script("start", str(folder))
        if started.returncode != 0:
            raise SlurmSetupError(
                f"scripts/slurm-local.sh start failed:\n{started.stdout}{started.stderr}"
                f"{_log_tails(folder, 30)}"
            )
        yield LocalSlurm(folder.resolve())
    finally:
        stopped = _script("stop", str(folder))
        if stopped.returncode != 0:
            print(f"slurm-local.sh stop: {stopped.stdout}{stopped.stderr}", file=sys.stderr)
        if own and stopped.returncode == 0:
            shutil.rmtree(folder, ignore_errors=True)
