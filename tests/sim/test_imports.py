"""Start-up: ``spicegen.sim`` imports only what a call needs (checked in fresh interpreters)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "lark", "cloudpickle", "scipy", "matplotlib", "dask", "PySpice", "cffi")


def _loaded(code: str) -> set[str]:
    """Top-level package names (heavy ones and spicegen's subpackages) after running ``code``."""
    probe = (
        f"{code}\nimport sys, json\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} | "
        "{m for m in sys.modules if m.startswith('spicegen.')})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_engine_loads_nothing_heavy() -> None:
    loaded = _loaded("import spicegen.sim")
    assert not loaded & set(HEAVY)
    assert "spicegen.va" not in loaded


def test_a_batch_simulation_loads_numpy_and_no_more() -> None:
    loaded = _loaded(
        "from spicegen.sim import simulate\n"
        "simulate('t\\nV1 a 0 1\\nR1 a 0 1k\\n.op\\n.end\\n').waveforms.v('a')"
    )
    assert "numpy" in loaded  # the waveforms are numpy arrays
    assert not loaded & (set(HEAVY) - {"numpy"})
    assert not loaded & {"spicegen.va", "spicegen.circuits", "spicegen.sweep"}


def test_the_public_names_still_resolve() -> None:
    import spicegen
    import spicegen.sim

    for module in (spicegen, spicegen.sim):
        for name in module.__all__:
            assert getattr(module, name) is not None, name


def test_no_submodule_hides_a_public_name() -> None:
    # importing a submodule binds it as an attribute of its package: a module called like a
    # public name (sim/simulate.py once) would replace the function after that import
    probe = (
        "import spicegen.sim.session, spicegen.sim.shared, spicegen.sim.deck\n"
        "import spicegen, spicegen.sim, types\n"
        "bad = [n for m in (spicegen, spicegen.sim) for n in m.__all__\n"
        "       if isinstance(getattr(m, n), types.ModuleType)]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True)
