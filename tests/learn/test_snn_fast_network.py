"""The fast engine of the SPICE training engine's network (``learn.snn_fast_network``): the
filter against its closed form, the starting operating point and the input spikes against
ngspice of the same netlist, winner-take-all, and a small presentation against the SPICE
engine itself (the full agreement figures are in ``benchmarks/bench_snn_fast.py``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen import models
from spicegen.learn import LearnError, snn_fast_network
from spicegen.learn.snn_fast_network import (
    FastNetworkEngine,
    NetworkCharacterisation,
    _low_pass,
    characterise_network,
)
from spicegen.learn.snn_network import SpikingNetworkParams
from spicegen.learn.snn_spice import SpiceEngine
from spicegen.surrogate.oscillator_neuron import match_spikes
from spicegen.va import CompiledModel

# a small resistor network (an ngspice presentation takes about a second)
# (three inputs where the default has 16: a mirror gain of 150 gives the outputs a similar drive)
PARAMS = SpikingNetworkParams(
    inputs=3, neurons=2, synapse_model="resistor", synapse_gain=150.0, presentation=8e-6
)


@pytest.fixture(scope="module")
def neuron() -> CompiledModel:
    return models.load("threshold_switch")


@pytest.fixture(scope="module")
def devices(neuron: CompiledModel) -> NetworkCharacterisation:
    return characterise_network(PARAMS, neuron, None)


def test_low_pass_is_the_exact_step_response() -> None:
    tau, dt = 200e-9, 2e-9
    drive = np.ones((500, 1))
    means = _low_pass(drive, tau, dt, np.array([0.25]))
    # y(t) = 1 - 0.75 exp(-t / tau); its mean over step k is the integral over the step / dt
    t0 = np.arange(500) * dt
    exact = 1 - 0.75 * tau / dt * (np.exp(-t0 / tau) - np.exp(-(t0 + dt) / tau))
    np.testing.assert_allclose(means[:, 0], exact, rtol=1e-12)


def test_against_the_spice_engine_on_a_small_network(
    neuron: CompiledModel, devices: NetworkCharacterisation
) -> None:
    sample = np.array([1.0, 0.6, 0.0])
    weights = np.array([[0.9, 0.3], [0.8, 0.2], [0.5, 0.5]])
    thresholds = np.zeros(2)
    fast = FastNetworkEngine(PARAMS, devices).present(sample, weights, thresholds)
    with SpiceEngine(PARAMS, neuron) as engine:
        spice = engine.present(sample, weights, thresholds)
    # inputs: the silent one silent, the others' spikes within 5 % of their interval
    assert fast.input_counts.tolist() == spice.input_counts.tolist()
    assert spice.input_counts[2] == 0
    for i in range(2):
        assert match_spikes(spice.input_spikes[i], fast.input_spikes[i]) == 1.0
    # outputs: the same winner (inhibition silences the other), counts within one spike
    # (ngspice's own 20 ns steps jitter its spike times by a few per cent of an interval)
    assert spice.counts[0] > 0
    assert fast.counts[1] == spice.counts[1] == 0
    assert abs(int(fast.counts[0]) - int(spice.counts[0])) <= 1
    # what VDSP reads at the first output spike: every input membrane within 30 mV
    np.testing.assert_allclose(fast.pre_voltages[0][0], spice.pre_voltages[0][0], atol=0.03)
    assert fast.energy == pytest.approx(spice.energy, rel=0.05)


def test_resting_outputs_start_from_the_operating_point(
    devices: NetworkCharacterisation,
) -> None:
    # all inputs silent: the rows' OFF level alone drives the outputs to a steady voltage
    # below threshold, where they stay (no spike), as the netlist's operating point does
    engine = FastNetworkEngine(PARAMS, devices)
    result = engine.present(np.zeros(3), np.ones((3, 2)), np.zeros(2))
    assert result.counts.tolist() == [0, 0]
    assert result.input_counts.tolist() == [0, 0, 0]
    out = devices.output_neuron
    v_row = devices.input_neuron.readout * devices.input_neuron.g_off * PARAMS.input_bias
    v_row *= 1 / PARAMS.input_neuron.resistance / (devices.input_neuron.g_leak + out.g_off)
    assert 0 < PARAMS.synapse_gain * 3 * PARAMS.g_max * v_row / (out.g_leak + out.g_off) < 1


def test_inputs_of_equal_intensity_are_simulated_once_with_the_same_result(
    devices: NetworkCharacterisation,
) -> None:
    # two equal pixels share one trajectory; nudged apart by 1e-12 they are simulated
    # separately: every spike, membrane voltage and joule must agree
    engine = FastNetworkEngine(PARAMS, devices)
    weights = np.array([[0.9, 0.3], [0.4, 0.8], [0.5, 0.5]])
    shared = engine.present(np.array([0.8, 0.8, 0.3]), weights, np.zeros(2))
    apart = engine.present(np.array([0.8, 0.8 - 1e-12, 0.3]), weights, np.zeros(2))
    assert (
        shared.counts.sum() > 0 and shared.input_counts.tolist()[:2] == [shared.input_counts[0]] * 2
    )
    for a, b in zip(shared.output_spikes, apart.output_spikes, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    for a, b in zip(shared.input_spikes, apart.input_spikes, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    for a, b in zip(shared.pre_voltages, apart.pre_voltages, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
    assert shared.energy == pytest.approx(apart.energy, rel=1e-9)


def test_kept_input_trajectories_give_what_a_fresh_engine_gives(
    devices: NetworkCharacterisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each supply's trajectory is kept for later samples; a sample seen again, after others
    # and after the memo has been emptied (a limit of 2 supplies), must come out as from an
    # engine that never saw anything else
    monkeypatch.setattr(snn_fast_network, "_LEVEL_MEMO", 2)
    weights = np.array([[0.9, 0.3], [0.4, 0.8], [0.5, 0.5]])
    first, other = np.array([0.8, 0.8, 0.3]), np.array([0.3, 1.0, 0.0])
    engine = FastNetworkEngine(PARAMS, devices)
    engine.present(first, weights, np.zeros(2))
    engine.present(other, weights, np.zeros(2))
    again = engine.present(first, weights, np.zeros(2))
    fresh = FastNetworkEngine(PARAMS, devices).present(first, weights, np.zeros(2))
    assert fresh.counts.sum() > 0
    for kept, new in (
        (again.output_spikes, fresh.output_spikes),
        (again.input_spikes, fresh.input_spikes),
        (again.pre_voltages, fresh.pre_voltages),
    ):
        for a, b in zip(kept, new, strict=True):
            np.testing.assert_array_equal(a, b)
    assert again.energy == pytest.approx(fresh.energy, rel=1e-12)
    with pytest.raises(ValueError, match="read-only"):  # shared by later samples
        again.input_spikes[0][0] = 0.0


def test_output_blocks_of_any_length_give_the_same_spikes(
    devices: NetworkCharacterisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the all-OFF stretches are filtered in blocks that start short after a spike and grow;
    # the recurrence's state is the membrane voltage, so one long block must agree exactly
    weights = np.array([[0.9, 0.3], [0.4, 0.8], [0.5, 0.5]])
    sample = np.array([1.0, 0.7, 0.2])
    grown = FastNetworkEngine(PARAMS, devices).present(sample, weights, np.zeros(2))
    monkeypatch.setattr(snn_fast_network, "_FIRST_BLOCK", snn_fast_network._BLOCK)
    fixed = FastNetworkEngine(PARAMS, devices).present(sample, weights, np.zeros(2))
    assert grown.counts.sum() >= 3
    for a, b in zip(grown.output_spikes, fixed.output_spikes, strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_arguments(devices: NetworkCharacterisation) -> None:
    with pytest.raises(LearnError, match="dt"):
        FastNetworkEngine(PARAMS, devices, dt=math.inf)
    memristors = SpikingNetworkParams(inputs=3, neurons=2, synapse_gain=150.0, presentation=8e-6)
    with pytest.raises(LearnError, match="synapses"):
        FastNetworkEngine(memristors, devices)
    with pytest.raises(LearnError, match="weights"):
        FastNetworkEngine(PARAMS, devices).present(np.zeros(3), np.ones((2, 2)), np.zeros(2))
