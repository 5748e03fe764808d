"""Runs through the real `sim app` server: progress counts every run of baseline and what-if, an
unchanged what-if equals its baseline run for run (common random numbers), a moved parameter
changes the what-if only, the baseline is computed once; the command binds 127.0.0.1 and the
port asked for."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests_app_helpers import DATA, ROOT, request

WAR_COST = "dynamics.weights.war_cost"


def run_job(url: str, body: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Start a job, poll it to the end; (final status, the `done` counts seen)."""
    status, text = request(url, "POST", "/api/run", body)
    assert status == 200, text
    job_id = json.loads(text)["id"]
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = json.loads(request(url, "GET", f"/api/job?id={job_id}")[1])
        seen.append(job["done"])
        if job["state"] != "running":
            return job, seen
        time.sleep(0.05)
    raise AssertionError("job did not finish in 120 s")


def probabilities(job: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {c["id"]: (c["p_base"], c["p_variant"]) for c in job["result"]["cards"]}


def test_runs_progress_pairing_and_baseline_cache(clean_server: str) -> None:
    body = {"name": "mini.yaml", "runs": 2000, "levers": {}, "params": {}}
    same, seen = run_job(clean_server, body)
    assert same["state"] == "done", same["error"]
    assert same["total"] == 4000 and same["done"] == 4000  # baseline and what-if, every run counted
    assert seen == sorted(seen)  # progress only moves forward
    result = same["result"]
    assert result["runs"] == 2000 and result["changes"] == []
    cards = result["cards"]
    assert cards and all(c["p_base"] == c["p_variant"] and c["diff"] == 0 for c in cards)
    assert {t["name"].split(" (")[-1] for t in result["tte"]["data"]} == {"baseline)", "what-if)"}
    assert len(result["fan"]["data"]) == 6  # band + median for each

    moved = {**body, "params": {WAR_COST: {"centre": 12.0, "spread": 0.0}}}
    job, _ = run_job(clean_server, moved)
    assert job["total"] == 2000  # the baseline came from the cache
    before, after = probabilities(same), probabilities(job)
    assert {o: b for o, (b, _) in after.items()} == {o: b for o, (b, _) in before.items()}
    assert any(abs(v - b) > 0.02 for b, v in after.values()), after
    assert job["result"]["changes"] == ["weight of the cost of war: 3 → 12"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _non_loopback_address() -> str | None:
    """This machine's address on its default route (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
        except OSError:
            return None
        address = str(s.getsockname()[0])
    return None if address.startswith("127.") else address


def test_command_binds_loopback_on_the_port_asked(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text((DATA / "mini.yaml").read_text())
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", str(tmp_path), "--port", str(port), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.match(rf"sim app: http://127\.0\.0\.1:{port}/ ", line), line
        status, text = request(f"http://127.0.0.1:{port}/", "GET", "/api/scenarios")
        assert status == 200 and json.loads(text)["scenarios"] == ["mini.yaml"]
        other = _non_loopback_address()
        if other is not None:  # the same port on this machine's network address is closed
            try:
                socket.create_connection((other, port), timeout=5).close()
                raise AssertionError(f"sim app answers on {other}:{port}")
            except ConnectionRefusedError:
                pass
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sim", "app", str(tmp_path / "nope")],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2 and "does not exist" in out.stderr and "Traceback" not in out.stderr
