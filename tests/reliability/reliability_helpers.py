"""Shared helpers of the reliability tests (issue 15): the sim executable and the mini scenario."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
MINI = DATA / "mini.yaml"
SIM = str(Path(sys.executable).with_name("sim"))


def sim(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``sim`` console script; returns the finished process (text output)."""
    return subprocess.run([SIM, *args], capture_output=True, text=True, timeout=timeout)
