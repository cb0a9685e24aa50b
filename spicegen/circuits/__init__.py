"""Generators of the papers' circuits, each a pure function returning netlist types.

One module per generator: ``crossbar`` (crossbar arrays, read and write circuits),
``oscillator_neuron`` (threshold-switch spiking neurons, LIF, WTA populations), ``neuron_pair``
(MTJ finite-difference pairs), ``network_layer`` (a crossbar driving neuron pairs),
``bayesian_machine`` (stochastic naive-Bayes inference in XSPICE logic). Every generator takes
the one device type of ``devices``: ``ResistorDevice()`` or ``CompiledDevice(model, ...)``
(each instance its own device: own draws, range-checked values). ``names`` spells what a
co-simulation touches. Errors in a generator's parameters are ``CircuitSpecError`` (a
``ValueError``) naming the field.
"""

from spicegen.circuits import bayesian_machine, names
from spicegen.circuits.crossbar import (
    AccessTransistor,
    CrossbarParams,
    LinearConductance,
    LinearState,
    Quantised,
    SenseResistor,
    TransimpedanceAmplifier,
    VirtualGround,
    Wires,
    crossbar,
    disturb_voltages,
    read_circuit,
    write_circuit,
)
from spicegen.circuits.devices import CompiledDevice, Device, ResistorDevice
from spicegen.circuits.errors import CircuitSpecError
from spicegen.circuits.network_layer import (
    NetworkLayerParams,
    layer_outputs,
    network_layer,
    pair_resistances,
)
from spicegen.circuits.neuron_pair import NeuronPairParams, neuron_pair
from spicegen.circuits.oscillator_neuron import (
    LifParams,
    OscillatorNeuronParams,
    PopulationParams,
    lif_neuron,
    oscillator_neuron,
    oscillator_period,
    population,
)

__all__ = [
    "AccessTransistor",
    "CircuitSpecError",
    "CompiledDevice",
    "CrossbarParams",
    "Device",
    "LifParams",
    "LinearConductance",
    "LinearState",
    "NetworkLayerParams",
    "NeuronPairParams",
    "OscillatorNeuronParams",
    "PopulationParams",
    "Quantised",
    "ResistorDevice",
    "SenseResistor",
    "TransimpedanceAmplifier",
    "VirtualGround",
    "Wires",
    "bayesian_machine",
    "crossbar",
    "disturb_voltages",
    "layer_outputs",
    "lif_neuron",
    "names",
    "network_layer",
    "neuron_pair",
    "oscillator_neuron",
    "oscillator_period",
    "pair_resistances",
    "population",
    "read_circuit",
    "write_circuit",
]
