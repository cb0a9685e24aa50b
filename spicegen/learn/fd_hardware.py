"""The simulated chip of a finite-difference network, shared by its SPICE and surrogate engines.

Normalised quantities (what the trainer sees) and their physical meaning:

- an input or hidden activation ``x`` in about [-1, 1] is a row voltage ``x * read_voltage``;
  every layer has a bias row at ``+read_voltage`` (``x = 1``);
- a weight ``w`` in [-1, 1] is a ``2R`` pair, ``G+ = g_min + max(w, 0) dG``,
  ``G- = g_min + max(-w, 0) dG`` with ``dG = g_max - g_min``, so ``G+ - G- = w dG``;
- a neuron's current is ``I = bias_current + mirror * sum_i V_i (G+ - G-)_i
  = bias_current + current_scale * u`` with the pre-activation ``u = sum_i x_i w_i``, which
  fixes ``mirror = current_scale / (read_voltage dG)``; a layer of more rows (inputs + bias)
  than ``reference_fan_in`` has its own, smaller scale ``current_scale * sqrt(reference_fan_in
  / rows)`` (``MtjChip.layer_scale``): a sum over ``rows`` inputs grows as ``sqrt(rows)``, and
  without it a 784-input layer drives its neurons far outside ``current_window``;
- its activation ``y = buffer_gain (V1 - buffer_offset) / read_voltage``: the buffer maps the
  nominal device's ``V1`` over ``bias_current -+ span * current_scale`` onto
  ``-+read_voltage``; the derivative the pair measures, ``(V2 - V1) / dI``, becomes
  ``dy/du = (V2 - V1) / dI * current_scale * buffer_gain / read_voltage``.

Device variability of the chip is drawn from ``seed`` (``stream(seed, "devices", layer)``):
``rp_spread`` is the relative sd of each pair's ``rp`` around the nominal, ``mismatch`` the
relative sd of the second device's ``rp`` against its partner's. Writes: ``levels`` equally
spaced conductances per device (None: continuous) and Gaussian ``write_noise`` (sd as a
fraction of ``dG``) on every cell that is written. A read lasts ``read_time`` (s): the energy of
one forward pass is its supply power times that.

``current_window`` (A) is the devices' safe range, which training keeps the neuron currents in
(``FiniteDifferenceTrainer(window_strength=)``): above ``-ic0`` (45 uA for the shipped ``mtj``)
a negative current cannot switch an AP device to P (ngspice's operating point holds the state
and would not show it), and below 250 uA the junction stays under ~1.2 V. All in SI units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from spicegen.circuits import Wires
from spicegen.learn.errors import LearnError
from spicegen.netlist import Circuit, to_ngspice
from spicegen.seeds import stream
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.mtj_neuron import ngspice_version, pair_voltages
from spicegen.va import CompiledModel

__all__ = [
    "Calibration",
    "MtjChip",
    "Programmed",
    "calibrate",
    "conductances",
    "device_resistances",
    "program",
    "quantise",
]

FloatArray = NDArray[np.float64]
MIRROR_RANGE = (0.01, 100.0)  # A/A: current-mirror gains a circuit can be built with


@dataclass(frozen=True, slots=True)
class MtjChip:
    """Conductances (S), voltages (V), currents (A), variability and writes of the chip; see
    the module docstring for what each means."""

    g_min: float = 1e-6
    g_max: float = 1e-4
    read_voltage: float = 0.2
    bias_current: float = 100e-6
    delta_ratio: float = 0.02
    current_scale: float = 50e-6
    span: float = 2.0
    gain: float = 10.0
    rp: float | None = None
    rp_spread: float = 0.0
    mismatch: float = 0.0
    levels: int | None = None
    write_noise: float = 0.0
    wires: Wires = field(default_factory=Wires)
    device_params: tuple[tuple[str, float], ...] = ()
    grid_points: int = 601
    read_time: float = 10e-9
    current_window: tuple[float, float] = (-40e-6, 250e-6)
    reference_fan_in: int | None = 65
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("g_min", "g_max", "read_voltage", "bias_current", "delta_ratio",
                     "current_scale", "span", "gain", "read_time"):  # fmt: skip
            _positive(getattr(self, name), f"chip.{name}")
        for name in ("rp_spread", "mismatch", "write_noise"):
            _positive(getattr(self, name), f"chip.{name}", allow_zero=True)
        if self.rp is not None:
            _positive(self.rp, "chip.rp")
        if self.g_max <= self.g_min:
            raise LearnError(
                f"chip: the conductance range [{self.g_min:g}, {self.g_max:g}] S cannot hold "
                "any weight: expected g_max > g_min"
            )
        low, high = MIRROR_RANGE
        if not low <= self.mirror <= high:
            most = self.read_voltage * (self.g_max - self.g_min)
            raise LearnError(
                f"chip: the conductance range [{self.g_min:g}, {self.g_max:g}] S at "
                f"{self.read_voltage:g} V gives {most:.3g} A per unit weight, but the neurons "
                f"need current_scale = {self.current_scale:.3g} A: a current mirror of "
                f"{self.mirror:.3g} A/A, outside {low:g}..{high:g}; widen the range or change "
                "read_voltage or current_scale"
            )
        if self.levels is not None and (type(self.levels) is not int or self.levels < 2):
            raise LearnError(f"chip.levels: expected an integer >= 2 or None, got {self.levels!r}")
        if type(self.grid_points) is not int or self.grid_points < 16:
            raise LearnError(
                f"chip.grid_points: expected an integer >= 16, got {self.grid_points!r}"
            )
        if self.delta_ratio >= 0.5:
            raise LearnError(f"chip.delta_ratio: expected < 0.5, got {self.delta_ratio!r}")
        low, high = self.current_window
        if not low < self.bias_current < high:
            raise LearnError(
                "chip.current_window: expected low < bias_current < high, got "
                f"{self.current_window!r}"
            )
        if self.reference_fan_in is not None and (
            type(self.reference_fan_in) is not int or self.reference_fan_in < 1
        ):
            raise LearnError(
                "chip.reference_fan_in: expected an integer >= 1 or None, got "
                f"{self.reference_fan_in!r}"
            )
        if not isinstance(self.wires, Wires):
            raise LearnError(f"chip.wires: expected Wires, got {self.wires!r}")

    @property
    def delta_current(self) -> float:
        """The pair's current step dI (A)."""
        return self.delta_ratio * self.bias_current

    @property
    def mirror(self) -> float:
        """Column-current gain into the neurons (A/A)."""
        return self.current_scale / (self.read_voltage * (self.g_max - self.g_min))

    def layer_scale(self, rows: int) -> float:
        """Current per unit pre-activation (A) of a layer of ``rows`` rows (inputs + bias):
        ``current_scale``, times ``sqrt(reference_fan_in / rows)`` when ``rows`` is larger (the
        sum over the rows grows as their square root; its current's reach stays that of a
        ``reference_fan_in``-row layer). None: ``current_scale`` for every layer."""
        reference = self.reference_fan_in
        if reference is None or rows <= reference:
            return self.current_scale
        return self.current_scale * math.sqrt(reference / rows)

    def layer_mirror(self, rows: int) -> float:
        """Column-current gain (A/A) of a layer of ``rows`` rows (``layer_scale``'s mirror)."""
        mirror = self.layer_scale(rows) / (self.read_voltage * (self.g_max - self.g_min))
        low, high = MIRROR_RANGE
        if not low <= mirror <= high:
            raise LearnError(
                f"chip: a layer of {rows} rows needs a current mirror of {mirror:.3g} A/A, "
                f"outside {low:g}..{high:g}; raise reference_fan_in or current_scale"
            )
        return mirror

    @property
    def ideal_wires(self) -> bool:
        return self.wires.row_segment == 0 and self.wires.column_segment == 0

    def grid(self) -> FloatArray:
        """Characterisation currents (A): three times the buffers' span either side of the
        bias (outer layers of a trained network reach beyond the span)."""
        reach = 3 * self.span * self.current_scale
        return np.linspace(self.bias_current - reach, self.bias_current + reach, self.grid_points)

    def nominal_rp(self, model: CompiledModel) -> float:
        """The devices' nominal ``rp`` (ohm): ``rp`` or the model's default."""
        if self.rp is not None:
            return float(self.rp)
        value = model.parameter_values(dict(self.device_params)).get("rp")
        if not isinstance(value, int | float) or value <= 0:
            raise LearnError("chip.rp: the model has no positive default rp; give chip.rp")
        return float(value)


