"""The fast spiking engine: against ngspice on a small network (issue 13 section 4), and its
own bookkeeping on cases with a closed form."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from spicegen import models
from spicegen.circuits import LifParams
from spicegen.learn import LearnError
from spicegen.learn.snn_circuit import SpikingCircuit, fast_network, spice_presentation
from spicegen.learn.snn_fast import FastEngine, FastNetwork
from spicegen.surrogate.oscillator_neuron import match_spikes

INPUTS, OUTPUTS = 3, 2


def _circuit() -> SpikingCircuit:
    return SpikingCircuit(
        models.load("threshold_switch"),
        models.load("rram_hfo2"),
        INPUTS,
        OUTPUTS,
        input=LifParams(r_leak=5e3, c=1e-9),
        output=LifParams(r_leak=11e3, c=1e-9),
        input_bias=210e-6,
        input_gain=150e-6,
        duration=12e-6,
        dt=5e-9,
        pulse_voltage=0.1,
        column_gain=2000.0,
        inhibition=3e-3,
        synapse_params={"sigma_c2c": 0.0},
    )


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> FastNetwork:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(tmp_path_factory.mktemp("cache")))
        return fast_network(_circuit())


def test_fast_engine_agrees_with_ngspice(network: FastNetwork, tmp_path: Path) -> None:
    """One presentation of a stimulus and weights the characterisation never saw (the
    neurons were fitted at DC currents alone, the synapses at single operating points):
    every input spike, the output spike counts and the output spike times against one
    ngspice transient of the whole network. Tolerances: input spike counts exact; output
    counts within one spike per neuron; >= 80 % of output spikes within 5 % of the mean
    inter-spike interval (the figure of the benchmark, over more stimuli, is in the docs);
    presynaptic membranes at the output spikes within 20 mV of ngspice (the VDSP input)."""
    rng = np.random.default_rng(11)
    sample = rng.uniform(0.4, 1.0, INPUTS)
    weights = rng.uniform(0.4, 1.0, (INPUTS, OUTPUTS))
    fast = FastEngine(network).present(sample, weights)
    spice = spice_presentation(_circuit(), sample, weights)
    np.testing.assert_array_equal(fast.input_counts, spice.input_counts)
    assert spice.counts.sum() >= 6  # the check has spikes to compare
    assert np.all(np.abs(fast.counts - spice.counts) <= 1), (fast.counts, spice.counts)
    matched = [
        match_spikes(spice.output_spike_times(j), fast.output_spike_times(j))
        for j in range(OUTPUTS)
    ]
    total = np.dot(matched, spice.counts) / spice.counts.sum()
    assert total >= 0.8, matched
    shared = min(fast.spike_times.size, spice.spike_times.size, 3)
    np.testing.assert_allclose(fast.v_pre[:shared], spice.v_pre[:shared], atol=0.02)


def test_silent_crossbar_drives_nothing(network: FastNetwork) -> None:
    """With no synapse conductance (a network without a synapse model and g_min tiny) and no
    output bias, the outputs never spike, whatever the inputs do."""
    quiet = dataclasses.replace(network, synapse=None, g_min=1e-15, g_max=2e-15)
    result = FastEngine(quiet).present(np.ones(INPUTS), np.ones((INPUTS, OUTPUTS)))
    assert result.counts.sum() == 0 and result.input_counts.min() > 0


def test_inhibition_silences_the_loser(network: FastNetwork) -> None:
    """Two outputs, one with stronger weights: without inhibition both fire; with strong
    inhibition the stronger one fires and the other loses spikes (winner-take-all)."""
    weights = np.array([[1.0, 0.6]] * INPUTS)
    free = dataclasses.replace(network, inhibition=0.0)
    strong = dataclasses.replace(network, inhibition=30e-3)
    loose = FastEngine(free).present(np.ones(INPUTS), weights)
    tight = FastEngine(strong).present(np.ones(INPUTS), weights)
    assert loose.counts.min() > 0
    assert tight.counts[0] >= 1 and tight.counts[1] < loose.counts[1]


def test_input_spike_times_follow_the_closed_form(network: FastNetwork) -> None:
    """The input layer's spikes are first + n * period, and the counts are what fits in the
    presentation (the inputs' DC trajectory, physics.md 2.3 with the fitted device)."""
    result = FastEngine(network).present(np.array([0.0, 0.5, 1.0]), np.zeros((3, 2)))
    for i in range(3):
        times = result.input_spike_times(i)
        assert times.size == result.input_counts[i]
        assert np.all(times <= result.duration)
    rates = network.input_neuron.rate(network.input_bias + network.input_gain * np.array([0.5, 1]))
    np.testing.assert_allclose(result.input_period[1:], 1.0 / rates)
    every = result.all_input_spike_times()  # the whole layer at once, the same times
    assert len(every) == 3
    for i in range(3):
        np.testing.assert_array_equal(every[i], result.input_spike_times(i))


def test_input_phases_start_each_input_inside_its_first_charge(network: FastNetwork) -> None:
    """With ``input_phases = K`` each spiking input starts k / K of the way through its first
    charge from rest, so its first spike comes at (1 - k / K) of the time from rest; the
    spikes over the presentation are checked against the neuron stepped with ``advance``
    from those starts (1 ns steps, not the closed form); a silent input starts at rest; the
    same image gives the same phases, and K = 0 is the old start at rest."""
    from spicegen.surrogate.oscillator_neuron import NeuronState, advance

    phased = dataclasses.replace(network, input_phases=8, phase_seed=3)
    engine, rest = FastEngine(phased), FastEngine(network)
    sample, weights = np.array([0.0, 0.5, 1.0]), np.zeros((3, 2))
    starts = engine.start_voltages(sample)
    np.testing.assert_array_equal(starts, engine.start_voltages(sample.copy()))
    np.testing.assert_array_equal(rest.start_voltages(sample), np.zeros(3))
    at_rest, result = rest.present(sample, weights), engine.present(sample, weights)
    ratios = result.input_first[1:] / at_rest.input_first[1:]
    k = np.round((1 - ratios) * 8)
    np.testing.assert_allclose(ratios, 1 - k / 8, atol=1e-9)
    # the silent input (bias alone, below the rheobase here) stays at rest and silent
    assert starts[0] == 0.0 and result.input_counts[0] == 0
    neuron, dt = phased.input_neuron, 1e-9
    state = NeuronState(starts.copy(), np.zeros(3, dtype=bool))
    currents = engine.input_currents(sample)
    counts = np.zeros(3, dtype=np.int64)
    firsts = np.full(3, np.nan)
    for step in range(round(phased.duration / dt)):
        moved = advance(neuron, state, currents, dt)
        firsts = np.where(
            np.isnan(firsts) & (moved.spikes > 0), step * dt + moved.first_spike, firsts
        )
        counts += moved.spikes
        state = moved.state
    np.testing.assert_array_equal(result.input_counts, counts)
    np.testing.assert_allclose(result.input_first[1:], firsts[1:], rtol=1e-6)
    # another image, other phases (8 phases for 784 inputs: equal draws are vanishingly rare)
    other = np.random.default_rng(0).uniform(0.3, 1.0, 784)
    big = FastEngine(dataclasses.replace(phased, inputs=784, synapse=None))
    assert not np.array_equal(big.start_voltages(other), big.start_voltages(other[::-1]))


def test_bad_inputs_are_refused(network: FastNetwork) -> None:
    engine = FastEngine(network)
    with pytest.raises(LearnError, match="3 inputs"):
        engine.present(np.ones(5), np.ones((3, 2)))
    with pytest.raises(LearnError, match=r"\[0, 1\]"):
        engine.present(np.full(3, 2.0), np.ones((3, 2)))
    with pytest.raises(LearnError, match="shape"):
        engine.present(np.ones(3), np.ones((2, 3)))
    with pytest.raises(LearnError, match="outputs must be an int >= 1"):
        dataclasses.replace(network, outputs=0)
    with pytest.raises(LearnError, match="input_phases must be an int >= 0"):
        dataclasses.replace(network, input_phases=-1)
    with pytest.raises(LearnError, match="pulse_voltage"):
        FastEngine(dataclasses.replace(network, pulse_voltage=0.5))


def test_a_coarse_step_does_not_decide_the_winner(network: FastNetwork) -> None:
    """Two outputs that cross their thresholds within one coarse step (150 ns, the MNIST
    step) under strong inhibition: the earliest crossing fires and inhibits the other from
    its latency on, as in one ngspice transient of the same circuit. The reference count is
    discrete and deterministic here (no device noise, the same weights), so it is compared
    exactly: letting every crossing of the step fire gave [5, 3] against ngspice's [5, 2]."""
    weights = np.array([[1.0, 0.97]] * INPUTS)
    circuit = dataclasses.replace(_circuit(), inhibition=30e-3)
    spice = spice_presentation(circuit, np.ones(INPUTS), weights)
    coarse = dataclasses.replace(network, inhibition=30e-3, dt=150e-9)
    fast = FastEngine(coarse).present(np.ones(INPUTS), weights)
    np.testing.assert_array_equal(fast.counts, spice.counts)
    assert spice.counts[1] < spice.counts[0]


def test_engine_energy_is_the_integrated_power(network: FastNetwork) -> None:
    """``presentation_energy`` (closed form through the membrane's charge balance) against
    the input sources' I * V integrated by the trapezoid rule on a 1 ns grid of the exact
    trajectory, plus G V^2 over each row's pulse time. Tolerance 1e-3: the trapezoid rule's
    error at the spikes' fast edges on that grid."""
    from spicegen.learn.snn_fast_engine import presentation_energy
    from spicegen.surrogate.oscillator_neuron import dc_response

    engine = FastEngine(network)
    sample, weights = np.array([0.2, 0.6, 1.0]), np.full((INPUTS, OUTPUTS), 0.5)
    currents = engine.input_currents(sample)
    times = np.linspace(0.0, network.duration, 12001)
    trajectory = dc_response(network.input_neuron, currents, times)
    supplies = float(currents @ np.trapezoid(trajectory.v, times, axis=0))
    pulse = trajectory.on_time[-1] + network.input_neuron.pulse_extension * trajectory.count[-1]
    shape = float(network.synapse.shape_at(network.pulse_voltage)) if network.synapse else 1.0
    crossbar = network.pulse_voltage**2 * shape * float(pulse @ engine.conductances(weights).sum(1))
    expected = supplies + crossbar
    assert presentation_energy(engine, sample, weights) == pytest.approx(expected, rel=1e-3)


def test_training_engine_reports_what_the_fast_engine_did(network: FastNetwork) -> None:
    """``FastSpikingEngine`` hands the training loop the fast engine's own spikes, per neuron,
    with the input membranes at each output spike, and refuses a sample of the wrong size."""
    from spicegen.learn.snn_fast_engine import FastSpikingEngine, training_params

    params = training_params(network)
    assert (params.inputs, params.neurons) == (INPUTS, OUTPUTS)
    assert params.v_reset == network.input_neuron.v_reset
    engine = FastSpikingEngine(network, params)
    sample, weights = np.array([0.5, 0.8, 1.0]), np.full((INPUTS, OUTPUTS), 0.7)
    result = engine.present(sample, weights, np.zeros(OUTPUTS))
    direct = FastEngine(network).present(sample, weights)
    np.testing.assert_array_equal(result.counts, direct.counts)
    for j in range(OUTPUTS):
        np.testing.assert_array_equal(result.output_spikes[j], direct.output_spike_times(j))
        np.testing.assert_array_equal(
            result.pre_voltages[j], direct.v_pre[direct.spike_neurons == j]
        )
    np.testing.assert_array_equal(result.input_counts, direct.input_counts)
    with pytest.raises(LearnError, match="3 inputs"):
        engine.present(np.ones(4), weights, np.zeros(OUTPUTS))


def test_network_for_any_size_with_or_without_memristors() -> None:
    """``fast_network_for``: the same characterised neurons at any size, the column gain
    scaled by 784 / inputs, memristor cells or ideal conductances 5 uS..100 uS."""
    from spicegen.learn.snn_fast_engine import fast_network_for

    neuron, memristor = models.load("threshold_switch"), models.load("rram_hfo2")
    ideal = fast_network_for(neuron, None, 16, 3)
    cells = fast_network_for(neuron, memristor, 16, 3)
    assert (ideal.inputs, ideal.outputs, ideal.synapse) == (16, 3, None)
    assert cells.synapse is not None and cells.synapse.devices == 1
    assert ideal.column_gain == pytest.approx(40.0 * 784 / 16)
    assert ideal.input_neuron == cells.input_neuron
    g = FastEngine(ideal).conductances(np.array([[0.0, 0.5, 1.0]] * 16))
    np.testing.assert_allclose(g[0], [5e-6, 52.5e-6, 100e-6])
    # the rram_hfo2 window spans about the same range (about 4.8 uS to 1e-4 S)
    memristive = FastEngine(cells).conductances(np.array([[0.0, 0.5, 1.0]] * 16))
    assert 2e-6 < memristive[0, 0] < 1e-5 and 5e-5 < memristive[0, 2] < 2e-4
    # a training step changes a few columns: only those are recomputed, to the same values
    rng = np.random.default_rng(3)
    for network in (ideal, cells):
        engine = FastEngine(network)
        before = rng.uniform(0.0, 1.0, (16, 3))
        after = before.copy()
        after[:, 1] = rng.uniform(0.0, 1.0, 16)
        updated = engine.updated_conductances(after, before, engine.conductances(before))
        np.testing.assert_array_equal(updated, engine.conductances(after))


def test_default_homeostasis_outlasts_a_hundred_presentations(network: FastNetwork) -> None:
    """The fast engine's threshold adaptation carries a neuron's wins over hundreds of
    images (MNIST-5k: with a memory of four presentations a third of the neurons lost every
    image): one spike's 5 mV rise keeps most of itself across 100 silent presentations, and
    a neuron winning its share climbs to the ~0.15 V scale of the first volley's
    overshoot."""
    from spicegen.learn.snn_fast_engine import training_params

    mnist = dataclasses.replace(network, duration=52.5e-6)  # the MNIST-5k presentation time
    params = training_params(mnist)
    theta = params.adapt(np.zeros(OUTPUTS), np.array([1, 0]))
    for _ in range(100):
        theta = params.adapt(theta, np.zeros(OUTPUTS, dtype=np.int64))
    decay = np.exp(-101 * mnist.duration / params.adaptation_tau)
    assert theta[0] == pytest.approx(params.adaptation_increment * decay)
    assert theta[0] > 0.8 * params.adaptation_increment and theta[1] == 0.0
    # its share among 100 neurons: 1 image in 100, 3 spikes; steady state 3 x 5 mV x
    # (50 ms / 52.5 us) / 100 = 0.14 V, 88 % of it after 2,000 images
    fair = np.zeros(OUTPUTS)
    for k in range(2000):
        fair = params.adapt(fair, np.array([3 if k % 100 == 0 else 0, 0]))
    assert 0.05 < fair[0] < 0.5  # volts: the overshoot's scale, not millivolts
