"""Heavy-ball momentum in the finite-difference trainer, against an independent calculation.

The software engine on a tiny problem, one full batch per epoch: the trainer's weights after
three epochs must be ``w <- w - rate v``, ``v <- momentum v + grad``, with every gradient taken
by central finite differences of the loss (no backpropagation), from the same initial weights.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from spicegen.learn import LearnError
from spicegen.learn.fd import FiniteDifferenceTrainer, cross_entropy
from spicegen.learn.fd_engines import SoftwareEngine
from spicegen.seeds import stream

SIZES = (3, 4, 2)


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, (8, SIZES[0]))
    x[0], x[1] = (
        -1.0,
        1.0,
    )  # every feature spans exactly [-1, 1]: the trainer's scaling is the identity
    return x, np.arange(8) % 2


def _loss(weights: list[np.ndarray], x: np.ndarray, targets: np.ndarray) -> float:
    engine = SoftwareEngine()
    engine.program(weights)
    return cross_entropy(4.0 * engine.forward(x)[-1].y, targets)[0]  # logit_scale 4


def _gradient(weights: list[np.ndarray], x: np.ndarray, targets: np.ndarray) -> list[np.ndarray]:
    step, result = 1e-6, []
    for layer, matrix in enumerate(weights):
        grad = np.zeros_like(matrix)
        for index in np.ndindex(matrix.shape):
            up = [w.copy() for w in weights]
            down = [w.copy() for w in weights]
            up[layer][index] += step
            down[layer][index] -= step
            grad[index] = (_loss(up, x, targets) - _loss(down, x, targets)) / (2 * step)
        result.append(grad)
    return result


def _initial_weights(seed: int) -> list[np.ndarray]:
    """The trainer's initial weights, drawn here from the same streams (init_scale 1)."""
    return [
        stream(seed, "init", layer).uniform(-1 / math.sqrt(a + 1), 1 / math.sqrt(a + 1), (a + 1, b))
        for layer, (a, b) in enumerate(itertools.pairwise(SIZES))
    ]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_momentum_is_the_heavy_ball_step(momentum: float) -> None:
    x, y = _data()
    rate, epochs, seed = 0.3, 3, 7
    settings = {"engine": "software", "epochs": epochs, "batch_size": x.shape[0],
                "learning_rate": rate, "validation_fraction": 0.0, "seed": seed}  # fmt: skip
    trainer = FiniteDifferenceTrainer((SIZES[1],), momentum=momentum, **settings)
    trainer.fit(x, y)
    targets = np.eye(2)[y]
    weights = _initial_weights(seed)
    velocity = [np.zeros_like(w) for w in weights]
    for _ in range(epochs):
        grads = _gradient(weights, x, targets)
        velocity = [momentum * v + g for v, g in zip(velocity, grads, strict=True)]
        weights = [w - rate * v for w, v in zip(weights, velocity, strict=True)]
    # central differences with a 1e-6 step are good to ~1e-9 here; three steps keep it small
    for ours, theirs in zip(trainer.weights_, weights, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-7)
    if momentum:
        plain = FiniteDifferenceTrainer((SIZES[1],), **settings).fit(x, y)
        assert not np.allclose(plain.weights_[0], trainer.weights_[0], atol=1e-4)


def test_bad_momentum_is_refused() -> None:
    for value in (-0.1, 1.0, float("nan"), "0.9"):
        with pytest.raises(LearnError, match="momentum"):
            FiniteDifferenceTrainer(engine="software", momentum=value)  # type: ignore[arg-type]


def test_adam_is_kingma_and_ba_with_bias_correction() -> None:
    """optimizer="adam": Kingma & Ba's update (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected
    moments) on the same finite-difference gradients, written out here step by step."""
    x, y = _data()
    rate, epochs, seed = 0.01, 4, 3
    trainer = FiniteDifferenceTrainer(
        (SIZES[1],), engine="software", epochs=epochs, batch_size=x.shape[0],
        learning_rate=rate, validation_fraction=0.0, seed=seed, optimizer="adam",
    )  # fmt: skip
    trainer.fit(x, y)
    targets = np.eye(2)[y]
    weights = _initial_weights(seed)
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    for t in range(1, epochs + 1):
        grads = _gradient(weights, x, targets)
        for k, g in enumerate(grads):
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g**2
            m_hat, v_hat = m[k] / (1 - 0.9**t), v[k] / (1 - 0.999**t)
            weights[k] = weights[k] - rate * m_hat / (np.sqrt(v_hat) + 1e-8)
    for ours, theirs in zip(trainer.weights_, weights, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    # the first step moves every weight by the rate (m_hat / sqrt(v_hat) = sign(g))
    one = FiniteDifferenceTrainer(
        (SIZES[1],), engine="software", epochs=1, batch_size=x.shape[0], learning_rate=rate,
        validation_fraction=0.0, seed=seed, optimizer="adam",
    ).fit(x, y)  # fmt: skip
    first = stream(seed, "init", 0).uniform(-0.5, 0.5, (SIZES[0] + 1, SIZES[1]))
    np.testing.assert_allclose(np.abs(one.weights_[0] - first), rate, rtol=1e-5)


def test_bad_optimizer_is_refused() -> None:
    with pytest.raises(LearnError, match="optimizer"):
        FiniteDifferenceTrainer(engine="software", optimizer="rmsprop")  # type: ignore[arg-type]
    with pytest.raises(LearnError, match="momentum"):
        FiniteDifferenceTrainer(engine="software", optimizer="adam", momentum=0.5)
