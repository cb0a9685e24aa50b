"""The weak-RESET pairs of a trained network read back as rram_hfo2 cells in ngspice."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

from spicegen import models
from spicegen.learn.approximate_memory import seed_split
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import load_dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.weak_reset import WeakResetDevices, train_weak_reset
from spicegen.learn.weak_reset_spot_check import pair_spot_check, read_cells
from spicegen.surrogate.rram_weak_reset import WeakReset, WeakResetSpec, characterise_weak_reset


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeakReset]:
    os.environ["SPICEGEN_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    try:
        yield characterise_weak_reset(
            models.load("rram_hfo2"), WeakResetSpec(devices=8, trains=1, pulses=24)
        )
    finally:
        os.environ.pop("SPICEGEN_CACHE")


@pytest.mark.parametrize("read_voltage", [0.1, 0.3])
def test_cells_read_their_programmed_conductance(read_voltage: float) -> None:
    model = models.load("rram_hfo2")
    x = np.array([0.0, 0.25, 0.5, 1.0])
    low = np.array([4e-6, 5e-6, 6e-6, 5e-6])
    high = np.array([90e-6, 100e-6, 110e-6, 120e-6])
    # G = g_lo + x (g_hi - g_lo), read through I = G v0 sinh(v/v0) (nonlinear at 0.3 V);
    # ngspice's operating point holds x = x0 to its 1e-3-weighted clamp: 1e-6 relative
    read = read_cells(model, x, low, high, read_voltage=read_voltage)
    np.testing.assert_allclose(read, low + x * (high - low), rtol=1e-6)


def test_a_trained_network_reads_back_with_the_trainers_decisions(table: WeakReset) -> None:
    split = seed_split(load_dataset("digits"), 0)
    result = train_weak_reset(
        split.x_train, split.y_train, split.classes, WeakResetDevices(table),
        BnnConfig(hidden=(8,), epochs=1), seed=0,
    )  # fmt: skip
    check = pair_spot_check(result, models.load("rram_hfo2"), split.x_test[:50])
    assert check.cells == 2 * (64 * 8 + 8 * 10)
    assert check.flipped_weights == 0 and check.agreement == 1.0
    assert check.max_conductance_error < 1e-6
    np.testing.assert_array_equal(check.trainer, result.network.predict(split.x_test[:50]))
    with pytest.raises(LearnError, match="read_voltage"):
        pair_spot_check(result, models.load("rram_hfo2"), split.x_test[:5], read_voltage=0.7)
