"""The fuller SBC run of `sim calibrate` reported in docs/calibration.md.

Usage: python scripts/sbc_calibration.py [--replications 200] [--out reports/sbc/sbc.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sim.calibrate import abc
from sim.calibrate.engine_sbc import engine_sbc

PARAMS = ["dynamics.logit_precision", "dynamics.weights.war_cost", "dynamics.weights.disposition"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="tests/data/mini.yaml")
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--particles", type=int, default=200)
    ap.add_argument("--generations", type=int, default=4)
    ap.add_argument("--days", type=int, default=59)
    ap.add_argument("--out", default="reports/sbc/sbc.json")
    a = ap.parse_args()
    t = time.perf_counter()
    s = abc.Settings(particles=a.particles, generations=a.generations, seed=11)
    res = engine_sbc(a.scenario, PARAMS, a.days, s, a.replications, seed=11)
    doc = {
        "scenario": a.scenario,
        "params": PARAMS,
        "replications": a.replications,
        "particles": a.particles,
        "generations": a.generations,
        "draws": res.draws,
        "coverage50": res.coverage(50).tolist(),
        "coverage90": res.coverage(90).tolist(),
        "band50_99pct": res.coverage_band(50),
        "band90_99pct": res.coverage_band(90),
        "rank_uniformity_p": res.uniformity_p().tolist(),
        "ranks": res.ranks.tolist(),
        "seconds": time.perf_counter() - t,
    }
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1))
    for i, p in enumerate(PARAMS):
        print(
            f"{p:36s} 50%: {doc['coverage50'][i]:.3f}  90%: {doc['coverage90'][i]:.3f}  "
            f"rank chi2 p: {doc['rank_uniformity_p'][i]:.3f}"
        )
    print(
        f"bands (99%): 50% {doc['band50_99pct']}, 90% {doc['band90_99pct']}; "
        f"{doc['seconds']:.0f} s; wrote {out}"
    )


if __name__ == "__main__":
    main()
