"""Where a sweep runs: a dask Client for the ``--cluster`` choice, and the HPC queue config.

Clusters (``cluster`` argument / ``--cluster``):

- ``None`` or ``"local"``: an embedded LocalCluster, one single-threaded worker process per core
  (or ``workers``), scheduler on 127.0.0.1, no dashboard;
- ``"tcp://HOST:PORT"``: join a running scheduler; ``"path/scheduler.json"``: its scheduler file;
- ``"slurm"`` / ``"pbs"``: dask-jobqueue, configured from a small YAML (see
  :func:`load_cluster_config` and docs/sweeps.md).

:func:`connect` closes whatever it started; :mod:`sim.sweep.execute` runs the tasks on the client.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sim.core.errors import Problem, SimUserError
from sim.sweep.spec import read_yaml


def local_workers(workers: int | None) -> int:
    """Worker processes of the embedded cluster: ``workers`` or the cores this process may use."""
    if workers is not None:
        return max(1, workers)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _quiet_teardown_logs() -> None:
    """On a worker about to be closed: its late heartbeat errors are teardown noise."""
    for name in ("distributed.worker", "distributed.core", "distributed.comm"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _retire_local_workers(lc: Any, client: Any, timeout_s: float = 10.0) -> None:
    """Close a LocalCluster's workers while its scheduler is still up.

    Closing both at once races a worker's heartbeat against the scheduler's exit, which logs a
    spurious traceback at the end of a good sweep (dask/distributed#7105); the workers' own
    error logs are also silenced first, as the race is not fully closed by waiting. Best
    effort: teardown problems must not hide the sweep's result.
    """
    with suppress(Exception):
        client.run(_quiet_teardown_logs, on_error="ignore")
    try:
        lc.scale(0)
        deadline = time.monotonic() + timeout_s
        # lc.workers empties once each nanny has seen its worker process exit
        while (lc.workers or client.scheduler_info()["workers"]) and time.monotonic() < deadline:
            time.sleep(0.05)
    except Exception:  # best effort, see docstring
        pass


@contextmanager
def connect(
    cluster: str | None, cluster_config: str | Path | None = None, workers: int | None = None
) -> Iterator[Any]:
    """A dask Client for ``cluster`` (see the module docstring); closes what it started."""
    import dask
    from distributed import Client, LocalCluster

    if cluster in (None, "local"):
        with (
            # Dask's statistical profiler samples every worker thread every 10 ms: it cost a third
            # of the engine's speed in the sweep benchmark. Nannies pass this config to workers.
            dask.config.set({"distributed.worker.profile.enabled": False}),
            LocalCluster(
                n_workers=local_workers(workers),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # the scheduler's health/metrics HTTP server: loopback, any free port (no dashboard)
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            ) as lc,
            Client(lc) as client,
        ):
            try:
                yield client
            finally:
                _retire_local_workers(lc, client)
        return
    assert cluster is not None
    if cluster in ("slurm", "pbs"):
        if cluster_config is None:
            raise SimUserError(
                [
                    Problem(
                        "--cluster-config",
                        None,
                        "",
                        f"--cluster {cluster} needs --cluster-config FILE "
                        "(cores, memory, walltime, queue, account, jobs; see docs/sweeps.md)",
                    )
                ]
            )
        cfg = load_cluster_config(cluster_config)
        with make_jobqueue_cluster(cluster, cfg) as jq, Client(jq) as client:
            jq.scale(jobs=cfg.get("jobs", 1))
            yield client
        return
    try:
        if cluster.startswith(("tcp://", "tls://", "ucx://")):
            client = Client(cluster, timeout="30s")
        elif cluster.endswith(".json"):
            if not Path(cluster).is_file():
                raise SimUserError([Problem(cluster, None, "--cluster", "scheduler file not found")])
            client = Client(scheduler_file=cluster, timeout="30s")
        else:
            raise SimUserError(
                [
                    Problem(
                        "--cluster",
                        None,
                        "",
                        f"unknown cluster {cluster!r}: use local, "
                        "tcp://HOST:PORT, a scheduler .json file, slurm or pbs",
                    )
                ]
            )
    except (OSError, TimeoutError) as err:
        raise SimUserError(
            [Problem("--cluster", None, "", f"cannot reach the scheduler {cluster}: {err}")]
        ) from None
    with client:
        yield client


_CFG_TYPES: dict[str, type | tuple[type, ...]] = {
    "cores": int,
    "memory": str,
    "walltime": str,
    "queue": str,
    "account": str,
    "jobs": int,
    "processes": int,
    "python": str,
    "interface": str,
    "local_directory": str,
    "job_extra_directives": list,
    "job_script_prologue": list,
    "scheduler_host": str,
}
_CFG_REQUIRED = ("cores", "memory")


def load_cluster_config(path: str | Path) -> dict[str, Any]:
    """Read the dask-jobqueue YAML (see docs/sweeps.md); problems name file, line and key.

    Keys: cores (int, per job), memory (e.g. "16GB", per job), walltime ("HH:MM:SS"), queue,
    account, jobs (int, number of batch jobs, default 1), processes (worker processes per job,
    default: cores, i.e. single-threaded workers), python, interface, local_directory,
    job_extra_directives, job_script_prologue, scheduler_host.
    """
    data, lines = read_yaml(Path(path))
    src = str(path)
    if isinstance(data, dict) and set(data) == {"cluster"} and isinstance(data["cluster"], dict):
        data, lines = data["cluster"], {k.removeprefix("cluster."): v for k, v in lines.items()}
    if not isinstance(data, dict):
        raise SimUserError(
            [Problem(src, 1, "", "a cluster config is a mapping (cores, memory, walltime, ...)")]
        )
    problems = [
        Problem(src, lines.get(k), k, f"unknown key; allowed: {', '.join(_CFG_TYPES)}")
        for k in data
        if k not in _CFG_TYPES
    ]
    problems += [Problem(src, None, k, "required") for k in _CFG_REQUIRED if k not in data]
    for k, v in data.items():
        t = _CFG_TYPES.get(k)
        if t is not None and (isinstance(v, bool) or not isinstance(v, t)):
            problems.append(
                Problem(src, lines.get(k), k, f"must be of type {getattr(t, '__name__', t)}, got {v!r}")
            )
        elif t is int and v < 1:
            problems.append(Problem(src, lines.get(k), k, "must be at least 1"))
    if problems:
        raise SimUserError(problems)
    return dict(data)


def make_jobqueue_cluster(kind: str, cfg: dict[str, Any]) -> Any:
    """A dask-jobqueue SLURMCluster or PBSCluster from a config of :func:`load_cluster_config`."""
    import dask_jobqueue

    cls = dask_jobqueue.SLURMCluster if kind == "slurm" else dask_jobqueue.PBSCluster
    kwargs: dict[str, Any] = {k: v for k, v in cfg.items() if k not in ("jobs", "scheduler_host")}
    kwargs.setdefault("processes", cfg["cores"])  # one single-threaded worker process per core
    kwargs["scheduler_options"] = {"dashboard_address": None}
    if "scheduler_host" in cfg:
        kwargs["scheduler_options"]["host"] = cfg["scheduler_host"]
    return cls(**kwargs)
