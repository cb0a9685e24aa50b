"""Binarized networks whose hidden weights live in HfO2 RRAM pairs, updated by weak RESETs.

The scheme of arXiv 2107.06064 (physics.md section 9): each weight is a differential pair of
``rram_hfo2`` cells, the hidden weight ``W_h = (G+ - G-)/(g_hi - g_lo)`` (nominal window) and
the binary weight the forward pass uses ``sign(W_h)`` (what a 2T2R sense amplifier reads).
Conductance only goes down by weak-RESET pulses, so an update that raises ``W_h`` pulses the
minus cell and one that lowers it pulses the plus cell. The periphery turns the optimiser's
update ``delta`` (Adam, as in ``spicegen.learn.bnn``) into ``floor(|delta|/step + u)`` pulses,
``u ~ U(0, 1)`` (stochastic rounding, so the expected change is the update), ``step`` the
nominal change of ``W_h`` per pulse. When a cell of a pair falls below ``refresh_below`` of the
nominal window both cells are SET to the top of their windows and the losing cell is pulsed
until the pair reads its old sign again (the paper's re-initialisation; the sign is kept, the
magnitude is not).

The steps come from the SPICE table of ``spicegen.surrogate.rram_weak_reset``. Each
non-ideality can be turned off (``NonIdealities``): ``cycle_to_cycle`` off gives every pulse
its mean step; ``device_to_device`` off gives every cell the mean window; ``nonlinear`` off
replaces the state-dependent step by the constant step that takes a cell across the same span
(1 to ``refresh_below``) in the same number of pulses, with the same relative spread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.bnn import BnnConfig, BnnNetwork, _Adam, _adam_step, _gradients, _network
from spicegen.learn.errors import LearnError
from spicegen.seeds import stream
from spicegen.surrogate.rram_weak_reset import WeakReset

__all__ = [
    "NonIdealities",
    "PairArray",
    "WeakResetDevices",
    "WeakResetResult",
    "non_ideality_settings",
    "pulse_train",
    "train_weak_reset",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_MOST_REFRESH_PULSES = 16  # a refreshed pair that has not read its sign after these stays as is


@dataclass(frozen=True, slots=True)
class NonIdealities:
    """Which device non-idealities are simulated (all on: the characterised device)."""

    cycle_to_cycle: bool = True
    device_to_device: bool = True
    nonlinear: bool = True

    @property
    def label(self) -> str:
        """A short name: the non-idealities on, joined by '+', or 'none'."""
        on = [
            name
            for name, flag in (
                ("c2c", self.cycle_to_cycle),
                ("d2d", self.device_to_device),
                ("nonlinear", self.nonlinear),
            )
            if flag
        ]
        return "+".join(on) if on else "none"


@dataclass(frozen=True, slots=True, eq=False)
class WeakResetDevices:
    """The weak-RESET cells as the trainer sees them: the SPICE table, the non-idealities on,
    and the refresh threshold (fraction of the nominal window above its bottom)."""

    characterised: WeakReset
    nonideal: NonIdealities = NonIdealities()
    refresh_below: float = 0.1

    def __post_init__(self) -> None:
        if not 0 < self.refresh_below < 0.5:
            raise LearnError(f"refresh_below must lie in (0, 0.5), got {self.refresh_below!r}")

    @property
    def linear_step(self) -> float:
        """The constant step (in state units) of the linear device: the span 1 ..
        ``refresh_below`` in the table's mean number of pulses for it."""
        pulses = self.characterised.pulses_to(self.refresh_below)
        return (1 - self.refresh_below) / max(pulses, 1.0)

    @property
    def relative_spread(self) -> float:
        """sd / |mean| of a step, averaged over the table's bins (the linear device's noise)."""
        c = self.characterised
        return float(np.mean(c.step_sd / np.abs(c.step_mean)))

    @property
    def window(self) -> tuple[float, float]:
        """The nominal window (S): the mean bottom and top over the characterised devices."""
        return self.characterised.low_mean, self.characterised.high_mean

    @property
    def nominal_step(self) -> float:
        """The change of ``W_h`` per pulse the periphery assumes (the linear step)."""
        return self.linear_step

    def windows(
        self, shape: tuple[int, ...], rng: np.random.Generator
    ) -> tuple[FloatArray, FloatArray]:
        """Bottom and top (S) of every cell of ``shape``: drawn from the characterised spread
        (normal, as the model draws them) or the nominal window."""
        low, high = self.window
        if not self.nonideal.device_to_device:
            return np.full(shape, low), np.full(shape, high)
        c = self.characterised
        lo = np.maximum(rng.normal(low, c.low_sd, shape), 0.05 * low)
        hi = np.maximum(rng.normal(high, c.high_sd, shape), 2 * lo)
        return lo, hi

    def step(self, x: FloatArray, rng: np.random.Generator) -> FloatArray:
        """The new state of cells at state ``x`` after one weak-RESET pulse each."""
        if self.nonideal.nonlinear:
            mean = self.characterised.mean_step(x)
            sd = self.characterised.step_spread(x)
        else:
            mean = np.full(x.shape, -self.linear_step)
            sd = np.full(x.shape, self.linear_step * self.relative_spread)
        change = mean + (sd * rng.standard_normal(x.shape) if self.nonideal.cycle_to_cycle else 0)
        return np.asarray(np.clip(x + np.minimum(change, 0.0), 0.0, 1.0))


