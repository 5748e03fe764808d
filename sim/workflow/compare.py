"""Compare a base scenario with variants on common random numbers (``sim compare``,
``sim.api.compare``).

Every scenario runs with the base's seed, number of runs and batch size, so run ``n`` of each
draws from the same random streams (docs/architecture.md); the comparison is run by run
(:mod:`sim.analysis.compare`). The comparison folder (``reports/compare_<base id>/`` by
default) holds ``runs/<scenario id>/`` per scenario (as ``sim run`` writes them),
``comparison.json``, ``comparison.md`` and, unless skipped, ``report.html``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.compare import VariantComparison, compare_all
from sim.analysis.pairing import check_pairable
from sim.analysis.stats import summary_dict
from sim.core import resultdir
from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_write_bytes
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

Progress = Callable[[int], None]
"""Called with the number of runs just finished."""

METHOD = {
    "pairing": "run by run on the `run` index (common random numbers)",
    "paired_interval": "Newcombe (1998) method 10 hybrid score for paired proportions",
    "p_value": "exact McNemar (binomial test of discordant pairs)",
    "unpaired_interval": "Newcombe (1998) hybrid score for independent proportions",
    "escalation": "paired t interval (Welch for contrast)",
    "distinguishable": "paired interval excludes 0",
}
"""How the comparison is computed, as recorded in comparison.json."""


@dataclass
class Comparison:
    """A base and its variants run on common random numbers, and each variant compared."""

    base: RunResults
    variants: list[RunResults]
    comparisons: list[VariantComparison]

    @property
    def results(self) -> list[RunResults]:
        """The base's results, then each variant's."""
        return [self.base, *self.variants]


def default_out_dir(base_id: str) -> Path:
    """Where a comparison goes by default: ``reports/compare_<base id>/``."""
    return Path("reports") / f"compare_{base_id}"


def check_replaces_same(out: Path, scenario_ids: Sequence[str], force: bool = False) -> None:
    """Refuse to overwrite a comparison of other scenarios in ``out`` (unless ``force``): a second
    comparison must not silently replace the first."""
    previous = out / "comparison.json"
    if force or not previous.is_file():
        return
    try:
        old = json.loads(previous.read_text(encoding="utf-8"))
        old_ids = list(old["scenarios"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # unreadable: the results folder checks refuse or replace it
    if old_ids != list(scenario_ids):
        raise SimUserError(
            [
                Problem(
                    str(out),
                    None,
                    "--out",
                    f"holds a comparison of {', '.join(old_ids)}; this one compares "
                    f"{', '.join(scenario_ids)}: choose another --out, or --force to replace it",
                )
            ]
        )


def load_all(base_file: str, variant_files: Sequence[str]) -> tuple[Scenario, list[Scenario]]:
    """Load the base and the variants; a variant file that is the base file is skipped (so a
    shell glob may include it). Raises SimUserError if two scenarios share an id."""
    base_path = Path(base_file).resolve()
    files = [f for f in dict.fromkeys(variant_files) if Path(f).resolve() != base_path]
    if not files:
        raise SimUserError(
            [Problem(base_file, None, "VARIANT.yaml", "give at least one variant other than the base")]
        )
    base = load_scenario(base_file)
    variants = [load_scenario(f) for f in files]
    seen = {base.scenario.id: base_file}
    for f, v in zip(files, variants, strict=True):
        vid = v.scenario.id
        if vid in seen:
            raise SimUserError(
                [
                    Problem(
                        f,
                        None,
                        "scenario.id",
                        f"`{vid}` is also the id of {seen[vid]}: give each "
                        "variant its own `scenario: {id: ...}`",
                    )
                ]
            )
        seen[vid] = f
    check_pairable(base, variants, files)
    return base, variants


def compare_on_crn(
    base: Scenario,
    variants: Sequence[Scenario],
    *,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Sequence[Progress | None] | None = None,
    rows_dir: Path | None = None,
) -> Comparison:
    """Run ``base`` and every variant with the same runs, seed and batch size (default: the
    base's ``monte_carlo`` settings) and compare each variant with the base run by run.

    ``progress``: one callback per scenario (base first), or None. ``rows_dir``: the comparison
    folder about to be written (its lock held), where per-run rows of runs too large to keep in
    memory are streamed (sim.engine.runner.run_scenario).
    """
    mc = base.scenario.monte_carlo
    runs = mc.runs if runs is None else runs
    seed = mc.seed if seed is None else seed
    scenarios = [base, *variants]
    ticks = list(progress) if progress is not None else [None] * len(scenarios)
    results = [
        run_scenario(
            s,
            runs=runs,
            seed=seed,
            workers=workers,
            batch_size=mc.batch_size,
            progress=tick,
            rows_dir=rows_dir,
        )
        for s, tick in zip(scenarios, ticks, strict=True)
    ]
    return Comparison(results[0], results[1:], compare_all(results[0], results[1:]))


def comparison_frame(comparisons: Sequence[VariantComparison]) -> pd.DataFrame:
    """One row per (variant, outcome): both probabilities, the paired difference (variant −
    base) with its 95% interval, the McNemar p-value and whether the interval excludes 0."""
    rows = [
        {
            "variant": comp.variant_id,
            "outcome": d.outcome,
            "p_base": d.p_base,
            "p_variant": d.p_variant,
            "diff": d.diff,
            "ci_low": d.paired[0],
            "ci_high": d.paired[1],
            "p_value": d.p_value,
            "distinguishable": d.distinguishable,
        }
        for comp in comparisons
        for d in comp.outcomes
    ]
    return pd.DataFrame(rows)


def save_comparison(out: Path, comparison: Comparison, *, report: bool = True) -> Path | None:
    """Write the comparison folder ``out`` (see the module docstring); returns the report's
    path, or None when ``report`` is false."""
    with resultdir.writing(out, "compare") as writer:  # joins a caller holding the lock
        save_all(out, comparison.results, comparison.comparisons)
        writer.record("comparison.json", "comparison.md")
        if not report:
            return None
        from sim.report.compare_report import write_compare_report

        path = write_compare_report(
            comparison.base, comparison.variants, comparison.comparisons, out / "report.html"
        )
        writer.record("report.html")
        return path


def save_all(out: Path, results: list[RunResults], comparisons: list[VariantComparison]) -> Path:
    """Write ``runs/<id>/`` per scenario (RunResults.save + summary.json), comparison.json and
    comparison.md (the headline tables in Markdown); returns comparison.json's path."""
    from sim.report.compare_tables import comparison_markdown

    dirs = {}
    for r in results:
        with resultdir.writing(out / "runs" / r.scenario.scenario.id, "run") as run_writer:
            d = r.save(run_writer.root)
            atomic_write_bytes(
                d / "summary.json", json.dumps(json_safe(summary_dict(r)), indent=1, default=str).encode()
            )
            run_writer.record("summary.json")
        dirs[r.scenario.scenario.id] = str(d.relative_to(out))
    base = results[0]
    doc = {
        "base": base.scenario.scenario.id,
        "runs": base.runs_count,
        "seed": base.seed,
        "batch_size": base.batch_size,
        "method": dict(METHOD),
        "scenarios": dirs,
        "comparisons": [c.to_dict() for c in comparisons],
    }
    path = out / "comparison.json"
    atomic_write_bytes(path, json.dumps(json_safe(doc), indent=1).encode())
    atomic_write_bytes(out / "comparison.md", comparison_markdown(base, comparisons).encode())
    return path


def json_safe(obj: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null, tuples lists, keys strings."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def compare_files(
    base: Scenario | str | os.PathLike[str],
    *variants: Scenario | str | os.PathLike[str],
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
) -> Comparison:
    """:func:`compare_on_crn` of scenarios given loaded or as file paths."""
    base_sc = base if isinstance(base, Scenario) else load_scenario(base)
    var_scs = [v if isinstance(v, Scenario) else load_scenario(v) for v in variants]
    check_pairable(base_sc, var_scs)
    return compare_on_crn(base_sc, var_scs, runs=runs, seed=seed, workers=workers)
