"""spicegen: Verilog-A compact models, neuromorphic circuit generators and ngspice co-simulation.

The public API; see the README for a tour.
"""

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
