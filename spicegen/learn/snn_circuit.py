"""The fast engine's network as a circuit: its ngspice netlist, and its characterisation.

``SpikingCircuit`` names the devices and circuit values of the network ``snn_fast`` simulates
(threshold-switch neurons, a crossbar of memristive synapses, comparators on the spike
outputs, lateral inhibition). Two things are made from it:

- ``fast_network(circuit)``: the ``FastNetwork`` of its SPICE characterisations (the input and
  output neurons' two-phase models, every crossbar device's read conductance), cached;
- ``spice_presentation(circuit, sample, weights)``: one presentation as one ngspice transient
  of the whole network, read back in the fast engine's terms (output spikes, presynaptic
  membranes at each spike), the reference the fast engine is checked against.

Netlist (SI units): input ``i`` is ``lif_neuron`` ``Xi{i}`` (membrane ``mi{i}``, spike output
``oi{i}``) fed by ``Ii{i}``; ``Brow{i}`` drives row ``r{i}`` to ``pulse_voltage`` while
``V(oi{i})`` is above ``knee`` (the device ON); synapse ``Xs{i}_{j}`` (the synapse model, state
parameter set from the weight) joins ``r{i}`` to column ``c{j}``, held at 0 V by ``Vc{j}``;
``Fo{j}`` copies ``column_gain`` times the column current into output membrane ``mo{j}`` of
``lif_neuron`` ``Xo{j}`` (spike output ``oo{j}``); ``Binh{j}`` draws ``inhibition`` A from
``mo{j}`` for every other output that is ON. Adaptive thresholds are the output devices'
``vth`` raised by the shift.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spicegen.circuits import CompiledDevice, LifParams, lif_neuron
from spicegen.learn.errors import LearnError
from spicegen.learn.snn_fast import FastEngine, FastNetwork, FastPresentation
from spicegen.netlist import (
    BSource,
    Cccs,
    Circuit,
    CurrentSource,
    Element,
    Pwl,
    SubcktInstance,
    Tran,
    VoltageSource,
)
from spicegen.sim import simulate
from spicegen.surrogate import characterise_neuron, characterise_synapse
from spicegen.va import CompiledModel

__all__ = ["SpikingCircuit", "fast_network", "spice_presentation", "synapse_cells"]

FloatArray = NDArray[np.float64]
_EDGE = 1e-9  # s, rise of the input currents from 0 A (the membranes start discharged)


@dataclass(frozen=True, slots=True)
class SpikingCircuit:
    """The network's devices and circuit values (SI units); see the module text.

    ``neuron_device`` is the threshold switch of every neuron (``input``/``output`` its
    ``LifParams``); ``synapse_device`` the crossbar's memristor, its state instance parameter
    ``state_parameter`` set to ``state_min + w (state_max - state_min)``, ``synapse_params``
    fixed on every cell, ``synapse_seed`` the cells' instance seed; ``fit_currents`` the DC
    currents (A) each neuron kind is characterised at, over ``fit_duration`` s.
    """

    neuron_device: CompiledModel
    synapse_device: CompiledModel
    inputs: int
    outputs: int
    input: LifParams
    output: LifParams
    input_bias: float
    input_gain: float
    duration: float
    dt: float
    pulse_voltage: float = 0.1
    column_gain: float = 1.0
    inhibition: float = 0.0
    state_parameter: str = "x0"
    state_min: float = 0.0
    state_max: float = 1.0
    synapse_params: Mapping[str, float] = field(default_factory=dict)
    synapse_seed: int = 0
    knee: float = 0.05
    input_fit_currents: tuple[float, ...] = (300e-6, 400e-6, 600e-6)
    output_fit_currents: tuple[float, ...] = (150e-6, 250e-6, 400e-6)
    fit_duration: float = 25e-6
    max_step: float = 5e-9


def synapse_cells(circuit: SpikingCircuit) -> list[SubcktInstance]:
    """Every crossbar cell ``Xs{i}_{j}`` (row-major), with its own random draws."""
    device = circuit.synapse_device
    return [
        device.instance(
            f"Xs{i}_{j}",
            (f"r{i}", f"c{j}"),
            seed=circuit.synapse_seed,
            **dict(circuit.synapse_params),
        )
        for i in range(circuit.inputs)
        for j in range(circuit.outputs)
    ]


def fast_network(circuit: SpikingCircuit, *, use_cache: bool = True) -> FastNetwork:
    """The ``FastNetwork`` of ``circuit``'s characterisations (ngspice, cached)."""
    options = {"duration": circuit.fit_duration, "max_step": circuit.max_step}
    device = circuit.neuron_device
    inputs = characterise_neuron(
        device, circuit.input, circuit.input_fit_currents, use_cache=use_cache, **options
    )
    outputs = characterise_neuron(
        device, circuit.output, circuit.output_fit_currents, use_cache=use_cache, **options
    )
    # the read range covers the pulse; the devices are the network's own cells
    v = circuit.pulse_voltage
    synapse = characterise_synapse(
        circuit.synapse_device,
        circuit.state_parameter,
        (circuit.state_min, 0.5 * (circuit.state_min + circuit.state_max), circuit.state_max),
        v_read=v,
        voltages=(-v, -0.5 * v, 0.5 * v, v),
        devices=[dict(cell.params) for cell in synapse_cells(circuit)],
        use_cache=use_cache,
    )
    return FastNetwork(
        input_neuron=inputs,
        output_neuron=outputs,
        inputs=circuit.inputs,
        outputs=circuit.outputs,
        input_bias=circuit.input_bias,
        input_gain=circuit.input_gain,
        duration=circuit.duration,
        dt=circuit.dt,
        pulse_voltage=v,
        column_gain=circuit.column_gain,
        synapse=synapse,
        state_min=circuit.state_min,
        state_max=circuit.state_max,
        inhibition=circuit.inhibition,
    )


