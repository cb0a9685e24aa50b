"""models/rram_hfo2.va against its own equations (docs/models/rram_hfo2.md), simulated with ngspice:
device-to-device spread per instance, the progressive noisy weak RESET in closed form, abrupt
SET, non-volatile reads, and seeds that repeat."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from spicegen import CompiledModel, compile_model, simulate
from spicegen.netlist import Circuit, Op, Option, Pulse, Pwl, Tran, VoltageSource

MODEL = Path(__file__).resolve().parents[2] / "models" / "rram_hfo2.va"
READ = 0.1  # V
PULSE = 100e-9  # s, one weak-RESET pulse, as long as one noise level (tnoise)
PERIOD = 200e-9  # s


@cache
def _model() -> CompiledModel:
    return compile_model(MODEL)


def _read_conductance(current: float, volts: float = READ, v0: float = 0.5) -> float:
    return current / (v0 * np.sinh(volts / v0))


def test_device_to_device_spread_of_the_window_is_sigma_d2d() -> None:
    model = _model()
    count = 300
    elements: list[object] = []
    for k in range(count):
        elements.append(VoltageSource(f"V{k}", f"a{k}", "0", READ))
        elements.append(model.instance(f"X{k}", (f"a{k}", "0"), seed=21, sigma_d2d=0.1))
    circuit = Circuit("d2d", elements=tuple(elements), subckts=(model.subckt,))  # type: ignore[arg-type]
    w = simulate(circuit, Op()).waveforms
    g_on = np.array([_read_conductance(-w.i(f"V{k}")[0]) for k in range(count)])
    # x0 = 1: each device reads its own gmax*(1 + 0.1 z)
    assert g_on.mean() == pytest.approx(100e-6, rel=4 * 0.1 / np.sqrt(count))
    assert g_on.std() / g_on.mean() == pytest.approx(0.1, rel=0.15)
    again = simulate(circuit, Op()).waveforms
    np.testing.assert_array_equal(w.i("V0"), again.i("V0"))


def _reset_train(pulses: int, volts: float, seed: int, sigma_c2c: float) -> np.ndarray:
    """Conductance read after each of ``pulses`` RESET pulses of ``volts`` (V < 0)."""
    points: list[tuple[float, float]] = [(0.0, READ)]
    edge = 1e-9
    for k in range(pulses):
        start = k * PERIOD + PERIOD / 2  # pulse k inside noise slots [start, start + PULSE)
        points += [(start, READ), (start + edge, volts), (start + PULSE - edge, volts)]
        points += [(start + PULSE, READ)]
    stop = pulses * PERIOD + PERIOD / 2
    points.append((stop, READ))
    model = _model()
    circuit = Circuit(
        "weak reset",
        elements=(
            VoltageSource("V1", "a", "0", READ, waveform=Pwl(tuple(points))),
            model.instance(
                "X1", ("a", "0"), seed=1, sigma_d2d=0.0, sigma_c2c=sigma_c2c, tnoise=PULSE
            ),
        ),
        subckts=(model.subckt,),
        options=(Option("seed", seed),),
    )
    w = simulate(circuit, Tran(PERIOD / 50, stop, max_step=PULSE / 20)).waveforms
    t = np.asarray(w.axis)
    reads = np.arange(pulses + 1) * PERIOD + PERIOD / 4
    g = np.interp(reads, t, _read_conductance(-w.i("V1")))
    return g


def _reset_exponent(volts: float) -> float:
    """-ln(x_after/x_before) for one pulse: the integral of k(v(t)) = exp((-v - vreset)/vr)/
    tau_reset over the pulse as drawn (1 ns edges), by the trapezoid rule on a fine grid."""
    t = np.linspace(0.0, PULSE, 200_001)
    v = np.interp(t, [0.0, 1e-9, PULSE - 1e-9, PULSE], [READ, volts, volts, READ])
    rate = np.where(v < -0.6, np.exp((-v - 0.6) / 0.1) / 1e-6, 0.0)
    return float(np.sum((rate[1:] + rate[:-1]) / 2 * np.diff(t)))


def test_weak_reset_decays_the_state_by_the_closed_form_factor_per_pulse() -> None:
    volts = -0.7
    g = _reset_train(8, volts, seed=3, sigma_c2c=0.0)
    x = (g - 5e-6) / (100e-6 - 5e-6)
    expected = np.exp(-_reset_exponent(volts) * np.arange(9))
    np.testing.assert_allclose(x, expected, rtol=5e-3)  # time-step error ~3e-4 per pulse


def test_weak_reset_steps_are_random_seeded_and_spread_as_sigma_c2c() -> None:
    volts = -0.7
    g = _reset_train(24, volts, seed=5, sigma_c2c=0.3)
    x = (g - 5e-6) / (100e-6 - 5e-6)
    steps = -np.diff(np.log(x))  # = k tw (1 + 0.3 z) per pulse
    k_tw = _reset_exponent(volts)
    assert steps.mean() == pytest.approx(k_tw, rel=4 * 0.3 / np.sqrt(len(steps)))
    assert steps.std() / k_tw == pytest.approx(0.3, rel=0.35)
    assert np.all(np.diff(g) < 0)  # progressive: every pulse lowers the conductance
    np.testing.assert_array_equal(g, _reset_train(24, volts, seed=5, sigma_c2c=0.3))
    assert not np.allclose(g, _reset_train(24, volts, seed=6, sigma_c2c=0.3))


def test_set_is_abrupt_and_reads_do_not_disturb() -> None:
    model = _model()
    circuit = Circuit(
        "set",
        elements=(
            VoltageSource(
                "V1", "a", "0", READ, waveform=Pulse(READ, 1.0, 1e-6, 1e-9, 1e-9, 50e-9, 1)
            ),
            model.instance("X1", ("a", "0"), sigma_d2d=0.0, x0=0.0),
        ),
        subckts=(model.subckt,),
    )
    w = simulate(circuit, Tran(5e-9, 2e-6)).waveforms
    t, g = np.asarray(w.axis), _read_conductance(-w.i("V1"))
    before, after = (t > 0.1e-6) & (t < 1e-6), t > 1.2e-6
    np.testing.assert_allclose(g[before], 5e-6, rtol=1e-6)  # a 0.1 V read for 1 us: no drift
    np.testing.assert_allclose(g[after], 100e-6, rtol=1e-3)  # 50 ns = 10 tau_set: fully SET
