"""Shared fixtures: the small generic scenario of tests/data/mini.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

DATA_DIR = Path(__file__).parent / "data"
"""Scenario files shared by the tests (mini.yaml and its variants)."""


@pytest.fixture(scope="session")
def mini_scenario() -> Scenario:
    """tests/data/mini.yaml: two sides, four actors, horizon 60 steps (frozen, safe to share)."""
    return load_scenario(DATA_DIR / "mini.yaml")
