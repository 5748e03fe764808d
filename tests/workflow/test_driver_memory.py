"""Driver memory must not grow with runs (issue #15 point 6).

Peak RSS of a fresh driver (engine + results folder, as ``sim run`` without the report) at 280k vs
140k runs, each in its own subprocess. The driver keeps exact tallies and the rows of the first
100,000 runs only (sim.engine.results.MAX_KEPT_RUNS; ~0.35 KiB per kept run, so at most ~28 MiB
more at 200k than at 20k) and streams every row to Parquet batch by batch; before that it held
every row (~60 MiB more at 200k; measured with 1 worker: 327 MiB at 20k, 635 MiB at 200k; now
327 and 297 MiB).

Measured with 2 workers, so the driver only combines results: with one worker the engine runs in
the driver too and adds one chunk's working memory, which depends on the chunk size (up to 8
batches, 16,384 runs; sim.engine.runner.chunk_plan), not on the number of runs past it
(~+38 MiB for a 4,096-run batch, ~+126 MiB for a 16,384-run chunk of the baseline).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(ROOT / "scenarios" / "iran_us_2019.yaml")
# Both sizes are past the kept rows (100,000) and use full chunks (35 and 69 batches of 4,096, four
# per chunk), so nothing bounded differs between them: a driver that held every row would grow by
# ~48 MiB (0.35 KiB x 140,000 runs); allocator noise is a few MiB.
SMALL, LARGE = 140_000, 280_000
ALLOWED_GROWTH_MIB = 20.0


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_memory", ROOT / "benchmarks" / "bench_memory.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_driver_peak_rss_flat_in_runs() -> None:
    bench = _bench()
    _, small = bench.driver_peak_mib(SCENARIO, SMALL, 2)  # type: ignore[attr-defined]
    _, large = bench.driver_peak_mib(SCENARIO, LARGE, 2)  # type: ignore[attr-defined]
    assert large - small < ALLOWED_GROWTH_MIB, f"{SMALL:,} runs: {small:.0f} MiB, {LARGE:,}: {large:.0f} MiB"
