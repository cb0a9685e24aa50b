"""The convergence-recovery ladder: ngspice options tried, one rung at a time, after a failure.

A point that raises ``ConvergenceError`` at default options is run again with each rung in
order until one succeeds; every attempt is recorded. Rungs are independent (each one alone on
top of the point's own run), so the rung that rescued a point names the option that did it.
A rung changes the point's ``Run`` as data: ``replace(run, options=run.options + RUNGS[rung])``
(later options win over the netlist's own of the same name), or its ``Tran`` for ``tmax``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from spicegen.netlist import Circuit, Option, Tran
from spicegen.sim import ConvergenceError, Result, Run, SimulationError, Variable, simulate

# one ngspice thread per point (OSDI devices evaluate on num_threads threads): the sweep runs
# points in parallel already
_ONE_THREAD = Variable("num_threads", 1)

# rung -> the ngspice options it adds (``tmax`` changes the transient instead)
RUNGS: dict[str, tuple[Option, ...]] = {
    # gmin stepping with 10x more steps than the default
    "gmin": (Option("gminsteps", 100),),
    # source stepping with 10x more steps
    "source": (Option("srcsteps", 100),),
    # tolerances 10x looser (reltol 1e-3 -> 1e-2...), more iterations per point and time step
    "relax": (
        Option("reltol", 0.01),
        Option("abstol", 1e-9),
        Option("vntol", 1e-4),
        Option("itl1", 500),
        Option("itl4", 100),
    ),
    # transient: max step = (stop - start) / 1000
    "tmax": (),
    # Gear integration of order 2: damps the ringing trapezoidal integration can start
    "gear": (Option("method", "gear"), Option("maxord", 2)),
}


@dataclass(frozen=True, slots=True)
class Attempt:
    """One run of a point: the rung (``default`` first), its outcome, wall time in s."""

    rung: str
    error: str | None
    message: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a point after the ladder: ``result`` or the last ``error``."""

    result: Result | None
    error: SimulationError | None
    attempts: tuple[Attempt, ...]

    @property
    def rung(self) -> str:
        """The rung of the final attempt."""
        return self.attempts[-1].rung


def transient(run: Run) -> Tran | None:
    """The transient ``run`` runs: its own analysis, or a Circuit's only analysis."""
    if isinstance(run.analysis, Tran):
        return run.analysis
    if run.analysis is None and isinstance(run.netlist, Circuit):
        analyses = run.netlist.analyses
        if len(analyses) == 1 and isinstance(analyses[0], Tran):
            return analyses[0]
    return None


def rung_applies(rung: str, run: Run) -> bool:
    """``tmax`` needs a transient known as data (``transient``); every other rung applies."""
    return rung != "tmax" or transient(run) is not None


def on_rung(run: Run, rung: str) -> Run:
    """``run`` as rung ``rung`` runs it (``default``: unchanged)."""
    if rung == "default":
        return run
    if rung == "tmax":
        tran = transient(run)
        if tran is None:
            raise ValueError("the tmax rung needs a transient analysis")
        max_step = (tran.stop - tran.start) / 1000.0
        if tran.max_step is not None:
            max_step = min(max_step, tran.max_step / 10.0)
        return dataclasses.replace(run, analysis=dataclasses.replace(tran, max_step=max_step))
    return dataclasses.replace(run, options=run.options + RUNGS[rung])


def run_ladder(run: Run, *, rungs: tuple[str, ...], timeout: float) -> Outcome:
    """Simulate ``run`` (batch backend), then climb ``rungs`` while it fails to converge.

    ``timeout`` (s) bounds each attempt; a timeout or any other failure ends the climb.
    """
    attempts: list[Attempt] = []
    error: SimulationError | None = None
    for rung in ("default", *rungs):
        if rung != "default" and not rung_applies(rung, run):
            continue
        start = time.perf_counter()
        try:
            result = simulate(_one_thread(on_rung(run, rung)), timeout=timeout)
        except SimulationError as err:
            error = err
            attempts.append(
                Attempt(rung, type(err).__name__, err.message, time.perf_counter() - start)
            )
            if not isinstance(err, ConvergenceError):
                break
            continue
        attempts.append(Attempt(rung, None, "", time.perf_counter() - start))
        return Outcome(result=result, error=None, attempts=tuple(attempts))
    return Outcome(result=None, error=error, attempts=tuple(attempts))


def _one_thread(run: Run) -> Run:
    """``run`` with ngspice's thread count set to 1, unless it sets one itself."""
    if any(variable.name.lower() == "num_threads" for variable in run.variables):
        return run
    return dataclasses.replace(run, variables=(*run.variables, _ONE_THREAD))