@dataclass(slots=True)
class PairArray:
    """The cells of one layer: states ``plus``/``minus`` in [0, 1] and their windows (S)."""

    plus: FloatArray
    minus: FloatArray
    low_plus: FloatArray
    high_plus: FloatArray
    low_minus: FloatArray
    high_minus: FloatArray

    def conductances(self) -> tuple[FloatArray, FloatArray]:
        """G+ and G- (S)."""
        g_plus = self.low_plus + self.plus * (self.high_plus - self.low_plus)
        g_minus = self.low_minus + self.minus * (self.high_minus - self.low_minus)
        return g_plus, g_minus

    def hidden(self, span: float) -> FloatArray:
        """``W_h = (G+ - G-)/span``."""
        g_plus, g_minus = self.conductances()
        return np.asarray((g_plus - g_minus) / span)

    def signs(self, span: float) -> FloatArray:
        """The binary weights: sign of ``W_h`` (0 reads +1)."""
        return np.where(self.hidden(span) >= 0, 1.0, -1.0)


@dataclass(frozen=True, slots=True, eq=False)
class WeakResetResult:
    """A trained ``network`` (the pairs' signs), the weak-RESET ``pulses`` and SET ``sets``
    over training, their ``energy`` (J, from the SPICE table) and the ``refreshes`` of pairs."""

    network: BnnNetwork
    pulses: int
    sets: int
    refreshes: int
    energy: float
    pairs: tuple[PairArray, ...]


def _pulse(
    devices: WeakResetDevices, state: FloatArray, count: IntArray, rng: np.random.Generator
) -> FloatArray:
    """``state`` after ``count`` pulses per cell."""
    new = state.copy()
    for k in range(int(count.max()) if count.size else 0):
        chosen = count > k
        new[chosen] = devices.step(new[chosen], rng)
    return new


def _refresh(
    devices: WeakResetDevices, pairs: PairArray, rng: np.random.Generator
) -> tuple[int, int]:
    """SET both cells of every pair with a cell below the threshold and pulse the losing cell
    until the pair reads its old sign; returns (pairs refreshed, pulses)."""
    low, high = devices.window
    span = high - low
    floor = low + devices.refresh_below * span
    g_plus, g_minus = pairs.conductances()
    due = (g_plus < floor) | (g_minus < floor)
    if not due.any():
        return 0, 0
    sign = pairs.signs(span)
    pairs.plus[due] = 1.0
    pairs.minus[due] = 1.0
    pulses = 0
    for _ in range(_MOST_REFRESH_PULSES):
        wrong = due & (pairs.signs(span) != sign)
        if not wrong.any():
            break
        raise_it = wrong & (sign > 0)  # W_h must go up: pulse the minus cell
        lower_it = wrong & (sign < 0)
        pairs.minus[raise_it] = devices.step(pairs.minus[raise_it], rng)
        pairs.plus[lower_it] = devices.step(pairs.plus[lower_it], rng)
        pulses += int(np.count_nonzero(wrong))
    return int(np.count_nonzero(due)), pulses


def _initial_pairs(
    devices: WeakResetDevices, shape: tuple[int, int], rng: np.random.Generator
) -> PairArray:
    """Cells SET to the top, then one pulse to a random cell of each pair (a random sign)."""
    low_plus, high_plus = devices.windows(shape, rng)
    low_minus, high_minus = devices.windows(shape, rng)
    pairs = PairArray(np.ones(shape), np.ones(shape), low_plus, high_plus, low_minus, high_minus)
    lower = rng.random(shape) < 0.5
    pairs.plus[lower] = devices.step(pairs.plus[lower], rng)
    pairs.minus[~lower] = devices.step(pairs.minus[~lower], rng)
    return pairs


