"""testbenches/crossbar_read_write.py builds, simulates and plots as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_crossbar_testbench_runs(tmp_path: Path) -> None:
    figure = tmp_path / "crossbar.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "testbenches" / "crossbar_read_write.py"), "-o", str(figure)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert figure.stat().st_size > 20_000
    # its own summary: ideal lines reproduce V @ G, the V/3 write puts < 1.5 V on the target
    assert "ideal lines: max relative error" in done.stdout
    error = float(done.stdout.split("max relative error ")[1].split(";")[0])
    assert error < 1e-3
