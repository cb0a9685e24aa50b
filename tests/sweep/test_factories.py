"""Factories in a spec file are data: spicegen's generators by name, and Python code only with
``allow_code``. The generators run on the real ngspice and match closed forms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spicegen.sweep import GENERATORS, SpecError, load, load_spec, run
from spicegen.sweep.points import point_at

ROOT = Path(__file__).resolve().parents[2]

SPEC = """
[circuit]
factory = "FACTORY"
[parameters.grid]
r = [1e3]
[analysis]
type = "tran"
step = 1e-8
stop = 1e-6
"""

# what a hostile spec might name: each would run a program, code, or an import
HOSTILE = ("subprocess:call", "os:system", "builtins:exec", "importlib:import_module")


@pytest.mark.parametrize("factory", [*HOSTILE, "tests.sweep.side_effect:rc"])
def test_python_code_in_a_spec_needs_allow_code(tmp_path: Path, factory: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SPEC.replace("FACTORY", factory))
    with pytest.raises(SpecError, match=r"names Python code.*allow_code=True") as caught:
        load_spec(path)
    assert caught.value.key == "circuit.factory"


def _load_in_a_fresh_process(
    spec: Path, sentinel: Path, *flags: str
) -> subprocess.CompletedProcess[str]:
    """``spicegen sweep`` in its own interpreter, so no module is imported beforehand."""
    env = {**os.environ, "SPICEGEN_SIDE_EFFECT": str(sentinel), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "spicegen.cli", "sweep", str(spec), "--out",
               str(spec.parent / "out"), "--workers", "1", *flags]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_module_named_in_a_spec_is_never_imported_without_the_flag(tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.replace("FACTORY", "tests.sweep.side_effect:rc"))
    sentinel = tmp_path / "imported"
    refused = _load_in_a_fresh_process(spec, sentinel)
    assert refused.returncode == 2, refused.stderr
    assert "--allow-code" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not sentinel.exists()
    assert not (tmp_path / "out").exists()  # nothing was started either
    # the same spec with the flag imports the module (the sentinel can appear) and runs
    allowed = _load_in_a_fresh_process(spec, sentinel, "--allow-code")
    assert allowed.returncode == 0, allowed.stderr
    assert sentinel.exists()
    assert "1 done" in allowed.stdout


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        ("crossbar", "no spicegen factory 'crossbar'; the factories are crossbar_read"),
        ("tests.sweep.side_effect:rc\n", "expected module:function"),  # fullmatch, not match + $
        ("os:system;rm", "expected module:function"),
        (":rc", "expected module:function"),
    ],
)
def test_unknown_factory_names(tmp_path: Path, factory: str, expected: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SPEC.replace('"FACTORY"', repr(factory).replace("'", '"')))
    with pytest.raises(SpecError, match=r"circuit\.factory") as caught:
        load_spec(path, allow_code=True)
    assert expected in str(caught.value)


def test_allow_code_still_imports_a_factory(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SPEC.replace("FACTORY", "tests.sweep.factories:rc"))
    assert callable(load_spec(path, allow_code=True).circuit)
    path.write_text(SPEC.replace("FACTORY", "tests.sweep.factories:nothing"))
    with pytest.raises(SpecError, match=r"circuit.factory: cannot import"):
        load_spec(path, allow_code=True)


CROSSBAR = """
[sweep]
samples = 2
seed = 4
[circuit]
factory = "crossbar_read"
[parameters.grid]
rows = [4]
columns = [3]
read = [0.1, 0.3]
[measure]
i0 = { vector = "i(vcol0)" }
i2 = { vector = "i(vcol2)" }
"""


def test_crossbar_read_matches_ohms_law(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(CROSSBAR)
    spec = load_spec(path)
    summary = run(spec, store=tmp_path / "out", workers=2)
    assert summary.done == 4
    table = load(tmp_path / "out")
    for index in range(4):
        point = point_at(spec, index)
        # the weights are the point's draws; G = g_min + w (g_max - g_min), defaults 1 uS..100 uS
        weights = np.random.default_rng(point.seed).uniform(0.0, 1.0, size=(4, 3))
        conductance = 1e-6 + weights * (1e-4 - 1e-6)
        # ideal lines (wire = 0) and virtual-ground columns: I_j = V_read sum_i G_ij exactly;
        # ngspice's operating point is good to reltol 1e-3
        expected = point.values["read"] * conductance.sum(axis=0)
        assert table["i0"][index] == pytest.approx(expected[0], rel=1e-3)
        assert table["i2"][index] == pytest.approx(expected[2], rel=1e-3)
    assert table["i0"][0] != table["i0"][1]  # two samples: two weight matrices


def test_neuron_pair_matches_the_mtj_bias_equation(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[circuit]\nfactory = "neuron_pair"\n[parameters.grid]\nbias = [20e-6, 40e-6]\n'
        '[measure]\nv1 = { vector = "v(v1)" }\ndout = { vector = "v(dout)" }\n'
    )
    run(load_spec(path), store=tmp_path / "out", workers=1)
    table = load(tmp_path / "out")
    for bias, v1 in zip(table["bias"], table["v1"], strict=True):
        # models/mtj.va in the AP state: V = I rp (1 + tmr0 / (1 + (V / vh)^2)), solved here
        # by bisection with the model's defaults rp = 3979 ohm, tmr0 = 1.5, vh = 0.5 V
        low, high = 0.0, 10.0
        for _ in range(100):
            middle = (low + high) / 2
            residual = middle - bias * 3979 * (1 + 1.5 / (1 + (middle / 0.5) ** 2))
            low, high = (middle, high) if residual < 0 else (low, middle)
        assert v1 == pytest.approx(low, rel=1e-3)
    # f(I + dI) - f(I) > 0: the AP resistance falls with bias, but V still rises with I
    assert np.all(table["dout"] > 0)


def test_generator_knobs_are_checked_when_the_spec_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    for grid, message in (
        ("rows = [2.5]", "parameters.grid.rows[0]: expected an integer rows"),
        ("rows = [0]", "parameters.grid.rows[0]: expected 1 <= rows <= 1024"),
        ("rows = { start = 1, stop = 5000, num = 3 }", "parameters.grid.rows: expected 1 <= rows"),
        ("size = [3]", "factory 'crossbar_read' has no parameter 'size'; it has rows, columns"),
    ):
        path.write_text(f'[circuit]\nfactory = "crossbar_read"\n[parameters.grid]\n{grid}\n')
        with pytest.raises(SpecError) as caught:
            load_spec(path)
        assert message in str(caught.value)


def test_every_generator_builds_a_deck_with_its_defaults() -> None:
    from spicegen.netlist import Circuit

    for name, generator in GENERATORS.items():
        circuit = generator({}, 0)
        assert isinstance(circuit, Circuit), name
        assert circuit.analyses, name  # each brings its own analysis