def train_weak_reset(
    x: FloatArray,
    y: IntArray,
    classes: int,
    devices: WeakResetDevices,
    config: BnnConfig | None = None,
    *,
    seed: int = 0,
) -> WeakResetResult:
    """Train on ``x`` (samples x features, scaled) and labels ``y`` in 0..classes-1 with every
    weight a pair of weak-RESET cells. ``config``: widths, epochs, batch, learning rate,
    batch-norm settings (``binary`` must be True, ``levels`` 2). ``seed``: a training seed
    (``stream``: cells, init, shuffle and pulse noise)."""
    config = BnnConfig() if config is None else config
    config.check()
    if not config.binary or config.levels != 2 or config.metaplastic:
        raise LearnError("train_weak_reset: needs a binary config (levels 2, no metaplasticity)")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if x.ndim != 2 or y.shape != (x.shape[0],) or x.shape[0] < 2:
        raise LearnError(f"train_weak_reset: x {x.shape} and y {y.shape} do not fit")
    if y.min() < 0 or y.max() >= classes:
        raise LearnError(f"train_weak_reset: labels must lie in 0..{classes - 1}")
    sizes = (x.shape[1], *config.hidden, classes)
    layers = len(sizes) - 1
    low, high = devices.window
    span = high - low
    step_size = devices.nominal_step
    cells = stream(seed, "rram", "cells")
    pairs = [_initial_pairs(devices, (sizes[k], sizes[k + 1]), cells) for k in range(layers)]
    gain = [np.ones(sizes[k + 1]) for k in range(layers)]
    offset = [np.zeros(sizes[k + 1]) for k in range(layers)]
    mean = [np.zeros(sizes[k + 1]) for k in range(layers)]
    variance = [np.ones(sizes[k + 1]) for k in range(layers)]
    states = [_Adam(np.zeros(sizes[k : k + 2]), np.zeros(sizes[k : k + 2])) for k in range(layers)]
    states += [_Adam(np.zeros_like(p), np.zeros_like(p)) for p in (*gain, *offset)]
    shuffle = stream(seed, "shuffle")
    noise = stream(seed, "rram", "pulses")
    rounding = stream(seed, "rram", "rounding")
    pulses = sets = refreshes = 0
    step = 0
    for _epoch in range(config.epochs):
        order = shuffle.permutation(x.shape[0])
        for first in range(0, order.size, config.batch):
            rows = order[first : first + config.batch]
            if rows.size < 2:
                continue  # batch statistics need two samples
            signs = [p.signs(span) for p in pairs]
            grads_w, grads_g, grads_b, batch_mean, batch_var = _gradients(
                x[rows], y[rows], signs, gain, offset, True
            )
            step += 1
            for k in range(layers):
                delta = _adam_step(states[k], grads_w[k], step, config.learning_rate)
                count = np.floor(np.abs(delta) / step_size + rounding.random(delta.shape))
                count = count.astype(np.int64)
                up = np.where(delta > 0, count, 0)  # raise W_h: pulse the minus cell
                down = np.where(delta < 0, count, 0)
                pairs[k].minus = _pulse(devices, pairs[k].minus, up, noise)
                pairs[k].plus = _pulse(devices, pairs[k].plus, down, noise)
                pulses += int(count.sum())
                refreshed, extra = _refresh(devices, pairs[k], noise)
                refreshes += refreshed
                sets += 2 * refreshed
                pulses += extra
            if config.affine:
                for k in range(layers):
                    gain[k] += _adam_step(
                        states[layers + k], grads_g[k], step, config.learning_rate
                    )
                    offset[k] += _adam_step(
                        states[2 * layers + k], grads_b[k], step, config.learning_rate
                    )
            for k in range(layers):
                mean[k] = config.momentum * mean[k] + (1 - config.momentum) * batch_mean[k]
                variance[k] = config.momentum * variance[k] + (1 - config.momentum) * batch_var[k]
    c = devices.characterised
    energy = pulses * c.pulse_energy + sets * c.set_energy
    network = _network([p.signs(span) for p in pairs], mean, variance, gain, offset, True)
    return WeakResetResult(network, pulses, sets, refreshes, energy, tuple(pairs))


def pulse_train(
    devices: WeakResetDevices, pulses: int, cells: int, seed: int
) -> tuple[FloatArray, FloatArray]:
    """States of ``cells`` fresh cells over ``pulses`` weak-RESET pulses (shape (pulses + 1,
    cells)) and their conductances (S): the trainer's device model, for plots and checks."""
    rng = stream(seed, "rram", "train")
    low, high = devices.windows((cells,), rng)
    states = [np.ones(cells)]
    for _ in range(pulses):
        states.append(devices.step(states[-1], rng))
    x = np.stack(states)
    return x, low + x * (high - low)


def non_ideality_settings() -> tuple[NonIdealities, ...]:
    """The table's rows: none, each alone, all, and all but each."""
    flags = [(False, False, False)]
    flags += [(True, False, False), (False, True, False), (False, False, True)]
    flags += [(True, True, True)]
    flags += [(False, True, True), (True, False, True), (True, True, False)]
    return tuple(NonIdealities(*f) for f in flags)
