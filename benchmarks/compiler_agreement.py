"""The compiler's agreement figures: the corpus on both targets, osdi against subckt on the
shipped models' testbenches (NRMSE, limit 1e-3) and both against OpenVAF (limit 1e-3).

Reads the scenarios and models of ``tests/va/test_targets_agree.py`` and
``tests/va/test_oracle.py`` (the tests assert the limits; this prints the values). Run from
the repository root: ``python benchmarks/compiler_agreement.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import openvaf_py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spicegen import models  # noqa: E402
from spicegen.va import VaError  # noqa: E402
from spicegen.va.compile import compile_model  # noqa: E402
from tests.va import test_oracle as oracle  # noqa: E402
from tests.va import test_targets_agree as agree  # noqa: E402


def corpus() -> None:
    print("corpus (tests/va/corpus): osdi, and subckt (compiles, or refused naming osdi)")
    for path in sorted((ROOT / "tests/va/corpus").glob("*.va")):
        model = compile_model(path, target="osdi")
        assert model.library is not None
        try:
            compile_model(path, target="subckt")
            subckt = "compiles"
        except VaError as err:
            named = all("--target osdi" in d.message for d in err.diagnostics)
            first = err.diagnostics[0].message.split(",")[0]
            subckt = f"refused ({len(err.diagnostics)}, naming osdi: {named}): {first[:60]}"
        lines = path.read_text().count("\n")
        print(f"  {path.stem:16s} {lines:4d} lines  osdi ok  subckt {subckt}")


def targets() -> None:
    print("NRMSE, osdi against subckt, on the shipped models' testbenches (limit 1e-3)")
    for name in sorted(agree.SCENARIOS):
        subckt = agree.SCENARIOS[name](models.load(name, target="subckt"))
        osdi = agree.SCENARIOS[name](models.load(name, target="osdi"))
        values = "  ".join(f"{s}={agree.nrmse(subckt[s], osdi[s]):.1e}" for s in subckt)
        print(f"  {name:18s} {values}")


def _relative(measured: np.ndarray, expected: np.ndarray) -> float:
    """Largest |measured - expected| / |expected|, currents below 1 pA taken as 1 pA."""
    return float(np.max(np.abs(measured - expected) / np.maximum(np.abs(expected), 1e-12)))


def _row(name: str, path: Path, expected: np.ndarray) -> None:
    values = "  ".join(
        f"{t}={_relative(oracle._spicegen_currents(path, t), expected):.1e}" for t in oracle.TARGETS
    )
    print(f"  {name:18s} {values}")


def openvaf() -> None:
    print("OpenVAF oracle: largest relative difference on the grid (limit 1e-3)")
    with tempfile.TemporaryDirectory() as folder:
        for name in sorted(oracle.MODELS):
            path = Path(folder) / f"{name}.va"
            path.write_text(oracle.HEADER + oracle.MODELS[name])
            (module,) = openvaf_py.compile_va(str(path))
            defaults = dict(module.get_param_defaults())
            _row(name, path, oracle._openvaf_currents(path, defaults))
        for name in sorted(oracle.INTERNAL):
            source, internal = oracle.INTERNAL[name]
            path = Path(folder) / f"{name}.va"
            path.write_text(oracle.HEADER + source)
            _row(name, path, oracle._openvaf_solved_currents(path, internal))
    for name in sorted(oracle.SHIPPED):
        path = ROOT / "models" / f"{name}.va"
        _row(name, path, oracle._openvaf_solved_currents(path, **oracle.SHIPPED[name]))  # type: ignore[arg-type]


if __name__ == "__main__":
    corpus()
    targets()
    openvaf()
