"""Validation figures of the memory-device models ``rram_hfo2`` and ``dw_synapse``, written to
``docs/models/img/`` by their testbenches in ``testbenches/``. Every curve is a real ngspice run
of the model compiled by spicegen; the dashed lines are the closed forms the tests compare
against.

    .venv/bin/python scripts/plot_memory_models.py [out_dir]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "models" / "img"


def _run(testbench: str, function: str, out: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        testbench, ROOT / "testbenches" / f"{testbench}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path: Path = getattr(module, function)(out)
    return path


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    print(_run("rram_hfo2_weak_reset", "plot_rram", out))
    print(_run("dw_synapse_programming", "plot_dw", out))


if __name__ == "__main__":
    main()
