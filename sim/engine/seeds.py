"""Random streams: one ``numpy.random.SeedSequence`` per scenario seed, spawned per batch.

Batch ``b`` of seed ``s`` uses ``SeedSequence(s, spawn_key=(b,))`` (the ``b``-th child of
``SeedSequence(s)``). Inside a batch every named stream (an actor, a parameter path, an event,
the world) gets its own child keyed by a stable hash of its name, so streams do not depend on the
order or number of other actors: variants keep common random numbers.

Several consecutive batches can be stepped as one model (a chunk) to spread the engine's
per-step Python overhead over more runs: :func:`chunk_stream_factory` then gives each named
stream as a :class:`BlockedStream` that draws every batch's part from that batch's own generator
and joins the parts along the runs axis. The numbers are exactly those of the batches run one
by one, so chunking is a speed setting, not a result setting.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from sim.model.compiled import StreamFactory, UniformStream


def stable_key(name: str) -> int:
    """A 32-bit key of ``name`` that is the same on every machine and Python version."""
    return zlib.crc32(name.encode("utf-8"))


def batch_sequence(seed: int, batch_index: int) -> np.random.SeedSequence:
    """The SeedSequence of batch ``batch_index``: equal to ``SeedSequence(seed).spawn(b+1)[b]``."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(batch_index),))


def _generator(base: np.random.SeedSequence, name: str) -> np.random.Generator:
    seq = np.random.SeedSequence(base.entropy, spawn_key=(*base.spawn_key, stable_key(name)))
    return np.random.Generator(np.random.PCG64(seq))


def stream_factory(seed: int, batch_index: int) -> StreamFactory:
    """Named generators of one batch: ``factory("actor:irgc")`` etc. Each call gives a fresh
    generator at the start of its stream."""
    base = batch_sequence(seed, batch_index)

    def stream(name: str) -> UniformStream:
        return _generator(base, name)

    return stream


class BlockedStream:
    """One named stream over consecutive batches: ``random(shape)`` (last axis: the runs of all
    blocks) draws each block's columns from that block's generator, in block order."""

    def __init__(self, generators: Sequence[np.random.Generator], sizes: Sequence[int]) -> None:
        if len(generators) != len(sizes) or not sizes:
            raise ValueError("one generator per block, at least one block")
        self.generators = tuple(generators)
        self.sizes = tuple(int(s) for s in sizes)
        self.n = sum(self.sizes)

    def random(self, size: int | tuple[int, ...]) -> np.ndarray:
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        if not shape or shape[-1] != self.n:
            raise ValueError(f"draws must have the runs ({self.n}) as last axis, got shape {shape}")
        out = np.empty(shape)
        rows = out.reshape(-1, self.n)
        start = 0
        # Each block's generator fills its columns row after row: the order in which it would
        # fill a (rows, size) array of its own, written in place instead of joined afterwards.
        for g, k in zip(self.generators, self.sizes, strict=True):
            for row in rows:
                g.random(k, out=row[start : start + k])
            start += k
        return out


def chunk_stream_factory(seed: int, first_batch: int, sizes: Sequence[int]) -> StreamFactory:
    """Named streams of the consecutive batches ``first_batch, first_batch + 1, ...`` of
    ``sizes`` runs each, stepped together. One batch: exactly :func:`stream_factory`."""
    if len(sizes) == 1:
        return stream_factory(seed, first_batch)
    bases = [batch_sequence(seed, first_batch + k) for k in range(len(sizes))]

    def stream(name: str) -> UniformStream:
        return BlockedStream([_generator(b, name) for b in bases], sizes)

    return stream
