"""Generators of the papers' circuits, each a pure function returning netlist types.

One module per generator: ``crossbar`` (crossbar arrays, read and write circuits). Devices are
compiled models (``spicegen.compile_va``) or plain resistors; errors in a generator's
parameters are ``CircuitSpecError`` (a ``ValueError``) naming the field.
"""

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

__all__ = [
    "AccessTransistor",
    "CircuitSpecError",
    "CompiledDevice",
    "CrossbarParams",
    "LinearConductance",
    "LinearState",
    "Quantised",
    "ResistorDevice",
    "SenseResistor",
    "TransimpedanceAmplifier",
    "VirtualGround",
    "Wires",
    "crossbar",
    "disturb_voltages",
    "read_circuit",
    "write_circuit",
]
