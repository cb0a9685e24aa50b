"""Binarized networks on weak-RESET RRAM pairs: the device model the trainer uses, the refresh,
and training on digits with each non-ideality on and off."""

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
from spicegen.learn.weak_reset import (
    NonIdealities,
    PairArray,
    WeakResetDevices,
    _refresh,
    non_ideality_settings,
    pulse_train,
    train_weak_reset,
)
from spicegen.learn.weak_reset_study import study_metrics, weak_reset_study
from spicegen.seeds import stream
from spicegen.surrogate.rram_weak_reset import WeakReset, WeakResetSpec, characterise_weak_reset

SMALL = BnnConfig(hidden=(32,), epochs=3)
NONE = NonIdealities(False, False, False)


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeakReset]:
    os.environ["SPICEGEN_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    try:
        yield characterise_weak_reset(
            models.load("rram_hfo2"), WeakResetSpec(devices=8, trains=1, pulses=24)
        )
    finally:
        os.environ.pop("SPICEGEN_CACHE")


def test_the_linear_device_crosses_the_same_span_in_the_same_pulses(table: WeakReset) -> None:
    linear = WeakResetDevices(table, NONE)
    curved = WeakResetDevices(table, NonIdealities(False, False, True))
    pulses = round(table.pulses_to(0.1))
    x_linear, _ = pulse_train(linear, pulses, 3, seed=0)
    x_curved, _ = pulse_train(curved, pulses, 3, seed=0)
    # no noise: every cell alike; the linear one falls by the constant step exactly
    np.testing.assert_allclose(np.diff(x_linear[:, 0]), -linear.linear_step, rtol=1e-12)
    # the curved one by the table's step, which shrinks with the state (the nonlinearity)
    steps = -np.diff(x_curved[:, 0])
    assert np.all(np.diff(steps) < 0)
    # both reach 0.1 (the refresh threshold) after the table's pulse count, to one pulse's worth
    assert abs(x_linear[-1, 0] - 0.1) < linear.linear_step
    assert abs(x_curved[-1, 0] - 0.1) < steps[-1]


def test_noise_and_spread_come_from_the_table(table: WeakReset) -> None:
    devices = WeakResetDevices(table)
    x, g = pulse_train(devices, 1, 4000, seed=1)
    first = x[1] - x[0]  # one pulse from x = 1
    # mean and sd of the step at x = 1 are the table's fit there; 4000 cells: 4 standard errors
    assert abs(first.mean() - table.mean_step(np.array(1.0))) < 4 * first.std() / np.sqrt(4000)
    assert first.std() == pytest.approx(float(table.step_spread(np.array(1.0))), rel=0.1)
    # windows: the tops spread as the characterised devices did (sd of a 4000-sample sd: 1 %)
    assert g[0].std() / g[0].mean() == pytest.approx(table.high_sd / table.high_mean, rel=0.05)
    flat, _ = pulse_train(WeakResetDevices(table, NonIdealities(True, False, True)), 0, 50, 1)
    assert np.all(flat == 1.0)


def test_a_refresh_sets_both_cells_and_keeps_the_sign(table: WeakReset) -> None:
    devices = WeakResetDevices(table)
    rng = stream(0, "test")
    shape = (200,)
    low_p, high_p = devices.windows(shape, rng)
    low_m, high_m = devices.windows(shape, rng)
    plus = rng.uniform(0.0, 0.3, shape)
    minus = rng.uniform(0.0, 0.3, shape)
    pairs = PairArray(plus, minus, low_p, high_p, low_m, high_m)
    low, high = devices.window
    before = pairs.signs(high - low)
    floor = low + devices.refresh_below * (high - low)
    g_plus, g_minus = pairs.conductances()
    due = (g_plus < floor) | (g_minus < floor)
    refreshed, pulses = _refresh(devices, pairs, rng)
    assert refreshed > 0 and pulses > 0
    np.testing.assert_array_equal(pairs.signs(high - low), before)  # every sign read back
    # the winning cell of a refreshed pair stays at the top; only the losing one is pulsed
    assert 0 < np.count_nonzero(due) < due.size and np.all(
        np.maximum(pairs.plus, pairs.minus)[due] == 1.0
    )


def test_without_noise_and_spread_the_binary_network_cannot_see_the_nonlinearity(
    table: WeakReset,
) -> None:
    # with equal windows and exact steps a pair's sign is the sign of the difference of its two
    # cells' pulse counts, whatever the step's shape, and both devices refresh at the same
    # count (the linear step is built so): the two trainings must be the same run
    split = seed_split(load_dataset("digits"), 0)
    runs = [
        train_weak_reset(
            split.x_train,
            split.y_train,
            split.classes,
            WeakResetDevices(table, n),
            BnnConfig(hidden=(32,), epochs=2),
            seed=3,
        )
        for n in (NONE, NonIdealities(False, False, True))
    ]
    assert runs[0].pulses == runs[1].pulses and runs[0].refreshes == runs[1].refreshes
    for a, b in zip(runs[0].network.weights, runs[1].network.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_training_on_rram_pairs_learns_digits_and_counts_its_energy(table: WeakReset) -> None:
    split = seed_split(load_dataset("digits"), 0)
    devices = WeakResetDevices(table)
    result = train_weak_reset(split.x_train, split.y_train, split.classes, devices, SMALL, seed=0)
    again = train_weak_reset(split.x_train, split.y_train, split.classes, devices, SMALL, seed=0)
    accuracy = float(np.mean(result.network.predict(split.x_test) == split.y_test))
    assert accuracy > 0.8  # 32 hidden units, 3 epochs; ideal writes reach ~0.9 here
    assert result.pulses > 0 and result.sets == 2 * result.refreshes  # two SETs per refresh
    expected = result.pulses * table.pulse_energy + result.sets * table.set_energy
    assert result.energy == pytest.approx(expected)
    assert again.pulses == result.pulses  # the same seed repeats the run
    for w in result.network.weights:
        assert set(np.unique(w)) <= {-1.0, 1.0}


def test_the_study_names_a_most_harmful_non_ideality(table: WeakReset) -> None:
    settings = non_ideality_settings()
    assert len(set(settings)) == 8 and settings[0] == NONE
    study = weak_reset_study(
        load_dataset("digits"), table, settings[:5], [0], BnnConfig(hidden=(16,), epochs=1)
    )
    metrics = study_metrics(study)
    assert set(metrics["costs"]) == {"cycle_to_cycle", "device_to_device", "nonlinear"}  # type: ignore[arg-type]
    assert metrics["most_harmful"] in (None, *metrics["costs"])  # type: ignore[misc]
    assert metrics["costs"]["nonlinear"]["alone_se"] == float("inf")  # type: ignore[index]  # one seed
    assert metrics["accuracy_mean"] == study.settings[0].accuracy.mean


def test_bad_settings_are_refused(table: WeakReset) -> None:
    with pytest.raises(LearnError, match="refresh_below"):
        WeakResetDevices(table, refresh_below=0.7)
    split = seed_split(load_dataset("digits"), 0)
    with pytest.raises(LearnError, match="binary"):
        train_weak_reset(
            split.x_train, split.y_train, 10, WeakResetDevices(table), BnnConfig(binary=False)
        )
