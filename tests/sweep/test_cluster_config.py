"""The dask-jobqueue config file of --cluster slurm|pbs, and --cluster argument errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.core.errors import SimUserError
from sim.sweep.cluster import connect, load_cluster_config, make_jobqueue_cluster

GOOD = """\
cores: 4
memory: 8GB
walltime: "01:30:00"
queue: short
account: proj42
jobs: 3
scheduler_host: 127.0.0.1
"""


def test_good_config(tmp_path: Path) -> None:
    f = tmp_path / "hpc.yaml"
    f.write_text(GOOD)
    cfg = load_cluster_config(f)
    assert cfg["cores"] == 4 and cfg["jobs"] == 3 and cfg["account"] == "proj42"
    f.write_text("cluster:\n" + "".join(f"  {line}\n" for line in GOOD.splitlines()))
    assert load_cluster_config(f) == cfg


def test_bad_config_names_lines(tmp_path: Path) -> None:
    f = tmp_path / "hpc.yaml"
    f.write_text(GOOD.replace("cores: 4", "cores: four").replace("jobs: 3", "jobs: 3\nwalltim: 1"))
    with pytest.raises(SimUserError) as info:
        load_cluster_config(f)
    found = {(p.field, p.line) for p in info.value.problems}
    assert ("cores", 1) in found and ("walltim", 7) in found
    f.write_text("walltime: '01:00:00'\n")
    with pytest.raises(SimUserError, match="required"):
        load_cluster_config(f)


@pytest.mark.parametrize("kind, directive", [("slurm", "#SBATCH"), ("pbs", "#PBS")])
def test_job_script(tmp_path: Path, kind: str, directive: str) -> None:
    """The job script carries the config (the scheduler listens on loopback for this test)."""
    f = tmp_path / "hpc.yaml"
    f.write_text(GOOD)
    with make_jobqueue_cluster(kind, load_cluster_config(f)) as cluster:
        script = cluster.job_script()
    assert directive in script and "proj42" in script and "short" in script
    assert "01:30:00" in script and "--nworkers 4" in script and "--nthreads 1" in script


def test_bad_cluster_arguments(tmp_path: Path) -> None:
    with pytest.raises(SimUserError, match="unknown cluster"), connect("kubernetes"):
        pass
    with pytest.raises(SimUserError, match="--cluster-config"), connect("slurm"):
        pass
    with pytest.raises(SimUserError, match="scheduler file not found"), connect(str(tmp_path / "none.json")):
        pass


def test_cli_unknown_cluster_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mini = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"
    code = main(
        [
            "sweep",
            str(mini),
            "--vary",
            "dynamics.relaxation=0:0.1",
            "--points",
            "2",
            "--runs-per-point",
            "10",
            "--out",
            str(tmp_path / "o"),
            "--cluster",
            "nowhere",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "unknown cluster" in err and "Traceback" not in err
