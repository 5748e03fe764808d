"""Random streams: one ``numpy.random.SeedSequence`` per scenario seed, spawned per batch.

Batch ``b`` of seed ``s`` uses ``SeedSequence(s, spawn_key=(b,))`` (the ``b``-th child of
``SeedSequence(s)``). Inside a batch every named stream (an actor, a parameter path, an event,
the world) gets its own child keyed by a stable hash of its name, so streams do not depend on the
order or number of other actors: variants keep common random numbers.
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.model.compiled import StreamFactory


def stable_key(name: str) -> int:
    """A 32-bit key of ``name`` that is the same on every machine and Python version."""
    return zlib.crc32(name.encode("utf-8"))


def batch_sequence(seed: int, batch_index: int) -> np.random.SeedSequence:
    """The SeedSequence of batch ``batch_index``: equal to ``SeedSequence(seed).spawn(b+1)[b]``."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(batch_index),))


def stream_factory(seed: int, batch_index: int) -> StreamFactory:
    """Named generators of one batch: ``factory("actor:irgc")`` etc. Each call gives a fresh
    generator at the start of its stream."""
    base = batch_sequence(seed, batch_index)

    def stream(name: str) -> np.random.Generator:
        seq = np.random.SeedSequence(base.entropy, spawn_key=(*base.spawn_key, stable_key(name)))
        return np.random.Generator(np.random.PCG64(seq))

    return stream
