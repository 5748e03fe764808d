"""Project sessions: `nox -s ci` (what CI and the README run), tests on 3.11-3.13, lint,
typecheck, bench."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["ci"]
PYTHONS = ["3.11", "3.12", "3.13"]

# pyenv installs interpreters without putting them all on PATH (its shims fail for versions that
# are not selected): link each real interpreter into one folder that nox searches first.
_LINKS = os.path.join(tempfile.gettempdir(), "sim-nox-pythons")
for _version in PYTHONS:
    _found = shutil.which(f"python{_version}")
    if _found is None or "/shims/" in _found:
        _pattern = os.path.expanduser(f"~/.pyenv/versions/{_version}.*/bin/python{_version}")
        for _exe in sorted(glob.glob(_pattern)):
            os.makedirs(_LINKS, exist_ok=True)
            _link = os.path.join(_LINKS, f"python{_version}")
            if not os.path.lexists(_link):
                os.symlink(_exe, _link)
if os.path.isdir(_LINKS):
    os.environ["PATH"] = _LINKS + os.pathsep + os.environ["PATH"]


LINTED = ("sim", "tests", "noxfile.py", "benchmarks")


def _lint(session: nox.Session) -> None:
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)


def _install(session: nox.Session, extras: str = "test") -> None:
    session.install("-e", f".[{extras}]")


@nox.session(python="3.11")
def ci(session: nox.Session) -> None:
    """Everything CI checks: lint, types, the full test suite (browser, cluster and SLURM included;
    the SLURM tests install slurm-wlm and munge when run as root)."""
    session.run("bash", "scripts/ensure-chromium.sh", external=True)
    session.install("-e", ".[test,dev]")
    _lint(session)
    session.run("mypy", "sim")
    session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite on each supported Python (browser tests need /usr/bin/chromium)."""
    _install(session)
    env = {} if os.path.exists("/usr/bin/chromium") else {"SIM_SKIP_BROWSER": "1"}
    session.run("pytest", "-q", *session.posargs, env=env)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff")
    _lint(session)


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test,dev]")
    session.run("mypy", "sim")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Speed and memory goals as ratios measured in one run (writes reports/bench/*.json)."""
    _install(session)
    session.run("python", "benchmarks/bench_engine.py", *session.posargs)
    if os.path.exists("benchmarks/bench_sweep.py"):
        session.run("python", "benchmarks/bench_sweep.py")
    # peak driver RSS vs runs (fresh subprocess per N; issue 15 point 6)
    session.run("python", "benchmarks/bench_memory.py")
    session.run("python", "benchmarks/bench_calibrate.py")  # sim calibrate on 1 vs 2 workers
    if os.path.exists("benchmarks/bench_app.py"):  # `sim app`: seconds from Run to the cards
        session.run("python", "benchmarks/bench_app.py")
    # SLURM vs the embedded cluster (root: starts scripts/slurm-local.sh; says why when skipped)
    session.run("python", "benchmarks/bench_slurm.py")