@dataclass(frozen=True, slots=True)
class Calibration:
    """The buffers' map of the nominal activation onto the read range: ``V_row = gain (V1 -
    offset)`` (V/V, V)."""

    offset: float
    gain: float

    @classmethod
    def from_curve(cls, low: float, high: float, read_voltage: float) -> Calibration:
        """From the nominal ``V1`` at the two ends of the span (V)."""
        if not high > low:
            raise LearnError(f"calibration: the activation does not rise ({low!r} -> {high!r})")
        return cls((high + low) / 2, 2 * read_voltage / (high - low))


def calibrate(chip: MtjChip, model: CompiledModel) -> Calibration:
    """The buffers' map, from ngspice's nominal pair at the two ends of the span (cached)."""
    rp = chip.nominal_rp(model)
    reach = chip.span * chip.current_scale
    ends = np.array([chip.bias_current - reach, chip.bias_current + reach])
    params = dict(chip.device_params)

    def compute() -> dict[str, FloatArray]:
        v1, _ = pair_voltages(model, np.full((2, 2), rp), chip.delta_current, ends,
                              device_params=params)  # fmt: skip
        return {"v1": v1}

    parts = {"model": _model_text(model), "rp": rp, "ends": ends, "params": params,
             "delta": chip.delta_current, "ngspice": ngspice_version()}  # fmt: skip
    arrays, _ = cached_arrays("mtj_calibration", 1, parts, compute)
    return Calibration.from_curve(float(arrays["v1"][0]), float(arrays["v1"][1]), chip.read_voltage)


