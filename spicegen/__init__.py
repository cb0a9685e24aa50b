"""spicegen: Verilog-A compact models, neuromorphic circuit generators and ngspice co-simulation.

The public API; see the README for a tour. Names are imported on first use (PEP 562), so
``import spicegen`` (and every ``spicegen`` command) starts without loading numpy, the
Verilog-A compiler or the simulator until something needs them.
"""

from __future__ import annotations

from spicegen.errors import SpicegenError
from spicegen.lazy import lazy_exports

# pyproject.toml's version, kept here so that `spicegen --version` needs no metadata lookup
# (importlib.metadata costs more than the rest of the start-up); tests/test_api.py checks both
__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "Ac": "spicegen.sim",
    "Circuit": "spicegen.netlist",
    "CompiledModel": "spicegen.va",
    "ConvergenceError": "spicegen.sim",
    "Dc": "spicegen.sim",
    "NetlistError": "spicegen.netlist",
    "NetlistSyntaxError": "spicegen.sim",
    "Op": "spicegen.sim",
    "ParameterError": "spicegen.va",
    "RawFileError": "spicegen.waves",
    "Result": "spicegen.sim",
    "Run": "spicegen.sim",
    "Session": "spicegen.sim",
    "SimulationError": "spicegen.sim",
    "SimulationTimeout": "spicegen.sim",
    "SimulatorCrashed": "spicegen.sim",
    "Subckt": "spicegen.netlist",
    "Tran": "spicegen.sim",
    "UnsafeNetlistError": "spicegen.sim",
    "VaError": "spicegen.va",
    "Variable": "spicegen.sim",
    "Waveforms": "spicegen.waves",
    "compile_model": "spicegen.va.compile",
    "compile_va": "spicegen.va.compile",
    "read_raw": "spicegen.waves",
    "read_raw_plots": "spicegen.waves",
    "simulate": "spicegen.sim",
    "to_ngspice": "spicegen.netlist",
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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
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
