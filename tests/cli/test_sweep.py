"""``spicegen sweep`` and ``sweep-report``: a small sweep into a new directory, its report, and
one line for every mistake in the paths (the spec's own mistakes are tests/sweep's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spicegen.sweep import load
from tests.cli.conftest import assert_one_line_error

SPEC = '''
[sweep]
seed = 3
[circuit]
text = """rc
V1 in 0 dc 1
R1 in out {r}
R2 out 0 1k
.end
"""
[analysis]
type = "op"
[parameters.grid]
r = [1e3, 3e3]
[measure]
v = { kind = "final", vector = "v(out)" }
'''


@pytest.fixture
def swept(tmp_path: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    """A finished two-point sweep in tmp_path/out (created by the command: the last level)."""
    (tmp_path / "spec.toml").write_text(SPEC)
    done = cli("sweep", tmp_path / "spec.toml", "--out", tmp_path / "out", "--workers", 1)
    assert done.status == 0, done.err
    assert "2 point(s): 2 done" in done.out
    return tmp_path / "out"


def test_sweep_then_report(swept: Path, cli) -> None:  # type: ignore[no-untyped-def]
    table = load(swept)
    # divider: 1 V over r + 1k, read across 1k
    assert list(table["v"]) == pytest.approx([1e3 / 2e3, 1e3 / 4e3], rel=1e-9)
    report = swept / "report.png"
    assert cli("sweep-report", swept, "-o", report).status == 0
    assert report.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{d}/none.toml", "--out", "{d}/o"], "no such spec file"),
        (["{d}", "--out", "{d}/o"], "is not a file"),
        (["{d}/spec.toml", "--out", "{d}/a/b"], "only the last level is created"),
        (["{d}/spec.toml", "--out", "{d}/spec.toml"], "is not a directory"),
        (["{d}/spec.toml", "--out", "{d}/o", "--workers", "0"], "--workers must be >= 1"),
        (["{d}/spec.toml", "--out", "{d}/o", "--workers", "x"], "invalid int value: 'x'"),
    ],
)
def test_sweep_path_errors_are_one_line(
    tmp_path: Path, args: list[str], expected: str, cli
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "spec.toml").write_text(SPEC)
    assert_one_line_error(cli("sweep", *(a.format(d=tmp_path) for a in args)), expected)
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "o").exists()
    assert (tmp_path / "spec.toml").read_text() == SPEC


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{d}/none", "-o", "{d}/r.png"], "no such sweep directory"),
        (["{d}/out/sweep.sqlite", "-o", "{d}/r.png"], "is not a directory"),
        (["{d}/out", "-o", "{d}/out/sweep.sqlite"], "would overwrite the input"),
        (["{d}/out", "-o", "{d}/out/waves/r.png"], "inside the store's waves/ directory"),
        (["{d}/out", "-o", "{d}/a/b/r.png"], "only the last level"),
        (["{d}/out", "-o", "{d}/r.txt"], "report must be .png or .html"),
    ],
)
def test_report_errors_are_one_line_and_leave_the_store_alone(  # type: ignore[no-untyped-def]
    swept: Path, args: list[str], expected: str, cli
) -> None:
    database = (swept / "sweep.sqlite").read_bytes()
    directory = swept.parent
    done = cli("sweep-report", *(a.format(d=directory) for a in args))
    assert_one_line_error(done, expected)
    assert (swept / "sweep.sqlite").read_bytes() == database
    assert not (directory / "a").exists()
