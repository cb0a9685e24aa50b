"""The two-phase neuron surrogate: fitted to ngspice, checked against physics.md 2.4 and against
fresh ngspice runs on currents and a stimulus the fit never saw."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from spicegen import models
from spicegen.circuits import LifParams, oscillator_period
from spicegen.surrogate import SurrogateError
from spicegen.surrogate.oscillator_neuron import (
    NeuronState,
    NeuronSurrogate,
    advance,
    characterise_neuron,
    dc_response,
    match_spikes,
    validate_neuron,
)

PARAMS = LifParams(r_leak=5e3, c=1e-9)  # the reference neuron of physics.md 2.4
FIT_CURRENTS = (150e-6, 300e-6, 400e-6, 600e-6)  # A; 150 uA is below the rheobase
DURATION, MAX_STEP = 25e-6, 5e-9  # s: >= 5 spikes at 300 uA; 16 samples per 80 ns spike


@pytest.fixture(scope="module")
def neuron(tmp_path_factory: pytest.TempPathFactory) -> NeuronSurrogate:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(tmp_path_factory.mktemp("cache")))
        device = models.load("threshold_switch")
        return characterise_neuron(
            device, PARAMS, FIT_CURRENTS, duration=DURATION, max_step=MAX_STEP
        )


def test_fit_recovers_the_reference_device(neuron: NeuronSurrogate) -> None:
    """threshold_switch defaults: roff 50 kohm, ron 200 ohm, vth 1.0 V, vhold 0.7 V. The
    turning points are the switching voltages to 1 % (the 1 ns switching adds a few mV); the
    OFF conductance is the device's own (the OFF device is an exact 50 kohm: to 0.1 %); the
    ON phase also holds the few ns of switching at both turning points, so its conductance
    is below 1/ron: within 30 % (the ON phase lasts only ~80 ns)."""
    assert neuron.v_threshold == pytest.approx(1.0, rel=0.01)
    assert neuron.v_reset == pytest.approx(0.7, rel=0.01)
    assert 1.0 / neuron.g_off == pytest.approx(50e3, rel=1e-3)
    assert 1.0 / neuron.g_on == pytest.approx(200.0, rel=0.30)
    assert neuron.currents == FIT_CURRENTS[1:]  # the sub-threshold current gives no rate


def test_rate_matches_the_closed_form_period(neuron: NeuronSurrogate) -> None:
    """The surrogate's f-I against physics.md 2.3 (I into the membrane = Norton V_in = I R_L):
    within 3 %, the closed form being the ideal switch the device approximates."""
    for current in (320e-6, 450e-6, 700e-6):
        period = oscillator_period(current * 5e3, 5e3, 1e-9)[2]
        assert float(neuron.rate(current)) == pytest.approx(1.0 / period, rel=0.03)
    assert float(neuron.rate(0.9 * neuron.rheobase)) == 0.0


def test_validation_on_held_out_currents_and_a_staircase(
    neuron: NeuronSurrogate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fresh ngspice: DC rates within 1 % of full scale at currents between the fit's, and
    >= 90 % of the staircase's spikes within 5 % of the mean inter-spike interval (issue 13)."""
    monkeypatch.setenv("SPICEGEN_CACHE", str(tmp_path))
    stimulus = ((0.0, 280e-6), (8e-6, 450e-6), (14e-6, 150e-6), (18e-6, 600e-6))
    result = validate_neuron(
        neuron,
        models.load("threshold_switch"),
        PARAMS,
        (350e-6, 500e-6),
        stimulus,
        duration=DURATION,
        max_step=MAX_STEP,
    )
    assert result.rate.max_error < 0.01, result
    assert result.matched_fraction >= 0.9, result
    assert abs(result.spikes_surrogate - result.spikes_spice) <= 1, result
    # rms, not max: spike edges are steep, and the ON phase's slower discharge (it also holds
    # the switching time) trades the spike's shape for the period's length
    assert result.membrane.rms_error < 0.08, result


def test_advance_is_exact_whatever_the_step(neuron: NeuronSurrogate) -> None:
    """One 20 us step and 4000 5 ns steps give the same spikes and final voltage, and the
    sub-threshold membrane is the RC charge V = I/g (1 - exp(-t g/c))."""
    current = np.array([100e-6, 400e-6])
    coarse = advance(neuron, NeuronState.rest(2), current, 20e-6)
    state, spikes = NeuronState.rest(2), np.zeros(2, dtype=int)
    for _ in range(4000):
        step = advance(neuron, state, current, 5e-9)
        state, spikes = step.state, spikes + step.spikes
    np.testing.assert_array_equal(coarse.spikes, spikes)
    np.testing.assert_allclose(coarse.state.v, state.v, rtol=1e-9, atol=1e-12)
    g = neuron.g_leak + neuron.g_off
    expected = 100e-6 / g * (1 - math.exp(-20e-6 * g / neuron.c))
    assert coarse.state.v[0] == pytest.approx(expected, rel=1e-12)
    # the first spike of the 400 uA neuron: the charge from 0 V to the threshold
    first = neuron.c / g * math.log((400e-6 / g) / (400e-6 / g - neuron.v_threshold))
    assert coarse.first_spike[1] == pytest.approx(first, rel=1e-12)
    assert math.isnan(coarse.first_spike[0])


