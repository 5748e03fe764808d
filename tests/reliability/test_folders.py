"""#15.1, #15.2, #15.10: results folders are never lost, never mixed, never left stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import MINI, SIM, sim

from sim.cli import main
from sim.core import resultdir
from sim.core.errors import SimUserError
from sim.engine.results import RunResults

VARY = ["--vary", "actors.leader.traits.resolve=0.2:0.8", "--points", "2", "--runs-per-point", "50"]


# ---- #15.1 data loss ------------------------------------------------------------------------


def test_discard_old_never_deletes_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "P"
    (p / "sub").mkdir(parents=True)
    (p / "thesis.txt").write_text("years of work")
    (p / "sub" / "data.csv").write_text("a,b\n1,2\n")
    code = main(["sweep", str(MINI), *VARY, "--out", str(p), "--fresh", "--discard-old", "--no-report"])
    err = capsys.readouterr().err
    assert code == 2 and "nothing was deleted" in err and "thesis.txt" in err
    assert (p / "thesis.txt").read_text() == "years of work"
    assert (p / "sub" / "data.csv").read_text() == "a,b\n1,2\n"


def test_discard_old_refuses_a_sweep_store_holding_a_foreign_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "P"
    assert main(["sweep", str(MINI), *VARY, "--out", str(p), "--no-report", "--workers", "1"]) == 0
    (p / "notes.md").write_text("mine")
    (p / "tasks" / "keep.csv").write_text("mine too")
    capsys.readouterr()
    code = main(
        ["sweep", str(MINI), *VARY, "--seed", "3", "--out", str(p), "--fresh", "--discard-old", "--no-report"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "notes.md" in err and "nothing was deleted" in err
    assert (p / "notes.md").is_file() and (p / "tasks" / "keep.csv").is_file()
    assert (p / "points.parquet").is_file()
    # its own files only: a clean store is emptied and reused, the folder itself stays
    (p / "notes.md").unlink()
    (p / "tasks" / "keep.csv").unlink()
    code = main(
        [
            "sweep",
            str(MINI),
            *VARY,
            "--seed",
            "3",
            "--out",
            str(p),
            "--fresh",
            "--discard-old",
            "--no-report",
            "--workers",
            "1",
        ]
    )
    assert code == 0
    assert resultdir.verify(p, "sweep")["complete"]


# ---- #15.2 silent mixing: a real lock and one run id ------------------------------------------


HOLD = """
import sys, time
from sim.core import resultdir
with resultdir.writing(sys.argv[1], sys.argv[2]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _hold(folder: Path, kind: str, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), kind, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "res"
    holder = _hold(out, "run", 60)
    try:
        second = sim("run", str(MINI), "--runs", "50", "--out", str(out), "--quiet", "--no-report")
        assert second.returncode == 2, second.stderr
        assert "another sim process" in second.stderr and "Traceback" not in second.stderr
        sweep = sim("sweep", str(MINI), *VARY, "--out", str(out), "--no-report")
        assert sweep.returncode == 2 and "another sim process" in sweep.stderr
    finally:
        holder.kill()
        holder.wait()
    # the kernel released the lock with the killed holder
    assert sim("run", str(MINI), "--runs", "50", "--out", str(out), "--quiet", "--no-report").returncode == 0


def _race(cmds: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen([SIM, *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in cmds
    ]
    done = []
    for c, p in zip(cmds, procs, strict=True):
        out, err = p.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(c, p.returncode, out, err))
    return done


RACE_TRIALS = 5


@pytest.mark.parametrize("trial", range(RACE_TRIALS))
def test_two_sim_run_into_one_folder_never_mix(tmp_path: Path, trial: int) -> None:
    out = tmp_path / "res"
    seeds = (1 + 2 * trial, 2 + 2 * trial)
    results = _race(
        [["run", str(MINI), "--runs", "300", "--seed", str(s), "--out", str(out), "--quiet"] for s in seeds]
    )
    codes = sorted(r.returncode for r in results)
    assert codes in ([0, 0], [0, 2]), [r.stderr for r in results]
    for r in results:
        assert "Traceback" not in r.stderr
        if r.returncode == 2:
            assert "another sim process" in r.stderr
    loaded = RunResults.load(out)  # verifies marker, run id and every file's hash
    assert loaded.seed in seeds
    assert json.loads((out / "summary.json").read_text())["seed"] == loaded.seed
    assert sim("report", str(out)).returncode == 0


@pytest.mark.parametrize("trial", range(3))
def test_two_sweeps_into_one_folder_never_mix(tmp_path: Path, trial: int) -> None:
    out = tmp_path / "sw"
    results = _race(
        [
            ["sweep", str(MINI), *VARY, "--seed", str(s), "--out", str(out), "--workers", "1", "--no-report"]
            for s in (10 + trial, 20 + trial)
        ]
    )
    codes = sorted(r.returncode for r in results)
    assert codes in ([0, 0], [0, 2]), [r.stderr for r in results]
    for r in results:
        assert "Traceback" not in r.stderr
        if r.returncode == 2:
            assert "another sim process" in r.stderr or "different sweep" in r.stderr
    from sim.sweep.store import SweepStore

    meta = SweepStore(out).verify()  # marker, hashes and the run id of design and points
    assert meta["settings"]["seed"] in (10 + trial, 20 + trial)


def test_a_file_of_another_run_is_never_read_as_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(MINI), "--runs", "60", "--seed", "1", "--out", str(a), "--quiet"]) == 0
    assert main(["run", str(MINI), "--runs", "60", "--seed", "2", "--out", str(b), "--quiet"]) == 0
    (a / "runs.parquet").write_bytes((b / "runs.parquet").read_bytes())
    with pytest.raises(SimUserError, match="files of different runs are mixed"):
        RunResults.load(a)
    capsys.readouterr()
    assert main(["report", str(a)]) == 2
    assert "runs.parquet" in capsys.readouterr().err


