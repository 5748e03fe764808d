"""#15.7: an unwritable --out is refused before any computation (exit 2, clear message).

The folder is made read-only with a bind mount in a private mount namespace (``unshare -rm``),
which also works as root (for whom permission bits do not count); else ``/sys`` is used, an
existing folder where no one may create files.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from reliability_helpers import MINI, SIM

CMDS = [
    ["run", str(MINI), "--runs", "20000", "--quiet"],
    ["compare", str(MINI), str(MINI.with_name("mini_no_change.yaml")), "--runs", "20000", "--quiet"],
    ["sweep", str(MINI), "--vary", "actors.leader.traits.resolve=0.2:0.8", "--points", "2"],
]


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.parametrize("cmd", CMDS, ids=["run", "compare", "sweep"])
def test_read_only_out_is_refused_first(tmp_path: Path, cmd: list[str]) -> None:
    if _unshare_works():
        ro = tmp_path / "ro"
        ro.mkdir()
        sim = shlex.join([SIM, *cmd, "--out", str(ro)])
        script = f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} && {sim}"
        done = subprocess.run(
            ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300
        )
        reason = "Read-only file system"
    else:
        ro = Path("/sys")
        done = subprocess.run([SIM, *cmd, "--out", str(ro)], capture_output=True, text=True, timeout=300)
        reason = "Permission denied"
    assert done.returncode == 2, done.stderr
    assert "cannot write in the results folder" in done.stderr and reason in done.stderr
    assert "Traceback" not in done.stderr
    assert "runs in" not in done.stdout and "points," not in done.stdout  # nothing was computed
