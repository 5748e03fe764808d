"""``sim calibrate``: fit constants of a scenario to an observed record by ABC-SMC, write the
calibrated variant, the report and (optionally) article-only vs calibrated forecasts.

Folder (default reports/<id>-calibration/): calibration.json (settings and hash), state/gen-NNN.npz
(one per generation; a rerun continues), result.json (posterior, diagnostics, checks, forecasts),
report.html. The variant goes next to the base scenario (``extends:`` must stay in its folder).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from sim.calibrate import abc
from sim.calibrate.batch import EngineSimulator
from sim.calibrate.observations import check_against, load_observations
from sim.calibrate.priors import select_priors
from sim.calibrate.result import CalibrationOutcome
from sim.calibrate.sbc import posterior_draws
from sim.calibrate.state import CalibrationStore
from sim.calibrate.summary import StatSpec, compile_period, observed_statistics
from sim.calibrate.variant import marginals, variant_yaml
from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_write_text
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.sweep.cluster import connect

PPC_KEY = 8_000


def _file_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def calibrate(
    scenario_file: str | Path,
    observations_file: str | Path,
    *,
    params: list[str] | None = None,
    out_dir: str | Path | None = None,
    variant_file: str | Path | None = None,
    settings: abc.Settings | None = None,
    spread: float = 3.0,
    chunk: int = 1000,
    cluster: str | None = None,
    cluster_config: str | Path | None = None,
    workers: int | None = 1,
    fresh: bool = False,
    forecast_runs: int = 0,
    report: bool = True,
    on_generation: Callable[[abc.Generation], None] | None = None,
) -> CalibrationOutcome:
    """Run (or continue) a calibration; see the module docstring. ``workers`` > 1 or a ``cluster``
    runs the chunks on Dask; ``forecast_runs`` > 0 also runs base and variant forward."""
    s = settings or abc.Settings()
    base = load_scenario(scenario_file)
    obs = load_observations(observations_file)
    check_against(obs, base, observations_file)
    if obs.observations.period is None or not obs.events:
        raise SimUserError(
            [
                Problem(
                    str(observations_file),
                    None,
                    "events",
                    "no dated `events:` to calibrate against; add the record",
                )
            ]
        )
    if obs.observations.scenario != base.scenario.id:
        raise SimUserError(
            [
                Problem(
                    str(observations_file),
                    None,
                    "observations.scenario",
                    f"the record is for `{obs.observations.scenario}`, the scenario is `{base.scenario.id}`",
                )
            ]
        )
    scen_path = Path(scenario_file)
    own_name = f"{base.scenario.id}_calibrated.yaml"
    variant = Path(variant_file) if variant_file else scen_path.with_name(own_name)
    if not scen_path.resolve().is_relative_to(variant.resolve().parent):
        raise SimUserError(
            [
                Problem(
                    str(variant),
                    None,
                    "--variant",
                    f"write the variant in the folder of {scen_path} (`extends:` must stay in its folder)",
                )
            ]
        )
    priors = select_priors(base, params, spread)
    cs = compile_period(base, obs)
    spec = StatSpec.of(cs.scenario, cs.horizon)
    observed = observed_statistics(spec, base, obs)
    root = Path(out_dir) if out_dir else Path("reports") / f"{base.scenario.id}-calibration"
    store = CalibrationStore(root)
    config = {
        "scenario": _file_hash(scenario_file),
        "observations": _file_hash(observations_file),
        "params": [p.path for p in priors],
        "spread": spread,
        "chunk": chunk,
        "settings": asdict(s),
    }
    done, scale = store.open(config, fresh)
    resumed = len(done)
    use_dask = cluster is not None or (workers or 1) > 1
    with connect(cluster, cluster_config, workers) if use_dask else _no_client() as client:
        sim = EngineSimulator(cs, spec, priors, s.seed, chunk, client)
        started = time.perf_counter()  # the cluster's start-up is not the calibration's time

        def save(g: abc.Generation, sc: np.ndarray) -> None:
            store.save(g, sc)
            if on_generation:
                on_generation(g)

        gens, scale = abc.run(sim, observed, len(priors), s, done, scale, save)
        rng = np.random.default_rng(np.random.SeedSequence(s.seed, spawn_key=(PPC_KEY,)))
        ppc = sim(posterior_draws(gens[-1], s.particles, rng), PPC_KEY)
        elapsed = time.perf_counter() - started
        sim.close()
    margs = marginals(gens[-1], priors)
    data_name = Path(observations_file).as_posix()
    provenance = (
        f"ABC-SMC (sim calibrate) on {data_name}: {s.particles} particles, {len(gens)} generations, "
        f"final epsilon {gens[-1].eps:.3g}; posterior marginal summarised as a truncated normal"
    )
    scen_path = Path(scenario_file)
    variant = (
        Path(variant_file) if variant_file else scen_path.with_name(f"{base.scenario.id}_calibrated.yaml")
    )
    title = f"{base.scenario.title} - calibrated to {Path(observations_file).name}"
    text = variant_yaml(scen_path, f"{base.scenario.id}_calibrated", title[:200], margs, provenance, variant)
    atomic_write_text(variant, text)
    load_scenario(variant)  # the variant must load (extends, ranges)
    outcome = CalibrationOutcome(
        root=root,
        priors=priors,
        names=spec.names,
        observed=observed,
        generations=gens,
        scale=scale,
        ppc=ppc,
        marginals=margs,
        variant=variant,
        data_file=data_name,
        settings=s,
        elapsed_s=elapsed,
        simulations=int(sum(g.sims for g in gens[resumed:])) + len(ppc),
        resumed_from=resumed,
        cpu_s=sim.cpu_s,
    )
    if forecast_runs > 0:
        outcome.forecasts = article_vs_calibrated(scen_path, variant, forecast_runs)
    store.write_json("result.json", outcome.summary())
    if report:
        from sim.report.calibration_report import write_calibration_report

        outcome.report = write_calibration_report(outcome, root / "report.html")
    return outcome


class _no_client:
    """Context manager standing in for a Dask client: the simulations run in this process."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def article_vs_calibrated(base_file: Path, variant_file: Path, runs: int) -> dict[str, dict[str, float]]:
    """Outcome probabilities (over the whole horizon) of base and calibrated variant, same seed."""
    out = {}
    for label, f in (("article", base_file), ("calibrated", variant_file)):
        sc = load_scenario(f)
        r = run_scenario(sc, runs=runs, workers=1)
        out[label] = {o.id: r.tally.share(o.id) for o in sc.outcomes}
    return out
