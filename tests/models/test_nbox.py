"""``models/nbox.va``, the thermal NbOx model of physics.md 2.1: the quasi-static I-V against
its closed form (S-shaped, with NDR between the threshold and the hold point), self-oscillation
in the Pearson-Anson circuit exactly when the load line meets the NDR branch, the thermal time
constant R_th C_th, Poole-Frenkel lowering, and phasic bursting with the slow second thermal
variable (Drouhin et al. 2022)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from spicegen import Op, Subckt, simulate
from spicegen.netlist import Circuit, SubcktInstance, VoltageSource

from .conftest import load_testbench

bench = load_testbench("nbox_neuron")
DEVICE = bench.Device()
Q = 1.602176634e-19
K_B = 1.380649e-23


def test_quasi_static_iv_matches_the_closed_form(nbox: Subckt) -> None:
    curve = bench.quasi_static_iv(nbox)
    reference = bench.closed_form_iv(DEVICE, np.linspace(300.01, 1000.0, 20000))
    keep = curve.current > 20e-6  # after the first 13 ns (20 tau_th) of the ramp
    # the closed form is monotonic in current: compare V at the simulated currents; 1 % covers
    # the lag of T behind its steady state, tau_th * dT/dt (the ramp lasts 20 us)
    expected = np.interp(curve.current[keep], reference.current, reference.voltage)
    np.testing.assert_allclose(curve.voltage[keep], expected, rtol=0.01)


def test_iv_is_s_shaped_with_ndr(nbox: Subckt) -> None:
    curve = bench.quasi_static_iv(nbox)
    peak = int(np.argmax(np.where(curve.current < 1e-3, curve.voltage, 0.0)))
    valley = peak + int(
        np.argmin(np.where(curve.current[peak:] < 2e-3, curve.voltage[peak:], np.inf))
    )
    t_star = bench.threshold_temperature(DEVICE)  # k_B T^2 = ea (T - T_amb): 339.8 K
    v_star = bench.closed_form_iv(DEVICE, np.array([t_star])).voltage[0]
    assert curve.temperature[peak] == pytest.approx(t_star, abs=2.0)
    assert curve.voltage[peak] == pytest.approx(v_star, rel=0.015)
    # negative differential resistance all the way from the threshold to the hold point ...
    assert np.all(np.diff(curve.voltage[peak + 5 : valley - 5]) < 0)
    assert curve.voltage[valley] < 0.7 * curve.voltage[peak]
    # ... and positive slope on both outer branches: the S
    assert np.all(np.diff(curve.voltage[5 : peak - 5]) > 0)
    assert np.all(np.diff(curve.voltage[valley + 5 :]) > 0)


def test_thermal_time_constant(nbox: Subckt) -> None:
    time, rise = bench.thermal_step(nbox, volts=0.3)
    # steady state: dT = R_th v^2 G(T_amb + dT), solved by fixed-point iteration
    v = 0.3
    d_temp = 0.0
    for _ in range(50):
        d_temp = DEVICE.rth * v * v * float(DEVICE.conductance(DEVICE.tamb + d_temp))
    assert rise[-1] == pytest.approx(d_temp, rel=0.01)
    # linearised: tau = R_th C_th / (1 - R_th dP/dT), dP/dT = P ea/(k_B T^2) (a 4 % correction)
    temp = DEVICE.tamb + d_temp
    power = v * v * float(DEVICE.conductance(temp))
    tau = DEVICE.rth * DEVICE.cth / (1 - DEVICE.rth * power * DEVICE.ea * Q / (K_B * temp**2))
    t63 = float(np.interp((1 - math.exp(-1)) * rise[-1], rise, time))
    assert t63 == pytest.approx(tau, rel=0.03)
    assert t63 == pytest.approx(6.4e-10, rel=0.1)  # R_th C_th = 6.4e5 K/W * 1e-15 J/K


def test_poole_frenkel_lowers_the_barrier(nbox: Subckt) -> None:
    # at the operating point the integrators hold T = T_amb, so the current ratio is the
    # field lowering alone: exp(beta_pf sqrt(v/d) / (k_B T_amb)), beta_pf = sqrt(q^3/(pi eps0 epsr))
    def current(pf: float) -> float:
        circuit = Circuit(
            title="nbox PF",
            elements=(
                VoltageSource("V1", "a", "0", 0.5),
                SubcktInstance("X1", ("a", "0"), nbox.name, {"pf": pf, "rs": 1e-3}),
            ),
            subckts=(nbox,),
        )
        return float(-simulate(circuit, Op()).waveforms.i("V1")[0])

    eps0 = 8.8541878128e-12
    beta = math.sqrt(Q**3 / (math.pi * eps0 * 10.0))
    expected = math.exp(beta * math.sqrt(0.5 / 20e-9) / (K_B * 300.0))
    assert current(1.0) / current(0.0) == pytest.approx(expected, rel=1e-3)
    assert current(0.0) == pytest.approx(0.5 * float(DEVICE.conductance(300.0)), rel=1e-3)


def test_oscillates_exactly_past_the_load_line_onset(nbox: Subckt) -> None:
    onset = bench.oscillation_onset(DEVICE, 5e3)  # 1.324 V for the default device
    below = bench.oscillator(nbox, bench.Oscillator(v_in=onset - 0.07))
    above = bench.oscillator(nbox, bench.Oscillator(v_in=1.5))
    assert below.spikes.size == 0
    # the node settles where the load line meets the rising OFF branch, below the threshold
    assert (
        below.v_a[-1]
        < bench.closed_form_iv(DEVICE, np.array([bench.threshold_temperature(DEVICE)])).voltage[0]
    )
    assert above.spikes.size >= 3
    intervals = np.diff(above.spikes)
    assert np.std(intervals) < 0.02 * np.mean(intervals)  # tonic: a regular spike train
    # each spike heats the filament past the threshold temperature, then it cools back
    assert np.max(above.temperature) > bench.threshold_temperature(DEVICE) + 100.0


def _swing(spikes: Any, start: float, stop: float) -> float:
    """Peak-to-peak v(a) (V) of a testbench ``Spikes`` record between ``start`` and ``stop`` (s)."""
    window = spikes.v_a[(spikes.time > start) & (spikes.time < stop)]
    return float(np.max(window) - np.min(window))


def test_phasic_bursting_with_the_slow_thermal_variable(nbox: Subckt) -> None:
    # heat spreading into the surroundings (rth2, cth2; tau2 = 9.8 us) warms the filament's
    # environment during a long input step until the operating point on the NDR branch turns
    # stable: a burst of spikes at the onset, then quiescence (Drouhin et al. 2022, phasic
    # bursting; physics.md 2 hypothesis for its mechanism)
    params = {"rth2": 7e5, "cth2": 1.4e-11}
    osc = bench.Oscillator(v_in=1.5, stop=50e-6, params=params)
    bursting = bench.oscillator(nbox, osc)
    assert np.count_nonzero(bursting.spikes < 15e-6) >= 3
    assert np.count_nonzero(bursting.spikes > 20e-6) == 0
    # quiescent: what is left is a damped ringing, a few mV and decaying, against the 0.36 V
    # swing (1.0 V threshold to 0.64 V hold) of a spike
    late, later = _swing(bursting, 30e-6, 40e-6), _swing(bursting, 40e-6, 50e-6)
    assert later < 0.01
    assert later < 0.5 * late
    assert bursting.surroundings[-1] - DEVICE.tamb > 30.0  # the slow variable did warm up
    # without the second variable the same input keeps spiking to the end
    tonic = bench.oscillator(nbox, dataclasses.replace(osc, params={}))
    assert np.count_nonzero(tonic.spikes > 30e-6) >= 3
