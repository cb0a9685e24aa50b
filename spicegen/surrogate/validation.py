"""How well a surrogate reproduces ngspice on inputs it was not fitted on.

Every surrogate ships with one of these, measured against fresh SPICE runs; its figures go
into the surrogate's docs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from spicegen.surrogate.errors import SurrogateError

__all__ = ["Validation", "compare"]


@dataclass(frozen=True, slots=True)
class Validation:
    """Errors of ``predicted`` against ``reference`` (ngspice), as fractions of full scale.

    ``full_scale`` is the reference's range (max - min) unless given; ``max_error`` and
    ``rms_error`` are |predicted - reference| / full_scale; ``points`` is how many were compared.
    """

    what: str
    points: int
    full_scale: float
    max_error: float
    rms_error: float

    def within(self, tolerance: float) -> bool:
        """True when the largest error is at most ``tolerance`` of full scale."""
        return self.max_error <= tolerance

    def __str__(self) -> str:
        return (
            f"{self.what}: max {100 * self.max_error:.3f} %, rms {100 * self.rms_error:.3f} % "
            f"of full scale {self.full_scale:.4g} over {self.points} points"
        )


def compare(
    what: str, predicted: ArrayLike, reference: ArrayLike, *, full_scale: float | None = None
) -> Validation:
    """Compare a surrogate's ``predicted`` values with ngspice's ``reference`` (same shape)."""
    p = np.asarray(predicted, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if p.shape != r.shape or r.size == 0:
        raise SurrogateError(f"{what}: shapes {p.shape} and {r.shape} differ or are empty")
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(r))):
        raise SurrogateError(f"{what}: NaN or infinite values in the comparison")
    scale = float(r.max() - r.min()) if full_scale is None else float(full_scale)
    if scale <= 0:
        raise SurrogateError(f"{what}: full scale must be > 0 (the reference is constant)")
    error = np.abs(p - r) / scale
    return Validation(
        what, int(r.size), scale, float(error.max()), float(np.sqrt(np.mean(error**2)))
    )
