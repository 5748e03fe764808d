"""Dask's nanny pins glibc's malloc in its workers; the engine's first task there undoes it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sim.scenario.loader import load_scenario
from sim.sweep.cluster import connect
from sim.sweep.execute import engine_task

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only"),
]


def _worker_state() -> tuple[bool, bool]:
    from sim.engine import allocator

    return allocator.malloc_pinned(os.environ), allocator._done


def test_local_dask_worker_gets_heap_allocation_back(scenario_file: Path) -> None:
    scenario = load_scenario(scenario_file)
    with connect(None, workers=1) as client:
        before = list(client.run(_worker_state).values())
        rows = client.submit(engine_task, scenario, {}, 1, 0, 64, 64, pure=False).result()
        after = list(client.run(_worker_state).values())
    assert len(rows) == 64
    assert before == [(True, False)]  # the nanny set MALLOC_TRIM_THRESHOLD_; nothing undone yet
    assert after == [(True, True)]
