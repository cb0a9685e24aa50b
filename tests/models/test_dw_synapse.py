"""models/dw_synapse.va against its own equations (docs/models/dw_synapse.md), simulated with
ngspice: nlevels equally spaced stable levels, the wall displacement of a programming pulse in
closed form, Gaussian landing statistics under position noise, and no drift while reading."""

from __future__ import annotations

from functools import cache
from math import erf, sqrt
from pathlib import Path

import numpy as np
import pytest

from spicegen import CompiledModel, compile_model, simulate
from spicegen.netlist import Circuit, CurrentSource, Option, Pwl, Tran, VoltageSource

MODEL = Path(__file__).resolve().parents[2] / "models" / "dw_synapse.va"
GMIN, GMAX, ITH = 200e-6, 500e-6, 50e-6
READ = 0.01  # V: 2..5 uA, far below the 50 uA depinning current


@cache
def _model() -> CompiledModel:
    return compile_model(MODEL)


def _levels_after_relaxing(nlevels: int, starts: np.ndarray) -> np.ndarray:
    """Read conductance of devices started at wall positions ``starts`` after 100 ns."""
    model = _model()
    elements: list[object] = []
    for k, x0 in enumerate(starts):
        elements.append(VoltageSource(f"V{k}", f"a{k}", "0", READ))
        elements.append(model.instance(f"X{k}", (f"a{k}", "0"), nlevels=nlevels, x0=float(x0)))
    circuit = Circuit("levels", elements=tuple(elements), subckts=(model.subckt,))  # type: ignore[arg-type]
    w = simulate(circuit, Tran(1e-9, 100e-9)).waveforms
    return np.array([-w.i(f"V{k}")[-1] / READ for k in range(len(starts))])


@pytest.mark.parametrize("nlevels", [2, 3, 5, 16])
def test_the_wall_settles_on_one_of_nlevels_equally_spaced_levels(nlevels: int) -> None:
    starts = np.linspace(0.01, 0.99, 23)
    unstable = (np.arange(nlevels - 1) + 0.5) / (nlevels - 1)  # maxima of the pinning potential
    starts = starts[np.min(np.abs(starts[:, None] - unstable[None, :]), axis=1) > 0.005]
    g = _levels_after_relaxing(nlevels, starts)
    spacing = (GMAX - GMIN) / (nlevels - 1)
    nearest = np.round((starts) * (nlevels - 1))  # each start relaxes to its nearest site
    np.testing.assert_allclose(g, GMIN + nearest * spacing, rtol=1e-4)


def _program(width: float, current: float, count: int, sigma_pos: float, seed: int) -> np.ndarray:
    """Wall position of ``count`` devices after one current pulse from x = 0 and relaxation."""
    model = _model()
    edge = 0.1e-9
    start = 10e-9  # the pulse fills noise slot [10 ns, 20 ns) when width = tnoise = 10 ns
    wave = Pwl(((0.0, 0.0), (start, 0.0), (start + edge, current),
                (start + width - edge, current), (start + width, 0.0)))  # fmt: skip
    elements: list[object] = []
    for k in range(count):
        elements.append(CurrentSource(f"I{k}", "0", f"a{k}", waveform=wave))
        elements.append(VoltageSource(f"Vr{k}", f"a{k}", f"b{k}", 0.0))
        elements.append(model.instance(f"X{k}", (f"b{k}", "0"), sigma_pos=sigma_pos, seed=k))
    circuit = Circuit(
        "program", elements=tuple(elements), subckts=(model.subckt,),  # type: ignore[arg-type]
        options=(Option("seed", seed),),
    )  # fmt: skip
    w = simulate(circuit, Tran(0.2e-9, start + width + 60e-9, max_step=0.5e-9)).waveforms
    # after the pulse no current flows, so read the wall on the state node itself
    return np.array([w.v(f"x{k}.x")[-1] for k in range(count)])


def test_a_programming_pulse_moves_the_wall_by_the_closed_form_distance() -> None:
    # 100 uA = 2 ith for 10 ns: 20 m/s * 1 * 10 ns / 1 um = 0.2 of the track, minus the
    # 2 x 0.1 ns edges at half drive on average -> 0.198, nearest of 5 sites (0.25): 0.25
    x = _program(10e-9, 100e-6, 1, sigma_pos=0.0, seed=1)
    assert x[0] == pytest.approx(0.25, abs=1e-4)
    x = _program(10e-9, 80e-6, 1, sigma_pos=0.0, seed=1)  # 0.6*0.2 = 0.12 -> site 0
    assert x[0] == pytest.approx(0.0, abs=1e-4)


def test_position_noise_lands_on_neighbouring_levels_with_gaussian_odds() -> None:
    # 2.25 ith for 10 ns moves 0.25 (minus 0.0025 in the edges): exactly onto site 1 of 5; a
    # position error of sd 0.125 (half a spacing) lands on site 1 with P(|z| < 1) = 0.683
    count = 240
    x = _program(10e-9, 112.5e-6, count, sigma_pos=0.125, seed=9)
    site = np.round(x * 4)
    np.testing.assert_allclose(x, site / 4, atol=1e-4)  # every wall ends on a pinning site
    expected = (
        erf((0.125 + 0.0025) / 0.125 / sqrt(2)) / 2 + erf((0.125 - 0.0025) / 0.125 / sqrt(2)) / 2
    )
    observed = np.mean(site == 1)
    assert observed == pytest.approx(expected, abs=3 * sqrt(expected * (1 - expected) / count))
    np.testing.assert_array_equal(x, _program(10e-9, 112.5e-6, count, 0.125, seed=9))


def test_reading_does_not_move_the_wall() -> None:
    g = _levels_after_relaxing(5, np.array([0.5]))
    assert g[0] == pytest.approx(GMIN + 2 * (GMAX - GMIN) / 4, rel=1e-6)