def netlist(
    circuit: SpikingCircuit,
    sample: ArrayLike,
    weights: ArrayLike,
    threshold_shift: ArrayLike = 0.0,
) -> Circuit:
    """The whole network for one presentation as a ``Circuit``."""
    n_in, n_out = circuit.inputs, circuit.outputs
    x = np.asarray(sample, dtype=np.float64).reshape(-1)
    w = np.asarray(weights, dtype=np.float64)
    if x.size != n_in or w.shape != (n_in, n_out):
        raise LearnError(f"need {n_in} intensities and ({n_in}, {n_out}) weights")
    shift = np.broadcast_to(np.asarray(threshold_shift, dtype=np.float64), (n_out,))
    device = circuit.neuron_device
    neuron_in = lif_neuron(device, replace(circuit.input, name="neuron_in", input_current=0.0))
    # the output devices' thresholds carry the adaptive shift (the model's own vth plus it)
    vth = float(device.parameter_values({})["vth"])
    subckts = [neuron_in]
    elements: list[Element] = []
    for i in range(n_in):
        current = circuit.input_bias + circuit.input_gain * float(x[i])
        ramp = Pwl(((0.0, 0.0), (_EDGE, current)))
        elements += [
            CurrentSource(f"Ii{i}", "0", f"mi{i}", waveform=ramp),
            SubcktInstance(f"Xi{i}", (f"mi{i}", f"oi{i}", "0"), neuron_in.name),
            BSource(
                f"Brow{i}", f"r{i}", "0", "v", f"{circuit.pulse_voltage}*{_on(f'oi{i}', circuit)}"
            ),
        ]
    state = circuit.state_min + w * (circuit.state_max - circuit.state_min)
    for cell, value in zip(synapse_cells(circuit), state.reshape(-1), strict=True):
        params = {**dict(cell.params), circuit.state_parameter: float(value)}
        elements.append(SubcktInstance(cell.name, cell.nodes, cell.subckt, params))
    for j in range(n_out):
        neuron_out = lif_neuron(
            CompiledDevice(device, params=(("vth", vth + float(shift[j])),)),
            replace(circuit.output, name=f"neuron_out{j}", input_current=0.0),
        )
        subckts.append(neuron_out)
        others = [_on(f"oo{k}", circuit) for k in range(n_out) if k != j]
        elements += [
            VoltageSource(f"Vc{j}", f"c{j}", "0", dc=0.0),
            # Vc's current flows from c{j} through it to ground: the column current
            Cccs(f"Fo{j}", "0", f"mo{j}", f"Vc{j}", circuit.column_gain),
            SubcktInstance(f"Xo{j}", (f"mo{j}", f"oo{j}", "0"), neuron_out.name),
        ]
        if circuit.inhibition and others:
            expression = f"{circuit.inhibition}*({'+'.join(others)})"
            elements.append(BSource(f"Binh{j}", f"mo{j}", "0", "i", expression))
    return Circuit(
        title="spiking network presentation",
        elements=tuple(elements),
        subckts=(*subckts, circuit.synapse_device.subckt),
    )


