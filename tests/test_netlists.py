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
