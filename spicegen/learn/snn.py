"""Unsupervised training of the spiking network with VDSP or STDP, and its labelling.

The loop is the same for every engine (``snn_network.Engine``): for each sample, one
presentation with the current weights and thresholds (``engine.present``); then the rule's
updates, applied in the time order of the spikes that caused them, each on the weights left
by the one before (so the soft bounds see every earlier update); then the thresholds adapt.
Updates computed from one presentation are applied after it: within a presentation the
synapses keep the conductances they started with, as a circuit whose devices are programmed
between samples would.

- ``Vdsp``: at each spike of output ``j``, every synapse onto ``j`` changes by
  ``rules.vdsp`` (or ``rules.vdsp_alpha``) of the input membranes at that instant, in LIF
  units (``SpikingNetworkParams.lif_units``): physics.md 3.1.
- ``Stdp``: nearest-neighbour pair STDP (``rules.stdp``, soft bounds): at a spike of output
  ``j``, each input's most recent earlier spike potentiates; at a spike of input ``i``, each
  output's most recent earlier spike depresses. It reads spike times only, at both pre and
  post spikes, where VDSP reads voltages at post spikes only.

Labelling and evaluation follow physics.md 3.2: present the training set without plasticity,
label each output neuron with the class for which it spiked most (mean count per sample of
that class), and predict for a test sample the class whose labelled neurons sum the most
spikes; a sample that makes no neuron spike is counted wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spicegen.learn import rules
from spicegen.learn.errors import LearnError
from spicegen.learn.snn_network import Engine, FloatArray, PresentationResult, SpikingNetworkParams
from spicegen.seeds import stream

__all__ = [
    "NetworkState",
    "Rule",
    "Stdp",
    "Vdsp",
    "assign_labels",
    "initial_state",
    "normalise_columns",
    "plasticity",
    "predict",
    "respond",
    "train",
]

IntArray = NDArray[np.int64]
NO_PREDICTION = -1


def _rate(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LearnError(f"{where}: expected a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise LearnError(f"{where}: expected a finite number > 0, not {value!r}")
    return number


def _column_mean(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LearnError(f"{where}: expected a number, not {value!r}")
    number = float(value)
    if not (math.isfinite(number) and 0.0 <= number < 1.0):
        raise LearnError(f"{where}: expected a mean weight in [0, 1) (0: off), not {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class Vdsp:
    """VDSP with learning rate ``lr`` (0 < lr <= 1); ``alpha > 0`` selects the weight-dependent
    variant (``rules.vdsp_alpha``), ``alpha = 0`` the plain rule (``rules.vdsp``);
    ``column_mean > 0`` rescales each updated neuron's weights to that mean after every
    presentation (``normalise_columns``), 0 leaves them as the rule left them."""

    lr: float = 0.05
    alpha: float = 0.0
    column_mean: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_mean", _column_mean(self.column_mean, "Vdsp.column_mean"))
        lr = _rate(self.lr, "Vdsp.lr")
        if lr > 1.0:
            raise LearnError(f"Vdsp.lr: expected at most 1 (a step of the whole range), not {lr}")
        object.__setattr__(self, "lr", lr)
        if (
            not isinstance(self.alpha, int | float)
            or not math.isfinite(self.alpha)
            or self.alpha < 0
        ):
            raise LearnError(f"Vdsp.alpha: expected a finite number >= 0, not {self.alpha!r}")
        object.__setattr__(self, "alpha", float(self.alpha))

    name = "vdsp"


@dataclass(frozen=True, slots=True)
class Stdp:
    """Pair STDP: ``a_plus``/``a_minus`` (steps, 0 < a <= 1), ``tau_plus``/``tau_minus`` (s);
    ``column_mean`` as for ``Vdsp``."""

    a_plus: float = 0.05
    a_minus: float = 0.0525
    tau_plus: float = 2e-6
    tau_minus: float = 2e-6
    column_mean: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_mean", _column_mean(self.column_mean, "Stdp.column_mean"))
        for name in ("a_plus", "a_minus"):
            value = _rate(getattr(self, name), f"Stdp.{name}")
            if value > 1.0:
                raise LearnError(f"Stdp.{name}: expected at most 1, not {value}")
            object.__setattr__(self, name, value)
        for name in ("tau_plus", "tau_minus"):
            object.__setattr__(self, name, _rate(getattr(self, name), f"Stdp.{name}"))

    name = "stdp"


Rule = Vdsp | Stdp


@dataclass(frozen=True, slots=True, eq=False)
class NetworkState:
    """Weights (inputs x neurons, in [0, 1]), threshold offsets (V per neuron), and what
    training did: ``updates`` (synapse changes applied), ``presentations``, ``history`` (one
    ``(presentation, output spikes, updates)`` per training sample), and ``snapshots`` (one
    ``(presentations, weights, thresholds)`` per checkpoint asked of ``train``)."""

    weights: FloatArray
    thresholds: FloatArray
    updates: int = 0
    presentations: int = 0
    history: tuple[tuple[int, int, int], ...] = field(default=())
    snapshots: tuple[tuple[int, FloatArray, FloatArray], ...] = field(default=())


def initial_state(params: SpikingNetworkParams, seed: int) -> NetworkState:
    """Weights drawn U(0, 1) from ``stream(seed, "init", 0)``, thresholds 0 (physics.md 3.2)."""
    rng = stream(seed, "init", 0)
    weights = rng.uniform(0.0, 1.0, params.weight_shape)
    return NetworkState(weights, np.zeros(params.neurons))


def plasticity(
    params: SpikingNetworkParams, result: PresentationResult, weights: ArrayLike, rule: Rule
) -> tuple[FloatArray, int]:
    """The weights after ``rule``'s updates from one presentation, and how many synapse
    changes were applied (nonzero ``dw``), in the order of the spikes that caused them."""
    w = params.check_weights(weights).copy()
    if isinstance(rule, Vdsp):
        updated, updates = _vdsp(params, result, w, rule)
    elif isinstance(rule, Stdp):
        updated, updates = _stdp(result, w, rule)
    else:
        raise LearnError(f"rule: expected Vdsp or Stdp, not {rule!r}")
    if rule.column_mean > 0:
        updated = normalise_columns(updated, result.counts > 0, rule.column_mean)
    return updated, updates


def normalise_columns(weights: ArrayLike, columns: ArrayLike, mean: float) -> FloatArray:
    """``weights`` with each chosen column (boolean per neuron) scaled to ``mean`` weight,
    clipped to [0, 1] (Diehl & Cook 2015's normalisation of each neuron's total input): a
    neuron that wins keeps its total drive, so a field can only sharpen (weights move from
    pixels the rule depresses to those it potentiates), never grow into every digit."""
    w = np.array(weights, dtype=np.float64)
    chosen = np.asarray(columns, dtype=bool)
    if chosen.shape != (w.shape[1],):
        raise LearnError(f"normalise_columns: {chosen.shape} columns for weights {w.shape}")
    sums = w[:, chosen].sum(axis=0)
    scale = np.where(sums > 0, mean * w.shape[0] / np.where(sums > 0, sums, 1.0), 1.0)
    w[:, chosen] = np.clip(w[:, chosen] * scale, 0.0, 1.0)
    return w


def _vdsp(
    params: SpikingNetworkParams, result: PresentationResult, w: FloatArray, rule: Vdsp
) -> tuple[FloatArray, int]:
    events = sorted(
        (float(t), j, k)
        for j, times in enumerate(result.output_spikes)
        for k, t in enumerate(times)
    )
    updates = 0
    for _, j, k in events:
        v = params.lif_units(result.pre_voltages[j][k])
        if rule.alpha > 0:
            dw = rules.vdsp_alpha(w[:, j], v, lr=rule.lr, alpha=rule.alpha)
        else:
            dw = rules.vdsp(w[:, j], v, lr=rule.lr)
        w[:, j] = rules.apply(w[:, j], dw)
        updates += int(np.count_nonzero(dw))
    return w, updates


def _stdp(result: PresentationResult, w: FloatArray, rule: Stdp) -> tuple[FloatArray, int]:
    """Nearest-neighbour pairs in time order, post before pre at equal times (a tie is no
    pair). A synapse's changes depend on its own weight and on spike times only, so the
    input spikes between two output spikes are applied together: each input's first spike
    there on its row, then each one's second, and so on (distinct rows, so every weight sees
    the same sequence of changes as one event at a time, at the cost of a few array steps)."""
    inputs, neurons = w.shape
    posts = sorted((float(t), j) for j, times in enumerate(result.output_spikes) for t in times)
    counts = np.array([times.size for times in result.input_spikes], dtype=np.int64)
    pre_time = np.concatenate([np.asarray(t, dtype=np.float64) for t in result.input_spikes])
    pre_input = np.repeat(np.arange(inputs), counts)
    order = np.lexsort((pre_input, pre_time))
    pre_time, pre_input = pre_time[order], pre_input[order]
    last_pre = np.full(inputs, -np.inf)
    last_post = np.full(neurons, -np.inf)
    updates = 0

    def change(weights: FloatArray, dt: FloatArray) -> FloatArray:
        return rules.stdp(
            weights,
            dt,
            a_plus=rule.a_plus,
            a_minus=rule.a_minus,
            tau_plus=rule.tau_plus,
            tau_minus=rule.tau_minus,
        )

    def pre_block(times: FloatArray, rows: IntArray) -> int:
        """Input spikes with no output spike between them: post-before-pre pairs depress."""
        changed = 0
        seen = np.isfinite(last_post)
        rank = np.zeros(rows.size, dtype=np.int64)
        by_row = np.argsort(rows, kind="stable")  # time order kept within each row
        starts = np.r_[0, np.flatnonzero(np.diff(rows[by_row])) + 1]
        rank[by_row] = np.arange(rows.size) - np.repeat(starts, np.diff(np.r_[starts, rows.size]))
        for r in range(int(rank.max(initial=-1)) + 1):
            pick = rank == r
            at, row = times[pick], rows[pick]
            if seen.any():
                dt = np.where(seen, last_post[None, :] - at[:, None], 0.0)
                dw = np.where(seen, change(w[row, :], dt), 0.0)
                w[row, :] = rules.apply(w[row, :], dw)
                changed += int(np.count_nonzero(dw))
            last_pre[row] = at
        return changed

    done = 0
    for time, index in posts:
        until = int(np.searchsorted(pre_time, time, side="left"))  # pre at `time`: after
        updates += pre_block(pre_time[done:until], pre_input[done:until])
        done = until
        # output `index` fires: pre-before-post pairs potentiate its column
        seen = np.isfinite(last_pre)
        dt = np.where(seen, time - last_pre, 0.0)
        dw = np.where(seen, change(w[:, index], dt), 0.0)
        w[:, index] = rules.apply(w[:, index], dw)
        last_post[index] = time
        updates += int(np.count_nonzero(dw))
    updates += pre_block(pre_time[done:], pre_input[done:])
    return w, updates


def train(
    engine: Engine,
    samples: ArrayLike,
    rule: Rule,
    *,
    epochs: int = 1,
    seed: int = 0,
    state: NetworkState | None = None,
    on_sample: Callable[[int, PresentationResult], None] | None = None,
    checkpoints: Sequence[int] = (),
) -> NetworkState:
    """Train unsupervised on ``samples`` (n x inputs, intensities in [0, 1]) for ``epochs``,
    in an order shuffled per epoch by ``stream(seed, "shuffle", epoch)``; start from
    ``state`` (default ``initial_state(params, seed)``). ``on_sample(index, result)`` is
    called after each presentation (a progress bar, a raster); after each count of training
    presentations in ``checkpoints`` the weights and thresholds are kept in ``snapshots``
    (accuracy against training images, without changing the run). A presentation that
    comes back ``failure`` (the simulator could not finish it) leaves the weights and
    thresholds as they were."""
    params = engine.params
    x = _samples(params, samples)
    if type(epochs) is not int or epochs < 1:
        raise LearnError(f"epochs: expected an integer >= 1, not {epochs!r}")
    current = initial_state(params, seed) if state is None else state
    weights, thresholds = params.check_weights(current.weights), current.thresholds
    updates, presentations = current.updates, current.presentations
    history = list(current.history)
    snapshots = list(current.snapshots)
    wanted = set(checkpoints)
    for epoch in range(epochs):
        for index in stream(seed, "shuffle", epoch).permutation(x.shape[0]):
            result = engine.present(x[index], weights, thresholds)
            changed = 0
            if result.failure is None:
                weights, changed = plasticity(params, result, weights, rule)
                thresholds = params.adapt(thresholds, result.counts)
            updates += changed
            history.append((presentations, int(result.counts.sum()), changed))
            presentations += 1
            if presentations in wanted:
                snapshots.append((presentations, weights.copy(), thresholds.copy()))
            if on_sample is not None:
                on_sample(int(index), result)
    return NetworkState(
        weights, thresholds, updates, presentations, tuple(history), tuple(snapshots)
    )


def respond(
    engine: Engine,
    samples: ArrayLike,
    state: NetworkState,
    *,
    on_sample: Callable[[int, PresentationResult], None] | None = None,
) -> IntArray:
    """Spike counts (samples x neurons) of the trained network, without plasticity."""
    params = engine.params
    x = _samples(params, samples)
    counts = np.zeros((x.shape[0], params.neurons), dtype=np.int64)
    for index in range(x.shape[0]):
        result = engine.present(x[index], state.weights, state.thresholds)
        counts[index] = result.counts
        if on_sample is not None:
            on_sample(index, result)
    return counts


def assign_labels(counts: ArrayLike, labels: ArrayLike, classes: int) -> IntArray:
    """Each neuron's class: the one whose samples make it spike most on average (ties: the
    lower class); a neuron that never spiked gets ``NO_PREDICTION`` (-1)."""
    spikes, y = _counts(counts, labels, classes)
    mean = np.zeros((classes, spikes.shape[1]))
    for label in range(classes):
        members = y == label
        if members.any():
            mean[label] = spikes[members].mean(axis=0)
    assigned = np.argmax(mean, axis=0).astype(np.int64)
    assigned[spikes.sum(axis=0) == 0] = NO_PREDICTION
    return np.asarray(assigned, dtype=np.int64)


def predict(counts: ArrayLike, neuron_labels: ArrayLike, classes: int) -> IntArray:
    """Per sample, the class whose labelled neurons sum the most spikes; ``NO_PREDICTION``
    (-1) when no labelled neuron spiked (ties: the lower class)."""
    spikes = np.asarray(counts, dtype=np.float64)
    assigned = np.asarray(neuron_labels, dtype=np.int64)
    if spikes.ndim != 2 or assigned.shape != (spikes.shape[1],):
        raise LearnError(f"predict: counts {spikes.shape} and labels {assigned.shape} differ")
    votes = np.zeros((spikes.shape[0], classes))
    for label in range(classes):
        votes[:, label] = spikes[:, assigned == label].sum(axis=1)
    predicted = np.argmax(votes, axis=1).astype(np.int64)
    predicted[votes.max(axis=1) == 0] = NO_PREDICTION
    return np.asarray(predicted, dtype=np.int64)


def _samples(params: SpikingNetworkParams, samples: ArrayLike) -> FloatArray:
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise LearnError(f"samples: expected a non-empty 2-d array, got shape {x.shape}")
    for row in x[:1]:
        params.check_sample(row)  # the size and range message names the network's inputs
    if x.min() < 0.0 or x.max() > 1.0 or not np.all(np.isfinite(x)):
        raise LearnError("samples: pixel intensities must be finite and lie in [0, 1]")
    return x


def _counts(counts: ArrayLike, labels: ArrayLike, classes: int) -> tuple[FloatArray, IntArray]:
    spikes = np.asarray(counts, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    if spikes.ndim != 2 or y.shape != (spikes.shape[0],):
        raise LearnError(f"counts {spikes.shape} and labels {y.shape}: one row per label")
    if type(classes) is not int or classes < 1 or (y.size and (y.min() < 0 or y.max() >= classes)):
        raise LearnError(f"labels must lie in 0..{classes - 1}")
    return spikes, y
