"""The finite-difference trainer on small cases against independent calculations.

- Backpropagation through the measured slopes against central finite differences of the loss
  of the same network (no autograd): exact for the software engine (its slopes are the exact
  derivative), and within the forward difference's own error for the MTJ surrogate (each
  slope is ``(V2 - V1)/dI``, off ``f'`` by ``dI |f''| / 2``: ~1 % at dI/I = 0.5 %).
- Writes: quantisation onto the device levels, rewrites of changed cells only, write noise
  with the sd asked for.
- Same seed, same numbers; bad settings and data give a LearnError naming what was wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest

from spicegen import models
from spicegen.learn import LearnError, load_dataset
from spicegen.learn.fd import (
    FiniteDifferenceTrainer,
    backpropagate,
    cross_entropy,
    window_penalty,
)
from spicegen.learn.fd_engines import SoftwareEngine
from spicegen.learn.fd_hardware import MtjChip, program, quantise
from spicegen.learn.fd_spice import check_spice_size
from spicegen.learn.fd_surrogate import SurrogateEngine
from spicegen.seeds import stream
from spicegen.va import CompiledModel

SIZES = (3, 4, 3)


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # one cache per module: the characterisations its tests share are run once
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def mtj() -> CompiledModel:
    return models.load("mtj")


def _problem() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(2)
    inputs = rng.uniform(-1, 1, (6, SIZES[0]))
    targets = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], 6)]
    weights = [rng.uniform(-0.7, 0.7, (a + 1, b)) for a, b in itertools.pairwise(SIZES)]
    return inputs, targets, weights


Window = tuple[float, float, float] | None
WINDOW = (-0.3, 0.4, 2.0)  # pre-activation range and strength of the safe-current penalty


def _loss(engine: object, inputs: np.ndarray, targets: np.ndarray, weights: list[np.ndarray],
          window: Window = None) -> float:  # fmt: skip
    engine.program(weights)  # type: ignore[attr-defined]
    outputs = engine.forward(inputs)  # type: ignore[attr-defined]
    loss = cross_entropy(4.0 * outputs[-1].y, targets)[0]
    return loss + (window_penalty(inputs, outputs, weights, window) if window else 0.0)


def _finite_differences(engine: object, inputs: np.ndarray, targets: np.ndarray,
                        weights: list[np.ndarray], step: float,
                        window: Window = None) -> list[np.ndarray]:  # fmt: skip
    result = []
    for layer, matrix in enumerate(weights):
        grad = np.zeros_like(matrix)
        for index in np.ndindex(matrix.shape):
            shifted = [w.copy() for w in weights]
            shifted[layer][index] += step
            up = _loss(engine, inputs, targets, shifted, window)
            shifted[layer][index] -= 2 * step
            down = _loss(engine, inputs, targets, shifted, window)
            grad[index] = (up - down) / (2 * step)
        result.append(grad)
    return result


def _backprop(engine: object, inputs: np.ndarray, targets: np.ndarray,
              weights: list[np.ndarray],
              window: Window = None) -> tuple[np.ndarray, ...]:  # fmt: skip
    engine.program(weights)  # type: ignore[attr-defined]
    outputs = engine.forward(inputs)  # type: ignore[attr-defined]
    _, gradient = cross_entropy(4.0 * outputs[-1].y, targets)
    return backpropagate(inputs, outputs, weights, 4.0 * gradient, window)


def test_backpropagation_is_exact_with_exact_derivatives() -> None:
    inputs, targets, weights = _problem()
    engine = SoftwareEngine()
    ours = _backprop(engine, inputs, targets, weights)
    reference = _finite_differences(engine, inputs, targets, weights, 1e-6)
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    # with the safe-current penalty active (pre-activations beyond the window here)
    engine.program(weights)
    outputs = engine.forward(inputs)
    assert window_penalty(inputs, outputs, weights, WINDOW) > 1e-3
    ours = _backprop(engine, inputs, targets, weights, WINDOW)
    reference = _finite_differences(engine, inputs, targets, weights, 1e-6, WINDOW)
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_measured_derivatives_give_the_gradient_of_the_surrogate(mtj: CompiledModel) -> None:
    chip = MtjChip(delta_ratio=0.005, rp_spread=0.05, seed=1)  # no mismatch: only dI errs
    engine = SurrogateEngine(mtj, chip, SIZES)
    inputs, targets, weights = _problem()
    ours = _backprop(engine, inputs, targets, weights)
    reference = _finite_differences(engine, inputs, targets, weights, 1e-4)
    for a, b in zip(ours, reference, strict=True):
        # the forward difference errs by dI |f''| / 2 on each slope: ~1 % here; 3 % bounds it
        assert np.linalg.norm(a - b) <= 0.03 * np.linalg.norm(b)
        assert (
            np.sign(a[np.abs(b) > 0.1 * np.abs(b).max()]).tolist()
            == np.sign(b[np.abs(b) > 0.1 * np.abs(b).max()]).tolist()
        )
    # with a pair mismatch the same comparison fails by about epsilon V1 / dI (physics.md 5.3)
    skewed = SurrogateEngine(mtj, MtjChip(delta_ratio=0.005, mismatch=0.02, seed=1), SIZES)
    wrong = _backprop(skewed, inputs, targets, weights)
    assert np.linalg.norm(wrong[0] - reference[0]) > 0.3 * np.linalg.norm(reference[0])


def test_writes_quantise_rewrite_and_add_noise() -> None:
    assert quantise(np.array([0.1, -0.2, 0.95, -1.3]), 4).tolist() == pytest.approx(
        [0.0, -1 / 3, 1.0, -1.0]
    )
    chip = MtjChip(levels=16, write_noise=0.05)
    rng = np.random.default_rng(0)
    target = np.random.default_rng(1).uniform(-1, 1, (100, 100))
    first = program(chip, target, None, rng)
    assert np.all(np.abs(first.level * 15 - np.round(first.level * 15)) < 1e-9)
    noise = (first.value - first.level)[np.abs(first.level) < 0.8]  # away from the clip at +-1
    assert noise.std() == pytest.approx(0.05, rel=0.03)  # 1e4 draws: sd known to ~1 %
    nudged = target + 1e-3  # most cells stay on their level
    second = program(chip, nudged, first, rng)
    kept = second.level == first.level
    assert 0.9 < kept.mean() < 1.0
    np.testing.assert_array_equal(second.value[kept], first.value[kept])  # not rewritten
    assert np.all(second.value[~kept] != first.value[~kept])


def test_same_seed_same_numbers(mtj: CompiledModel) -> None:
    iris = load_dataset("iris")
    chip = MtjChip(levels=32, write_noise=0.01, rp_spread=0.05, mismatch=0.005)

    def run(seed: int) -> FiniteDifferenceTrainer:
        trainer = FiniteDifferenceTrainer((4,), engine="surrogate", device=mtj, chip=chip,
                                          epochs=2, seed=seed)  # fmt: skip
        return trainer.fit(iris.x[::2], iris.y[::2])

    first, again, other = run(5), run(5), run(6)
    assert first.history_ == again.history_
    for a, b in zip(first.programmed_weights, again.programmed_weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert other.history_["train_loss"] != first.history_["train_loss"]
    assert stream(5, "init", 0).uniform() != stream(6, "init", 0).uniform()


def test_distillation_from_a_teacher(mtj: CompiledModel) -> None:
    iris = load_dataset("iris")
    teacher = FiniteDifferenceTrainer((8,), engine="software", epochs=30).fit(iris.x, iris.y)
    assert teacher.score(iris.x, iris.y) > 0.95
    # distill_weight 1: the labels play no part, all the student knows is the teacher's
    # softened outputs; its predictions follow the teacher's
    student = FiniteDifferenceTrainer((4,), engine="surrogate", device=mtj, epochs=40,
                                      teacher=teacher, distill_weight=1.0, distill_temperature=2.0,
                                      validation_fraction=0.0)  # fmt: skip
    student.fit(iris.x, np.roll(iris.y, 1))  # wrong labels, ignored at weight 1
    assert np.mean(student.predict(iris.x) == teacher.predict(iris.x)) > 0.9
    # the soft term's gradient: d/dz of T^2 CE(softmax(z/T), p) is T (softmax(z/T) - p)
    z = np.array([[1.0, -0.5, 0.3]])
    p = np.array([[0.2, 0.5, 0.3]])
    _, gradient = cross_entropy(z / 4.0, p)
    step = 1e-6
    numeric = [
        (cross_entropy((z + step * e) / 4.0, p)[0] - cross_entropy((z - step * e) / 4.0, p)[0])
        / (2 * step)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(gradient[0] / 4.0, numeric, rtol=1e-6)


def test_bad_settings_and_data_are_refused(mtj: CompiledModel) -> None:
    with pytest.raises(LearnError, match=r"hidden\[1\].*at least 1"):
        FiniteDifferenceTrainer((8, 0), engine="software")
    with pytest.raises(LearnError, match="engine"):
        FiniteDifferenceTrainer(engine="analog")
    with pytest.raises(LearnError, match=r"models\.load"):
        FiniteDifferenceTrainer(engine="surrogate")
    with pytest.raises(LearnError, match="cannot hold"):
        MtjChip(g_min=1e-4, g_max=1e-5)
    with pytest.raises(LearnError, match="mirror"):
        MtjChip(g_min=1e-9, g_max=2e-9)  # 0.2 nA per unit weight for 50 uA of neuron current
    with pytest.raises(LearnError, match="levels"):
        MtjChip(levels=1)
    with pytest.raises(LearnError, match="current_window"):
        MtjChip(current_window=(0.0, 50e-6))  # the bias (100 uA) outside its own window
    with pytest.raises(LearnError, match=r"784-128-128-128-128-10.*engine='surrogate'"):
        check_spice_size((784, 128, 128, 128, 128, 10))
    check_spice_size((64, 32, 10))  # digits fits
    trainer = FiniteDifferenceTrainer((4,), engine="software", epochs=1)
    x = np.ones((10, 3))
    x[4, 1] = np.nan
    with pytest.raises(LearnError, match="sample 4"):
        trainer.fit(x, np.arange(10) % 2)
    with pytest.raises(LearnError, match="labels"):
        trainer.fit(np.ones((10, 3)), np.arange(9) % 2)
    with pytest.raises(LearnError, match="not fitted"):
        trainer.predict(np.ones((2, 3)))
    fitted = trainer.fit(np.random.default_rng(0).normal(size=(10, 3)), np.arange(10) % 2)
    with pytest.raises(LearnError, match="3 features"):
        fitted.predict(np.ones((2, 4)))


def test_the_window_keeps_neuron_currents_in_the_safe_range(mtj: CompiledModel) -> None:
    iris = load_dataset("iris")
    chip = MtjChip(current_window=(20e-6, 180e-6))  # narrow: unpenalised training leaves it
    outside = {}
    for strength in (0.0, 30.0):
        trainer = FiniteDifferenceTrainer((4,), engine="surrogate", device=mtj, chip=chip,
                                          epochs=40, window_strength=strength, seed=2,
                                          validation_fraction=0.0)  # fmt: skip
        trainer.fit(iris.x, iris.y)
        engine = trainer.engine_
        assert isinstance(engine, SurrogateEngine)
        x, currents = trainer.transform(iris.x), []
        for layer in range(2):
            currents.append(engine.currents(layer, x)[1])
            x = engine.forward(trainer.transform(iris.x))[layer].y
        every = np.concatenate([c.ravel() for c in currents])
        outside[strength] = np.mean((every < 20e-6) | (every > 180e-6))
        assert trainer.score(iris.x, iris.y) > 0.9
    assert outside[0.0] > 0.05 and outside[30.0] < outside[0.0] / 3
