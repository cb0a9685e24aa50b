"""The example netlists in netlists/ are current and run in ngspice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spicegen import simulate

ROOT = Path(__file__).resolve().parents[1]


def test_examples_match_their_generators() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "regen_netlists.py"), "--check"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout


def test_rc_step_example_charges_to_one_volt() -> None:
    waves = simulate((ROOT / "netlists" / "rc_step.cir").read_text()).waveforms
    t, v = waves["time"], waves.v("out")
    # 10 RC after the 1 us step the capacitor is at 1 - exp(-10) of the 1 V input
    assert np.interp(11e-6, t, v) == pytest.approx(1.0 - np.exp(-10.0), abs=1e-3)


def test_crossbar_example_column_currents_follow_ohms_law() -> None:
    waves = simulate((ROOT / "netlists" / "crossbar_8x8.cir").read_text()).waveforms
    rows = cols = 8
    volts = np.array([0.1 + 0.001 * i for i in range(rows)])
    cells = np.array(
        [[1e4 + 37.0 * ((i * cols + j) % 97) for j in range(cols)] for i in range(rows)]
    )
    ideal = volts @ (1.0 / cells)  # column currents with ideal wires, A
    measured = np.array([waves.i(f"vcol{j}")[-1] for j in range(cols)])
    # the current flows from the column node into the sense source's + terminal; 2-ohm wire
    # segments against ~10 kohm cells lower it by well under 1 %
    np.testing.assert_allclose(measured, ideal, rtol=1e-2)
    assert np.all(measured < ideal)


def _regen_module():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "regen_netlists", ROOT / "scripts" / "regen_netlists.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_has_a_generator_and_every_generator_is_covered() -> None:
    names = set(_regen_module().NETLISTS)
    assert names == {path.name for path in (ROOT / "netlists").glob("*.cir")}
    for prefix in ("crossbar", "oscillator", "neuron_pair", "bayesian_machine"):
        assert any(name.startswith(prefix) for name in names), prefix


def test_check_reports_a_drifted_example(tmp_path: Path) -> None:
    """A copy of the tree where one example no longer matches its generator: --check fails
    and names exactly that file."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "regen_netlists.py").write_text(
        (ROOT / "scripts" / "regen_netlists.py").read_text()
    )
    (tmp_path / "benchmarks").symlink_to(ROOT / "benchmarks")
    (tmp_path / "netlists").mkdir()
    for path in (ROOT / "netlists").glob("*.cir"):
        (tmp_path / "netlists" / path.name).write_text(path.read_text())
    drifted = tmp_path / "netlists" / "neuron_pair.cir"
    drifted.write_text(drifted.read_text().replace("Ibias2 gnd v2 dc 5.2", "Ibias2 gnd v2 dc 5.3"))
    assert drifted.read_text() != (ROOT / "netlists" / "neuron_pair.cir").read_text()
    done = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "regen_netlists.py"), "--check"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout.split() == ["stale:", "netlists/neuron_pair.cir"]


def test_oscillator_example_spikes_faster_with_a_higher_supply() -> None:
    from spicegen.waves.measure import crossings

    waves = simulate((ROOT / "netlists" / "oscillator_population_3.cir").read_text()).waveforms
    counts = [len(crossings(waves["time"], waves.v(f"out{i}"), 0.5, "rise")) for i in range(3)]
    # supplies 1.4, 1.5, 1.6 V over 30 us: closed-form periods 3.9, 2.8, 2.3 us
    assert counts[0] >= 5
    assert counts[0] < counts[1] < counts[2]


def test_neuron_pair_example_solves_the_static_mtj_equation() -> None:
    from scipy.optimize import brentq

    waves = simulate((ROOT / "netlists" / "neuron_pair.cir").read_text()).waveforms

    def f(current: float) -> float:  # AP state: V = I rp (1 + tmr0 / (1 + (V/vh)^2))
        return float(
            brentq(lambda v: current * 3979.0 * (1 + 1.5 / (1 + (v / 0.5) ** 2)) - v, 0, 5)
        )

    assert waves.v("v1")[0] == pytest.approx(f(50e-6), rel=1e-6)
    assert waves.v("dout")[0] == pytest.approx(f(52e-6) - f(50e-6), rel=1e-4)


def test_bayesian_example_counts_match_the_bit_level_model() -> None:
    from spicegen.circuits import bayesian_machine
    from spicegen.demo import LIKELIHOODS
    from tests.circuits.test_bayesian_machine import reference_counts

    waves = simulate((ROOT / "netlists" / "bayesian_machine_2x2.cir").read_text()).waveforms
    _, machine = bayesian_machine.from_likelihoods(LIKELIHOODS, 4, observation=(1, 0))
    counts = bayesian_machine.decode(waves, machine)
    np.testing.assert_array_equal(counts, reference_counts(machine))
    assert counts[0] > counts[1]  # 0.8 * 0.7 against 0.1 * 0.4
