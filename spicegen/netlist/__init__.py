"""The circuit as data, and the one writer of ngspice text.

Build a ``Circuit`` from elements (``Resistor``, ``VoltageSource``, ``SubcktInstance``, ...),
``Subckt`` definitions, ``Model``/``Param``/``Option`` cards and analyses (``Op``, ``Dc``,
``Tran``, ``Ac``); every field is checked on construction and a bad one raises ``NetlistError``
naming it. ``to_ngspice(circuit)`` returns the deck text.

Names are imported on first use (PEP 562): ``spicegen run`` on netlist text needs only the
analyses, and never the element types, the writer or numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spicegen.lazy import lazy_exports

if TYPE_CHECKING:
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
        Mosfet,
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

_WHERE = {
    "Ac": "spicegen.netlist.analyses",
    "Analysis": "spicegen.netlist.analyses",
    "Dc": "spicegen.netlist.analyses",
    "Op": "spicegen.netlist.analyses",
    "Tran": "spicegen.netlist.analyses",
    "ElementBlock": "spicegen.netlist.bulk",
    "Names": "spicegen.netlist.bulk",
    "Circuit": "spicegen.netlist.circuit",
    "InitialCondition": "spicegen.netlist.circuit",
    "Model": "spicegen.netlist.circuit",
    "Option": "spicegen.netlist.circuit",
    "Param": "spicegen.netlist.circuit",
    "Subckt": "spicegen.netlist.circuit",
    "BSource": "spicegen.netlist.elements",
    "Capacitor": "spicegen.netlist.elements",
    "Cccs": "spicegen.netlist.elements",
    "Ccvs": "spicegen.netlist.elements",
    "CSwitch": "spicegen.netlist.elements",
    "CurrentSource": "spicegen.netlist.elements",
    "Element": "spicegen.netlist.elements",
    "Inductor": "spicegen.netlist.elements",
    "Mosfet": "spicegen.netlist.elements",
    "OsdiInstance": "spicegen.netlist.elements",
    "Resistor": "spicegen.netlist.elements",
    "SubcktInstance": "spicegen.netlist.elements",
    "Vccs": "spicegen.netlist.elements",
    "Vcvs": "spicegen.netlist.elements",
    "VoltageSource": "spicegen.netlist.elements",
    "VSwitch": "spicegen.netlist.elements",
    "XspiceInstance": "spicegen.netlist.elements",
    "NetlistError": "spicegen.netlist.errors",
    "Params": "spicegen.netlist.validate",
    "Value": "spicegen.netlist.validate",
    "Exp": "spicegen.netlist.waveforms",
    "Pulse": "spicegen.netlist.waveforms",
    "Pwl": "spicegen.netlist.waveforms",
    "Sine": "spicegen.netlist.waveforms",
    "TrNoise": "spicegen.netlist.waveforms",
    "TrRandom": "spicegen.netlist.waveforms",
    "Waveform": "spicegen.netlist.waveforms",
    "analysis_card": "spicegen.netlist.writer",
    "element_card": "spicegen.netlist.writer",
    "model_card": "spicegen.netlist.writer",
    "option_card": "spicegen.netlist.writer",
    "param_card": "spicegen.netlist.writer",
    "subckt_text": "spicegen.netlist.writer",
    "to_ngspice": "spicegen.netlist.writer",
    "write_ngspice": "spicegen.netlist.writer",
}

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
    "Mosfet",
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


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
