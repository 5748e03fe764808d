"""Driver memory must not grow with runs (issue #15 point 6).

Peak RSS of a fresh driver (engine + results folder, as ``sim run`` without the report) at 200k vs
20k runs, each in its own subprocess. The driver keeps exact tallies and the rows of the first
100,000 runs only (sim.engine.results.MAX_KEPT_RUNS; ~0.35 KiB per kept run, so at most ~28 MiB
more at 200k than at 20k) and streams every row to Parquet batch by batch; before that it held
every row (~60 MiB more at 200k; measured with 1 worker: 327 MiB at 20k, 635 MiB at 200k; now
327 and 297 MiB).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(ROOT / "scenarios" / "iran_us_2019.yaml")
ALLOWED_GROWTH_MIB = 40.0  # kept rows (<= 28 MiB), allocator noise, batch-sized buffers


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_memory", ROOT / "benchmarks" / "bench_memory.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_driver_peak_rss_flat_in_runs() -> None:
    bench = _bench()
    _, small = bench.driver_peak_mib(SCENARIO, 20_000, 1)  # type: ignore[attr-defined]
    _, large = bench.driver_peak_mib(SCENARIO, 200_000, 1)  # type: ignore[attr-defined]
    assert large - small < ALLOWED_GROWTH_MIB, f"20k runs: {small:.0f} MiB, 200k: {large:.0f} MiB"
