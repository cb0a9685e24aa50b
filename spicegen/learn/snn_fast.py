"""The fast spiking engine: the network time-stepped in numpy from SPICE characterisations.

The network is the one the SPICE engine builds: input neurons driven by pixel intensities, a
crossbar of memristive synapses, output neurons with lateral inhibition and adaptive
thresholds; all neurons are threshold-switch neurons. Here each part is its characterisation
(``spicegen.surrogate``): the neurons a ``NeuronSurrogate`` (two-phase hybrid model, fitted to
ngspice), the synapses a ``SynapseSurrogate`` (each device's read conductance over its state).

Signal path, as in the circuit (SI units):

- input neuron ``i`` gets ``input_bias + input_gain * x_i`` amperes (``x_i`` in [0, 1]); the
  current is constant over a presentation, so its whole trajectory is the closed form
  ``dc_response`` (voltage, spikes, time spent spiking), no stepping;
- while it spikes (its device ON) a comparator on its spike output drives row ``i`` to
  ``pulse_voltage``; the synapse passes ``G_ij(w_ij) * V_p * h(V_p)`` to column ``j``, held
  at a virtual ground, and ``column_gain`` A/A of the column current flows into output
  ``j``'s membrane. Over a step the charge into output ``j`` is ``column_gain * V_p * h(V_p)
  * sum_i G_ij * t_on,i`` with ``t_on,i`` the time input ``i`` spent ON in the step (exact);
  a comparator, not the raw spike output, so that a silent neuron's OFF current (tens of
  uA through ``roff``) drives nothing;
- while output ``j`` spikes, it draws ``inhibition`` amperes from every other output membrane
  (lateral inhibition through a comparator on its spike output); the ON time of one step is
  applied over the next one (a delay of one step, much shorter than an interval);
- output ``j``'s threshold is raised by ``threshold_shift[j]`` volts (homeostasis; the
  trainer raises it with each spike and lets it decay between samples).

Output neurons are stepped with ``advance`` (exact inside a step, whatever its length), with a
shortcut for the common step where no output neuron is spiking or reaches its threshold.
Weights are fixed during a presentation, as in the SPICE engine (one transient per sample);
the rule is applied afterwards from what the presentation returns: every output spike and
the presynaptic membrane voltages at that instant (closed form, exact), and the input spike
times (for STDP).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spicegen.learn.errors import LearnError
from spicegen.surrogate.memristive_synapse import SynapseSurrogate
from spicegen.surrogate.oscillator_neuron import (
    NeuronState,
    NeuronSurrogate,
    Step,
    advance,
    dc_response,
)

__all__ = ["FastEngine", "FastNetwork", "FastPresentation"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FastNetwork:
    """The physical network the fast engine simulates (SI units).

    ``inputs``/``outputs`` neurons of ``input_neuron``/``output_neuron``; ``input_bias`` A
    into every input, plus ``input_gain`` A at intensity 1; ``pulse_voltage`` V and
    ``column_gain`` A/A the crossbar's drivers (see the module text); weights map linearly
    onto synapse states ``state_min..state_max`` of ``synapse`` (devices row-major, input
    ``i`` output ``j`` at ``i * outputs + j``; one device: all cells alike), or, without a
    synapse, onto conductances ``g_min..g_max`` S; ``inhibition`` A drawn from the other
    outputs while one spikes, from ``inhibition_latency`` s after its threshold crossing
    (its device turning on past the comparator's knee: in ngspice outputs that cross within
    a few ns of each other both fire); ``output_bias`` A into every output; ``duration`` s
    per presentation in steps of ``dt`` s. ``input_phases = 0`` starts every input at rest;
    ``K > 0`` starts each input that spikes at one of ``K`` evenly spaced points of its first
    charge (its phase), drawn per sample from ``phase_seed`` and the sample's values (the same
    image, the same phases), so that equal pixels no longer fire their first spikes together.
    """

    input_neuron: NeuronSurrogate
    output_neuron: NeuronSurrogate
    inputs: int
    outputs: int
    input_bias: float
    input_gain: float
    duration: float
    dt: float
    pulse_voltage: float = 0.1
    column_gain: float = 1.0
    synapse: SynapseSurrogate | None = None
    state_min: float = 0.0
    state_max: float = 1.0
    g_min: float = 1e-6
    g_max: float = 1e-4
    inhibition: float = 0.0
    output_bias: float = 0.0
    inhibition_latency: float = 5e-9
    input_phases: int = 0
    phase_seed: int = 0

    def __post_init__(self) -> None:
        for name in ("inputs", "outputs"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise LearnError(f"FastNetwork.{name} must be an int >= 1, not {value!r}")
        for name in ("input_phases", "phase_seed"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise LearnError(f"FastNetwork.{name} must be an int >= 0, not {value!r}")
        for name in ("duration", "dt", "pulse_voltage", "column_gain", "g_min", "g_max"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise LearnError(f"FastNetwork.{name} must be a number > 0, not {value!r}")
        for name in ("input_bias", "input_gain", "inhibition", "output_bias", "inhibition_latency"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise LearnError(f"FastNetwork.{name} must be a number >= 0, not {value!r}")
        if self.dt > self.duration:
            raise LearnError(f"FastNetwork.dt {self.dt} s exceeds the duration {self.duration} s")
        if self.synapse is not None and self.synapse.devices not in (
            1,
            self.inputs * self.outputs,
        ):
            raise LearnError(
                f"FastNetwork.synapse holds {self.synapse.devices} devices; the crossbar has "
                f"{self.inputs} x {self.outputs} = {self.inputs * self.outputs} (or give one)"
            )

    @property
    def steps(self) -> int:
        """Time steps per presentation."""
        return round(self.duration / self.dt)


@dataclass(frozen=True, slots=True, eq=False)
class FastPresentation:
    """What one presentation did.

    ``spike_neurons``/``spike_times`` (s): every output spike in time order; ``counts`` per
    output neuron; ``v_pre[k]`` (V) the input membranes at output spike ``k``;
    ``input_counts`` input spikes per input neuron; ``input_first`` (s, inf: silent) and
    ``input_period`` (s) give every input spike time ``first + n * period``.
    """

    spike_neurons: IntArray
    spike_times: FloatArray
    counts: IntArray
    v_pre: FloatArray
    input_counts: IntArray
    input_first: FloatArray
    input_period: FloatArray
    duration: float

    def output_spike_times(self, neuron: int) -> FloatArray:
        """Spike times (s) of output ``neuron``."""
        return np.asarray(self.spike_times[self.spike_neurons == neuron], dtype=np.float64)

    def all_input_spike_times(self) -> tuple[FloatArray, ...]:
        """Spike times (s) of every input neuron, as ``input_spike_times`` gives each."""
        counts = self.input_counts
        owner = np.repeat(np.arange(counts.size), counts)
        starts = np.cumsum(counts) - counts
        rank = np.arange(owner.size) - starts[owner]
        times = self.input_first[owner] + self.input_period[owner] * rank
        return tuple(np.split(times, np.cumsum(counts)[:-1]))

    def input_spike_times(self, neuron: int) -> FloatArray:
        """Spike times (s) of input ``neuron`` within the presentation."""
        first, period = self.input_first[neuron], self.input_period[neuron]
        if not math.isfinite(first):
            return np.empty(0)
        return np.asarray(first + period * np.arange(int(self.input_counts[neuron])))


@dataclass(slots=True)
class FastEngine:
    """Presents samples to a ``FastNetwork``; ``present(sample, weights)`` per sample."""

    network: FastNetwork
    _scale: float = field(init=False)

    def __post_init__(self) -> None:
        net = self.network
        shape = 1.0
        if net.synapse is not None:
            if net.pulse_voltage > net.synapse.voltages[-1]:
                raise LearnError(
                    f"FastNetwork.pulse_voltage {net.pulse_voltage} V exceeds the synapse's "
                    f"characterised read range ({net.synapse.voltages[-1]} V)"
                )
            shape = float(net.synapse.shape_at(net.pulse_voltage))
        # column current per siemens of synapse while its row pulses (A/S)
        self._scale = net.column_gain * net.pulse_voltage * shape

    def conductances(self, weights: ArrayLike) -> FloatArray:
        """Crossbar conductances (S), ``(inputs, outputs)``, for weights in [0, 1]."""
        net = self.network
        w = _weights(weights, (net.inputs, net.outputs))
        if net.synapse is None:
            return net.g_min + w * (net.g_max - net.g_min)
        states = net.state_min + w * (net.state_max - net.state_min)
        if net.synapse.devices == 1:
            one = net.synapse.conductances(states.reshape(1, -1))[0]
            return np.asarray(one.reshape(w.shape), dtype=np.float64)
        flat = net.synapse.conductances(states.reshape(-1))
        return flat.reshape(w.shape)

    def updated_conductances(
        self, weights: ArrayLike, previous: FloatArray, conductance: FloatArray
    ) -> FloatArray:
        """``conductances(weights)`` from those of ``previous`` weights: only the columns
        that changed are recomputed when every cell is the same characterised device (a
        training step changes the few columns of the neurons that spiked)."""
        net = self.network
        w = _weights(weights, (net.inputs, net.outputs))
        if net.synapse is not None and net.synapse.devices != 1:
            return self.conductances(w)  # each cell its own device: no shortcut
        changed = np.flatnonzero(np.any(w != previous, axis=0))
        g = conductance.copy()
        if changed.size:
            part = w[:, changed]
            if net.synapse is None:
                g[:, changed] = net.g_min + part * (net.g_max - net.g_min)
            else:
                states = net.state_min + part * (net.state_max - net.state_min)
                g[:, changed] = net.synapse.conductances(states.reshape(1, -1))[0].reshape(
                    part.shape
                )
        return g

    def input_currents(self, sample: ArrayLike) -> FloatArray:
        """Input currents (A) for a sample of intensities in [0, 1]."""
        net = self.network
        x = np.asarray(sample, dtype=np.float64).reshape(-1)
        if x.size != net.inputs:
            raise LearnError(f"a sample has {x.size} values; the network has {net.inputs} inputs")
        if not np.all(np.isfinite(x)) or np.any(x < 0) or np.any(x > 1):
            raise LearnError("sample intensities must lie in [0, 1]")
        return net.input_bias + net.input_gain * x

    def start_voltages(self, sample: ArrayLike) -> FloatArray:
        """Input membranes (V) at the start of a presentation of ``sample``: 0 (rest) without
        ``input_phases``; else each spiking input at ``k / K`` of its first charge's time,
        ``k`` drawn from the sample's values and ``phase_seed`` (reproducible per image)."""
        return self._start_voltages(sample, self.input_currents(sample))

    def _start_voltages(self, sample: ArrayLike, currents: FloatArray) -> FloatArray:
        net = self.network
        if net.input_phases == 0:
            return np.zeros(currents.size)
        x = np.ascontiguousarray(np.asarray(sample, dtype=np.float64).reshape(-1))
        rng = np.random.default_rng([net.phase_seed, zlib.crc32(x.tobytes())])
        k = rng.integers(0, net.input_phases, size=currents.size)
        neuron = net.input_neuron
        g_rest = neuron.g_leak + neuron.g_off
        first, _ = _input_timing(neuron, currents, np.zeros(currents.size))
        v_inf = currents / g_rest
        elapsed = np.where(np.isfinite(first), first, 0.0) * k / net.input_phases
        return np.asarray(v_inf * -np.expm1(-elapsed * g_rest / neuron.c), dtype=np.float64)

    def present(
        self,
        sample: ArrayLike,
        weights: ArrayLike,
        threshold_shift: ArrayLike = 0.0,
        *,
        conductance: FloatArray | None = None,
    ) -> FastPresentation:
        """Simulate one presentation of ``sample`` with fixed ``weights`` (inputs x outputs);
        ``conductance`` (S), if given, is ``conductances(weights)`` already computed."""
        net = self.network
        currents = self.input_currents(sample)
        if conductance is None:
            conductance = self.conductances(weights)
        shift = np.broadcast_to(np.asarray(threshold_shift, dtype=np.float64), (net.outputs,))
        steps, dt = net.steps, net.dt
        times = np.arange(steps + 1) * dt
        # inputs with equal currents (equal pixel values) have equal trajectories: simulate
        # each distinct current once and sum the conductances of the rows that share it
        # (with phases: equal currents from equal starts)
        starts = self._start_voltages(sample, currents)
        keys, row_level, grouped = group_rows(np.column_stack([currents, starts]), conductance)
        levels, level_starts = keys[:, 0], keys[:, 1]
        inputs = dc_response(net.input_neuron, levels, times, level_starts)
        # the comparator's pulse: the ON phase plus the switching at both of its ends
        pulse = inputs.on_time + net.input_neuron.pulse_extension * inputs.count
        # mean current into each output over each step (A), one product per presentation
        drive = (np.diff(pulse, axis=0) @ grouped) * (self._scale / dt)
        drive += net.output_bias
        spike_neurons, spike_times = _run_outputs(net, drive, shift)
        order = np.argsort(spike_times, kind="stable")
        spike_neurons, spike_times = spike_neurons[order], spike_times[order]
        at_spikes = dc_response(net.input_neuron, levels, spike_times, level_starts).v[:, row_level]
        first, period = _input_timing(net.input_neuron, currents, starts)
        duration = float(times[-1])
        with np.errstate(invalid="ignore"):
            counts_in = np.where(np.isfinite(first), np.floor((duration - first) / period) + 1, 0)
        return FastPresentation(
            spike_neurons=spike_neurons,
            spike_times=spike_times,
            counts=np.bincount(spike_neurons, minlength=net.outputs).astype(np.int64),
            v_pre=at_spikes,
            input_counts=np.maximum(counts_in, 0).astype(np.int64),
            input_first=first,
            input_period=period,
            duration=duration,
        )


