"""Mappings from a weight to a device's instance parameter (the devices: ``devices.py``).

A weight is a dimensionless number in ``[0, weight_max]`` (one device per weight) or
``[-weight_max, weight_max]`` (a differential pair, ``G+ - G-``). A mapping turns its magnitude
into a conductance (S) or a device state (the device's own unit), optionally quantised to
``levels`` equally spaced values; the device turns that into the instance parameter it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spicegen.circuits._checks import FloatArray, check_finite, check_positive
from spicegen.circuits.devices import CompiledDevice, Device, ResistorDevice
from spicegen.circuits.errors import CircuitSpecError


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


def check_device_mapping(device: Device, mapping: WeightMapping, owner: str) -> None:
    """Raise when the mapping's output is not what the device's parameter takes.

    ``owner`` names the params class in the error's field (``"CrossbarParams"``).
    """
    if not isinstance(device, ResistorDevice | CompiledDevice):
        raise CircuitSpecError(
            f"expected ResistorDevice or CompiledDevice, got {device!r}", field=f"{owner}.device"
        )
    if isinstance(device, CompiledDevice) and device.parameter is None:
        raise CircuitSpecError(
            f"name the instance parameter of {device.name!r} the weight sets "
            "(CompiledDevice(model, parameter=...))",
            field=f"{owner}.device",
        )
    if not isinstance(mapping, MAPPING_TYPES):
        raise CircuitSpecError(
            f"expected LinearConductance, LinearState or Quantised, got {mapping!r}",
            field=f"{owner}.mapping",
        )
    wants_state = isinstance(device, CompiledDevice) and device.parameter_kind == "state"
    if wants_state == maps_to_conductance(mapping):
        what = "a device state" if wants_state else "a conductance"
        raise CircuitSpecError(
            f"the device's parameter takes {what}; use "
            f"{'LinearState' if wants_state else 'LinearConductance'} (optionally Quantised)",
            field=f"{owner}.mapping",
        )
