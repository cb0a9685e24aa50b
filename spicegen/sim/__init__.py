"""Running ngspice: ``simulate`` (batch or shared library) and ``Session`` for co-simulation."""

from spicegen.netlist import Ac, Dc, Op, Tran
from spicegen.sim.deck import Analysis
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
    "Result",
    "Session",
    "SessionError",
    "SimulationError",
    "SimulationTimeout",
    "SimulatorCrashed",
    "Tran",
    "UnsafeNetlistError",
    "simulate",
]
