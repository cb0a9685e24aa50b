"""What a simulation returns."""

from __future__ import annotations

from dataclasses import dataclass

from spicegen.sim.errors import SimulationError

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from spicegen.netlist import Analysis
    from spicegen.waves import Waveforms


@dataclass(frozen=True, slots=True)
class Result:
    """The plots ngspice produced, what ran, ngspice's log and the wall time.

    ``analysis`` is the Analysis object passed to ``simulate``, or the analysis cards found in
    the netlist text; ``elapsed`` is the time spent in ngspice, in seconds.
    """

    plots: tuple[Waveforms, ...]
    analysis: Analysis | str | None
    log: str
    elapsed: float
    backend: str
    netlist: str

    @property
    def waveforms(self) -> Waveforms:
        """The main plot: the last one ngspice produced (the requested analysis)."""
        if not self.plots:
            raise SimulationError(
                "ngspice produced no plot: the netlist has no analysis, or its .control "
                "block ran none",
                analysis=self.analysis if isinstance(self.analysis, str) else None,
                log=self.log,
            )
        return self.plots[-1]
