"""Discretised naive Bayes, exactly and on the Bayesian machine (physics.md section 4).

The Bayesian machine (``spicegen.circuits.bayesian_machine``) multiplies likelihoods by ANDing
stochastic bit streams: each class's count after ``k`` cycles estimates ``k * prod_i P(o_i|y)``
(codes quantised to ``bits``). Here: features binned at quantiles of the training data
(``Discretiser``), likelihood tables with Laplace smoothing (``fit_tables``), the exact
naive-Bayes decision (``exact_decisions``: argmax of the summed log-likelihoods, with the same
quantised codes the machine stores, or the unquantised tables), and the machine's decision
after every cycle from one ngspice run per observation (``machine_counts``): the agreement
with exact naive Bayes and the accuracy against cycles.

The logarithmic machine (``variant="logarithmic"``, arXiv 2406.03492) stores costs
``round(-ln p / step)`` and adds them, one observation per cycle: ``log_costs`` gives the
costs, ``machine_sums`` its accumulators after every cycle from ngspice. For machines too big
to simulate for every sample, ``stochastic_model_counts`` and ``logarithmic_model_sums`` are
cycle-exact numpy models of the same logic (the same LFSRs, comparators, AND gates and
counters; the same adders), checked against ngspice decision by decision.

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
    "PROTOTYPE_FEATURES",
    "Discretiser",
    "FittedModel",
    "exact_decisions",
    "fit_tables",
    "log_costs",
    "logarithmic_model_sums",
    "machine_counts",
    "machine_streams",
    "machine_sums",
    "prototype_model",
    "quantised_tables",
    "stochastic_model_bits",
    "stochastic_model_counts",
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
    return machine_streams(table, observation, bits, cycles)[1]


def machine_streams(
    table: FloatArray,
    observation: IntArray,
    bits: int = 8,
    cycles: int | None = None,
    timeout: float = 600.0,
) -> tuple[IntArray, IntArray]:
    """One ngspice run of the machine of ``machine_counts``: every block's comparator bit
    (classes, features, cycles) and each class's count after every cycle (classes, cycles);
    ``timeout`` in s of ngspice."""
    from spicegen.circuits.bayesian_machine import block_streams, from_likelihoods, streams
    from spicegen.sim import simulate

    circuit, machine = from_likelihoods(np.asarray(table).tolist(), bits,
                                        observation=[int(o) for o in observation],
                                        cycles=cycles)  # fmt: skip
    waves = simulate(circuit, timeout=timeout).waveforms
    counts = np.asarray(np.cumsum(streams(waves, machine), axis=1), dtype=np.int64)
    return np.asarray(block_streams(waves, machine), dtype=np.int64), counts


def machine_sums(table: FloatArray, observation: IntArray, bits: int = 8) -> IntArray:
    """Each class's accumulated cost after every cycle (classes, observations) of the
    logarithmic machine built for ``observation`` (ideal memory bits, the default step), from
    one ngspice run; the decision after ``k`` cycles is the argmin of column ``k - 1``."""
    from spicegen.circuits.bayesian_machine import from_likelihoods, partial_sums
    from spicegen.sim import simulate

    circuit, machine = from_likelihoods(np.asarray(table).tolist(), bits,
                                        observation=[int(o) for o in observation],
                                        variant="logarithmic")  # fmt: skip
    return np.asarray(partial_sums(simulate(circuit).waveforms, machine), dtype=np.int64)


def log_costs(table: FloatArray, bits: int) -> tuple[IntArray, float]:
    """The logarithmic machine's stored costs (classes, features, bins) and its step (nats
    per code unit), as ``from_likelihoods(..., variant="logarithmic")`` stores them."""
    from spicegen.circuits.log_bayesian_machine import default_log_step, log_quantise

    t = np.asarray(table, dtype=np.float64)
    step = default_log_step(t.ravel().tolist(), bits)
    costs = np.vectorize(lambda p: log_quantise(float(p), bits, step), otypes=[np.int64])(t)
    return np.asarray(costs, dtype=np.int64), step


def logarithmic_model_sums(costs: IntArray, values: IntArray) -> IntArray:
    """Accumulated costs after every cycle (samples, classes, features) of the logarithmic
    machine: cycle ``k`` adds feature ``k``'s cost of the observed value."""
    c = np.asarray(costs, dtype=np.int64)
    v = np.asarray(values, dtype=np.int64)
    features = np.arange(c.shape[1])
    per_cycle = np.stack([c[y][features, v] for y in range(c.shape[0])], axis=1)
    return np.asarray(np.cumsum(per_cycle, axis=2), dtype=np.int64)


