"""Transient waveforms of independent sources (ngspice manual, chapter 4.1).

Levels are in volts for a VoltageSource and amperes for a CurrentSource; times in seconds,
frequencies in hertz. Any value may also be a SPICE number string or an expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spicegen.netlist.errors import netlist_error
from spicegen.netlist.validate import Value, check_choice, check_value


def _checked(
    owner: object, field: str, *, nonnegative: bool = False, positive: bool = False
) -> None:
    """Check ``owner.field`` and store the normalised value; numbers must meet the sign rule."""
    name = f"{type(owner).__name__}.{field}"
    raw = getattr(owner, field)
    value = check_value(raw, name)
    if not isinstance(value, str):
        if positive and not value > 0:
            raise netlist_error(name, "expected a positive number", value)
        if nonnegative and not value >= 0:
            raise netlist_error(name, "expected a number >= 0", value)
    if value is not raw:
        object.__setattr__(owner, field, value)


@dataclass(frozen=True, slots=True)
class Pulse:
    """``pulse(v1 v2 td tr tf pw per)``: from ``v1`` to ``v2`` after ``delay``, periodic.

    Levels in V (or A); ``delay``, ``rise``, ``fall``, ``width``, ``period`` in s.
    """

    v1: Value
    v2: Value
    delay: Value
    rise: Value
    fall: Value
    width: Value
    period: Value

    def __post_init__(self) -> None:
        _checked(self, "v1")
        _checked(self, "v2")
        for field in ("delay", "rise", "fall", "width"):
            _checked(self, field, nonnegative=True)
        _checked(self, "period", positive=True)


@dataclass(frozen=True, slots=True)
class Sine:
    """``sin(vo va freq td theta)``: ``offset`` + ``amplitude`` sine, damped after ``delay``.

    ``offset``, ``amplitude`` in V (or A); ``frequency`` in Hz; ``delay`` in s; ``damping`` in 1/s.
    """

    offset: Value
    amplitude: Value
    frequency: Value
    delay: Value = 0.0
    damping: Value = 0.0

    def __post_init__(self) -> None:
        _checked(self, "offset")
        _checked(self, "amplitude")
        _checked(self, "frequency", nonnegative=True)
        _checked(self, "delay", nonnegative=True)
        _checked(self, "damping")


@dataclass(frozen=True, slots=True)
class Pwl:
    """``pwl(t1 v1 t2 v2 ...)``: piecewise linear through ``(time s, level V or A)`` points.

    Numeric times must increase strictly (ngspice warns and misbehaves otherwise).
    """

    points: tuple[tuple[Value, Value], ...]

    def __post_init__(self) -> None:
        field = "Pwl.points"
        try:
            points = tuple((time, level) for time, level in self.points)
        except (TypeError, ValueError):
            raise netlist_error(field, "expected (time, level) pairs", self.points) from None
        if not points:
            raise netlist_error(field, "expected at least one (time, level) point", points)
        checked = tuple((check_value(t, field), check_value(v, field)) for t, v in points)
        previous: float | int | None = None
        for time, _ in checked:
            if isinstance(time, str):
                previous = None
                continue
            if time < 0 or (previous is not None and not time > previous):
                raise netlist_error(field, "expected non-negative, strictly increasing times", time)
            previous = time
        object.__setattr__(self, "points", checked)


@dataclass(frozen=True, slots=True)
class Exp:
    """``exp(v1 v2 td1 tau1 td2 tau2)``: exponential rise to ``v2`` and fall back to ``v1``.

    Levels in V (or A); delays and time constants in s.
    """

    v1: Value
    v2: Value
    rise_delay: Value
    rise_tau: Value
    fall_delay: Value
    fall_tau: Value

    def __post_init__(self) -> None:
        _checked(self, "v1")
        _checked(self, "v2")
        _checked(self, "rise_delay", nonnegative=True)
        _checked(self, "rise_tau", positive=True)
        _checked(self, "fall_delay", nonnegative=True)
        _checked(self, "fall_tau", positive=True)


@dataclass(frozen=True, slots=True)
class TrNoise:
    """``trnoise(na nt nalpha namp rtsam rtscapt rtsemt)``: transient noise.

    ``rms`` white-noise amplitude in V (or A); ``step`` sample time in s; ``alpha`` 1/f exponent
    (0 < alpha < 2) with ``amplitude_1f``; random telegraph noise of ``rts_amplitude`` with mean
    ``rts_capture`` and ``rts_emission`` times in s. ngspice does not repeat trnoise under a seed;
    use TrRandom for reproducible numbers.
    """

    rms: Value
    step: Value
    alpha: Value = 0.0
    amplitude_1f: Value = 0.0
    rts_amplitude: Value = 0.0
    rts_capture: Value = 0.0
    rts_emission: Value = 0.0

    def __post_init__(self) -> None:
        _checked(self, "rms", nonnegative=True)
        _checked(self, "step", nonnegative=True)
        _checked(self, "alpha", nonnegative=True)
        _checked(self, "amplitude_1f", nonnegative=True)
        _checked(self, "rts_amplitude", nonnegative=True)
        _checked(self, "rts_capture", nonnegative=True)
        _checked(self, "rts_emission", nonnegative=True)


TrRandomKind = Literal["uniform", "gaussian", "exponential", "poisson"]
TRRANDOM_CODES: dict[str, int] = {"uniform": 1, "gaussian": 2, "exponential": 3, "poisson": 4}


@dataclass(frozen=True, slots=True)
class TrRandom:
    """``trrandom(type ts td param1 param2)``: a new random level every ``step`` s after ``delay``.

    ``kind`` uniform (param1 = range, param2 = offset), gaussian (standard deviation, mean),
    exponential (mean, offset) or poisson (lambda, offset); levels in V (or A). Repeats exactly
    under ``.option seed=N``.
    """

    kind: TrRandomKind
    step: Value
    delay: Value = 0.0
    param1: Value = 1.0
    param2: Value = 0.0

    def __post_init__(self) -> None:
        check_choice(self.kind, tuple(TRRANDOM_CODES), "TrRandom.kind")
        _checked(self, "step", positive=True)
        _checked(self, "delay", nonnegative=True)
        _checked(self, "param1")
        _checked(self, "param2")


Waveform = Pulse | Sine | Pwl | Exp | TrNoise | TrRandom
WAVEFORM_TYPES: tuple[type, ...] = (Pulse, Sine, Pwl, Exp, TrNoise, TrRandom)
