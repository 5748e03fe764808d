"""The engine undoes a pinned glibc malloc (Dask workers) so arrays stay off mmap."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from sim.engine import allocator

PROBE = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from sim.engine.allocator import restore_heap_allocation

    def faults_per_array(n=200):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(n):
            a = np.ones(2**17)  # 1 MiB, touched
            del a
        return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / n

    pinned = faults_per_array()
    restored = restore_heap_allocation()
    faults_per_array()  # first pass grows the heap
    print(pinned, restored, faults_per_array())
    """
)


def _probe(env_extra: dict[str, str]) -> tuple[float, bool, float]:
    env = {k: v for k, v in os.environ.items() if k not in allocator.MALLOC_ENV_VARS}
    env.update(env_extra)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), out[1] == "True", float(out[2])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only")
def test_pinned_malloc_is_restored_to_heap_allocation() -> None:
    pinned, restored, after = _probe({"MALLOC_TRIM_THRESHOLD_": "65536"})
    # pinned: every 1 MiB array is a fresh mmap, its 256 pages fault in one by one
    assert pinned > 200
    assert restored
    assert after < pinned / 20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only")
def test_unpinned_process_is_left_alone() -> None:
    _, restored, after = _probe({})
    assert not restored
    assert after < 20  # glibc's dynamic threshold already keeps the arrays on the heap


def test_malloc_pinned_reads_the_environment() -> None:
    assert allocator.malloc_pinned({"MALLOC_TOP_PAD_": "0"})
    assert not allocator.malloc_pinned({"PATH": "/bin"})
