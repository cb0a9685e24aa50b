"""The window penalty's step cannot overshoot (``backpropagate(rate=)``, ``penalty_step_factor``).

On a wide layer of correlated inputs (MNIST: 785 rows, the background pixels all at -1) the
plain gradient step of the penalty moves every sample's pre-activation by about
``rate strength x.x' excess``, hundreds of times the excess: the currents are thrown past the
far side of the window and each further step throws them back harder. With the learning rate
given, each layer's penalty term is scaled down until its step does not raise the penalty.
Closed-form checks on numpy arrays only (no device): fast.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from spicegen.learn.fd import backpropagate, penalty_step_factor, window_penalty
from spicegen.learn.fd_engines import LayerOutput, with_bias

RATE = 0.05  # the MNIST runs' learning rate
WINDOW = (-9.7, 10.4, 10.0 * 65 / 785)  # the 784-input layer's window (u) and strength


def _images(samples: int, seed: int) -> np.ndarray:
    """MNIST-like inputs in [-1, 1]: a -1 background with a few bright pixels."""
    rng = np.random.default_rng(seed)
    x = -np.ones((samples, 784))
    bright = rng.random((samples, 784)) < 0.15
    x[bright] = rng.uniform(0.0, 1.0, int(bright.sum()))
    return x


def _penalty_steps(x: np.ndarray, weights: np.ndarray, steps: int, rate: float | None
                   ) -> list[float]:  # fmt: skip
    """The penalty after each of ``steps`` penalty-only gradient steps (no loss gradient)."""
    history = []
    for _ in range(steps):
        # the output's slope times a zero loss gradient: only the penalty term is left
        outputs = [LayerOutput(np.zeros((x.shape[0], weights.shape[1])), np.ones((1, 1)))]
        gradient = np.zeros((x.shape[0], weights.shape[1]))
        (step,) = backpropagate(x, outputs, [weights], gradient, WINDOW, rate)
        weights = weights - RATE * step
        history.append(window_penalty(x, outputs, [weights], WINDOW))
    return history


def _outside_weights(x: np.ndarray, seed: int) -> np.ndarray:
    """Weights that drive some neurons of a 64-neuron layer beyond both ends of the window."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(-1, 1, (785, 64)) / np.sqrt(785) * 1.7
    weights[-1, :8] += 14.0  # eight neurons biased past the top of the window
    weights[-1, 8:12] -= 13.0  # four past the bottom
    return weights


def test_the_plain_step_overshoots_on_a_wide_layer() -> None:
    # what the bounded step exists for: without it the penalty grows step after step
    x = _images(16, seed=1)
    weights = _outside_weights(x, seed=2)
    start = window_penalty(x, [], [weights], WINDOW)
    assert start > 1.0
    plain = _penalty_steps(x, weights, 5, rate=None)
    assert plain[0] > start and plain[-1] > 1e3 * start  # diverges


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_bounded_step_cannot_increase_the_penalty_on_a_784_wide_layer(seed: int) -> None:
    x = _images(16, seed=seed)
    weights = _outside_weights(x, seed=seed + 10)
    start = window_penalty(x, [], [weights], WINDOW)
    bounded = _penalty_steps(x, weights, 40, rate=RATE)
    values = [start, *bounded]
    assert all(b <= a for a, b in itertools.pairwise(values))  # never rises
    assert bounded[-1] < 1e-3 * start  # and the currents come back into the window


def test_the_factor_is_one_when_the_full_step_does_not_overshoot() -> None:
    # a narrow layer (Iris-like: 5 rows, small excess): the full step lands inside the window
    rng = np.random.default_rng(4)
    below = with_bias(rng.uniform(-1, 1, (8, 4)))
    weights = rng.uniform(-0.5, 0.5, (5, 8))
    weights[-1, 0] = 3.2  # one neuron a little past the top of (-2.8, 3.0)
    u = below @ weights
    assert (u > 3.0).any()
    assert penalty_step_factor(below, u, (-2.8, 3.0, 10.0), 0.02) == 1.0


def test_the_factor_never_falls_below_the_descent_bound() -> None:
    x = with_bias(_images(16, seed=7))
    weights = _outside_weights(x[:, :-1], seed=8)
    u = x @ weights
    low, high, strength = WINDOW
    factor = penalty_step_factor(x, u, WINDOW, RATE)
    floor = x.shape[0] / (RATE * strength * float(np.sum(x * x)))
    assert floor <= factor < 1.0  # bound, and binding here
    # the floor itself guarantees descent: the step scaled by it lowers the penalty
    step = RATE * floor * strength * x.T @ (u - np.clip(u, low, high)) / x.shape[0]
    after = x @ (weights - step)
    assert np.sum((after - np.clip(after, low, high)) ** 2) < np.sum(
        (u - np.clip(u, low, high)) ** 2
    )
