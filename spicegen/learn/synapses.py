"""Write models of binary synapses: what a weight write does to the stored bit, and its cost.

A trainer asks for a write only where the bit it wants differs from the bit it asked for
before (no read-back, no verify: an approximate memory). Each model returns the new stored
bits and the energy the writes took. ``IdealWrite`` always succeeds at no cost; ``MramWrite``
follows a pulse's write error rate and energy characterised in ngspice
(``spicegen.surrogate.mram_write``).
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
    """An MTJ written by one pulse of ``current`` A for ``width`` s: each attempt fails (the bit
    keeps its old value) with probability ``error``, and costs ``energy`` J."""

    current: float
    width: float
    error: float
    energy: float

    def write(
        self, stored: FloatArray, target: FloatArray, attempt: BoolArray, rng: np.random.Generator
    ) -> tuple[FloatArray, float]:
        """Attempts that succeed take the target; failed ones leave the stored bit."""
        succeeded = attempt & (rng.random(stored.shape) >= self.error)
        return np.where(succeeded, target, stored), float(self.energy * np.count_nonzero(attempt))


def mram_pulse(characterised: MramWrite, current: float, width: float) -> MramPulse:
    """The write of ``current`` A (a characterised one) and ``width`` s, from ``characterised``."""
    if not width > 0:
        raise LearnError(f"pulse width must be > 0 s, got {width!r}")
    error = float(characterised.error(current, width))
    return MramPulse(current, width, error, characterised.energy_at(current, width))


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
