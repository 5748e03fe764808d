"""The ABC simulator on the engine: a population of particles runs as whole batches of the
vectorised model (one run per particle), in chunks of fixed size, in-process or as tasks on a
Dask cluster (the clusters of ``sim sweep``, sim.sweep.cluster).

Chunk c of the round with key K uses the engine streams of batch ``K * 1000 + c``: the numbers
depend on (seed, chunk size) only, never on the number of workers.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from sim.calibrate.priors import Prior, values_at
from sim.calibrate.summary import StatSpec, simulate_statistics
from sim.model.compiled import CompiledScenario

MAX_CHUNKS = 1000


def chunk_statistics(
    cs: CompiledScenario, spec: StatSpec, priors: list[Prior], u: np.ndarray, seed: int, key: int
) -> tuple[np.ndarray, float]:
    """Statistics (n, m) of particles ``u`` (n, k), one run each (a Dask task), and the CPU
    seconds the task used (to tell parallel work from waiting on a shared machine)."""
    cpu = time.process_time()
    out = simulate_statistics(cs, spec, values_at(priors, u), seed, key)
    return out, time.process_time() - cpu


class EngineSimulator:
    """``simulate(u, key) -> stats`` for :mod:`sim.calibrate.abc`; counts the simulations and the
    CPU seconds of the tasks (``cpu_s``)."""

    def __init__(
        self,
        cs: CompiledScenario,
        spec: StatSpec,
        priors: list[Prior],
        seed: int,
        chunk: int = 1000,
        client: Any = None,
    ):
        self.cs, self.spec, self.priors, self.seed, self.chunk = cs, spec, priors, seed, chunk
        self.client = client
        self.simulations = 0
        self.cpu_s = 0.0
        self._cs_remote = client.scatter(cs, broadcast=True) if client is not None else None

    def __call__(self, u: np.ndarray, key: int) -> np.ndarray:
        starts = list(range(0, len(u), self.chunk))
        if len(starts) > MAX_CHUNKS:
            raise ValueError(f"{len(u)} particles in chunks of {self.chunk}: raise the chunk size")
        keys = [key * MAX_CHUNKS + c for c in range(len(starts))]
        pieces = [u[s : s + self.chunk] for s in starts]
        if self.client is None:
            parts = [
                chunk_statistics(self.cs, self.spec, self.priors, p, self.seed, k)
                for p, k in zip(pieces, keys, strict=True)
            ]
        else:
            futures = [
                self.client.submit(
                    chunk_statistics, self._cs_remote, self.spec, self.priors, p, self.seed, k, pure=False
                )
                for p, k in zip(pieces, keys, strict=True)
            ]
            parts = self.client.gather(futures)
        self.simulations += len(u)
        self.cpu_s += sum(c for _, c in parts)
        return np.concatenate([x for x, _ in parts], axis=0)

    def close(self) -> None:
        """Release the scenario scattered to the workers (before the cluster goes down)."""
        if self._cs_remote is not None:
            self.client.cancel(self._cs_remote)
            self._cs_remote = None