# ---- #15.10 stale state -----------------------------------------------------------------------


def test_stale_base_scenario_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    variant = tmp_path / "scen" / "v.yaml"
    variant.parent.mkdir()
    (variant.parent / "mini.yaml").write_text(MINI.read_text())
    variant.write_text((MINI.parent / "mini_no_change.yaml").read_text())
    out = tmp_path / "res"
    assert main(["run", str(variant), "--runs", "50", "--out", str(out), "--quiet", "--no-report"]) == 0
    assert (out / "base_scenario.json").is_file()
    assert main(["run", str(MINI), "--runs", "50", "--out", str(out), "--quiet", "--no-report"]) == 0
    assert not (out / "base_scenario.json").exists()
    # even a leftover put back by hand is not part of the result
    (out / "base_scenario.json").write_text((out / "scenario.json").read_text())
    assert RunResults.load(out).base_scenario is None
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    assert "variant of" not in (out / "report.html").read_text()


def test_temporaries_of_a_killed_write_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "res"
    out.mkdir()
    junk = [out / ".runs.parquet.abc123.tmp", out / ".report.html.x_9.tmp"]
    for j in junk:
        j.write_bytes(b"half")
    assert main(["run", str(MINI), "--runs", "50", "--out", str(out), "--quiet", "--no-report"]) == 0
    assert not any(j.exists() for j in junk)


def test_sweep_killed_after_creating_tasks_is_not_refused(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    (out / "tasks").mkdir(parents=True)
    (out / resultdir.LOCK_NAME).write_text("123")
    assert main(["sweep", str(MINI), *VARY, "--out", str(out), "--workers", "1", "--no-report"]) == 0
    assert resultdir.verify(out, "sweep")["complete"]


def test_writing_is_reentrant_and_released(tmp_path: Path) -> None:
    with resultdir.writing(tmp_path / "x", "run") as w1, resultdir.writing(tmp_path / "x", "run") as w2:
        assert w1 is w2
    t0 = time.monotonic()
    with resultdir.writing(tmp_path / "x", "run"):
        pass
    assert time.monotonic() - t0 < 5


def test_cleanup_spares_the_live_probe_of_another_process(tmp_path: Path) -> None:
    out = tmp_path / "res"
    out.mkdir()
    live = out / f".sim-probe-{os.getpid()}-abcd1234.tmp"
    dead = out / ".sim-probe-999999999-abcd1234.tmp"
    live.write_bytes(b"")
    dead.write_bytes(b"")
    with resultdir.writing(out, "run"):
        pass
    assert live.exists() and not dead.exists()
