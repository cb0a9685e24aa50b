"""Write models of binary synapses: what a weight write does to the stored bit, and its cost.

A trainer asks for a write only where the bit it wants differs from the bit it asked for
before (no read-back, no verify: an approximate memory). Each model returns the new stored
bits and the energy the writes took. ``IdealWrite`` always succeeds at no cost; ``MramPulse``
follows a pulse's write error rate and energy characterised in ngspice
(``spicegen.surrogate.mram_write``), per direction: a stored +1 is the MTJ's parallel state
(low resistance, the larger conductance of a crossbar column), so writing +1 is an AP -> P
write and writing -1 a P -> AP one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError
from spicegen.surrogate.dw_write import DwWrite
from spicegen.surrogate.mram_write import MramWrite

__all__ = ["DwSteps", "IdealWrite", "MramPulse", "WriteModel", "mram_pulse"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class WriteModel(Protocol):
    """Applies write attempts to stored bits."""

    def write(
        self, stored: FloatArray, target: FloatArray, attempt: BoolArray, rng: np.random.Generator
    ) -> tuple[FloatArray, float]:
        """New stored bits (+-1) where ``attempt``, and the energy of the attempts in J."""
        ...


@dataclass(frozen=True, slots=True)
class IdealWrite:
    """Every write succeeds and costs ``energy`` J (0 by default)."""

    energy: float = 0.0

    def write(
        self, stored: FloatArray, target: FloatArray, attempt: BoolArray, rng: np.random.Generator
    ) -> tuple[FloatArray, float]:
        """The target where attempted; ``energy`` J per attempt."""
        return np.where(attempt, target, stored), float(self.energy * np.count_nonzero(attempt))


@dataclass(frozen=True, slots=True)
class MramPulse:
    """An MTJ written to +1 (AP -> P) by one pulse of ``current`` A for ``width`` s: each
    attempt fails (the bit keeps its old value) with probability ``error``, and costs
    ``energy`` J. Writes to -1 (P -> AP) use ``current_to_ap``, ``width_to_ap``, ``error_to_ap``
    and ``energy_to_ap``; left at None, they are the AP -> P figures (a symmetric cell)."""

    current: float
    width: float
    error: float
    energy: float
    current_to_ap: float | None = None
    width_to_ap: float | None = None
    error_to_ap: float | None = None
    energy_to_ap: float | None = None

    def write(
        self, stored: FloatArray, target: FloatArray, attempt: BoolArray, rng: np.random.Generator
    ) -> tuple[FloatArray, float]:
        """Attempts that succeed take the target; failed ones leave the stored bit."""
        to_ap = target < 0
        error = np.where(to_ap, self.reverse_error, self.error)
        succeeded = attempt & (rng.random(stored.shape) >= error)
        reverse = int(np.count_nonzero(attempt & to_ap))
        energy = self.energy * (np.count_nonzero(attempt) - reverse) + self.reverse_energy * reverse
        return np.where(succeeded, target, stored), float(energy)

    @property
    def reverse_error(self) -> float:
        """The write error rate of a P -> AP write (to -1)."""
        return self.error if self.error_to_ap is None else self.error_to_ap

    @property
    def reverse_energy(self) -> float:
        """The energy (J) of a P -> AP write (to -1)."""
        return self.energy if self.energy_to_ap is None else self.energy_to_ap


def mram_pulse(
    characterised: MramWrite,
    current: float,
    width: float,
    to_ap: MramWrite | None = None,
    width_to_ap: float | None = None,
) -> MramPulse:
    """The write of ``current`` A (a characterised one) and ``width`` s, from ``characterised``
    (AP -> P). With ``to_ap`` (a P -> AP characterisation) writes to -1 follow it, at the same
    reduced current (|I| / that direction's critical current) for ``width_to_ap`` s (default
    ``width``); without, they reuse the AP -> P law."""
    if not width > 0 or (width_to_ap is not None and not width_to_ap > 0):
        raise LearnError(f"pulse width must be > 0 s, got {width!r}/{width_to_ap!r}")
    error = float(characterised.error(current, width))
    energy = characterised.energy_at(current, width)
    if to_ap is None:
        return MramPulse(current, width, error, energy)
    if to_ap.spec.direction != "p_to_ap" or characterised.spec.direction != "ap_to_p":
        raise LearnError("mram_pulse: expected an ap_to_p and a p_to_ap characterisation")
    reverse_current = current / characterised.spec.critical * to_ap.spec.critical
    reverse_width = width if width_to_ap is None else width_to_ap
    return MramPulse(
        current,
        width,
        error,
        energy,
        reverse_current,
        reverse_width,
        float(to_ap.error(reverse_current, reverse_width)),
        to_ap.energy_at(reverse_current, reverse_width),
    )


@dataclass(frozen=True, slots=True, eq=False)
class DwSteps:
    """A k-level domain-wall synapse (weights -1 .. 1 on ``characterised.spec.nlevels``
    levels): a write of d levels is d one-level steps, each landing with an offset drawn from
    the SPICE landing distribution (their sum lands, clipped to the track), and costs d times
    the step energy."""

    characterised: DwWrite

    def write(
        self, stored: FloatArray, target: FloatArray, attempt: BoolArray, rng: np.random.Generator
    ) -> tuple[FloatArray, float]:
        """Program the attempted cells from their stored level towards the target level."""
        top = self.characterised.spec.nlevels - 1
        now = np.rint((stored + 1) / 2 * top).astype(np.int64)
        goal = np.rint((target + 1) / 2 * top).astype(np.int64)
        steps = np.where(attempt, np.abs(goal - now), 0)
        most = int(steps.max()) if steps.size else 0
        error = np.zeros(stored.shape, dtype=np.int64)
        for step in range(most):
            error += np.where(steps > step, self.characterised.sample(stored.shape, rng), 0)
        landed = np.clip(goal + error, 0, top)
        new = np.where(steps > 0, -1 + 2 * landed / top, stored)
        return np.asarray(new, dtype=np.float64), float(self.characterised.energy * steps.sum())