def device_resistances(
    chip: MtjChip, rp: float, neurons: tuple[int, ...]
) -> tuple[FloatArray, ...]:
    """``rp`` (ohm) of both devices of every pair, one (neurons, 2) array per layer."""
    result = []
    for layer, count in enumerate(neurons):
        rng = stream(chip.seed, "devices", layer)
        spread = rng.standard_normal(count)
        mismatch = rng.standard_normal(count)
        first = rp * (1 + chip.rp_spread * spread)
        second = first * (1 + chip.mismatch * mismatch)
        if (first <= 0).any() or (second <= 0).any():
            raise LearnError(
                f"chip: rp_spread {chip.rp_spread!r} / mismatch {chip.mismatch!r} drew a "
                "non-positive rp; use a smaller spread"
            )
        result.append(np.stack([first, second], axis=1))
    return tuple(result)


def conductances(chip: MtjChip, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(G+, G-)`` in S of weights in [-1, 1]."""
    span = chip.g_max - chip.g_min
    return chip.g_min + np.maximum(weights, 0) * span, chip.g_min + np.maximum(-weights, 0) * span


def quantise(weights: FloatArray, levels: int | None) -> FloatArray:
    """Weights on the grid ``levels`` equally spaced conductances per device give (the signed
    weight has ``2 levels - 1`` values); unchanged when ``levels`` is None."""
    if levels is None:
        return weights
    steps = levels - 1
    return np.asarray(np.round(np.clip(weights, -1, 1) * steps) / steps, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class Programmed:
    """What a layer's cells hold: the ``level`` each was last written to (the quantised
    target) and its actual ``value`` (the level plus that write's noise), weights in [-1, 1]."""

    level: FloatArray
    value: FloatArray


def program(
    chip: MtjChip, target: FloatArray, previous: Programmed | None, rng: np.random.Generator
) -> Programmed:
    """Write ``target`` weights: each cell whose quantised level changes is written (with
    write noise, ``rng``); the others keep what they held."""
    level = quantise(np.clip(target, -1, 1), chip.levels)
    written = np.ones(level.shape, dtype=bool) if previous is None else level != previous.level
    value = level
    if chip.write_noise > 0:
        noise = chip.write_noise * rng.standard_normal(level.shape)
        value = np.clip(level + noise, -1, 1)
    if previous is not None:
        value = np.where(written, value, previous.value)
    return Programmed(level, np.asarray(value, dtype=np.float64))


def _model_text(model: CompiledModel) -> str:
    """The model's ngspice text (what a cached calibration depends on)."""
    return to_ngspice(Circuit(title=model.name, subckts=(model.subckt,)))


def _positive(value: object, name: str, *, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LearnError(f"{name}: expected a number, got {value!r}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise LearnError(
            f"{name}: expected a finite number {'>=' if allow_zero else '>'} 0, got {value!r}"
        )
