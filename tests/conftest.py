"""Shared fixtures: the small generic scenario of tests/data/mini.yaml, and one headless
chromium for the whole session (Playwright's sync API allows one instance at a time, so the app
and report browser tests share it, in whatever order they run). Also the hypothesis profile:
no per-example deadline, because these machines are shared and a busy neighbour made
property tests fail on time, not on a property (test_chunk_plan once, under load)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")

DATA_DIR = Path(__file__).parent / "data"
"""Scenario files shared by the tests (mini.yaml and its variants)."""


@pytest.fixture(scope="session")
def mini_scenario() -> Scenario:
    """tests/data/mini.yaml: two sides, four actors, horizon 60 steps (frozen, safe to share)."""
    return load_scenario(DATA_DIR / "mini.yaml")


CHROMIUM = Path(os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium"))
"""The Debian chromium that the browser tests drive (Playwright's own download does not work here)."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless chromium (Debian package) for the whole session, shared by every browser test.

    If /usr/bin/chromium is missing the test FAILS with an install hint, unless SIM_SKIP_BROWSER=1.
    """
    if os.environ.get("SIM_SKIP_BROWSER") == "1":
        pytest.skip("SIM_SKIP_BROWSER=1: browser tests skipped")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: browser tests need Debian chromium "
            "(`apt-get install -y chromium`), or set SIM_SKIP_BROWSER=1 to skip them",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
