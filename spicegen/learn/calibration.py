"""How well predicted probabilities match outcomes: reliability diagrams, expected calibration
error (ECE) and predictive entropy.

Top-label calibration (Guo et al., ICML 2017): each prediction's confidence is its largest class
probability; confidences are put in ``bins`` equal-width bins over [0, 1]; a bin's accuracy is
the share of its predictions that are right. ECE is the count-weighted mean of
``|accuracy - confidence|`` over the bins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError

__all__ = ["Reliability", "expected_calibration_error", "predictive_entropy", "reliability"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class Reliability:
    """Per bin (``edges`` has bins + 1 entries): mean ``confidence``, ``accuracy`` and
    ``counts``; empty bins hold NaN confidence and accuracy."""

    edges: FloatArray
    confidence: FloatArray
    accuracy: FloatArray
    counts: IntArray

    @property
    def ece(self) -> float:
        """Expected calibration error: ``sum_b n_b |acc_b - conf_b| / n``."""
        used = self.counts > 0
        gaps = np.abs(self.accuracy[used] - self.confidence[used])
        return float(np.sum(self.counts[used] * gaps) / np.sum(self.counts))


def _check(probabilities: FloatArray, labels: IntArray) -> tuple[FloatArray, IntArray]:
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    if p.ndim != 2 or p.shape[0] != y.shape[0] or p.shape[0] == 0 or p.shape[1] < 2:
        raise LearnError(
            f"calibration: expected probabilities (samples, classes >= 2) and one label per "
            f"sample, got {p.shape} and {y.shape}"
        )
    if not np.all(np.isfinite(p)) or np.any(p < -1e-9) or np.any(np.abs(p.sum(axis=1) - 1) > 1e-6):
        raise LearnError("calibration: each row of probabilities must be >= 0 and sum to 1")
    if y.min() < 0 or y.max() >= p.shape[1]:
        raise LearnError(f"calibration: labels must be in 0..{p.shape[1] - 1}")
    return p, y


def reliability(probabilities: FloatArray, labels: IntArray, bins: int = 10) -> Reliability:
    """The reliability diagram of ``probabilities`` (samples, classes) against ``labels``."""
    p, y = _check(probabilities, labels)
    if type(bins) is not int or bins < 1:
        raise LearnError(f"calibration: bins must be an int >= 1, got {bins!r}")
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # bin b is (edges[b], edges[b+1]]; a confidence of exactly 0 cannot occur (>= 1/classes)
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, bins) / counts
        accuracy = np.bincount(index, correct, bins) / counts
    return Reliability(edges, mean_confidence, accuracy, counts.astype(np.int64))


def expected_calibration_error(
    probabilities: FloatArray, labels: IntArray, bins: int = 10
) -> float:
    """ECE (0..1) of ``probabilities`` (samples, classes) against ``labels``."""
    return reliability(probabilities, labels, bins).ece


def predictive_entropy(probabilities: FloatArray) -> FloatArray:
    """Entropy (nats) of each row of ``probabilities`` (samples, classes)."""
    p = np.asarray(probabilities, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    return np.asarray(terms.sum(axis=1), dtype=np.float64)
