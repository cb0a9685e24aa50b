"""Devices at a crosspoint and the mappings from a weight to a device's instance parameter.

A weight is a dimensionless number in ``[0, weight_max]`` (one device per weight) or
``[-weight_max, weight_max]`` (a differential pair, ``G+ - G-``). A mapping turns its magnitude
into a conductance (S) or a device state (the device's own unit), optionally quantised to
``levels`` equally spaced values; the device turns that into the instance parameter it takes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import NetlistError, Params, Subckt, SubcktInstance

FloatArray = npt.NDArray[np.float64]
ParameterKind = Literal["conductance", "resistance", "state"]


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


# -- devices -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ResistorDevice:
    """A plain linear resistor (``R`` element) of resistance ``1/G`` ohm at each crosspoint."""


@dataclass(frozen=True, slots=True)
class CompiledDevice:
    """A two-terminal compiled model (``compile_va`` output) at each crosspoint.

    ``parameter`` is the instance parameter the weight mapping sets; ``parameter_kind`` says
    what it means: ``"conductance"`` (S), ``"resistance"`` (ohm, written as ``1/G``) or
    ``"state"`` (the device's own state variable, set by ``LinearState``). ``params`` are fixed
    instance parameters written on every instance (e.g. ``(("k", 1e4),)``). Port 1 of the
    subcircuit goes to the row line, port 2 towards the column line.
    """

    subckt: Subckt
    parameter: str
    parameter_kind: ParameterKind = "conductance"
    params: Params = ()

    def __post_init__(self) -> None:
        if not isinstance(self.subckt, Subckt):
            raise CircuitSpecError(
                f"expected a Subckt (from compile_va), got {type(self.subckt).__name__}",
                field="CompiledDevice.subckt",
            )
        if len(self.subckt.ports) != 2:
            raise CircuitSpecError(
                f"a crosspoint device has 2 ports; {self.subckt.name!r} has "
                f"{len(self.subckt.ports)} {self.subckt.ports}",
                field="CompiledDevice.subckt",
            )
        if self.parameter_kind not in ("conductance", "resistance", "state"):
            raise CircuitSpecError(
                f"expected 'conductance', 'resistance' or 'state', got {self.parameter_kind!r}",
                field="CompiledDevice.parameter_kind",
            )
        declared = {name.lower() for name, _ in self.subckt.params}
        if type(self.parameter) is not str or self.parameter.lower() not in declared:
            raise CircuitSpecError(
                f"{self.parameter!r} is not a parameter of {self.subckt.name!r} "
                f"(it declares {', '.join(sorted(declared)) or 'none'})",
                field="CompiledDevice.parameter",
            )
        try:  # one trial instance checks the fixed parameters with the netlist's own rules
            trial = SubcktInstance("Xcheck", ("a", "b"), self.subckt.name, params=self.params)
        except NetlistError as err:
            raise CircuitSpecError(str(err), field="CompiledDevice.params") from err
        fixed = {name.lower() for name, _ in trial.params}
        if self.parameter.lower() in fixed:
            raise CircuitSpecError(
                f"{self.parameter!r} is set by the weight mapping; leave it out of params",
                field="CompiledDevice.params",
            )
        unknown = sorted(fixed - declared)
        if unknown:
            raise CircuitSpecError(
                f"{', '.join(unknown)} not declared by {self.subckt.name!r}",
                field="CompiledDevice.params",
            )
        object.__setattr__(self, "params", trial.params)


Device = ResistorDevice | CompiledDevice


# -- mappings ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LinearConductance:
    """G = g_min + (|w| / weight_max) * (g_max - g_min); conductances in S."""

    g_min: float = 1e-6
    g_max: float = 1e-4
    weight_max: float = 1.0

    def __post_init__(self) -> None:
        g_min = check_positive(self.g_min, "LinearConductance.g_min")
        g_max = check_positive(self.g_max, "LinearConductance.g_max")
        if g_max <= g_min:
            raise CircuitSpecError(
                f"expected g_max > g_min, got g_min={g_min!r}, g_max={g_max!r}",
                field="LinearConductance.g_max",
            )
        object.__setattr__(self, "g_min", g_min)
        object.__setattr__(self, "g_max", g_max)
        weight_max = check_positive(self.weight_max, "LinearConductance.weight_max")
        object.__setattr__(self, "weight_max", weight_max)


@dataclass(frozen=True, slots=True)
class LinearState:
    """state = state_min + (|w| / weight_max) * (state_max - state_min), in the device's unit."""

    state_min: float = 0.0
    state_max: float = 1.0
    weight_max: float = 1.0

    def __post_init__(self) -> None:
        state_min = check_finite(self.state_min, "LinearState.state_min")
        state_max = check_finite(self.state_max, "LinearState.state_max")
        if state_max == state_min:
            raise CircuitSpecError("state_max equals state_min", field="LinearState.state_max")
        object.__setattr__(self, "state_min", state_min)
        object.__setattr__(self, "state_max", state_max)
        weight_max = check_positive(self.weight_max, "LinearState.weight_max")
        object.__setattr__(self, "weight_max", weight_max)


@dataclass(frozen=True, slots=True)
class Quantised:
    """``mapping`` applied to |w| rounded to ``levels`` equally spaced values in [0, weight_max]."""

    mapping: LinearConductance | LinearState
    levels: int

    def __post_init__(self) -> None:
        if not isinstance(self.mapping, LinearConductance | LinearState):
            raise CircuitSpecError(
                f"expected LinearConductance or LinearState, got {self.mapping!r}",
                field="Quantised.mapping",
            )
        if type(self.levels) is not int or self.levels < 2:
            raise CircuitSpecError(
                f"expected an int >= 2, got {self.levels!r}", field="Quantised.levels"
            )

    @property
    def weight_max(self) -> float:
        """The inner mapping's full-scale weight."""
        return self.mapping.weight_max


WeightMapping = LinearConductance | LinearState | Quantised
MAPPING_TYPES = (LinearConductance, LinearState, Quantised)


def _inner(mapping: WeightMapping) -> LinearConductance | LinearState:
    return mapping.mapping if isinstance(mapping, Quantised) else mapping


def maps_to_conductance(mapping: WeightMapping) -> bool:
    """True when the mapping yields conductances (S), False when it yields device states."""
    return isinstance(_inner(mapping), LinearConductance)


def mapped_values(magnitudes: FloatArray, mapping: WeightMapping) -> FloatArray:
    """Conductance (S) or state for each weight magnitude (already checked to be in range)."""
    inner = _inner(mapping)
    fraction = magnitudes / inner.weight_max
    if isinstance(mapping, Quantised):
        steps = mapping.levels - 1
        fraction = np.round(fraction * steps) / steps
    if isinstance(inner, LinearConductance):
        return inner.g_min + fraction * (inner.g_max - inner.g_min)
    return inner.state_min + fraction * (inner.state_max - inner.state_min)


def check_device_mapping(device: Device, mapping: WeightMapping) -> None:
    """Raise when the mapping's output is not what the device's parameter takes."""
    if not isinstance(device, ResistorDevice | CompiledDevice):
        raise CircuitSpecError(
            f"expected ResistorDevice or CompiledDevice, got {device!r}",
            field="CrossbarParams.device",
        )
    if not isinstance(mapping, MAPPING_TYPES):
        raise CircuitSpecError(
            f"expected LinearConductance, LinearState or Quantised, got {mapping!r}",
            field="CrossbarParams.mapping",
        )
    wants_state = isinstance(device, CompiledDevice) and device.parameter_kind == "state"
    if wants_state == maps_to_conductance(mapping):
        what = "a device state" if wants_state else "a conductance"
        raise CircuitSpecError(
            f"the device's parameter takes {what}; use "
            f"{'LinearState' if wants_state else 'LinearConductance'} (optionally Quantised)",
            field="CrossbarParams.mapping",
        )


def parameter_values(mapped: FloatArray, device: Device) -> FloatArray:
    """What goes on each instance line: resistance (ohm), conductance (S) or state."""
    if isinstance(device, ResistorDevice) or device.parameter_kind == "resistance":
        return 1.0 / mapped
    return mapped
