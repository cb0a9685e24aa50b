"""Generators of the papers' circuits, each a pure function returning netlist types.

One module per generator: ``crossbar`` (crossbar arrays, read and write circuits),
``oscillator_neuron`` (threshold-switch spiking neurons, LIF, WTA populations), ``neuron_pair``
(MTJ finite-difference pairs), ``bayesian_machine`` (stochastic naive-Bayes inference in
XSPICE logic). Devices are compiled models (``spicegen.compile_va``) or plain
resistors; errors in a generator's parameters are ``CircuitSpecError`` (a ``ValueError``)
naming the field.
"""

from spicegen.circuits import bayesian_machine
from spicegen.circuits.crossbar import (
    AccessTransistor,
    CompiledDevice,
    CrossbarParams,
    LinearConductance,
    LinearState,
    Quantised,
    ResistorDevice,
    SenseResistor,
    TransimpedanceAmplifier,
    VirtualGround,
    Wires,
    crossbar,
    disturb_voltages,
    read_circuit,
    write_circuit,
)
from spicegen.circuits.errors import CircuitSpecError
from spicegen.circuits.neuron_pair import neuron_pair
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
    "LifParams",
    "LinearConductance",
    "LinearState",
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
    "lif_neuron",
    "neuron_pair",
    "oscillator_neuron",
    "oscillator_period",
    "population",
    "read_circuit",
    "write_circuit",
]

from spicegen.circuits.network_layer import (
    layer_outputs,
    network_layer,
    pair_resistances,
)

__all__ += ["layer_outputs", "network_layer", "pair_resistances"]
