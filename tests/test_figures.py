"""`make figures`: every script the target runs exists, and the model pages' figures are drawn.

The MTJ script (`scripts/plot_mtj.py`) needs minutes of transients and the memory-model figures
are drawn by `tests/test_models_library.py`; here the target's recipe is read and the quick
script is run for real into a temporary directory.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _figures_recipe() -> list[str]:
    """The script paths the Makefile's `figures` target runs, in order."""
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^figures:.*\n((?:\t.*\n)+)", text, flags=re.MULTILINE)
    assert recipe is not None, "the Makefile has no figures target"
    return re.findall(r"(scripts/\S+\.py)", recipe.group(1))


def test_the_figures_target_runs_existing_scripts() -> None:
    scripts = _figures_recipe()
    assert scripts == [
        "scripts/plot_models.py",
        "scripts/plot_memory_models.py",
        "scripts/plot_mtj.py",
    ]
    for script in scripts:
        assert (ROOT / script).is_file(), script


def test_plot_models_writes_each_models_figure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "plot_models.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    for name in ("threshold_switch", "vteam", "nbox"):
        figure = tmp_path / f"{name}.png"
        # A drawn figure with axes, curves and labels is tens of kB; an empty canvas is ~2 kB.
        assert figure.stat().st_size > 10_000, name
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
