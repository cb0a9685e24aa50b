"""Analyses the writer puts on the deck (``spicegen.sim`` re-exports them); plain SI numbers."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Literal

from spicegen.netlist.errors import netlist_error
from spicegen.netlist.validate import check_choice, check_element_name, check_flag, check_number


def _number(owner: object, field: str) -> float | int:
    name = f"{type(owner).__name__}.{field}"
    raw = getattr(owner, field)
    value = check_number(raw, name)
    if value is not raw:
        object.__setattr__(owner, field, value)
    return value


@dataclass(frozen=True, slots=True)
class Op:
    """``.op``: DC operating point."""


@dataclass(frozen=True, slots=True)
class Dc:
    """``.dc source start stop step``: sweep a V or I source; values in V or A.

    ``step`` may be negative for a falling sweep; it must point from ``start`` towards ``stop``.
    """

    source: str
    start: float
    stop: float
    step: float

    def __post_init__(self) -> None:
        check_element_name(self.source, "VvIi", "Dc.source")
        start = _number(self, "start")
        stop = _number(self, "stop")
        step = _number(self, "step")
        if step == 0:
            raise netlist_error("Dc.step", "expected a non-zero step", step)
        if (stop - start) * step < 0:
            raise netlist_error(
                "Dc.step", f"the step's sign does not lead from {start!r} to {stop!r}", step
            )


@dataclass(frozen=True, slots=True)
class Tran:
    """``.tran step stop [start [max_step]] [uic]``: transient; all times in seconds.

    ``start`` is when output begins; ``uic`` skips the initial operating point and uses ``.ic``
    values and element ``ic=`` instead.
    """

    step: float
    stop: float
    start: float = 0.0
    max_step: float | None = None
    uic: bool = False

    def __post_init__(self) -> None:
        step = _number(self, "step")
        stop = _number(self, "stop")
        start = _number(self, "start")
        if not step > 0:
            raise netlist_error("Tran.step", "expected a positive time step in s", step)
        if not start >= 0:
            raise netlist_error("Tran.start", "expected a start time >= 0 s", start)
        if not stop > start:
            raise netlist_error("Tran.stop", f"expected a stop time > start ({start!r} s)", stop)
        if self.max_step is not None:
            max_step = _number(self, "max_step")
            if not max_step > 0:
                raise netlist_error("Tran.max_step", "expected a positive time in s", max_step)
        check_flag(self.uic, "Tran.uic")


@dataclass(frozen=True, slots=True)
class Ac:
    """``.ac dec|oct|lin points fstart fstop``: small-signal sweep; frequencies in Hz.

    ``points`` is per decade (dec), per octave (oct) or in total (lin).
    """

    variation: Literal["dec", "oct", "lin"]
    points: int
    fstart: float
    fstop: float

    def __post_init__(self) -> None:
        check_choice(self.variation, ("dec", "oct", "lin"), "Ac.variation")
        points = self.points
        if type(points) is bool or not isinstance(points, numbers.Integral) or points < 1:
            raise netlist_error("Ac.points", "expected an integer >= 1", points)
        if type(points) is not int:
            object.__setattr__(self, "points", int(points))
        fstart = _number(self, "fstart")
        fstop = _number(self, "fstop")
        if not fstart > 0:
            raise netlist_error("Ac.fstart", "expected a positive frequency in Hz", fstart)
        if not fstop > fstart:
            raise netlist_error("Ac.fstop", f"expected a frequency > fstart ({fstart!r} Hz)", fstop)


Analysis = Op | Dc | Tran | Ac
ANALYSIS_TYPES: tuple[type, ...] = (Op, Dc, Tran, Ac)
