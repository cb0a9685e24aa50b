"""``scripts/snn_mnist.py figures``: a run folder without kept weights is a one-line error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "snn_mnist.py"


def test_figures_without_kept_weights_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "seed0.json").write_text("{}")
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "figures", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert f"no {tmp_path / 'weights.npz'}" in run.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["seed0.json"]  # nothing written or lost
