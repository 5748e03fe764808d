"""Shared constants of the app tests (a uniquely named module: `conftest` names collide)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
ARTIFACTS = ROOT / "test-artifacts"
SECRET_MARK = "TOP-SECRET-OUTSIDE-THE-FOLDER"