def spice_presentation(
    circuit: SpikingCircuit,
    sample: ArrayLike,
    weights: ArrayLike,
    threshold_shift: ArrayLike = 0.0,
) -> FastPresentation:
    """One presentation in ngspice, measured as the fast engine reports it: output spikes are
    the rising crossings of the comparator level on the spike outputs; presynaptic membranes
    are interpolated from the waveforms at those times."""
    net = netlist(circuit, sample, weights, threshold_shift)
    analysis = Tran(step=circuit.max_step, stop=circuit.duration, max_step=circuit.max_step)
    waves = simulate(net, analysis).waveforms
    t = np.asarray(waves.axis, dtype=np.float64)
    neurons, times = [], []
    for j in range(circuit.outputs):
        spikes = _rising(t, np.asarray(waves.v(f"oo{j}")), circuit.knee)
        neurons += [j] * spikes.size
        times += list(spikes)
    order = np.argsort(times, kind="stable")
    spike_neurons = np.asarray(neurons, dtype=np.int64)[order]
    spike_times = np.asarray(times, dtype=np.float64)[order]
    v_pre = np.array(
        [[np.interp(s, t, waves.v(f"mi{i}")) for i in range(circuit.inputs)] for s in spike_times]
    ).reshape(spike_times.size, circuit.inputs)
    first, counts = [], []
    for i in range(circuit.inputs):
        spikes = _rising(t, np.asarray(waves.v(f"oi{i}")), circuit.knee)
        first.append(spikes[0] if spikes.size else math.inf)
        counts.append(spikes.size)
    period = np.full(circuit.inputs, math.nan)
    return FastPresentation(
        spike_neurons=spike_neurons,
        spike_times=spike_times,
        counts=np.bincount(spike_neurons, minlength=circuit.outputs).astype(np.int64),
        v_pre=v_pre,
        input_counts=np.asarray(counts, dtype=np.int64),
        input_first=np.asarray(first),
        input_period=period,
        duration=float(t[-1]),
    )


def _on(node: str, circuit: SpikingCircuit) -> str:
    """A comparator on a spike output: 0 (device OFF) .. 1 (ON) around ``knee``, smooth over
    a tenth of it (a hard step makes ngspice's time step collapse at every edge)."""
    width = 0.1 * circuit.knee
    return f"0.5*(1+tanh((v({node})-{circuit.knee})/{width}))"


def _rising(t: FloatArray, y: FloatArray, level: float) -> FloatArray:
    above = y > level
    index = np.flatnonzero(~above[:-1] & above[1:])
    # linear interpolation between the samples around each crossing
    t0, t1, y0, y1 = t[index], t[index + 1], y[index], y[index + 1]
    return np.asarray(t0 + (level - y0) * (t1 - t0) / (y1 - y0))


def fast_engine(circuit: SpikingCircuit, *, use_cache: bool = True) -> FastEngine:
    """A ``FastEngine`` on ``circuit``'s characterisations."""
    return FastEngine(fast_network(circuit, use_cache=use_cache))
