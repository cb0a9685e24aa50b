"""The checks every generator runs on its parameters, each raising ``CircuitSpecError``."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist.validate import match_identifier

FloatArray = npt.NDArray[np.float64]


def check_positive(value: object, field: str, *, allow_zero: bool = False) -> float:
    """A finite real number > 0 (``>= 0`` with ``allow_zero``), as float; else CircuitSpecError."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise CircuitSpecError(f"expected a number, got {value!r}", field=field)
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise CircuitSpecError(f"expected a finite number {bound}, got {value!r}", field=field)
    return number


def check_finite(value: object, field: str) -> float:
    """A finite real number (any sign), as float; else CircuitSpecError."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise CircuitSpecError(f"expected a number, got {value!r}", field=field)
    number = float(value)
    if not math.isfinite(number):
        raise CircuitSpecError(f"expected a finite number, got {value!r}", field=field)
    return number


def check_name(name: object, field: str) -> str:
    """A subcircuit name: ASCII letters, digits and ``_``, not starting with a digit."""
    if type(name) is not str or not match_identifier(name):
        raise CircuitSpecError(
            f"expected a name of ASCII letters, digits and '_', got {name!r}", field=field
        )
    return name


def check_seed(seed: object, field: str) -> int | None:
    """An instance seed: ``None`` (the model's compile seed) or an int >= 0."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise CircuitSpecError(f"expected None or an int >= 0, got {seed!r}", field=field)
    return int(seed)


def check_choice(value: object, choices: tuple[object, ...], field: str) -> None:
    """``value`` is one of ``choices`` (type-exact: ``True`` is not ``1``)."""
    if not any(type(value) is type(choice) and value == choice for choice in choices):
        expected = ", ".join(map(repr, choices))
        raise CircuitSpecError(f"expected one of {expected}, got {value!r}", field=field)
