"""Sobol indices too uncertain to rank get a warning that names the base sample size to use."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.sobol import MAX_HALF_WIDTH, sobol_width_warning, suggested_base_samples


def _table(half_widths: list[float]) -> pd.DataFrame:
    rows = [
        {"output": "p.war", "parameter": f"x{i}", "S1": 0.3, "S1_conf": w / 2, "ST": 0.8, "ST_conf": w}
        for i, w in enumerate(half_widths)
    ]
    return pd.DataFrame(rows)


def test_the_issue_example_warns_and_suggests_n() -> None:
    # 0.81 +/- 0.46 from 32 base samples: (0.46 / 0.1)^2 * 32 = 677 -> 1024 (a power of two)
    text = sobol_width_warning(_table([0.46, 0.2, 0.1]), n=32, n_parameters=3)
    assert text is not None
    assert "too wide to rank" in text and "\u00b10.46" in text
    assert "32 base samples" in text and "about 1024" in text and "5,120 points" in text


def test_narrow_intervals_give_no_warning() -> None:
    assert sobol_width_warning(_table([0.05, 0.08, MAX_HALF_WIDTH]), n=1024, n_parameters=3) is None


def test_unknown_n_still_warns_without_a_suggestion() -> None:
    text = sobol_width_warning(_table([0.3]), n=None, n_parameters=1)
    assert text is not None and "base samples" not in text


def test_nan_intervals_are_ignored() -> None:
    assert sobol_width_warning(_table([float("nan")]), n=32, n_parameters=1) is None


@given(n=st.integers(2, 4096), width=st.floats(0.101, 2.0))
def test_suggested_n_is_a_larger_power_of_two_that_reaches_the_target(n: int, width: float) -> None:
    better = suggested_base_samples(n, width)
    assert better > n and better & (better - 1) == 0
    # widths shrink as 1/sqrt(N): the suggestion brings this one to the target or below
    assert width * (n / better) ** 0.5 <= MAX_HALF_WIDTH * (1 + 1e-9)


def test_suggestion_grows_with_the_width() -> None:
    assert (
        suggested_base_samples(32, 0.2) <= suggested_base_samples(32, 0.46) <= suggested_base_samples(32, 0.9)
    )
    assert suggested_base_samples(32, 0.2) == pytest.approx(128)
