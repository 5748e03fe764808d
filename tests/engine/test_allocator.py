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
def test_unpinned_process_gets_fixed_thresholds_too() -> None:
    _, restored, after = _probe({})
    assert restored
    assert after < 20


CHAIN = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from sim.engine.allocator import restore_heap_allocation

    x = np.random.default_rng(0).random(7 * 4096)  # an (actors, runs) state array, 224 KiB

    def faults_per_step(n=200):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(n):
            a = np.maximum(x, 0.2)  # two temporaries alive together, then freed together
            b = np.minimum(a, 0.8)
            del a, b
        return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / n

    faults_per_step()
    if sys.argv[1] == "restore":
        restore_heap_allocation()
        faults_per_step()
    print(faults_per_step())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only")
def test_fixed_thresholds_stop_the_heap_trim_refaulting_temporaries() -> None:
    """glibc's dynamic thresholds hand the heap top back when two ~224 KiB temporaries die
    together, so they fault in again every step; fixed thresholds keep them."""
    env = {k: v for k, v in os.environ.items() if k not in allocator.MALLOC_ENV_VARS}

    def run(mode: str) -> float:
        cmd = [sys.executable, "-c", CHAIN, mode]
        return float(subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout)

    dynamic, fixed = run("dynamic"), run("restore")
    assert dynamic > 20  # ~56 pages per step re-faulted
    assert fixed < 1


def test_malloc_pinned_reads_the_environment() -> None:
    assert allocator.malloc_pinned({"MALLOC_TOP_PAD_": "0"})
    assert not allocator.malloc_pinned({"PATH": "/bin"})
