"""The result store: layout, streaming files, resume after lost files, hash refusal, --fresh.

These run the real engine on the 60-step mini scenario through an in-process Dask cluster.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds
import pytest

from sim.core.errors import SimUserError
from sim.engine.runner import run_batch
from sim.scenario.paths import apply_overrides
from sim.sweep.execute import run_sweep
from sim.sweep.resolve import resolve
from sim.sweep.spec import ResolvedSweep, load_sweep
from sim.sweep.store import SweepStore

PARAMS = [
    {"path": "actors.leader.traits.pressure_aversion", "low": 0.1, "high": 0.9},
    {"path": "dynamics.relaxation", "values": [0.02, 0.1]},
]


@pytest.fixture
def resolved(write_sweep: Callable[..., Path]) -> ResolvedSweep:
    path = write_sweep(design="grid", points=3, runs_per_point=250, batch_size=100, seed=5, parameters=PARAMS)
    return resolve(load_sweep(path))


def _sorted_runs(root: Path) -> pd.DataFrame:
    return SweepStore(root).read_runs()


def test_layout_and_contents(resolved: ResolvedSweep, tmp_path: Path, inproc_client: Any) -> None:
    out = run_sweep(resolved, tmp_path / "out", client=inproc_client)
    root = tmp_path / "out"
    assert out.state == "new" and out.points == 6 and out.tasks_total == 18 and out.tasks_run == 18
    assert out.runs_total == 6 * 250
    assert {p.name for p in root.iterdir()} - {".sim-lock", ".sim-result.json"} == {
        "sweep.json",
        "design.parquet",
        "tasks",
        "manifest.json",
        "points.parquet",
    }
    assert len(list((root / "tasks").glob("*.parquet"))) == 18
    meta = json.loads((root / "sweep.json").read_text())
    assert (
        meta["hash"] == out.hash
        and meta["settings"]["seed"] == 5
        and meta["outcomes"] == ["talks", "deal", "clash", "war"]
    )
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["complete"] and manifest["tasks_done"] == 18 and manifest["points_done"] == 6
    # readable as one dataset by pyarrow and pandas
    table = ds.dataset(root / "tasks", format="parquet").to_table()
    assert table.num_rows == 1500
    runs = pd.read_parquet(root / "tasks")
    assert {"point", "batch", "run", "war", "war_step", "peak_escalation", "dynamics.relaxation"} <= set(
        runs.columns
    )
    assert runs.groupby("point")["run"].nunique().eq(250).all()
    assert runs.groupby("point")["run"].agg(["min", "max"]).values.tolist() == [[0, 249]] * 6
    design = pd.read_parquet(root / "design.parquet")
    merged = runs.merge(design, on="point", suffixes=("", "_d"))
    assert (merged["dynamics.relaxation"] == merged["dynamics.relaxation_d"]).all()
    points = pd.read_parquet(root / "points.parquet")
    assert len(points) == 6 and points["runs"].eq(250).all()
    expect = runs.groupby("point")["war"].mean()
    assert points.set_index("point")["p.war"].to_numpy() == pytest.approx(expect.to_numpy())


def test_task_rows_are_the_engine_batch(resolved: ResolvedSweep, tmp_path: Path, inproc_client: Any) -> None:
    """Task (p, b) = run_batch at the point's values with the sweep seed and batch index."""
    run_sweep(resolved, tmp_path / "out", client=inproc_client)
    store = SweepStore(tmp_path / "out")
    design = store.design()
    for p, b, size in [(4, 2, 50), (1, 0, 100)]:
        values = {k: float(design[k].iloc[p]) for k in resolved.paths}
        ref = run_batch(
            apply_overrides(resolved.scenario, values), seed=5, batch_index=b, size=size, batch_size=100
        ).runs
        got = pd.read_parquet(store.task_path(p, b))
        pd.testing.assert_frame_equal(got[list(ref.columns)].reset_index(drop=True), ref, check_dtype=False)


def test_common_random_numbers_across_points(
    resolved: ResolvedSweep, tmp_path: Path, inproc_client: Any
) -> None:
    """Same seed per batch at every point: a parameter that changes nothing gives identical rows."""
    run_sweep(resolved, tmp_path / "out", client=inproc_client)
    runs = _sorted_runs(tmp_path / "out")
    # initial.escalation is drawn per run; its draws must not depend on the point
    col = "param.initial.escalation"
    first = runs[runs.point == 0][col].to_numpy()
    for p in range(1, 6):
        assert (runs[runs.point == p][col].to_numpy() == first).all()


def test_resume_after_lost_files(resolved: ResolvedSweep, tmp_path: Path, inproc_client: Any) -> None:
    root = tmp_path / "out"
    run_sweep(resolved, root, client=inproc_client)
    full = _sorted_runs(root)
    store = SweepStore(root)
    store.task_path(0, 1).unlink()
    store.task_path(5, 2).unlink()
    store.task_path(3, 0).write_bytes(b"PAR1 truncated")  # a corrupt file is redone
    (store.tasks_dir / ".p000002-b00000.parquet.x.tmp").write_bytes(b"junk")  # crash leftover
    (root / "points.parquet").unlink()
    again = run_sweep(resolved, root, client=inproc_client)
    assert again.state == "resume" and again.tasks_run == 3 and again.tasks_skipped == 15
    pd.testing.assert_frame_equal(_sorted_runs(root), full)
    assert not list(store.tasks_dir.glob(".*"))
    assert (root / "points.parquet").is_file()


def test_changed_sweep_refused_then_fresh(
    write_sweep: Callable[..., Path], resolved: ResolvedSweep, tmp_path: Path, inproc_client: Any
) -> None:
    root = tmp_path / "out"
    run_sweep(resolved, root, client=inproc_client)
    changed = resolve(
        load_sweep(
            write_sweep(
                "t.yaml",
                design="grid",
                points=2,
                runs_per_point=250,
                batch_size=100,
                seed=5,
                parameters=PARAMS,
            )
        )
    )
    with pytest.raises(SimUserError, match=r"different sweep.*--fresh"):
        run_sweep(changed, root, client=inproc_client)
    # a changed scenario is also a different sweep
    scen = resolved.spec.scenario_path
    scen.write_text(scen.read_text().replace("horizon: 60", "horizon: 59"))
    with pytest.raises(SimUserError, match="different sweep"):
        run_sweep(resolve(resolved.spec), root, client=inproc_client)
    out = run_sweep(changed, root, client=inproc_client, fresh=True)
    assert out.state == "fresh" and out.points == 4
    aside = list(tmp_path.glob("out.old-*"))
    assert len(aside) == 1 and (aside[0] / "points.parquet").is_file()
    out = run_sweep(resolved, root, client=inproc_client, fresh=True, discard=True)
    assert out.points == 6 and len(list(tmp_path.glob("out.old-*"))) == 1


def test_foreign_directory_refused(resolved: ResolvedSweep, tmp_path: Path, inproc_client: Any) -> None:
    root = tmp_path / "out"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    with pytest.raises(SimUserError, match=r"no readable sweep\.json"):
        run_sweep(resolved, root, client=inproc_client)
    assert (root / "notes.txt").read_text() == "mine"
