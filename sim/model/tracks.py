"""Escalation tracks on the batch: compiled arrays and the per-step update (docs/model.md, tracks).

Each track j has its own index T_j in [0, max_j], starting at ``initial`` (default 0), updated
like the main index without accidents:

    T_j,t = clip(T_j,t-1 (1 - rho) + sum_i d_j[a_i,t], 0, max_j), then capped below each locked rung

with rho the run's ``dynamics.relaxation`` and d_j the points per use ``effects.tracks.<j>``.
A scenario without tracks builds no :class:`TrackSpec` and pays nothing per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core import columns as col
from sim.model import updates
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class TrackSpec:
    """The static arrays of a scenario's tracks (J tracks, K actions, R_j locked rungs each)."""

    ids: tuple[str, ...]
    top: np.ndarray  # (J, 1) max of each track
    initial: np.ndarray  # (J,) index of each track at the start of every run
    delta: np.ndarray  # (J, K) points per use of each act on each track
    rung_at: tuple[np.ndarray, ...]  # per track (R_j,) where its locked rungs start
    rung_acts: tuple[np.ndarray, ...]  # per track (R_j, K) bool: the acts that unlock each


def compile_tracks(sc: Scenario, action_index: dict[str, int]) -> TrackSpec | None:
    """The tracks of ``sc`` as arrays; None when it declares none."""
    tracks = sc.ladder.tracks
    if not tracks:
        return None
    n_k = len(sc.actions)
    delta = np.zeros((len(tracks), n_k))
    index = {t.id: j for j, t in enumerate(tracks)}
    for k, act in enumerate(sc.actions):
        for tid, points in act.effects.tracks.items():
            delta[index[tid], k] = points
    rung_at, rung_acts = [], []
    for t in tracks:
        locked = [lv for lv in t.levels if lv.requires]
        rung_at.append(np.array([lv.at for lv in locked], dtype=float))
        acts = np.zeros((len(locked), n_k), dtype=bool)
        for r, lv in enumerate(locked):
            acts[r, [action_index[a] for a in lv.requires]] = True
        rung_acts.append(acts)
    return TrackSpec(
        ids=tuple(index),
        top=np.array([[t.max] for t in tracks], dtype=float),
        initial=np.array([t.initial for t in tracks], dtype=float),
        delta=delta,
        rung_at=tuple(rung_at),
        rung_acts=tuple(rung_acts),
    )


class TrackState:
    """The tracks of a batch of N runs: index (J, N), peak (J, N), unlocked rungs per track."""

    def __init__(self, spec: TrackSpec, n_runs: int) -> None:
        self.spec = spec
        self.index = np.repeat(spec.initial[:, None], n_runs, axis=1)  # the same start in every run
        self.peak = self.index.copy()
        self.unlocked = [np.zeros((at.size, n_runs), dtype=bool) for at in spec.rung_at]

    def update(self, choices: np.ndarray, relaxation: np.ndarray) -> None:
        """One step after the acts ``choices`` (A, N); ``relaxation`` (N,) the runs' rho."""
        spec = self.spec
        pushes = np.moveaxis(spec.delta[:, choices], 1, 0)  # (A, J, N): each actor's push on each track
        # the main index's update equation, without accidents (shock 0), with each track's max
        index = updates.escalation_update(self.index, pushes, relaxation, 0.0, spec.top)
        for j, (at, acts) in enumerate(zip(spec.rung_at, spec.rung_acts, strict=True)):
            if at.size:
                self.unlocked[j] |= acts[:, choices].any(axis=1)
                index[j] = updates.threshold_cap(index[j], at, self.unlocked[j])
        self.index = index
        self.peak = np.maximum(self.peak, index)

    def columns(self) -> dict[str, np.ndarray]:
        """Per-run result columns (sim.core.columns: track.<id>.peak, float32)."""
        return {col.track_peak(tid): self.peak[j].astype(np.float32) for j, tid in enumerate(self.spec.ids)}
