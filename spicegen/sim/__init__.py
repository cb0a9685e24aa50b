"""Running ngspice: ``simulate`` (batch or shared library) and ``Session`` for co-simulation.

Names are imported on first use (PEP 562), so ``import spicegen.sim`` costs almost nothing and
``simulate`` never imports what only ``Session`` needs.
"""

from __future__ import annotations

from spicegen.lazy import lazy_exports

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from spicegen.netlist import Ac, Analysis, Dc, Op, Option, Param, Tran
    from spicegen.sim.errors import (
        ConvergenceError,
        InvalidRequestError,
        ModelError,
        NetlistSyntaxError,
        SessionError,
        SimulationError,
        SimulationTimeout,
        SimulatorCrashed,
        UnsafeNetlistError,
    )
    from spicegen.sim.result import Result
    from spicegen.sim.run import Run, Variable, variables_from_init
    from spicegen.sim.session import Session
    from spicegen.sim.simulation import Backend, simulate, simulate_summary

_WHERE = {
    **dict.fromkeys(("Ac", "Analysis", "Dc", "Op", "Option", "Param", "Tran"), "spicegen.netlist"),
    **dict.fromkeys(
        (
            "ConvergenceError",
            "InvalidRequestError",
            "ModelError",
            "NetlistSyntaxError",
            "SessionError",
            "SimulationError",
            "SimulationTimeout",
            "SimulatorCrashed",
            "UnsafeNetlistError",
        ),
        "spicegen.sim.errors",
    ),
    "Result": "spicegen.sim.result",
    "Run": "spicegen.sim.run",
    "Variable": "spicegen.sim.run",
    "variables_from_init": "spicegen.sim.run",
    "Session": "spicegen.sim.session",
    "Backend": "spicegen.sim.simulation",
    "simulate": "spicegen.sim.simulation",
    "simulate_summary": "spicegen.sim.simulation",
}

__all__ = [
    "Ac",
    "Analysis",
    "Backend",
    "ConvergenceError",
    "Dc",
    "InvalidRequestError",
    "ModelError",
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
    "simulate_summary",
    "variables_from_init",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
