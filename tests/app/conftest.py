"""Fixtures of the app tests: a scenario folder with traps around it, the real `sim app` server.

``app_server`` starts ``python -m sim app FOLDER --port 0`` (a free port on 127.0.0.1), reads
the printed URL and stops the process at the end, whatever happens.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests_app_helpers import DATA, ROOT
from tests_app_helpers import SECRET_MARK as SECRET


@pytest.fixture(scope="module")
def app_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``outside/secret.yaml`` and ``outside/secret.txt`` next to ``folder/`` (served), which holds
    mini.yaml, a variant, a subfolder, a symlink to the secret and a file extending it."""
    top = tmp_path_factory.mktemp("app")
    outside = top / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    secret_yaml = (DATA / "mini.yaml").read_text().replace("Two-sided test crisis", SECRET)
    (outside / "secret.yaml").write_text(secret_yaml)
    folder = top / "folder"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(DATA / "mini.yaml", folder / "mini.yaml")
    shutil.copy(DATA / "mini_forbid_strike.yaml", folder / "mini_forbid_strike.yaml")
    shutil.copy(DATA / "mini.yaml", folder / "sub" / "nested.yaml")
    (folder / "link.yaml").symlink_to(outside / "secret.yaml")
    (folder / "sub" / "uplink").symlink_to(outside, target_is_directory=True)
    (folder / "escape.yaml").write_text("extends: ../outside/secret.yaml\nscenario: {id: escape}\n")
    return folder


def _read_url(proc: subprocess.Popen[str], timeout: float = 60.0) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match:
            return match.group(1)
        if proc.poll() is not None:
            break
    raise AssertionError(f"sim app printed no URL (exit {proc.poll()})")


@contextmanager
def running_app(folder: Path) -> Iterator[str]:
    """Start ``python -m sim app FOLDER --port 0``, yield its URL, stop it whatever happens."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", str(folder), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        yield _read_url(proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def app_server(app_folder: Path) -> Iterator[str]:
    """The URL of a real ``sim app`` serving ``app_folder`` (with traps); stopped at the end."""
    with running_app(app_folder) as url:
        yield url


@pytest.fixture(scope="module")
def clean_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with mini.yaml and one variant of it, nothing else."""
    folder = tmp_path_factory.mktemp("clean")
    for name in ("mini.yaml", "mini_forbid_strike.yaml"):
        shutil.copy(DATA / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def clean_server(clean_folder: Path) -> Iterator[str]:
    """The URL of a real ``sim app`` serving ``clean_folder``; stopped at the end."""
    with running_app(clean_folder) as url:
        yield url
