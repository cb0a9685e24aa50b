"""The convergence-recovery ladder: ngspice options tried, one rung at a time, after a failure.

A point that raises ``ConvergenceError`` at default options is run again with each rung in
order until one succeeds; every attempt is recorded. Rungs are independent (each one alone on
top of the point's own netlist), so the rung that rescued a point names the option that did it.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass

from spicegen.netlist import Tran
from spicegen.sim import (
    Analysis,
    ConvergenceError,
    Result,
    Run,
    SimulationError,
    Variable,
    simulate,
)

_ONE_THREAD = (Variable("num_threads", 1),)

# rung -> ngspice option cards it adds (``tmax`` changes the analysis instead)
RUNGS: dict[str, str] = {
    "gmin": ".options gminsteps=100",  # gmin stepping with 10x more steps than the default
    "source": ".options srcsteps=100",  # source stepping with 10x more steps
    "relax": ".options reltol=0.01 abstol=1e-9 vntol=1e-4 itl1=500 itl4=100",
    "tmax": "",  # transient: max step = (stop - start) / 1000
    "gear": ".options method=gear maxord=2",
}
_END = re.compile(r"^\s*\.end\s*$", re.IGNORECASE | re.MULTILINE)


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


def with_options(text: str, options: str) -> str:
    """``text`` with option cards inserted before its last ``.end`` (or appended)."""
    if not options:
        return text
    ends = list(_END.finditer(text))
    if not ends:
        return text.rstrip("\n") + "\n" + options + "\n"
    cut = ends[-1].start()
    return text[:cut] + options + "\n" + text[cut:]


def rung_applies(rung: str, analysis: Analysis | None) -> bool:
    """``tmax`` needs a ``Tran`` given as an object; every other rung always applies."""
    return rung != "tmax" or isinstance(analysis, Tran)


def run_ladder(
    text: str,
    analysis: Analysis | None,
    *,
    rungs: tuple[str, ...],
    timeout: float,
    base_dir: str | None = None,
    osdi: tuple[str, ...] = (),
) -> Outcome:
    """Simulate ``text`` (batch backend), then climb ``rungs`` while it fails to converge.

    ``timeout`` (s) bounds each attempt; a timeout or any other failure ends the climb.
    """
    attempts: list[Attempt] = []
    error: SimulationError | None = None
    for rung in ("default", *rungs):
        if rung != "default" and not rung_applies(rung, analysis):
            continue
        deck, card = _rung_deck(text, analysis, rung)
        start = time.perf_counter()
        try:
            # one ngspice thread per point: the sweep runs points in parallel already
            run = Run(
                deck, card, base_dir=base_dir, osdi=osdi, variables=_ONE_THREAD if osdi else ()
            )
            result = simulate(run, timeout=timeout)
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


def _rung_deck(text: str, analysis: Analysis | None, rung: str) -> tuple[str, Analysis | None]:
    if rung == "default":
        return text, analysis
    if rung == "tmax" and isinstance(analysis, Tran):
        max_step = (analysis.stop - analysis.start) / 1000.0
        if analysis.max_step is not None:
            max_step = min(max_step, analysis.max_step / 10.0)
        return text, dataclasses.replace(analysis, max_step=max_step)
    return with_options(text, RUNGS[rung]), analysis
