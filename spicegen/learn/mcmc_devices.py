"""The random sources of the memristor MCMC sampler: one device kind per technology.

A device kind tells the sampler and its engines four things about one crosspoint device:

- its **proposal**: reprogramming a device that holds ``G`` lands on a random ``G'`` drawn from
  the distribution the ngspice characterisation measured (``spicegen.surrogate``), centred on
  ``G`` (the compliance, or the aim, chosen for it); ``log_proposal`` is that density, so the
  sampler can weigh the walk's residual asymmetry (Hastings' correction);
- the **programming energy** of one such cycle (J), from the same simulations;
- its **read**: ``I = G * drive(V)`` (separable, as both devices' read equations are);
- its **SPICE cell**: the compiled model set to hold ``G`` for the crossbar read.

``RramDevice`` (``rram_hfo2``, RESET/SET at a chosen compliance, continuous conductance),
``DwDevice`` (``dw_synapse``, wall reset and re-aimed at its level, discrete levels) and
``IdealDevice`` (a linear resistor with Gaussian proposals of constant spread, no energy: the
hardware pipeline without device physics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from spicegen.circuits import CompiledDevice, LinearConductance, LinearState, ResistorDevice
from spicegen.learn.errors import LearnError
from spicegen.surrogate.dw_programming import DwProgramming
from spicegen.surrogate.rram_programming import RramProgramming
from spicegen.va import CompiledModel

__all__ = [
    "DEVICE_NAMES",
    "DeviceKind",
    "DwDevice",
    "IdealDevice",
    "RramDevice",
    "SpiceCell",
    "device_kind",
    "in_window",
]

FloatArray = NDArray[np.float64]
Noise = Literal["normal", "uniform"]
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


@dataclass(frozen=True, slots=True)
class SpiceCell:
    """What the crossbar needs to hold conductances: the device, the weight mapping, and the
    matrix entries (``entries(G)``: the value the mapping turns into each device's setting)."""

    device: CompiledDevice | ResistorDevice
    mapping: LinearConductance | LinearState
    conductance_min: float
    conductance_max: float

    def entries(self, conductance: FloatArray) -> FloatArray:
        """Crossbar weights in [0, 1] that map onto ``conductance`` (S)."""
        span = self.conductance_max - self.conductance_min
        return np.asarray((np.asarray(conductance) - self.conductance_min) / span)


class DeviceKind(Protocol):
    """The interface every device kind implements (see the module docstring)."""

    @property
    def name(self) -> str: ...

    @property
    def window(self) -> tuple[float, float]:
        """S: the conductances a parameter device may hold."""
        ...

    @property
    def read_voltage(self) -> float:
        """V: the largest read voltage (a full-scale input)."""
        ...

    @property
    def noise(self) -> Noise:
        """The standard variates ``propose`` turns into conductances."""
        ...

    def propose(self, conductance: FloatArray, noise: FloatArray) -> FloatArray:
        """One programming cycle of each device centred on its ``conductance`` (S), given one
        standard variate per device (``noise``: N(0, 1) or U[0, 1), drawn by the sampler from
        its seeded stream)."""
        ...

    def log_proposal(self, to: FloatArray, start: FloatArray) -> FloatArray:
        """log density (per device) of landing on ``to`` when centred on ``start``."""
        ...

    def programming_energy(self, conductance: FloatArray) -> FloatArray:
        """J per device of a cycle centred on ``conductance``."""
        ...

    def drive(self, voltage: FloatArray) -> FloatArray:
        """``I / G`` (V) at read voltage ``voltage``: the read is ``I = G drive(V)``."""
        ...

    def spice_cell(self) -> SpiceCell:
        """The crossbar device holding given conductances in ngspice."""
        ...

    def snap(self, conductance: FloatArray) -> FloatArray:
        """The nearest conductance the device can hold (identity for continuous devices)."""
        ...


def in_window(device: DeviceKind, conductance: FloatArray) -> NDArray[np.bool_]:
    """Whether each conductance (S) is inside the device's window."""
    low, high = device.window
    g = np.asarray(conductance)
    return np.asarray((g >= low) & (g <= high))


def _continuous(conductance: FloatArray) -> FloatArray:
    return np.asarray(conductance, dtype=np.float64)


def _gaussian_log_density(to: FloatArray, mean: FloatArray, sd: FloatArray) -> FloatArray:
    z = (np.asarray(to) - mean) / sd
    return np.asarray(-0.5 * z * z - np.log(sd) - _HALF_LOG_TWO_PI)


@dataclass(frozen=True, slots=True, eq=False)
class RramDevice:
    """``rram_hfo2`` programmed by RESET/SET cycles at the compliance whose mean is ``G``.

    ``programming``: the characterisation (``surrogate.rram_programming.characterise``);
    ``model``: the compiled model (its ``v0`` sets the read's ``sinh``; its ``gmin``/``gmax``
    the state a conductance needs in ngspice, with ``sigma_d2d = 0`` there: the cell holds
    what programming reached). ``read_voltage`` (V) stays far below the RESET and SET
    thresholds. ``floor``: the share of the characterised window, from its bottom, the
    sampler leaves unused: the cycle's spread grows with the conductance (from about 0.1 %
    of the window at its bottom to 9 % at its top), so near the bottom proposals barely move
    and a chain that drifts there sticks; above ``floor = 0.4`` the spread varies by less
    than 3x.
    """

    model: CompiledModel
    programming: RramProgramming
    read_voltage: float = 0.2
    floor: float = 0.0
    name: str = "rram_hfo2"
    window: tuple[float, float] = field(init=False)
    _v0: float = field(init=False, repr=False)
    _g_range: tuple[float, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        values = self.model.parameter_values({})
        object.__setattr__(self, "_v0", float(values["v0"]))
        object.__setattr__(self, "_g_range", (float(values["gmin"]), float(values["gmax"])))
        low, high = self.programming.window
        if not self._g_range[0] < low < high < self._g_range[1]:
            raise LearnError(
                f"rram device: the programming window [{low:.3g}, {high:.3g}] S is not inside "
                f"the model's [gmin, gmax] = [{self._g_range[0]:.3g}, {self._g_range[1]:.3g}] S"
            )
        if not 0 < self.read_voltage < min(float(values["vreset"]), float(values["vset"])) / 2:
            raise LearnError(
                f"rram device: read_voltage {self.read_voltage} V must stay below half the "
                "RESET and SET thresholds, so that reading never programs"
            )
        if not 0 <= self.floor < 1:
            raise LearnError(f"rram device: floor must be in [0, 1), got {self.floor!r}")
        object.__setattr__(self, "window", (low + self.floor * (high - low), high))

    noise: Noise = "normal"

    def propose(self, conductance: FloatArray, noise: FloatArray) -> FloatArray:
        g = np.asarray(conductance, dtype=np.float64)
        return np.asarray(g + self.programming.spread_for(g) * noise)

    def log_proposal(self, to: FloatArray, start: FloatArray) -> FloatArray:
        start = np.asarray(start, dtype=np.float64)
        return _gaussian_log_density(to, start, self.programming.spread_for(start))

    def programming_energy(self, conductance: FloatArray) -> FloatArray:
        return self.programming.energy_for(conductance)

    def drive(self, voltage: FloatArray) -> FloatArray:
        v0 = self._v0
        return np.asarray(v0 * np.sinh(np.asarray(voltage) / v0))  # I = G v0 sinh(v/v0)

    def spice_cell(self) -> SpiceCell:
        # tnoise of a second: the read's transient takes no noise breakpoints (nothing programs)
        fixed = (("sigma_d2d", 0.0), ("tnoise", 1.0))
        device = CompiledDevice(self.model, "x0", "state", fixed)
        return SpiceCell(device, LinearState(0.0, 1.0, 1.0), *self._g_range)

    def snap(self, conductance: FloatArray) -> FloatArray:
        return _continuous(conductance)


@dataclass(frozen=True, slots=True, eq=False)
class DwDevice:
    """``dw_synapse`` whose wall is reset and re-aimed at its own level (discrete proposals).

    ``programming``: ``surrogate.dw_programming.characterise``; the window is its inner levels.
    ``read_voltage`` (V) keeps the read current below the depinning current at ``gmax``.
    """

    model: CompiledModel
    programming: DwProgramming
    read_voltage: float = 0.05
    name: str = "dw_synapse"
    window: tuple[float, float] = field(init=False)
    _log_transition: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        low, high = self.programming.window
        levels = self.programming.conductances
        object.__setattr__(self, "window", (float(levels[low]), float(levels[high])))
        values = self.model.parameter_values({"nlevels": self.programming.nlevels})
        if not 0 < self.read_voltage * float(values["gmax"]) < float(values["ith"]):
            raise LearnError(
                f"dw device: a read at {self.read_voltage} V through gmax would move the wall "
                "(its current reaches ith)"
            )
        with np.errstate(divide="ignore"):
            object.__setattr__(self, "_log_transition", np.log(self.programming.transition))

    def _levels(self, conductance: FloatArray) -> NDArray[np.int64]:
        p = self.programming
        fraction = (np.asarray(conductance) - p.gmin) / (p.gmax - p.gmin)
        return np.asarray(np.rint(fraction * (p.nlevels - 1)), dtype=np.int64)

    def snap(self, conductance: FloatArray) -> FloatArray:
        levels = np.clip(self._levels(conductance), 0, self.programming.nlevels - 1)
        return np.asarray(self.programming.conductances[levels])

    noise: Noise = "uniform"

    def propose(self, conductance: FloatArray, noise: FloatArray) -> FloatArray:
        start = self._levels(conductance)
        cumulative = np.cumsum(self.programming.transition[start], axis=-1)
        landed = (np.asarray(noise)[..., None] > cumulative).sum(axis=-1)
        landed = np.minimum(landed, self.programming.nlevels - 1)
        return np.asarray(self.programming.conductances[landed])

    def log_proposal(self, to: FloatArray, start: FloatArray) -> FloatArray:
        return np.asarray(self._log_transition[self._levels(start), self._levels(to)])

    def programming_energy(self, conductance: FloatArray) -> FloatArray:
        return np.asarray(self.programming.energy[self._levels(conductance)])

    def drive(self, voltage: FloatArray) -> FloatArray:
        return np.asarray(voltage, dtype=np.float64)  # ohmic: I = G v

    def spice_cell(self) -> SpiceCell:
        p = self.programming
        fixed = (("nlevels", p.nlevels), ("tnoise", 1.0))  # no noise breakpoints in reads
        device = CompiledDevice(self.model, "x0", "state", fixed)
        return SpiceCell(device, LinearState(0.0, 1.0, 1.0), p.gmin, p.gmax)


@dataclass(frozen=True, slots=True, eq=False)
class IdealDevice:
    """A linear resistor in ``[g_min, g_max]`` S with Gaussian proposals of sd ``spread`` x the
    window (physics.md 7.1: about 5 % of the weight range) and no programming energy."""

    g_min: float = 5e-6
    g_max: float = 65e-6
    spread: float = 0.05
    read_voltage: float = 0.2
    name: str = "ideal"
    window: tuple[float, float] = field(init=False)

    def __post_init__(self) -> None:
        if not 0 < self.g_min < self.g_max or not 0 < self.spread < 1:
            raise LearnError("ideal device: expected 0 < g_min < g_max and 0 < spread < 1")
        object.__setattr__(self, "window", (self.g_min, self.g_max))

    @property
    def _sd(self) -> float:
        return self.spread * (self.g_max - self.g_min)

    noise: Noise = "normal"

    def propose(self, conductance: FloatArray, noise: FloatArray) -> FloatArray:
        return np.asarray(np.asarray(conductance, dtype=np.float64) + self._sd * noise)

    def log_proposal(self, to: FloatArray, start: FloatArray) -> FloatArray:
        return _gaussian_log_density(to, np.asarray(start), np.full(np.shape(start), self._sd))

    def programming_energy(self, conductance: FloatArray) -> FloatArray:
        return np.zeros(np.shape(conductance))

    def drive(self, voltage: FloatArray) -> FloatArray:
        return np.asarray(voltage, dtype=np.float64)

    def spice_cell(self) -> SpiceCell:
        mapping = LinearConductance(self.g_min / 2, self.g_max * 1.5, 1.0)
        return SpiceCell(ResistorDevice(), mapping, mapping.g_min, mapping.g_max)

    def snap(self, conductance: FloatArray) -> FloatArray:
        return _continuous(conductance)


DEVICE_NAMES = ("rram_hfo2", "dw_synapse", "ideal")


def device_kind(
    model: CompiledModel | None,
    *,
    devices: int | None = None,
    cycles: int | None = None,
    seed: int = 0,
    floor: float = 0.0,
) -> DeviceKind:
    """The device kind of ``model`` (``rram_hfo2`` or ``dw_synapse``, as ``models.load`` gives
    them; ``None``: ``IdealDevice()``), its cycle characterised by ngspice (cached on disk) with
    ``devices`` devices x ``cycles`` cycles per compliance (rram; default 16 x 4) or per level
    (dw; default 8 x 8); ``seed`` is the characterisation's sweep seed; ``floor``: see
    ``RramDevice`` (rram only)."""
    from spicegen.surrogate import dw_programming, rram_programming

    if model is None:
        return IdealDevice()
    name = model.subckt.name
    if name == "rram_hfo2":
        programming = rram_programming.characterise(
            model, devices=devices or 16, cycles=cycles or 4, seed=seed
        )
        return RramDevice(model, programming, floor=floor)
    if name == "dw_synapse":
        levels = dw_programming.characterise(
            model, devices=devices or 8, cycles=cycles or 8, seed=seed
        )
        return DwDevice(model, levels)
    raise LearnError(f"mcmc: no device kind for the model {name!r}; expected one of "
                     f"{', '.join(DEVICE_NAMES)}")  # fmt: skip
