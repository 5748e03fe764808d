"""Refactors leave results unchanged: every pinned number of the golden cases, bit for bit.

The pinned files were written by golden_cases.py before the registry refactor (issue "one registry
per kind"); regenerate them only for a change that is meant to change results.
"""

from __future__ import annotations

import numpy as np
import pytest
from golden_cases import CASES, PINNED, compute


@pytest.mark.parametrize("name", sorted(CASES))
def test_results_match_pinned(name: str) -> None:
    with np.load(PINNED / f"{name}.npz") as z:
        pinned = {k: z[k] for k in z.files}
    now = compute(name)
    assert sorted(now) == sorted(pinned), "result columns or aggregates changed"
    for key, want in pinned.items():
        np.testing.assert_array_equal(now[key], want, err_msg=f"{name}: {key} changed")
