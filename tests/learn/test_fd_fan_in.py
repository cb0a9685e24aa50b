"""A layer's current per unit pre-activation follows its fan-in (``MtjChip.layer_scale``).

A 784-input layer's pre-activation, a sum over 785 rows, grows as ``sqrt(785)``: with one
``current_scale`` for every layer, training drives its neurons' currents far outside the
devices' window (``chip.current_window``) and the window penalty's steps overshoot. The
checks: the closed form of the scale, a wide first layer trained a few epochs whose currents
stay inside the window (and leave it with one scale for every layer, the old behaviour), and
narrow networks (every layer within ``reference_fan_in`` rows) unchanged to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from spicegen import models
from spicegen.learn import LearnError, load_dataset
from spicegen.learn.fd import FiniteDifferenceTrainer
from spicegen.learn.fd_hardware import MtjChip
from spicegen.learn.fd_surrogate import SurrogateEngine
from spicegen.va import CompiledModel


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def mtj() -> CompiledModel:
    return models.load("mtj")


def test_layer_scale_closed_form() -> None:
    chip = MtjChip()
    assert chip.layer_scale(5) == chip.current_scale
    assert chip.layer_scale(65) == chip.current_scale
    assert chip.layer_scale(785) == pytest.approx(chip.current_scale * math.sqrt(65 / 785))
    assert chip.layer_mirror(65) == chip.mirror
    assert chip.layer_mirror(785) == pytest.approx(chip.mirror * math.sqrt(65 / 785))
    flat = MtjChip(reference_fan_in=None)
    assert flat.layer_scale(785) == flat.current_scale
    with pytest.raises(LearnError, match="reference_fan_in"):
        MtjChip(reference_fan_in=0)
    with pytest.raises(LearnError, match="785 rows needs a current mirror"):
        MtjChip(current_scale=5e-6, reference_fan_in=1).layer_mirror(785)


def _currents(engine: SurrogateEngine, inputs: np.ndarray) -> list[np.ndarray]:
    """Every layer's neuron currents (A) on ``inputs``."""
    result, x = [], inputs
    outputs = engine.forward(inputs)
    for layer, output in enumerate(outputs):
        result.append(engine.currents(layer, x)[1])
        x = output.y
    return result


def _fit(mtj: CompiledModel, chip: MtjChip) -> tuple[FiniteDifferenceTrainer, np.ndarray]:
    data = load_dataset("mnist5k")
    x, y = data.x[::16], data.y[::16]  # the file is sorted by class: every 16th, 313 samples
    trainer = FiniteDifferenceTrainer((8,), engine="surrogate", device=mtj, chip=chip,
                                      epochs=3, batch_size=16, learning_rate=0.05,
                                      scaling="global", init_scale=1.732,
                                      validation_fraction=0.0, seed=0)  # fmt: skip
    trainer.fit(x, y)
    return trainer, trainer.transform(x)


def test_a_wide_first_layer_stays_in_the_window(mtj: CompiledModel) -> None:
    chip = MtjChip(rp_spread=0.05, mismatch=0.005)
    low, high = chip.current_window
    trainer, inputs = _fit(mtj, chip)
    assert isinstance(trainer.engine_, SurrogateEngine)
    for layer, current in enumerate(_currents(trainer.engine_, inputs)):
        assert current.min() >= low and current.max() <= high, (layer, current.min(), current.max())
    assert trainer.history_["train_loss"][-1] < 2.5  # cross-entropy of 10 classes, no penalty
    # one current scale for every layer: the 785-row layer's currents leave the window
    flat, inputs = _fit(mtj, MtjChip(rp_spread=0.05, mismatch=0.005, reference_fan_in=None))
    assert isinstance(flat.engine_, SurrogateEngine)
    first = _currents(flat.engine_, inputs)[0]
    assert np.mean((first < low) | (first > high)) > 0.1
    assert flat.history_["train_loss"][-1] > 100  # the window penalty dominates


def test_narrow_networks_are_unchanged(mtj: CompiledModel) -> None:
    # Iris and digits (at most 65 rows a layer) train exactly as with one scale for all
    data = load_dataset("iris")
    runs = []
    for reference in (65, None):
        chip = MtjChip(rp_spread=0.05, mismatch=0.005, reference_fan_in=reference)
        trainer = FiniteDifferenceTrainer((8,), engine="surrogate", device=mtj, chip=chip,
                                          epochs=3, seed=0)  # fmt: skip
        runs.append(trainer.fit(data.x, data.y))
    for a, b in zip(runs[0].weights_, runs[1].weights_, strict=True):
        np.testing.assert_array_equal(a, b)
