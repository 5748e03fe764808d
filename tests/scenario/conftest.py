"""Fixtures of the scenario loader tests (helpers live in scenario_helpers.py)."""

from scenario_helpers import write

__all__ = ["write"]
