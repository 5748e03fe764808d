"""Percent ticks carry the precision they need; event labels are stacked so none overlaps."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from sim.report.axes import decimals_for, label_rows, nice_step, percent_ticks


def _tick_texts(lo: float, hi: float, signed: bool = False) -> list[str]:
    """The labels Plotly draws for these settings: multiples of dtick from tick0, with the
    d3 format ``.N%`` (the same rounding as Python's ``f`` format of value x 100)."""
    axis = percent_ticks(lo, hi, signed=signed)
    digits = int(axis["tickformat"].rstrip("%").split(".")[-1])
    step = axis["dtick"]
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [f"{'+' if signed else ''}{k * step * 100:.{digits}f}%" for k in range(first, last + 1)]


def test_the_issue_example_has_distinct_ticks() -> None:
    # an axis up to 2%: ".0%" with Plotly's own step would read 0%, 1%, 1%, 2%
    assert _tick_texts(0.0, 0.02) == ["0.0%", "0.5%", "1.0%", "1.5%", "2.0%"]
    assert percent_ticks(0.0, 1.0)["tickformat"] == ".0%"


@given(
    lo=st.floats(-1.0, 1.0),
    span=st.floats(1e-5, 2.0),
    signed=st.booleans(),
)
def test_tick_labels_are_distinct_and_few(lo: float, span: float, signed: bool) -> None:
    texts = _tick_texts(lo, lo + span, signed)
    assert len(texts) == len(set(texts))
    assert 2 <= len(texts) <= 12


@given(span=st.floats(1e-6, 1e3))
def test_nice_step(span: float) -> None:
    step = nice_step(span)
    assert span / step <= 5 * (1 + 1e-9) and span / step > 1.9
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))


def test_decimals_for() -> None:
    assert [decimals_for(v) for v in (5.0, 0.5, 0.25, 20.0, 0.005 * 100)] == [0, 1, 2, 0, 1]


def test_labels_in_a_row_do_not_overlap() -> None:
    # three labels 5 wide at 0, 1, 2 collide: three rows; a fourth at 10 fits the first row
    assert label_rows([0, 1, 2, 10], [5, 5, 5, 5], [False] * 4) == [0, 1, 2, 0]
    # right-anchored labels extend to the left of their point
    assert label_rows([10, 12], [5, 5], [True, True]) == [0, 1]
    assert label_rows([10, 20], [5, 5], [True, True]) == [0, 0]


@given(
    st.lists(st.tuples(st.floats(0, 500), st.floats(0.1, 100), st.booleans()), min_size=1, max_size=30),
    st.floats(0, 5),
)
def test_label_rows_never_overlap(labels: list[tuple[float, float, bool]], gap: float) -> None:
    starts, widths, right = (list(c) for c in zip(*labels, strict=True))
    rows = label_rows(starts, widths, right, gap)
    spans = [(s - w, s) if r else (s, s + w) for s, w, r in labels]
    for i in range(len(spans)):
        for j in range(i + 1, len(spans)):
            if rows[i] == rows[j]:
                a, b = sorted([spans[i], spans[j]])
                assert a[1] + gap <= b[0] + 1e-9
