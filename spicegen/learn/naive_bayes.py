"""Discretised naive Bayes, exactly and on the Bayesian machine (physics.md section 4).

The Bayesian machine (``spicegen.circuits.bayesian_machine``) multiplies likelihoods by ANDing
stochastic bit streams: each class's count after ``k`` cycles estimates ``k * prod_i P(o_i|y)``
(codes quantised to ``bits``). Here: features binned at quantiles of the training data
(``Discretiser``), likelihood tables with Laplace smoothing (``fit_tables``), the exact
naive-Bayes decision (``exact_decisions``: argmax of the summed log-likelihoods, with the same
quantised codes the machine stores, or the unquantised tables), and the machine's decision
after every cycle from one ngspice run per observation (``machine_counts``): the agreement
with exact naive Bayes and the accuracy against cycles.

Priors are left out on both sides (the machine would AND one more stream per class): for the
balanced or near-balanced classes used here they change few decisions, and the comparison is
like for like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError

__all__ = [
    "Discretiser",
    "exact_decisions",
    "fit_tables",
    "machine_counts",
    "quantised_tables",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class Discretiser:
    """Bin edges per feature (``edges[i]``: the ``bins - 1`` inner quantiles of the training
    data); ``__call__`` maps samples (samples, features) to value indices 0 .. bins-1."""

    edges: tuple[FloatArray, ...]
    bins: int

    @classmethod
    def fit(cls, x: FloatArray, bins: int) -> Discretiser:
        data = np.asarray(x, dtype=np.float64)
        if data.ndim != 2 or data.shape[0] < bins:
            raise LearnError(f"naive bayes: expected (samples >= bins, features), got {data.shape}")
        if type(bins) is not int or not 2 <= bins <= 64:
            raise LearnError(f"naive bayes: bins must be an int in 2..64, got {bins!r}")
        quantiles = np.linspace(0, 1, bins + 1)[1:-1]
        return cls(tuple(np.quantile(column, quantiles) for column in data.T), bins)

    def __call__(self, x: FloatArray) -> IntArray:
        data = np.asarray(x, dtype=np.float64)
        if data.ndim != 2 or data.shape[1] != len(self.edges):
            raise LearnError(f"naive bayes: expected {len(self.edges)} features, got {data.shape}")
        columns = [
            np.searchsorted(e, c, side="right") for e, c in zip(self.edges, data.T, strict=True)
        ]
        return np.asarray(np.stack(columns, axis=1), dtype=np.int64)


def fit_tables(values: IntArray, y: IntArray, bins: int, alpha: float = 1.0) -> FloatArray:
    """``table[c, i, v] = (n(c, o_i = v) + alpha) / (n(c) + alpha * bins)`` (classes, features,
    bins) from value indices (samples, features) and labels 0 .. classes-1."""
    v = np.asarray(values, dtype=np.int64)
    labels = np.asarray(y, dtype=np.int64)
    classes = int(labels.max()) + 1
    if v.ndim != 2 or labels.shape != (v.shape[0],) or v.min() < 0 or v.max() >= bins:
        raise LearnError("naive bayes: expected value indices (samples, features) in 0..bins-1")
    if not alpha > 0:
        raise LearnError(f"naive bayes: alpha must be > 0, got {alpha!r}")
    table = np.empty((classes, v.shape[1], bins))
    for c in range(classes):
        mine = v[labels == c]
        for i in range(v.shape[1]):
            counts = np.bincount(mine[:, i], minlength=bins)
            table[c, i] = (counts + alpha) / (mine.shape[0] + alpha * bins)
    return table


def quantised_tables(table: FloatArray, bits: int) -> FloatArray:
    """The probabilities the machine stores: ``round(p (2**bits - 1)) / (2**bits - 1)``."""
    full = (1 << bits) - 1
    return np.asarray(np.round(np.asarray(table) * full) / full)


def exact_decisions(table: FloatArray, values: IntArray) -> IntArray:
    """Exact naive Bayes (no priors): argmax over classes of ``sum_i log table[c, i, o_i]``
    for each sample's value indices (lowest class on ties)."""
    t = np.asarray(table, dtype=np.float64)
    v = np.asarray(values, dtype=np.int64)
    features = np.arange(t.shape[1])
    with np.errstate(divide="ignore"):  # a stored code of 0 is probability 0
        logs = np.log(t)
    scores = np.stack([logs[c][features, v].sum(axis=1) for c in range(t.shape[0])], axis=1)
    return np.asarray(scores.argmax(axis=1), dtype=np.int64)


def machine_counts(
    table: FloatArray, observation: IntArray, bits: int = 8, cycles: int | None = None
) -> IntArray:
    """Each class's count after every cycle (classes, cycles) of the Bayesian machine built
    for ``observation`` (value indices, one per feature; ideal memory bits, the default
    LFSRs), from one ngspice run; the decision after ``k`` cycles is the argmax of column
    ``k - 1`` (lowest class on ties, as ``bayesian_machine.decide``)."""
    from spicegen.circuits.bayesian_machine import from_likelihoods, streams
    from spicegen.sim import simulate

    circuit, machine = from_likelihoods(np.asarray(table).tolist(), bits,
                                        observation=[int(o) for o in observation],
                                        cycles=cycles)  # fmt: skip
    result = simulate(circuit)
    return np.asarray(np.cumsum(streams(result.waveforms, machine), axis=1), dtype=np.int64)