def test_advance_long_run_follows_the_f_i_curve(neuron: NeuronSurrogate) -> None:
    """200 us in 1 us steps (tens of events per step at 800 uA): the spike count is the first
    charge from 0 V plus whole periods of the DC limit cycle, exactly."""
    currents = np.array([250e-6, 400e-6, 800e-6])
    state, spikes = NeuronState.rest(3), np.zeros(3, dtype=int)
    for _ in range(200):
        step = advance(neuron, state, currents, 1e-6)
        state, spikes = step.state, spikes + step.spikes
    g = neuron.g_leak + neuron.g_off
    v_inf = currents / g
    first = neuron.c / g * np.log(v_inf / (v_inf - neuron.v_threshold))
    expected = 1 + np.floor((200e-6 - first) * neuron.rate(currents))
    np.testing.assert_array_equal(spikes, expected)


def test_device_charge_of_one_spike(neuron: NeuronSurrogate) -> None:
    """Charge through the device in one ON phase: C (v_th - v_reset) plus what the input
    and the leak carry meanwhile; checked by KCL on the exact exponentials."""
    current = 400e-6
    state = NeuronState(np.array([neuron.v_threshold]), np.array([True]))
    t_spike = float(neuron.phase_times(current)[1])
    step = advance(neuron, state, current, t_spike)
    g_on = neuron.g_leak + neuron.g_on
    v_inf = current / g_on
    integral = v_inf * t_spike + (neuron.v_threshold - v_inf) * neuron.c / g_on * (
        1 - math.exp(-t_spike * g_on / neuron.c)
    )
    kcl = neuron.c * (neuron.v_threshold - neuron.v_reset) + current * t_spike
    kcl -= neuron.g_leak * integral
    assert step.device_charge[0] == pytest.approx(kcl, rel=1e-6)


def test_characterisation_refuses_currents_that_never_spike(tmp_path: Path) -> None:
    device = models.load("threshold_switch")
    with pytest.raises(SurrogateError, match="spike three times"):
        characterise_neuron(device, PARAMS, (50e-6, 100e-6), duration=5e-6, max_step=5e-9)
    with pytest.raises(SurrogateError, match="currents"):
        characterise_neuron(device, PARAMS, (), duration=5e-6, max_step=5e-9)
    with pytest.raises(SurrogateError, match="max_step"):
        characterise_neuron(device, PARAMS, (1e-4,), duration=5e-6, max_step=1e-5)


def test_match_spikes() -> None:
    reference = np.arange(10) * 1e-6
    assert match_spikes(reference, reference + 0.04e-6) == 1.0
    assert match_spikes(reference, reference + 0.06e-6) == 0.0
    assert match_spikes(reference, reference[::2]) == 0.5
    assert match_spikes(reference, np.r_[reference[:1], reference[:1]]) == 0.1  # used once
    assert match_spikes([], []) == 1.0


def test_dc_response_is_the_stepped_trajectory(neuron: NeuronSurrogate) -> None:
    """The closed form against ``advance`` in 10 ns steps: voltages, cumulative device charge
    and spike counts at every step (an independent route through the same two phases)."""
    currents = np.array([100e-6, 300e-6, 700e-6])
    times = np.arange(1, 1501) * 10e-9
    closed = dc_response(neuron, currents, times)
    state = NeuronState.rest(3)
    charge, count = np.zeros(3), np.zeros(3, dtype=int)
    for n in range(times.size):
        step = advance(neuron, state, currents, 10e-9)
        state, charge, count = step.state, charge + step.device_charge, count + step.spikes
        np.testing.assert_allclose(closed.v[n], state.v, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(closed.charge[n], charge, rtol=1e-7, atol=1e-18)
        np.testing.assert_array_equal(closed.count[n], count)
    assert closed.count[-1, 0] == 0 and closed.count[-1, 2] > closed.count[-1, 1] > 0
    assert np.isneginf(closed.last_spike[-1, 0]) and closed.last_spike[-1, 2] <= times[-1]


def test_dc_response_from_a_charged_membrane_and_its_on_charge(neuron: NeuronSurrogate) -> None:
    """From ``v0`` below the threshold the closed form is again the stepped trajectory, and
    its charge while ON is ``advance``'s, step by step (independent routes, same phases)."""
    currents = np.array([300e-6, 700e-6])
    v0 = np.array([0.5, 0.9]) * neuron.v_threshold
    times = np.arange(1, 801) * 10e-9
    closed = dc_response(neuron, currents, times, v0=v0)
    state = NeuronState(v0.copy(), np.zeros(2, dtype=bool))
    on_charge = np.zeros(2)
    for n in range(times.size):
        step = advance(neuron, state, currents, 10e-9)
        state, on_charge = step.state, on_charge + step.on_charge
        np.testing.assert_allclose(closed.v[n], state.v, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(closed.on_charge[n], on_charge, rtol=1e-7, atol=1e-18)
    # a charged membrane reaches the threshold sooner than one from rest
    from_rest = dc_response(neuron, currents, times)
    assert np.all(np.argmax(closed.count > 0, axis=0) < np.argmax(from_rest.count > 0, axis=0))
    assert np.all(closed.on_charge[-1] > 0) and np.all(closed.on_charge <= closed.charge + 1e-18)
