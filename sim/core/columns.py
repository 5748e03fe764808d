"""The output contract: names and types of every result column and aggregate shape.

Every layer that writes or reads results (model draws, engine batch tables, the sweep store,
analysis, reports) names columns through this module, never with its own f-strings.

Per-run rows (``runs.parquet`` of ``sim run``; a sweep adds ``point`` and one column per swept
path):

==========================  =========  ==============================================================
column                      dtype      meaning
==========================  =========  ==============================================================
``run``                     int64      global replication index (within a sweep point)
``batch``                   int32      batch the run belongs to
``point``                   int64      sweep design point (sweeps only)
``<outcome>``               bool       the outcome happened in this run
``<outcome>_step``          float32    first step it held, NaN if never
``peak_escalation``         float32    highest escalation index reached (ladder points)
``final_escalation``        float32    escalation index at the horizon (ladder points)
``track.<id>.peak``         float32    highest index reached on escalation track ``<id>`` (its points)
``event.<id>``              bool       a probabilistic event happened in this run
``param.<path>``            float32    the value drawn for a random parameter (path as in sweeps)
``deal.first_offer_step``   float32    step the first offer was tabled, NaN if none (bargaining)
``deal.step``               float32    step the first deal was struck, NaN if none
``deal.terms.<issue>``      float32    the first deal's term on the issue (0..1), NaN if no deal
``deal.breakdown_step``     float32    step the first deal broke down, NaN if it held or none
``deal.vetoed``             int32      acceptances blocked by a veto over deals
==========================  =========  ==============================================================

Aggregates: ``escalation_hist`` (T+1, :data:`HIST_BINS`) int64 counts of runs per escalation bin
per step (equal bins over [0, ladder.max]); ``action_counts`` (T, A, K) int64 times actor a took
action k at step t+1.
"""

from __future__ import annotations

from collections.abc import Iterable

HIST_BINS = 101
"""Escalation histograms use this many equal bins over [0, ladder.max]."""

RUN = "run"
BATCH = "batch"
POINT = "point"
PEAK = "peak_escalation"
FINAL = "final_escalation"
ESCALATION_METRICS: tuple[str, ...] = (PEAK, FINAL)
"""Per-run escalation columns (ladder points, float32)."""

FIRST_OFFER = "deal.first_offer_step"
DEAL_STEP = "deal.step"
BREAKDOWN_STEP = "deal.breakdown_step"
DEAL_VETOED = "deal.vetoed"
DEAL_TERMS_PREFIX = "deal.terms."
DEAL_STEP_COLUMNS: tuple[str, ...] = (FIRST_OFFER, DEAL_STEP, BREAKDOWN_STEP)
"""The bargaining first-step columns (float32 steps, NaN if it never happened)."""


def deal_term(issue_id: str) -> str:
    """Column of the first deal's term on ``issue_id`` (float32 on 0..1, NaN if no deal)."""
    return f"{DEAL_TERMS_PREFIX}{issue_id}"


TRACK_PREFIX = "track."


def track_peak(track_id: str) -> str:
    """Column of the highest index track ``track_id`` reached in the run (float32, its points)."""
    return f"{TRACK_PREFIX}{track_id}.peak"


PARAM_PREFIX = "param."
EVENT_PREFIX = "event."
STEP_SUFFIX = "_step"


def happened(outcome_id: str) -> str:
    """Column of ``outcome_id``: bool, the outcome happened in the run."""
    return outcome_id


def first_step(outcome_id: str) -> str:
    """Column of the first step at which ``outcome_id`` held (float32, NaN if never)."""
    return f"{outcome_id}{STEP_SUFFIX}"


def param(path: str) -> str:
    """Column of the value drawn at parameter ``path`` (e.g. ``actors.irgc.traits.resolve``)."""
    return f"{PARAM_PREFIX}{path}"


def event(event_id: str) -> str:
    """Column of whether probabilistic event ``event_id`` happened (bool)."""
    return f"{EVENT_PREFIX}{event_id}"


def path_of(column: str) -> str:
    """The parameter path of a ``param.<path>`` column."""
    if not column.startswith(PARAM_PREFIX):
        raise ValueError(f"{column!r} is not a drawn-parameter column")
    return column.removeprefix(PARAM_PREFIX)


def is_drawn(column: str) -> bool:
    """True for the columns of what was drawn per run (parameters and event occurrences)."""
    return column.startswith((PARAM_PREFIX, EVENT_PREFIX))


def drawn_columns(columns: Iterable[str]) -> list[str]:
    """The drawn columns among ``columns``, in order."""
    return [c for c in columns if is_drawn(c)]


def outcome_columns(outcome_ids: Iterable[str]) -> list[str]:
    """For each outcome, its happened and first-step columns (in that order)."""
    out: list[str] = []
    for oid in outcome_ids:
        out += [happened(oid), first_step(oid)]
    return out


# ---- sweep points (``points.parquet``: one row per design point) ------------------------------

RUNS = "runs"
"""Per-point column: number of runs at the point (int64)."""
PROB_PREFIX = "p."
MEAN_STEP_PREFIX = "mean_step."


def probability(outcome_id: str) -> str:
    """Per-point column: share of the point's runs in which ``outcome_id`` happened (0..1)."""
    return f"{PROB_PREFIX}{outcome_id}"


def is_probability(column: str) -> bool:
    """True for the per-point outcome probability columns (``p.<outcome>``)."""
    return column.startswith(PROB_PREFIX)


def outcome_of(column: str) -> str:
    """The outcome id of a ``p.<outcome>`` column; other columns unchanged."""
    return column.removeprefix(PROB_PREFIX)


def mean_step(outcome_id: str) -> str:
    """Per-point column: mean first step of ``outcome_id`` among runs where it happened (steps)."""
    return f"{MEAN_STEP_PREFIX}{outcome_id}"


def mean_of(metric: str) -> str:
    """Per-point column: mean of per-run ``metric`` (e.g. ``mean_peak_escalation``, ladder points)."""
    return f"mean_{metric}"