def _run_outputs(
    net: FastNetwork, drive: FloatArray, shift: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Step the output population through ``drive`` (A per step); returns its spikes."""
    neuron, dt, n = net.output_neuron, net.dt, net.outputs
    g_rest = neuron.g_leak + neuron.g_off
    decay = math.exp(-dt * g_rest / neuron.c)
    threshold = neuron.v_threshold + shift
    state = NeuronState.rest(n)
    inhibit = np.zeros(n)
    neurons: list[IntArray] = []
    times: list[FloatArray] = []
    for k in range(drive.shape[0]):
        current = drive[k] - inhibit
        v_inf = current / g_rest
        v_new = v_inf + (state.v - v_inf) * decay
        busy = state.on | (v_new >= threshold)
        if not busy.any():
            # the common step: everyone charging, nobody reaches threshold (exact OFF phase)
            state = NeuronState(v_new, state.on)
            if inhibit.any():
                inhibit = np.zeros(n)
            continue
        # a neuron spiking or reaching threshold: the exact event loop for those only
        chosen = np.flatnonzero(busy)
        step = advance(
            neuron,
            NeuronState(state.v[chosen], state.on[chosen]),
            current[chosen],
            dt,
            shift[chosen],
        )
        applied, winner = 0.0, -1
        if net.inhibition:
            step, applied, winner = _first_crossing_wins(net, state, chosen, current, shift, step)
        v_new[chosen] = step.state.v
        on = state.on.copy()
        on[chosen] = step.state.on
        state = NeuronState(v_new, on)
        fired = step.spikes > 0
        if fired.any():
            counts = step.spikes[fired]
            neurons.append(np.repeat(chosen[fired], counts))
            times.append(np.repeat(k * dt + step.first_spike[fired], counts))
        inhibit = np.zeros(n)
        if net.inhibition:
            on_time = np.zeros(n)
            on_time[chosen] = step.on_time + neuron.pulse_extension * step.spikes
            inhibit = net.inhibition * (on_time.sum() - on_time) / dt
            # what the step's first spike already did to the neurons it beat (see below)
            if applied:
                beaten = chosen[np.arange(chosen.size) != winner]
                inhibit[beaten] = np.maximum(inhibit[beaten] - applied / dt, 0.0)
    if not neurons:
        return np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate(neurons).astype(np.int64), np.concatenate(times)


def _first_crossing_wins(
    net: FastNetwork,
    state: NeuronState,
    chosen: IntArray,
    current: FloatArray,
    shift: FloatArray,
    step: Step,
) -> tuple[Step, float, int]:
    """Resolve a step in which several OFF neurons reach their thresholds: the earliest
    crossing fires and, as in the circuit (its spike discharges the others within
    nanoseconds), the others feel its inhibition from that instant; they fire only if their
    drive still carries them over. Without this, a volley of synchronous input spikes would
    make every output that crosses within one step fire together. Returns the step and the
    charge (C) of inhibition applied to the others inside it and the winner's position in
    ``chosen`` (-1: no contest)."""
    neuron, dt = net.output_neuron, net.dt
    newly = (step.spikes > 0) & ~state.on[chosen]
    if np.count_nonzero(newly) < 2:
        return step, 0.0, -1
    crossing = np.where(newly, step.first_spike, np.inf)
    winner = int(np.argmin(crossing))
    # its inhibition reaches the others after the latency; what crosses before still fires
    at = float(crossing[winner]) + net.inhibition_latency
    if at >= dt:
        return step, 0.0, -1
    others = np.flatnonzero(np.arange(chosen.size) != winner)
    picked = chosen[others]
    start = NeuronState(state.v[picked], state.on[picked])
    before = advance(neuron, start, current[picked], at, shift[picked])
    # the winner's ON time inside the step, spread over the rest of it
    charge = net.inhibition * float(step.on_time[winner] + neuron.pulse_extension)
    rest = max(dt - at, 1e-30)
    after = advance(neuron, before.state, current[picked] - charge / rest, rest, shift[picked])
    first = np.where(
        before.spikes > 0, before.first_spike, np.where(after.spikes > 0, at + after.first_spike,
                                                        np.nan)
    )  # fmt: skip
    merged = Step(
        NeuronState(step.state.v.copy(), step.state.on.copy()),
        step.spikes.copy(),
        step.first_spike.copy(),
        step.device_charge.copy(),
        step.on_time.copy(),
        step.on_charge.copy(),
    )
    merged.state.v[others] = after.state.v
    merged.state.on[others] = after.state.on
    merged.spikes[others] = before.spikes + after.spikes
    merged.first_spike[others] = first
    merged.device_charge[others] = before.device_charge + after.device_charge
    merged.on_time[others] = before.on_time + after.on_time
    merged.on_charge[others] = before.on_charge + after.on_charge
    return merged, charge, winner


def group_rows(
    keys: FloatArray, conductance: FloatArray
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Crossbar rows with equal ``keys`` (one row of values per input) share one trajectory:
    the distinct keys, the index of each row's key, and each key's summed conductances."""
    distinct, row_key = np.unique(keys, axis=0, return_inverse=True)
    row_key = row_key.reshape(-1)
    grouped = np.zeros((distinct.shape[0], conductance.shape[1]))
    np.add.at(grouped, row_key, conductance)
    return distinct, row_key, grouped


def _input_timing(
    neuron: NeuronSurrogate, currents: FloatArray, starts: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """First spike time (s, inf: never) and period (s) of each input under its DC current,
    from its membrane's start (V, below the threshold)."""
    g_rest = neuron.g_leak + neuron.g_off
    v_inf = currents / g_rest
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(
            v_inf > neuron.v_threshold,
            neuron.c / g_rest * np.log((v_inf - starts) / (v_inf - neuron.v_threshold)),
            np.inf,
        )
    t_charge, t_spike = neuron.phase_times(currents)
    return first, t_charge + t_spike


def _weights(weights: ArrayLike, shape: tuple[int, int]) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != shape:
        raise LearnError(f"weights have shape {w.shape}; the network needs {shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or np.any(w > 1):
        raise LearnError("weights must lie in [0, 1]")
    return w
