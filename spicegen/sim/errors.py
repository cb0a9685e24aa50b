"""Errors of the simulation engine; each one carries ngspice's own message."""

from __future__ import annotations

from spicegen.errors import SpicegenError


class SimulationError(SpicegenError):
    """ngspice could not produce a result.

    ``message`` is ngspice's own text (or ours, when ngspice said nothing), ``analysis`` the
    analysis card that was running, ``log`` everything ngspice printed.
    """

    kind = "simulation failed"
    # who stopped the run: ngspice, or spicegen before ngspice saw anything
    source = "ngspice"

    def __init__(self, message: str, *, analysis: str | None = None, log: str = "") -> None:
        self.message = message.strip()
        self.analysis = analysis
        self.log = log
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" during {self.analysis!r}" if self.analysis else ""
        return f"{self.source}: {self.kind}{where}:\n{_indent(self.message)}"


class ConvergenceError(SimulationError):
    """No convergence: timestep too small, DC/OP iteration limit, gmin/source stepping failed."""

    kind = "no convergence"


class ModelError(SimulationError):
    """A compiled model stopped the simulation (Verilog-A ``$error`` or ``$fatal``); the
    message is the model's own, with the instance that raised it."""

    kind = "the model stopped the simulation"
    source = "Verilog-A model"


class NetlistSyntaxError(SimulationError):
    """ngspice rejected the netlist; ``line`` is the netlist line number it named, if any."""

    kind = "netlist rejected"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        analysis: str | None = None,
        log: str = "",
    ) -> None:
        self.line = line
        super().__init__(message, analysis=analysis, log=log)

    def _describe(self) -> str:
        where = f" at line {self.line}" if self.line is not None else ""
        return f"{self.source}: {self.kind}{where}:\n{_indent(self.message)}"


class SimulatorCrashed(SimulationError):
    """The ngspice process (batch) or its worker process (shared library) died or aborted."""

    kind = "simulator crashed"

    def __init__(
        self,
        message: str,
        *,
        exit_status: int | None = None,
        analysis: str | None = None,
        log: str = "",
    ) -> None:
        self.exit_status = exit_status
        super().__init__(message, analysis=analysis, log=log)


class SimulationTimeout(SimulationError):
    """The simulation ran longer than the timeout (s) and was stopped."""

    kind = "timed out"

    def __init__(
        self, message: str, *, timeout: float, analysis: str | None = None, log: str = ""
    ) -> None:
        self.timeout = timeout
        super().__init__(message, analysis=analysis, log=log)


class UnsafeNetlistError(SimulationError):
    """spicegen refused the netlist before ngspice saw it: it holds a way to run commands or
    load code (``.control``, ``*#`` lines, ``*ng_script``, ``d_cosim``/``d_process`` models) and
    ``allow_control`` was not given, or it includes a file that cannot be read.
    """

    kind = "netlist refused"
    source = "spicegen"


class SessionError(SimulationError):
    """A session was asked for something it cannot do (unknown name, closed session...)."""

    kind = "session error"
    source = "spicegen"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines()) or "  (ngspice printed nothing)"


class InvalidRequestError(SimulationError, ValueError):
    """The call itself is wrong (unknown backend, bad value): nothing was run."""

    kind = "invalid request"
    source = "spicegen"
