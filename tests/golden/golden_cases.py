"""The golden cases: scenarios run at a fixed seed whose every result is pinned on disk.

`python tests/golden/golden_cases.py` rewrites the pinned files. Do that
only when a change is *meant* to change results (a new mechanism, a recalibration), and say so in
the commit: the golden test exists to prove that refactors leave every number unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PINNED = Path(__file__).parent / "pinned"
CASES = {
    "iran_us_2019": ROOT / "scenarios/iran_us_2019.yaml",
    "iran_us_2019_sanctions_relief": ROOT / "scenarios/iran_us_2019_sanctions_relief.yaml",
    "iran_us_2019_irgc_restrained": ROOT / "scenarios/iran_us_2019_irgc_restrained.yaml",
    "iran_us_2019_consistent_us": ROOT / "scenarios/iran_us_2019_consistent_us.yaml",
    "mini": ROOT / "tests/data/mini.yaml",
    "mini_veto_hated": ROOT / "tests/data/mini_veto_hated.yaml",
    "mini_forbid_strike": ROOT / "tests/data/mini_forbid_strike.yaml",
}
RUNS, BATCH_SIZE, SEED, SAMPLES = 2000, 768, 20190914, 3


def compute(name: str) -> dict[str, np.ndarray]:
    """Every number of one golden case: per-run columns, aggregates, kept trajectories."""
    res = run_scenario(
        load_scenario(CASES[name]), runs=RUNS, seed=SEED, workers=1, batch_size=BATCH_SIZE, samples=SAMPLES
    )
    out = {f"runs/{c}": res.runs[c].to_numpy() for c in res.runs.columns}
    out["escalation_hist"] = res.escalation_hist
    out["action_counts"] = res.action_counts
    for i, s in enumerate(res.samples):
        out[f"sample{i}/run"] = np.array(s.run)
        out[f"sample{i}/escalation"] = s.escalation
        out[f"sample{i}/actions"] = s.actions
    return out


def main() -> None:
    PINNED.mkdir(exist_ok=True)
    for name in CASES:
        np.savez_compressed(PINNED / f"{name}.npz", **compute(name))
        print("pinned", name)


if __name__ == "__main__":
    main()
