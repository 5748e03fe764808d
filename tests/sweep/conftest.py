"""Fixtures of the sweep tests: a tiny real scenario (60 steps) and sweep files next to it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


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
