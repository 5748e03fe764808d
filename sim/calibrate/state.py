"""A calibration folder: its settings (calibration.json) and one file per finished generation
(state/gen-NNN.npz), each written atomically, so a killed calibration reruns and continues after
its last finished generation. A folder is only continued by the same calibration: the hash of
the scenario, the record, the parameters and the settings must match.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibrate.abc import Generation
from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_write_bytes, atomic_write_text

GEN_RE = re.compile(r"^gen-(\d{3})\.npz$")


def config_hash(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


class CalibrationStore:
    """The files of one calibration folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.state = self.root / "state"
        self.meta_path = self.root / "calibration.json"

    def open(self, config: dict[str, Any], fresh: bool = False) -> tuple[list[Generation], np.ndarray | None]:
        """Start or continue: the finished generations and the statistics' scale (or none).
        A folder of a different calibration is refused unless ``fresh`` (then its states go)."""
        h = config_hash(config)
        if self.meta_path.is_file():
            old = json.loads(self.meta_path.read_text(encoding="utf-8")).get("hash")
            if old != h and not fresh:
                raise SimUserError(
                    [
                        Problem(
                            str(self.meta_path),
                            None,
                            "",
                            "holds a different calibration (scenario, record, parameters or settings "
                            "changed): use --fresh to start over, or another --out",
                        )
                    ]
                )
            if old != h or fresh:
                for f in self.state.glob("gen-*.npz"):
                    f.unlink()
        self.root.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(exist_ok=True)
        atomic_write_text(self.meta_path, json.dumps({"hash": h, "config": config}, indent=1, default=str))
        return self._load()

    def _load(self) -> tuple[list[Generation], np.ndarray | None]:
        gens: list[Generation] = []
        scale = None
        for f in sorted(p for p in self.state.iterdir() if GEN_RE.match(p.name)):
            if int(GEN_RE.match(f.name).group(1)) != len(gens):  # type: ignore[union-attr]
                break  # a gap: continue after the last unbroken generation
            with np.load(f) as z:
                gens.append(
                    Generation(
                        t=int(z["t"]),
                        u=z["u"],
                        w=z["w"],
                        d=z["d"],
                        stats=z["stats"],
                        eps=float(z["eps"]),
                        sims=int(z["sims"]),
                        acceptance=float(z["acceptance"]),
                    )
                )
                scale = z["scale"]
        return gens, scale

    def save(self, gen: Generation, scale: np.ndarray) -> Path:
        buf = io.BytesIO()
        np.savez(
            buf,
            t=gen.t,
            u=gen.u,
            w=gen.w,
            d=gen.d,
            stats=gen.stats,
            eps=gen.eps,
            sims=gen.sims,
            acceptance=gen.acceptance,
            scale=scale,
        )
        return atomic_write_bytes(self.state / f"gen-{gen.t:03d}.npz", buf.getvalue())

    def write_json(self, name: str, doc: dict[str, Any]) -> Path:
        return atomic_write_text(self.root / name, json.dumps(doc, indent=1, default=str))
