"""Fixtures of the sweep tests: a tiny real scenario (60 steps), sweep files next to it, and the
reference sweep of the cluster tests (tests/sweep/test_cluster.py, test_slurm.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from sim.sweep.execute import run_sweep
from sim.sweep.resolve import resolve
from sim.sweep.spec import ResolvedSweep, load_sweep
from sim.sweep.store import SweepStore

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"

CLUSTER_PARAMS = [
    {"path": "actors.leader.traits.hawkishness", "low": 0.1, "high": 0.9},
    {"path": "dynamics.accident_base", "low": 0.0, "high": 0.01},
]
"""The two swept parameters of the cluster tests' sweep (:func:`spec_path`)."""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    """A copy of tests/data/mini.yaml (4 actors, 60 steps) in a fresh directory."""
    target = tmp_path / "scenarios" / "mini.yaml"
    target.parent.mkdir()
    shutil.copy(MINI, target)
    return target


@pytest.fixture
def write_sweep(tmp_path: Path, scenario_file: Path) -> Callable[..., Path]:
    """Write a sweep file in tmp_path/sweeps/ naming the mini scenario relatively."""

    def write(name: str = "s.yaml", text: str | None = None, **fields: Any) -> Path:
        folder = tmp_path / "sweeps"
        folder.mkdir(exist_ok=True)
        path = folder / name
        if text is None:
            body = {"scenario": "../scenarios/mini.yaml", **fields}
            text = yaml.safe_dump({"sweep": body}, sort_keys=False)
        path.write_text(text)
        return path

    return write


@pytest.fixture(scope="module")
def inproc_client() -> Iterator[Any]:
    """A dask Client on an in-process cluster (threads, no network): for store/resume tests."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as lc,
        Client(lc) as client,
    ):
        yield client


@pytest.fixture(scope="session")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cluster tests' sweep: LHS, 6 points x 4,000 runs of mini.yaml in tasks of 2,000 (12 tasks)."""
    d = tmp_path_factory.mktemp("spec")
    shutil.copy(MINI, d / "mini.yaml")
    body = {
        "scenario": "mini.yaml",
        "design": "lhs",
        "points": 6,
        "runs_per_point": 4000,
        "batch_size": 2000,
        "seed": 9,
        "parameters": CLUSTER_PARAMS,
    }
    (d / "sweep.yaml").write_text(yaml.safe_dump({"sweep": body}))
    return d / "sweep.yaml"


@pytest.fixture(scope="session")
def resolved(spec_path: Path) -> ResolvedSweep:
    """:func:`spec_path`, loaded and resolved."""
    return resolve(load_sweep(spec_path))


@pytest.fixture(scope="session")
def embedded(resolved: ResolvedSweep, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The reference rows, sorted by (point, run): the embedded default (LocalCluster, 1 worker)."""
    root = tmp_path_factory.mktemp("embedded") / "out"
    out = run_sweep(resolved, root, workers=1)
    assert out.tasks_run == 12
    return SweepStore(root).read_runs()
