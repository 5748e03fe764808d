"""#15.4: user text is printed as text: Rich markup in titles and names never crashes or vanishes."""

from __future__ import annotations

from pathlib import Path

from reliability_helpers import DATA, MINI, sim

TITLE = "A [/] crisis [red]red[/red] [/b]"
NAME = "War [/b] [bold]now"


def _scenario(tmp_path: Path) -> Path:
    text = MINI.read_text().replace("title: Two-sided test crisis", f'title: "{TITLE}"')
    text = text.replace("    name: War\n", f'    name: "{NAME}"\n')
    assert TITLE in text and NAME in text
    path = tmp_path / "mini.yaml"
    path.write_text(text)
    (tmp_path / "mini_no_change.yaml").write_text((DATA / "mini_no_change.yaml").read_text())
    return path


def test_run_prints_markup_as_text(tmp_path: Path) -> None:
    scen = _scenario(tmp_path)
    out = tmp_path / "out"
    done = sim("run", str(scen), "--runs", "100", "--out", str(out), "--quiet", "--workers", "1")
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    assert "[/]" in flat and "[red]red[/red]" in flat and "[/b]" in flat and "[bold]now" in flat
    assert (out / "report.html").is_file()


def test_compare_prints_markup_as_text(tmp_path: Path) -> None:
    scen = _scenario(tmp_path)
    done = sim(
        "compare",
        str(scen),
        str(tmp_path / "mini_no_change.yaml"),
        "--runs",
        "100",
        "--out",
        str(tmp_path / "cmp"),
        "--quiet",
        "--workers",
        "1",
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    assert "[/b]" in flat and "[red]red[/red]" in flat