def stochastic_model_counts(table: FloatArray, values: IntArray, bits: int = 8,
                            cycles: int | None = None) -> IntArray:  # fmt: skip
    """Counts after every cycle (samples, classes, cycles) of the stochastic machine with the
    default LFSRs and ``table``'s ``bits``-bit codes: block ``(y, i)`` (class-major) compares
    its LFSR's state with the stored code each cycle, the class ANDs its blocks and counts."""
    ones = stochastic_model_bits(table, values, bits, cycles)
    return np.asarray(np.cumsum(ones.all(axis=2), axis=2), dtype=np.int64)


def stochastic_model_bits(table: FloatArray, values: IntArray, bits: int = 8,
                          cycles: int | None = None) -> IntArray:  # fmt: skip
    """Every block's comparator bit (samples, classes, features, cycles) of the model of
    ``stochastic_model_counts``: 1 when block ``(y, i)``'s LFSR state is at most its code."""
    from spicegen.circuits._digital import lfsr_step
    from spicegen.circuits.bayesian_machine import default_lfsrs

    full = (1 << bits) - 1
    codes = np.round(np.asarray(table, dtype=np.float64) * full).astype(np.int64)
    v = np.asarray(values, dtype=np.int64)
    classes, features = codes.shape[:2]
    n_cycles = full if cycles is None else cycles
    taps, seeds = default_lfsrs(classes * features, bits)
    states = np.empty((classes * features, n_cycles), dtype=np.int64)
    for b in range(classes * features):  # cycle 0 holds the seed, each edge steps it
        state = seeds[b]
        for t in range(n_cycles):
            states[b, t] = state
            state = lfsr_step(state, taps[b], bits)
    states = states.reshape(classes, features, n_cycles)
    index = np.arange(features)
    ones = np.empty((v.shape[0], classes, features, n_cycles), dtype=np.int64)
    for y in range(classes):
        stored = codes[y][index, v]  # (samples, features)
        ones[:, y] = states[y][None, :, :] <= stored[:, :, None]  # comparator bits
    return ones


# breast cancer's worst radius, perimeter, area and concave points: 2 classes x 4 observations
PROTOTYPE_FEATURES = (20, 22, 23, 27)


@dataclass(frozen=True, slots=True, eq=False)
class FittedModel:
    """A naive-Bayes model fitted on fold 0's training part: ``table`` (classes, features,
    bins) and fold 0's test part as value indices ``test`` and labels ``labels``."""

    table: FloatArray
    test: IntArray
    labels: IntArray


def prototype_model(
    dataset: str = "breast_cancer",
    features: tuple[int, ...] = PROTOTYPE_FEATURES,
    bins: int = 16,
) -> FittedModel:
    """The model the prototype-size machine stores (2 classes x 4 observations x 16 values
    by default): ``features`` of ``dataset`` (a bundled name or a CSV path) binned at
    ``bins`` quantiles of the training part of fold 0 of 5 (stratified, seed 0)."""
    from spicegen.learn.datasets import load_dataset
    from spicegen.learn.evaluation import stratified_folds

    data = load_dataset(dataset)
    columns = data.x.shape[1]
    for f in features:
        if type(f) is not int or not 0 <= f < columns:
            raise LearnError(f"naive bayes: feature {f!r} is not a column index 0..{columns - 1}")
    x = data.x[:, list(features)]
    part = next(iter(stratified_folds(data.y, 5, seed=0)))
    binning = Discretiser.fit(x[part.train], bins)
    table = fit_tables(binning(x[part.train]), data.y[part.train], bins)
    return FittedModel(table, binning(x[part.test]), np.asarray(data.y[part.test], dtype=np.int64))
