"""Keep the engine's short-lived arrays on the heap: fixed glibc malloc thresholds per process.

The batch engine allocates and frees thousands of arrays of 0.1-2 MB per step (state over the
runs of a chunk, shape (actors, runs) or (actions, runs)). glibc serves blocks above its mmap
threshold with a fresh ``mmap``, whose pages fault in zeroed on first touch, and gives the top
of the heap back to the system once more than its trim threshold is free there.

- Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` for every worker it starts
  (``distributed.nanny.pre-spawn-environ``); setting any malloc variable freezes the mmap
  threshold at 128 KiB, so every such array was an ``mmap`` + page faults + ``munmap``: the
  engine ran 2.5x slower there (baseline: 4.4 s instead of 1.7 s per 4,000-run batch).
- Without the variables, glibc raises the mmap threshold as blocks are freed, but its trim
  threshold (twice that) still hands back the heap top when several ~1 MB temporaries die
  together, and they fault in again on the next step: a 16,384-run chunk of the baseline took
  404,000 minor faults and 0.84 s of system time (of ~9 s); with fixed thresholds 23,000 and
  0.04 s (measured with ``resource.getrusage``).

:func:`restore_heap_allocation` sets fixed, generous thresholds once per process (every engine
task calls it). It does nothing where the C library has no ``mallopt`` (not glibc).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

MALLOC_ENV_VARS = (
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
)
"""glibc variables whose presence disables the dynamic mmap threshold (mallopt(3))."""

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 32 * 2**20
"""Blocks below 32 MiB (glibc's own ceiling for the dynamic threshold) come from the heap."""

TRIM_THRESHOLD_BYTES = 64 * 2**20
"""Free memory kept at the top of the heap before it is returned to the system (64 MiB)."""

_done = False


def malloc_pinned(environ: Mapping[str, str] = os.environ) -> bool:
    """True if a glibc malloc variable is set, i.e. the mmap threshold no longer adapts."""
    return any(v in environ for v in MALLOC_ENV_VARS)


def restore_heap_allocation() -> bool:
    """Set glibc's mmap and trim thresholds (pinned by a malloc variable or not); once per process.

    Returns True if the thresholds were set (now or by an earlier call). Safe to call from
    every task: after the first call it is a no-op.
    """
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success, 0 on error
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    return _done
