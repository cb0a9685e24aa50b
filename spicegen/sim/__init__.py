"""Running ngspice: ``simulate`` (batch or shared library) and ``Session`` for co-simulation."""

from spicegen.netlist import Ac, Analysis, Dc, Op, Option, Param, Tran
from spicegen.sim.errors import (
    ConvergenceError,
    InvalidRequestError,
    NetlistSyntaxError,
    SessionError,
    SimulationError,
    SimulationTimeout,
    SimulatorCrashed,
    UnsafeNetlistError,
)
from spicegen.sim.result import Result
from spicegen.sim.run import Run, Variable
from spicegen.sim.session import Session
from spicegen.sim.simulate import Backend, simulate

__all__ = [
    "Ac",
    "Analysis",
    "Backend",
    "ConvergenceError",
    "Dc",
    "InvalidRequestError",
    "NetlistSyntaxError",
    "Op",
    "Option",
    "Param",
    "Result",
    "Run",
    "Session",
    "SessionError",
    "SimulationError",
    "SimulationTimeout",
    "SimulatorCrashed",
    "Tran",
    "UnsafeNetlistError",
    "Variable",
    "simulate",
]
