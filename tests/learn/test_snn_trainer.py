"""The trainer's options for MNIST-5k: weight normalisation per neuron, snapshots of the
weights during an epoch (accuracy against training images), the 4,000 / 1,000 split and
the labelling of a given state. The engine is the fast engine of a 16-input network,
characterised in ngspice (cached)."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import models
from spicegen.learn import LearnError, stratified_folds
from spicegen.learn.patterns import patterns
from spicegen.learn.snn import (
    NetworkState,
    Stdp,
    Vdsp,
    initial_state,
    normalise_columns,
    plasticity,
    train,
)
from spicegen.learn.snn_fast_engine import FastSpikingEngine, fast_network_for, training_params
from spicegen.learn.snn_network import PresentationResult, SpikingNetworkParams
from spicegen.learn.snn_run import balanced_prefix, evaluate, run_seed


@pytest.fixture(scope="module")
def engine() -> FastSpikingEngine:
    network = fast_network_for(models.load("threshold_switch"), models.load("rram_hfo2"), 16, 4)
    return FastSpikingEngine(network, training_params(network, image_shape=(4, 4)))


def test_normalise_columns_scales_the_chosen_columns_to_the_mean() -> None:
    w = np.array([[0.2, 0.9], [0.4, 0.1], [0.0, 0.5], [0.6, 0.3]])
    out = normalise_columns(w, [True, False], 0.1)
    # column 0 sums to 1.2; scaled by 0.4 / 1.2 it sums to 4 x 0.1
    np.testing.assert_allclose(out[:, 0], w[:, 0] / 3.0)
    np.testing.assert_array_equal(out[:, 1], w[:, 1])
    assert out[:, 0].mean() == pytest.approx(0.1)
    # a scale that would push a weight past 1 is clipped (the mean then falls short)
    clipped = normalise_columns(np.array([[0.5], [0.01]]), [True], 0.6)
    assert clipped[0, 0] == 1.0 and clipped[1, 0] == pytest.approx(0.01 * 1.2 / 0.51)
    # an all-zero column is left alone (no division by zero)
    np.testing.assert_array_equal(normalise_columns(np.zeros((3, 1)), [True], 0.2), 0.0)
    with pytest.raises(LearnError, match="columns"):
        normalise_columns(w, [True], 0.1)


def test_column_mean_is_checked_and_applied_to_the_neurons_that_fired() -> None:
    for bad in (-0.1, 1.0, float("nan"), True):
        with pytest.raises(LearnError, match="column_mean"):
            Vdsp(column_mean=bad)
    with pytest.raises(LearnError, match="column_mean"):
        Stdp(column_mean=2.0)
    params = SpikingNetworkParams(inputs=2, neurons=2)
    # output 0 fires once, with input 0 just reset (potentiation) and input 1 near threshold
    result = PresentationResult(
        (np.array([1e-6]), np.array([])),
        (np.array([0.9e-6]), np.array([])),
        (np.array([[0.71, 0.98]]), np.empty((0, 2))),
        0.0,
        20e-6,
    )
    w0 = np.array([[0.5, 0.3], [0.5, 0.7]])
    plain, updates = plasticity(params, result, w0, Vdsp(lr=0.1))
    kept, same_updates = plasticity(params, result, w0, Vdsp(lr=0.1, column_mean=0.25))
    assert updates == same_updates == 2  # normalising is not a rule update
    np.testing.assert_allclose(kept[:, 0], plain[:, 0] * 0.5 / plain[:, 0].sum())
    np.testing.assert_array_equal(kept[:, 1], w0[:, 1])  # the silent neuron is untouched


def test_snapshots_follow_the_run_without_changing_it(engine: FastSpikingEngine) -> None:
    bars = patterns(12, seed=2)
    rule = Vdsp(lr=0.05)
    plain = train(engine, bars.x, rule, seed=3)
    kept = train(engine, bars.x, rule, seed=3, checkpoints=(4, 12, 99))
    np.testing.assert_array_equal(kept.weights, plain.weights)
    assert [n for n, _, _ in kept.snapshots] == [4, 12]  # 99 is never reached
    np.testing.assert_array_equal(kept.snapshots[1][1], plain.weights)
    np.testing.assert_array_equal(kept.snapshots[1][2], plain.thresholds)
    # the snapshot after 4 images is what 4 images of the same order leave
    assert not np.array_equal(kept.snapshots[0][1], plain.weights)
    assert plain.snapshots == ()


def test_five_folds_train_on_four_fifths(engine: FastSpikingEngine) -> None:
    bars = patterns(20, seed=4)
    result = run_seed(engine, bars, Vdsp(lr=0.05), seed=1, folds=5, checkpoints=(8,))
    fold = stratified_folds(bars.y, 5, seed=1)[0]
    assert fold.train.size == 16 and fold.test.size == 4
    # 16 to train, the same 16 to label with, 4 to test
    assert result.presentations == 16 + 16 + 4
    assert [n for n, _, _ in result.snapshots] == [8]
    # evaluate() of the final state gives the run's own test predictions
    state = NetworkState(result.weights, result.thresholds)
    train_part = (bars.x[fold.train], bars.y[fold.train])
    labels, predicted = evaluate(engine, state, train_part, bars.x[fold.test], 4)
    np.testing.assert_array_equal(labels, result.neuron_labels)
    assert float(np.mean(predicted == bars.y[fold.test])) == result.accuracy
    start = initial_state(engine.params, 1)
    np.testing.assert_array_equal(result.initial_weights, start.weights)


def test_labelling_with_a_balanced_part_of_the_training_images(
    engine: FastSpikingEngine,
) -> None:
    # sorted by class, as mnist5k is: every prefix of the order is balanced
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(balanced_prefix(labels, 4), [0, 3, 6, 1])
    with pytest.raises(LearnError, match="labelling"):
        balanced_prefix(labels, 10)
    bars = patterns(20, seed=4)
    result = run_seed(engine, bars, Vdsp(lr=0.05), seed=1, folds=5, labelling=8)
    assert result.presentations == 16 + 8 + 4  # train on 16, label with 8, test on 4
