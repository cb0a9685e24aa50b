"""The circuit as data, and the one writer of ngspice text.

Build a ``Circuit`` from elements (``Resistor``, ``VoltageSource``, ``SubcktInstance``, ...),
``Subckt`` definitions, ``Model``/``Param``/``Option`` cards and analyses (``Op``, ``Dc``,
``Tran``, ``Ac``); every field is checked on construction and a bad one raises ``NetlistError``
naming it. ``to_ngspice(circuit)`` returns the deck text.
"""

from spicegen.netlist.analyses import Ac, Analysis, Dc, Op, Tran
from spicegen.netlist.bulk import ElementBlock, Names
from spicegen.netlist.circuit import Circuit, InitialCondition, Model, Option, Param, Subckt
from spicegen.netlist.elements import (
    BSource,
    Capacitor,
    Cccs,
    Ccvs,
    CSwitch,
    CurrentSource,
    Element,
    Inductor,
    OsdiInstance,
    Resistor,
    SubcktInstance,
    Vccs,
    Vcvs,
    VoltageSource,
    VSwitch,
    XspiceInstance,
)
from spicegen.netlist.errors import NetlistError
from spicegen.netlist.validate import Params, Value
from spicegen.netlist.waveforms import Exp, Pulse, Pwl, Sine, TrNoise, TrRandom, Waveform
from spicegen.netlist.writer import (
    analysis_card,
    element_card,
    model_card,
    option_card,
    param_card,
    subckt_text,
    to_ngspice,
    write_ngspice,
)

__all__ = [
    "Ac",
    "Analysis",
    "BSource",
    "CSwitch",
    "Capacitor",
    "Cccs",
    "Ccvs",
    "Circuit",
    "CurrentSource",
    "Dc",
    "Element",
    "ElementBlock",
    "Exp",
    "Inductor",
    "InitialCondition",
    "Model",
    "Names",
    "NetlistError",
    "Op",
    "Option",
    "OsdiInstance",
    "Param",
    "Params",
    "Pulse",
    "Pwl",
    "Resistor",
    "Sine",
    "Subckt",
    "SubcktInstance",
    "TrNoise",
    "TrRandom",
    "Tran",
    "VSwitch",
    "Value",
    "Vccs",
    "Vcvs",
    "VoltageSource",
    "Waveform",
    "XspiceInstance",
    "analysis_card",
    "element_card",
    "model_card",
    "option_card",
    "param_card",
    "subckt_text",
    "to_ngspice",
    "write_ngspice",
]
