"""A binarized network trainer (numpy, seeded) whose weight writes go through a synapse model.

Each layer keeps real hidden weights ``W_h`` (the optimiser's state, in digital periphery) and
the bits stored in the synapses ``B`` (+-1, what the forward pass uses). After every step the
bits the hidden weights ask for, ``sign(W_h)``, are compared with those asked for before; where
they changed, a write is attempted through the ``WriteModel`` (``spicegen.learn.synapses``),
which may fail and costs energy. Layers: ``z = h @ B / sqrt(fan_in)`` (a crossbar column's
current), batch normalisation, then ``sign`` (straight-through gradient on |y| <= 1) or, on
the last layer, the softmax. Adam on the hidden weights (Courbariaux et al. 2016), clipped to
+-1, or unclipped with the metaplastic factor ``f_meta = 1 - tanh^2(m W_h)`` on updates that
move a hidden weight towards zero (Laborieux et al. 2021, physics.md 9).

``binary=False`` is the full-precision software baseline: the same network and optimiser with
real weights and tanh activations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError
from spicegen.learn.synapses import IdealWrite, WriteModel
from spicegen.seeds import stream

__all__ = ["BnnConfig", "BnnNetwork", "TrainResult", "metaplastic_update", "quantise", "train_bnn"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_EPS = 1e-5  # batch-norm variance floor


@dataclass(frozen=True, slots=True)
class BnnConfig:
    """Training settings: ``hidden`` layer widths, ``epochs``, ``batch`` samples per step,
    Adam ``learning_rate``, ``binary`` (False: the full-precision baseline), ``metaplastic``
    m (0: off), ``clip`` of the hidden weights (None: unclipped, as metaplastic training uses),
    ``affine``: learn the batch-norm gain and offset (else fixed at 1 and 0)."""

    hidden: tuple[int, ...] = (256,)
    epochs: int = 20
    batch: int = 32
    learning_rate: float = 0.005
    binary: bool = True
    metaplastic: float = 0.0
    clip: float | None = 1.0
    momentum: float = 0.9  # of the batch-norm running statistics
    affine: bool = True  # learn the batch-norm gain and offset
    levels: int = 2  # stored weight levels in [-1, 1] (2: binary)
    margin: float = 0.0  # noise-tolerance margin, in level spacings past the rounding point

    def check(self) -> None:
        """Raise ``LearnError`` naming the first field out of range."""
        if not self.hidden or min(self.hidden) < 1:
            raise LearnError(f"BnnConfig.hidden: expected widths >= 1, got {self.hidden!r}")
        if self.epochs < 1 or self.batch < 1:
            raise LearnError(
                f"BnnConfig.epochs/batch: expected >= 1, got {self.epochs}/{self.batch}"
            )
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise LearnError(f"BnnConfig.learning_rate: expected > 0, got {self.learning_rate!r}")
        if not 2 <= self.levels <= 16 or not self.margin >= 0:
            raise LearnError(
                f"BnnConfig.levels/margin: expected 2..16 and >= 0, got {self.levels}/{self.margin}"
            )
        if not self.metaplastic >= 0:
            raise LearnError(f"BnnConfig.metaplastic: expected m >= 0, got {self.metaplastic!r}")


@dataclass(frozen=True, slots=True, eq=False)
class BnnNetwork:
    """A trained network: per layer the weights used for inference (the stored bits, or real
    weights for the baseline) and the batch-norm running mean, variance, gain and offset."""

    weights: tuple[FloatArray, ...]
    mean: tuple[FloatArray, ...]
    variance: tuple[FloatArray, ...]
    gain: tuple[FloatArray, ...]
    offset: tuple[FloatArray, ...]
    binary: bool

    def column_sums(self, layer: int, h: FloatArray) -> FloatArray:
        """``h @ W / sqrt(fan_in)`` of ``layer``: what a crossbar column reads."""
        w = self.weights[layer]
        return np.asarray(h @ w / math.sqrt(w.shape[0]))

    def activation(self, layer: int, z: FloatArray) -> FloatArray:
        """Layer ``layer``'s output from its column sums ``z``: +-1 (or tanh, or the logits)."""
        y = self.gain[layer] * (z - self.mean[layer]) / np.sqrt(self.variance[layer] + _EPS)
        y = y + self.offset[layer]
        if layer == len(self.weights) - 1:
            return np.asarray(y)
        return np.where(y >= 0, 1.0, -1.0) if self.binary else np.tanh(y)

    def predict(self, x: FloatArray) -> IntArray:
        """Class index of every row of ``x``."""
        h = np.asarray(x, dtype=np.float64)
        for layer in range(len(self.weights)):
            h = self.activation(layer, self.column_sums(layer, h))
        return np.asarray(np.argmax(h, axis=1), dtype=np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class TrainResult:
    """A trained ``network``, the write attempts and their energy (J) over training, the bits
    that disagree with their hidden weights' sign at the end, and the accuracy of each epoch on
    ``monitor`` data (if given)."""

    network: BnnNetwork
    writes: int
    energy: float
    wrong_bits: int
    history: tuple[float, ...] = field(default=())


@dataclass(slots=True)
class _Adam:
    m: FloatArray
    v: FloatArray


def train_bnn(
    x: FloatArray,
    y: IntArray,
    classes: int,
    config: BnnConfig = BnnConfig(),
    *,
    synapse: WriteModel | None = None,
    seed: int = 0,
    monitor: tuple[FloatArray, IntArray] | None = None,
    start: BnnNetwork | None = None,
    hidden_start: tuple[FloatArray, ...] | None = None,
    monitor_norm: BnnNetwork | None = None,
) -> tuple[TrainResult, tuple[FloatArray, ...]]:
    """Train on ``x`` (samples x features, scaled) and labels ``y`` in 0..classes-1.

    ``synapse`` is the write model of the stored bits (default: ideal). ``seed`` is a training
    seed (``spicegen.seeds.stream``: init, shuffle and write noise). ``start`` and
    ``hidden_start`` continue from a trained network (a second task). ``monitor_norm`` is a
    network whose batch-norm state (running statistics, gain, offset) the ``monitor`` data is
    read with, instead of the current one: the task-specific normalisation of sequential tasks
    (Laborieux et al. 2021). Returns the result and the final hidden weights.
    """
    config.check()
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if x.ndim != 2 or y.shape != (x.shape[0],) or x.shape[0] == 0:
        raise LearnError(
            "train_bnn: x must be samples x features and y one label each, "
            f"got {x.shape} and {y.shape}"
        )
    if y.min() < 0 or y.max() >= classes:
        raise LearnError(
            f"train_bnn: labels must lie in 0..{classes - 1}, got {y.min()}..{y.max()}"
        )
    write_model: WriteModel = IdealWrite() if synapse is None else synapse
    sizes = (x.shape[1], *config.hidden, classes)
    layers = len(sizes) - 1
    if hidden_start is not None:
        hidden = [h.copy() for h in hidden_start]
    else:
        hidden = [
            stream(seed, "init", k).uniform(-1, 1, (sizes[k], sizes[k + 1]))
            * (0.1 if config.binary and config.levels == 2 else 1.0)
            for k in range(layers)
        ]
    if [h.shape for h in hidden] != [(sizes[k], sizes[k + 1]) for k in range(layers)]:
        raise LearnError("train_bnn: the starting hidden weights do not fit the layer sizes")
    if start is not None:
        stored = [w.copy() for w in start.weights]
        gain = [g.copy() for g in start.gain]
        offset = [b.copy() for b in start.offset]
        mean = [m.copy() for m in start.mean]
        variance = [v.copy() for v in start.variance]
    else:
        stored = [quantise(h, config.levels) for h in hidden]
        gain = [np.ones(sizes[k + 1]) for k in range(layers)]
        offset = [np.zeros(sizes[k + 1]) for k in range(layers)]
        mean = [np.zeros(sizes[k + 1]) for k in range(layers)]
        variance = [np.ones(sizes[k + 1]) for k in range(layers)]
    requested = [quantise(h, config.levels) for h in hidden]
    states = [_Adam(np.zeros_like(p), np.zeros_like(p)) for p in (*hidden, *gain, *offset)]
    shuffle = stream(seed, "shuffle")
    noise = stream(seed, "write")
    writes = 0
    energy = 0.0
    step = 0
    history: list[float] = []
    for _epoch in range(config.epochs):
        order = shuffle.permutation(x.shape[0])
        for first in range(0, order.size, config.batch):
            rows = order[first : first + config.batch]
            if rows.size < 2:
                continue  # batch statistics need two samples
            used = stored if config.binary else hidden
            grads_w, grads_g, grads_b, batch_mean, batch_var = _gradients(
                x[rows], y[rows], used, gain, offset, config.binary
            )
            step += 1
            params = (*hidden, *gain, *offset)
            grads = (*grads_w, *grads_g, *grads_b)
            for k, (p, g, s) in enumerate(zip(params, grads, states, strict=True)):
                if k >= layers and not config.affine:
                    continue  # batch-norm gain and offset fixed at 1 and 0
                delta = _adam_step(s, g, step, config.learning_rate)
                if k < layers and config.binary and config.metaplastic > 0:
                    delta = metaplastic_update(delta, p, config.metaplastic)
                p += delta
                if k < layers and config.binary and config.clip is not None:
                    np.clip(p, -config.clip, config.clip, out=p)
            for k in range(layers):
                mean[k] = config.momentum * mean[k] + (1 - config.momentum) * batch_mean[k]
                variance[k] = config.momentum * variance[k] + (1 - config.momentum) * batch_var[k]
            if config.binary:
                for k in range(layers):
                    target = quantise(hidden[k], config.levels)
                    attempt = target != requested[k]
                    if config.margin > 0:  # program only once past the level by the margin
                        span = 2.0 / (config.levels - 1)
                        attempt &= np.abs(hidden[k] - requested[k]) > span * (0.5 + config.margin)
                    if attempt.any():
                        stored[k], spent = write_model.write(stored[k], target, attempt, noise)
                        writes += int(np.count_nonzero(attempt))
                        energy += spent
                    requested[k] = np.where(attempt, target, requested[k])
        if monitor is not None:
            net = _network(
                stored if config.binary else hidden, mean, variance, gain, offset, config.binary
            )
            if monitor_norm is not None:  # the stored weights, read with another task's norm
                net = BnnNetwork(
                    net.weights,
                    monitor_norm.mean,
                    monitor_norm.variance,
                    monitor_norm.gain,
                    monitor_norm.offset,
                    net.binary,
                )
            history.append(float(np.mean(net.predict(monitor[0]) == monitor[1])))
    network = _network(
        stored if config.binary else hidden, mean, variance, gain, offset, config.binary
    )
    wrong = (
        sum(
            int(np.count_nonzero(s != quantise(h, config.levels)))
            for s, h in zip(stored, hidden, strict=True)
        )
        if config.binary
        else 0
    )
    return TrainResult(network, writes, energy, wrong, tuple(history)), tuple(
        h.copy() for h in hidden
    )


def metaplastic_update(delta: FloatArray, hidden: FloatArray, m: float) -> FloatArray:
    """``delta`` scaled by f_meta = 1 - tanh^2(m W_h) where it moves ``hidden`` towards zero
    (towards a sign flip), unchanged where it moves away (Laborieux et al. 2021)."""
    towards_zero = delta * hidden < 0
    return np.where(towards_zero, delta * (1 - np.tanh(m * hidden) ** 2), delta)


def _network(
    weights: list[FloatArray],
    mean: list[FloatArray],
    variance: list[FloatArray],
    gain: list[FloatArray],
    offset: list[FloatArray],
    binary: bool,
) -> BnnNetwork:
    return BnnNetwork(
        _copy(weights), _copy(mean), _copy(variance), _copy(gain), _copy(offset), binary
    )


def _copy(arrays: list[FloatArray]) -> tuple[FloatArray, ...]:
    return tuple(a.copy() for a in arrays)


def quantise(w: FloatArray, levels: int) -> FloatArray:
    """``w`` rounded to the nearest of ``levels`` equally spaced values in [-1, 1] (2: sign,
    with 0 -> +1)."""
    index = np.clip(np.floor((w + 1) / 2 * (levels - 1) + 0.5), 0, levels - 1)
    return np.asarray(-1 + 2 * index / (levels - 1))


def _sign(w: FloatArray) -> FloatArray:
    return np.where(w >= 0, 1.0, -1.0)


def _adam_step(state: _Adam, grad: FloatArray, step: int, rate: float) -> FloatArray:
    """The Adam update (to add) for ``grad``; beta 0.9 / 0.999."""
    state.m = 0.9 * state.m + 0.1 * grad
    state.v = 0.999 * state.v + 0.001 * grad**2
    m_hat = state.m / (1 - 0.9**step)
    v_hat = state.v / (1 - 0.999**step)
    return np.asarray(-rate * m_hat / (np.sqrt(v_hat) + 1e-8))


def _gradients(
    x: FloatArray,
    y: IntArray,
    weights: list[FloatArray],
    gain: list[FloatArray],
    offset: list[FloatArray],
    binary: bool,
) -> tuple[
    list[FloatArray], list[FloatArray], list[FloatArray], list[FloatArray], list[FloatArray]
]:
    """Backpropagation through batch norm, the straight-through sign and the softmax."""
    layers = len(weights)
    inputs, normed, stds, pre = [], [], [], []
    batch_mean, batch_var = [], []
    h = x
    for k in range(layers):
        scale = 1 / math.sqrt(weights[k].shape[0])
        z = h @ weights[k] * scale
        mu, var = z.mean(axis=0), z.var(axis=0)
        std = np.sqrt(var + _EPS)
        n = (z - mu) / std
        a = gain[k] * n + offset[k]
        inputs.append(h)
        normed.append(n)
        stds.append(std)
        pre.append(a)
        batch_mean.append(mu)
        batch_var.append(var)
        if k < layers - 1:
            h = _sign(a) if binary else np.tanh(a)
    logits = pre[-1] - pre[-1].max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    grad_a = probabilities
    grad_a[np.arange(y.size), y] -= 1
    grad_a /= y.size
    grads_w: list[FloatArray] = [np.empty(0)] * layers
    grads_g: list[FloatArray] = [np.empty(0)] * layers
    grads_b: list[FloatArray] = [np.empty(0)] * layers
    for k in reversed(range(layers)):
        n = normed[k]
        grads_g[k] = (grad_a * n).sum(axis=0)
        grads_b[k] = grad_a.sum(axis=0)
        grad_n = grad_a * gain[k]
        grad_z = (grad_n - grad_n.mean(axis=0) - n * (grad_n * n).mean(axis=0)) / stds[k]
        scale = 1 / math.sqrt(weights[k].shape[0])
        grads_w[k] = inputs[k].T @ grad_z * scale
        if k > 0:
            grad_h = grad_z @ weights[k].T * scale
            previous = pre[k - 1]
            if binary:
                grad_a = grad_h * (np.abs(previous) <= 1)  # straight-through estimator
            else:
                grad_a = grad_h * (1 - np.tanh(previous) ** 2)
    return grads_w, grads_g, grads_b, batch_mean, batch_var
