"""A memristive synapse's read current as a function of its state and voltage, from ngspice.

A crossbar synapse is a two-terminal compiled model (``rram_hfo2``, ``vteam``, ...) whose state
is an instance parameter (``x0``); a network engine maps a weight onto that state. Below its
programming thresholds the device is a nonlinear conductance, and for these models the read
current factorises as ``I(v, s) = G(s) * v * h(v)``: ``G(s)`` the small-signal conductance at
the read voltage ``v_read`` and ``h`` the I-V shape (``h(v_read) = 1``; ``rram_hfo2``:
``sinh``; ``vteam``: 1). ``characterise_synapse`` runs one ngspice operating point with one
copy of the device per (device, state) and per (state, voltage) of the shape grid, and keeps:

- ``conductance[d, k]``: device ``d``'s ``G`` at ``states[k]`` (S). Devices are given by their
  instance parameters, random variates included (``SubcktInstance.params`` of a network's
  cells), so each surrogate device is exactly one device of the network;
- ``shape``: ``h`` at ``voltages`` on the nominal device, its spread over the states recorded
  as ``separability`` (how far the factorised form is from the device, a fraction).

Between the states ``G`` is interpolated linearly in conductance or in resistance, whichever
reproduces the device better at the midpoints of the grid (also simulated; the error is kept as
``interpolation_error``): conductance for ``rram_hfo2`` (linear in its state, exact), resistance
for ``vteam`` (``R`` linear in its state, exact). ``h`` is a cubic spline. ``validate_synapse``
compares the surrogate with fresh ngspice operating points at states and voltages off both
grids.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import CubicSpline

from spicegen.netlist import Circuit, Op, SubcktInstance, VoltageSource, to_ngspice
from spicegen.sim import simulate
from spicegen.surrogate._spice import ngspice_version
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.surrogate.validation import Validation, compare
from spicegen.va import CompiledModel

__all__ = ["SynapseSurrogate", "characterise_synapse", "validate_synapse"]

FloatArray = NDArray[np.float64]
InstanceParams = Mapping[str, float | int | str]
_NAME = "memristive_synapse"
_VERSION = 1
# copies per ngspice operating point: 235,230 copies (784 x 100 cells) took about 5.5 GB of
# ngspice's memory, 941,000 (784 x 400) over 22 GB and were killed; a crossbar this big is
# solved in chunks, one after another (the cells are independent, so the same currents)
_OP_CHUNK = 250_000


@dataclass(frozen=True, slots=True)
class SynapseSurrogate:
    """Read currents of ``conductance.shape[0]`` devices of model ``model`` (SI units).

    ``parameter`` is the state instance parameter; ``states`` its grid (increasing);
    ``conductance[d, k]`` S of device ``d`` at ``states[k]`` at ``v_read`` V; ``voltages`` V
    and ``shape`` the I-V shape ``h`` (1 at ``v_read``); ``separability`` the largest relative
    deviation of the device's ``h`` at any state from ``shape``; ``interpolation`` is
    ``"conductance"`` or ``"resistance"`` (what is linear between the states) and
    ``interpolation_error`` its largest relative error at the grid's midpoints.
    """

    model: str
    parameter: str
    states: tuple[float, ...]
    conductance: FloatArray
    v_read: float
    voltages: tuple[float, ...]
    shape: tuple[float, ...]
    separability: float
    interpolation: str
    interpolation_error: float

    @property
    def devices(self) -> int:
        """How many devices the surrogate holds."""
        return int(self.conductance.shape[0])

    def conductances(self, state: ArrayLike) -> FloatArray:
        """``G`` (S) of every device at ``state`` (shape ``(devices, ...)`` or broadcastable
        to it: one state per device and column), linear between the grid states."""
        s = np.asarray(state, dtype=np.float64)
        grid = np.asarray(self.states)
        if np.any(s < grid[0] - 1e-12) or np.any(s > grid[-1] + 1e-12):
            raise SurrogateError(
                f"{self.model}: state outside the characterised range [{grid[0]}, {grid[-1]}]"
            )
        s = np.broadcast_to(s, np.broadcast_shapes(s.shape, (self.devices, *s.shape[1:])))
        index = np.clip(np.searchsorted(grid, s, side="right") - 1, 0, grid.size - 2)
        fraction = (s - grid[index]) / (grid[index + 1] - grid[index])
        rows = np.arange(self.devices).reshape((-1,) + (1,) * (s.ndim - 1))
        low, high = self.conductance[rows, index], self.conductance[rows, index + 1]
        return _interpolate(low, high, fraction, self.interpolation)

    def shape_at(self, voltage: ArrayLike) -> FloatArray:
        """The I-V shape ``h(v)`` (1 at ``v_read``) inside the characterised voltages."""
        v = np.asarray(voltage, dtype=np.float64)
        if np.any(v < self.voltages[0] - 1e-12) or np.any(v > self.voltages[-1] + 1e-12):
            raise SurrogateError(
                f"{self.model}: voltage outside the characterised range "
                f"[{self.voltages[0]}, {self.voltages[-1]}] V"
            )
        return np.asarray(CubicSpline(self.voltages, self.shape)(v), dtype=np.float64)

    def current(self, voltage: ArrayLike, state: ArrayLike) -> FloatArray:
        """Read current (A) ``G(state) * v * h(v)`` of every device at ``voltage`` (V)."""
        v = np.asarray(voltage, dtype=np.float64)
        return np.asarray(self.conductances(state) * v * self.shape_at(v), dtype=np.float64)


def characterise_synapse(
    device: CompiledModel,
    parameter: str,
    states: Sequence[float],
    *,
    v_read: float,
    voltages: Sequence[float],
    devices: Sequence[InstanceParams] = ({},),
    fixed: InstanceParams | None = None,
    use_cache: bool = True,
) -> SynapseSurrogate:
    """Characterise ``devices`` (instance parameters each; ``{}`` is the nominal device) of
    ``device`` at ``states`` of ``parameter`` and the read voltage ``v_read`` (V), and the
    I-V shape at ``voltages`` (V, below the programming thresholds, nonzero) on the first.
    ``fixed`` are parameters every copy carries (e.g. ``{"sigma_c2c": 0}``)."""
    grid = _increasing(states, "states")
    shape_voltages = _increasing(voltages, "voltages")
    if not (math.isfinite(v_read) and v_read != 0) or any(v == 0 for v in shape_voltages):
        raise SurrogateError("v_read and the shape voltages must be finite and nonzero")
    if not devices:
        raise SurrogateError("characterise_synapse needs at least one device")
    if parameter not in device.parameters:
        raise SurrogateError(f"{device.name} has no parameter {parameter!r}")
    fixed = dict(fixed or {})
    midpoints = [(a + b) / 2 for a, b in itertools.pairwise(grid)]
    first = {**fixed, **dict(devices[0])}
    copies = (
        [({**fixed, **dict(d), parameter: s}, v_read) for d in devices for s in grid]
        + [({**first, parameter: s}, v) for s in grid for v in shape_voltages]
        + [({**first, parameter: s}, v_read) for s in midpoints]
    )
    currents = _operating_point(device, copies, use_cache)
    count, curve_count = len(devices) * len(grid), len(grid) * len(shape_voltages)
    conductance = (currents[:count] / v_read).reshape(len(devices), len(grid))
    curves = currents[count : count + curve_count].reshape(len(grid), len(shape_voltages))
    at_midpoints = currents[count + curve_count :] / v_read
    errors = {
        mode: float(
            np.max(
                np.abs(
                    _interpolate(conductance[0, :-1], conductance[0, 1:], 0.5, mode) / at_midpoints
                    - 1.0
                )
            )
        )
        for mode in ("conductance", "resistance")
    }
    interpolation = min(errors, key=lambda mode: errors[mode])
    shapes = curves / (np.asarray(shape_voltages) * conductance[0][:, None])
    if np.any(conductance <= 0) or not np.all(np.isfinite(shapes)):
        raise SurrogateError(f"{device.name}: non-positive read conductance in the grid")
    # the nominal shape is the one at the middle state; the others measure separability
    shape = shapes[len(grid) // 2]
    separability = float(np.max(np.abs(shapes / shape - 1.0)))
    conductance.setflags(write=False)
    return SynapseSurrogate(
        model=device.name,
        parameter=parameter,
        states=grid,
        conductance=conductance,
        v_read=float(v_read),
        voltages=shape_voltages,
        shape=tuple(float(x) for x in shape),
        separability=separability,
        interpolation=interpolation,
        interpolation_error=errors[interpolation],
    )


def _interpolate(low: ArrayLike, high: ArrayLike, fraction: ArrayLike, mode: str) -> FloatArray:
    """Linear between two conductances (S), in conductance or in resistance."""
    g0, g1, f = (np.asarray(x, dtype=np.float64) for x in (low, high, fraction))
    if mode == "resistance":
        return np.asarray(1.0 / (1.0 / g0 + f * (1.0 / g1 - 1.0 / g0)), dtype=np.float64)
    return np.asarray(g0 + f * (g1 - g0), dtype=np.float64)


def validate_synapse(
    synapse: SynapseSurrogate,
    device: CompiledModel,
    points: Sequence[tuple[int, float, float]],
    *,
    devices: Sequence[InstanceParams] = ({},),
    fixed: InstanceParams | None = None,
    use_cache: bool = True,
) -> Validation:
    """The surrogate's read currents against ngspice at ``points`` of (device index, state,
    voltage V), ``devices`` being the same list the surrogate was characterised on."""
    fixed = dict(fixed or {})
    copies = [({**fixed, **dict(devices[d]), synapse.parameter: s}, v) for d, s, v in points]
    reference = _operating_point(device, copies, use_cache)
    predicted = np.array(
        [
            synapse.conductances(np.full(synapse.devices, s))[d] * v * synapse.shape_at(v)
            for d, s, v in points
        ]
    )
    return compare("synapse read current (A)", predicted, reference)


def _increasing(values: Sequence[float], what: str) -> tuple[float, ...]:
    grid = tuple(float(x) for x in values)
    if len(grid) < 2 or not all(math.isfinite(x) for x in grid):
        raise SurrogateError(f"{what}: need at least two finite values, got {values!r}")
    if any(b <= a for a, b in itertools.pairwise(grid)):
        raise SurrogateError(f"{what}: values must increase, got {values!r}")
    return grid


def _copies_circuit(
    device: CompiledModel, copies: Sequence[tuple[dict[str, float | int | str], float]]
) -> Circuit:
    elements: list[VoltageSource | SubcktInstance] = []
    for k, (params, voltage) in enumerate(copies):
        elements.append(VoltageSource(f"V{k}", f"p{k}", "0", dc=voltage))
        # the instance parameters are given whole (variates included), so no draws are made
        elements.append(SubcktInstance(f"X{k}", (f"p{k}", "0"), device.name, dict(params)))
    return Circuit(
        title="synapse characterisation", elements=tuple(elements), subckts=(device.subckt,)
    )


def _operating_point(
    device: CompiledModel,
    copies: Sequence[tuple[dict[str, float | int | str], float]],
    use_cache: bool,
) -> FloatArray:
    """Current (A) into each copy of ``device`` with its parameters at its DC voltage, in one
    operating point per ``_OP_CHUNK`` copies (one source and one device per copy,
    independent nodes)."""
    circuit = _copies_circuit(device, copies)

    def compute() -> dict[str, FloatArray]:
        currents = []
        for start in range(0, len(copies), _OP_CHUNK):
            chunk = copies[start : start + _OP_CHUNK]
            one = circuit if len(chunk) == len(copies) else _copies_circuit(device, chunk)
            waves = simulate(one, Op()).waveforms
            # a source's current flows from its + node through it: the device current is
            # minus it
            currents += [-float(waves.i(f"V{k}")[0]) for k in range(len(chunk))]
        return {"current": np.array(currents)}

    parts = {"netlist": to_ngspice(circuit), "ngspice": ngspice_version()}
    arrays, _ = cached_arrays(_NAME, _VERSION, parts, compute, use_cache=use_cache)
    return arrays["current"]
