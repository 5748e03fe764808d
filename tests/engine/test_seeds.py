"""Tests of the random streams (sim/engine/seeds.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.seeds import batch_sequence, stable_key, stream_factory


def test_stable_key_is_crc32() -> None:
    # The CRC-32 check value of "123456789" (published with the algorithm): 0xCBF43926.
    assert stable_key("123456789") == 0xCBF43926
    assert stable_key("actor:irgc") == stable_key("actor:irgc")
    assert stable_key("actor:irgc") != stable_key("actor:irgd")


def test_batch_sequence_is_the_spawned_child() -> None:
    for seed, b in [(0, 0), (7, 3), (2**40 + 5, 11)]:
        child = np.random.SeedSequence(seed).spawn(b + 1)[b]
        np.testing.assert_array_equal(batch_sequence(seed, b).generate_state(4), child.generate_state(4))


def test_named_streams_are_reproducible_and_fresh() -> None:
    f = stream_factory(3, 2)
    a = f("actor:x").random(5)
    np.testing.assert_array_equal(f("actor:x").random(5), a)  # a fresh generator each call
    np.testing.assert_array_equal(stream_factory(3, 2)("actor:x").random(5), a)


def test_named_streams_do_not_depend_on_other_names() -> None:
    f, g = stream_factory(3, 2), stream_factory(3, 2)
    for name in ("world", "actor:a", "param:dynamics.relaxation"):
        f(name).random(100)  # other streams used first in one factory only
    np.testing.assert_array_equal(f("actor:b").random(8), g("actor:b").random(8))


def test_streams_differ_by_name_batch_and_seed() -> None:
    base = stream_factory(3, 2)("actor:x").random(8)
    others = [
        stream_factory(3, 2)("actor:y").random(8),
        stream_factory(3, 3)("actor:x").random(8),
        stream_factory(4, 2)("actor:x").random(8),
    ]
    for o in others:
        assert not np.array_equal(base, o)


def test_blocked_stream_draws_each_block_from_its_own_batch() -> None:
    from sim.engine.seeds import chunk_stream_factory

    sizes = (5, 5, 3)
    blocked = chunk_stream_factory(9, 2, sizes)("actor:a").random((4, 13))
    alone = [stream_factory(9, 2 + k)("actor:a").random((4, n)) for k, n in enumerate(sizes)]
    assert np.array_equal(blocked, np.concatenate(alone, axis=1))
    with pytest.raises(ValueError, match="last axis"):
        chunk_stream_factory(9, 2, sizes)("world").random((13, 4))
    # one block: the batch's own generator, unchanged
    assert np.array_equal(chunk_stream_factory(9, 2, (5,))("w").random(5), stream_factory(9, 2)("w").random(5))
