"""spicegen: Verilog-A compact models, neuromorphic circuit generators and ngspice co-simulation.

The public API; see the README for a tour. Names are imported on first use (PEP 562): a
script that only simulates never loads the Verilog-A compiler, and ``import spicegen`` is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spicegen.errors import SpicegenError
    from spicegen.netlist import Circuit, NetlistError, Subckt, to_ngspice
    from spicegen.sim import (
        Ac,
        ConvergenceError,
        Dc,
        NetlistSyntaxError,
        Op,
        Result,
        Run,
        Session,
        SimulationError,
        SimulationTimeout,
        SimulatorCrashed,
        Tran,
        UnsafeNetlistError,
        Variable,
        simulate,
    )
    from spicegen.va import CompiledModel, ParameterError, VaError
    from spicegen.va.compile import compile_model, compile_va
    from spicegen.waves import RawFileError, Waveforms, read_raw, read_raw_plots

_WHERE = {
    "SpicegenError": "spicegen.errors",
    **dict.fromkeys(("Circuit", "NetlistError", "Subckt", "to_ngspice"), "spicegen.netlist"),
    **dict.fromkeys(
        (
            "Ac",
            "ConvergenceError",
            "Dc",
            "NetlistSyntaxError",
            "Op",
            "Result",
            "Run",
            "Session",
            "SimulationError",
            "SimulationTimeout",
            "SimulatorCrashed",
            "Tran",
            "UnsafeNetlistError",
            "Variable",
            "simulate",
        ),
        "spicegen.sim",
    ),
    **dict.fromkeys(("CompiledModel", "ParameterError", "VaError"), "spicegen.va"),
    **dict.fromkeys(("compile_model", "compile_va"), "spicegen.va.compile"),
    **dict.fromkeys(("RawFileError", "Waveforms", "read_raw", "read_raw_plots"), "spicegen.waves"),
}

__all__ = [
    "Ac",
    "Circuit",
    "CompiledModel",
    "ConvergenceError",
    "Dc",
    "NetlistError",
    "NetlistSyntaxError",
    "Op",
    "ParameterError",
    "RawFileError",
    "Result",
    "Run",
    "Session",
    "SimulationError",
    "SimulationTimeout",
    "SimulatorCrashed",
    "SpicegenError",
    "Subckt",
    "Tran",
    "UnsafeNetlistError",
    "VaError",
    "Variable",
    "Waveforms",
    "compile_model",
    "compile_va",
    "read_raw",
    "read_raw_plots",
    "simulate",
    "to_ngspice",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        # a submodule reached as an attribute (spicegen.models, spicegen.circuits...)
        try:
            return importlib.import_module(f"spicegen.{name}")
        except ModuleNotFoundError:
            raise AttributeError(f"module 'spicegen' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
