"""Finding a variant's base: one way, used by ``sim run``, ``sim show`` and ``sim report``."""

from __future__ import annotations

import os
from pathlib import Path

from sim.engine.results import RunResults
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.variants import project_folder


def base_of(
    scenario: Scenario,
    scenario_file: str | os.PathLike[str] | None = None,
    *,
    results_dir: str | os.PathLike[str] | None = None,
) -> Scenario | None:
    """The resolved base of a variant; None for a base scenario or a base that does not load.

    With the variant's file, ``variant_of`` is resolved as the loader resolves ``extends:``:
    relative to the file's real folder, its bases inside the project folder
    (:func:`sim.scenario.variants.project_folder`). Without
    it (stored results), the first existing file of: ``variant_of`` as given, inside
    ``results_dir``, inside ``scenarios/``, ``scenarios/<variant_of>.yaml``.
    """
    ref = scenario.variant_of
    if not ref:
        return None
    if scenario_file is not None:
        folder = Path(os.path.realpath(scenario_file)).parent
        return _load_first([folder / ref], root=project_folder(folder))
    near = [Path(results_dir) / ref] if results_dir is not None else []
    return _load_first([Path(ref), *near, Path("scenarios") / ref, Path("scenarios") / f"{ref}.yaml"])


def base_of_results(results: RunResults, results_dir: str | os.PathLike[str]) -> Scenario | None:
    """The base stored with the results (``base_scenario.json``), else :func:`base_of`."""
    if results.base_scenario is not None:
        return results.base_scenario
    return base_of(results.scenario, results_dir=results_dir)


def _load_first(candidates: list[Path], root: Path | None = None) -> Scenario | None:
    """The first candidate that is a file, loaded; None if there is none or it does not load."""
    for candidate in candidates:
        if candidate.is_file():
            try:
                return load_scenario(candidate, root=root)
            except Exception:  # best effort: a report or table without the base is still useful
                return None
    return None
