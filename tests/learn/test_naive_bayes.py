"""Discretised naive Bayes: the exact decisions against scikit-learn's CategoricalNB on the same
bins, and the Bayesian machine simulated in ngspice against the exact decision and against its
own stored codes (a full LFSR period has exactly ``code`` ones per stream)."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen.learn import LearnError, load_dataset, stratified_folds
from spicegen.learn.naive_bayes import (
    Discretiser,
    exact_decisions,
    fit_tables,
    log_costs,
    logarithmic_model_sums,
    machine_counts,
    machine_streams,
    machine_sums,
    quantised_tables,
    stochastic_model_bits,
    stochastic_model_counts,
)


def test_exact_naive_bayes_is_scikit_learns_on_the_same_bins() -> None:
    from sklearn.naive_bayes import CategoricalNB

    iris = load_dataset("iris")
    part = next(iter(stratified_folds(iris.y, 5, seed=0)))
    binning = Discretiser.fit(iris.x[part.train], 4)
    train, test = binning(iris.x[part.train]), binning(iris.x[part.test])
    table = fit_tables(train, iris.y[part.train], 4, alpha=1.0)
    np.testing.assert_allclose(table.sum(axis=2), 1.0, rtol=1e-12)
    # scikit-learn with uniform priors: the same smoothed counts, the same argmax
    reference = CategoricalNB(alpha=1.0, fit_prior=False, min_categories=4)
    reference.fit(train, iris.y[part.train])
    for i in range(4):
        np.testing.assert_allclose(np.exp(reference.feature_log_prob_[i]), table[:, i], rtol=1e-12)
    np.testing.assert_array_equal(exact_decisions(table, test), reference.predict(test))


def test_the_machine_counts_follow_the_stored_codes_and_decide_as_exact_naive_bayes() -> None:
    # 2 classes x 2 observations x 2 values, 5 bits: one LFSR period is 31 cycles, over which
    # each block stream has exactly `code` ones; the AND of two streams from independent LFSRs
    # has about code_a * code_b / 31 ones
    table = np.array([[[0.8, 0.2], [0.7, 0.3]], [[0.3, 0.7], [0.2, 0.8]]])
    codes = np.round(quantised_tables(table, 5) * 31)
    for observation, expected in (((0, 0), 0), ((1, 1), 1)):
        counts = machine_counts(table, np.array(observation), bits=5)
        assert counts.shape == (2, 31)
        assert np.all(np.diff(counts, axis=1) >= 0)  # counters only count up
        product = codes[:, 0, observation[0]] * codes[:, 1, observation[1]] / 31
        # the LFSRs are deterministic but not independent: within 4 counts of the product
        np.testing.assert_allclose(counts[:, -1], product, atol=4)
        assert int(counts[:, -1].argmax()) == expected
        assert exact_decisions(quantised_tables(table, 5), np.array([observation]))[0] == expected


def _wine_fold0(bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    wine = load_dataset("wine")
    part = next(iter(stratified_folds(wine.y, 5, seed=0)))
    binning = Discretiser.fit(wine.x[part.train], bins)
    table = fit_tables(binning(wine.x[part.train]), wine.y[part.train], bins)
    return table, binning(wine.x[part.test]), wine.y[part.test]


def test_numpy_models_equal_ngspice_cycle_by_cycle() -> None:
    # the cycle-exact models used for machines too big to simulate for every sample: the
    # stochastic one on 3 classes x 4 features at 6 bits, the logarithmic one on wine
    table, test, _ = _wine_fold0(4)
    small = quantised_tables(table[:, :4], 6)
    model = stochastic_model_counts(small, test[:2, :4], bits=6)
    bits = stochastic_model_bits(small, test[:2, :4], bits=6)
    for k in range(2):
        blocks, counts = machine_streams(small, test[k, :4], bits=6)
        np.testing.assert_array_equal(model[k], counts)
        np.testing.assert_array_equal(bits[k], blocks)  # every comparator, every cycle
    assert 0 < bits.mean() < 1  # the comparators do toggle
    costs, step = log_costs(table, 8)
    sums = logarithmic_model_sums(costs, test[:2])
    for k in range(2):
        np.testing.assert_array_equal(sums[k], machine_sums(table, test[k]))
    # the costs are -ln p in units of step within half a unit (no probability saturates)
    np.testing.assert_allclose(costs * step, -np.log(table), atol=step / 2 + 1e-12)


def test_logarithmic_machine_decides_wine_exactly_where_the_counters_stay_at_zero() -> None:
    # wine: 13 likelihoods of ~1/4 multiply to ~1e-8; one LFSR period (255 cycles) of the
    # stochastic machine counts nothing, the sums of costs decide as exact naive Bayes does
    table, test, _ = _wine_fold0(4)
    counts = stochastic_model_counts(quantised_tables(table, 8), test)
    assert counts[:, :, -1].max() == 0
    costs, step = log_costs(table, 8)
    decisions = logarithmic_model_sums(costs, test)[:, :, -1].argmin(axis=1)
    np.testing.assert_array_equal(decisions, exact_decisions(np.exp(-costs * step), test))
    agreement = (decisions == exact_decisions(table, test)).mean()
    assert agreement >= 0.95  # against unquantised naive Bayes: measured 1.0 (37 samples)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(LearnError, match="bins"):
        Discretiser.fit(np.zeros((10, 2)), 1)
    with pytest.raises(LearnError, match="features"):
        Discretiser.fit(np.arange(20.0).reshape(10, 2), 3)(np.zeros((2, 3)))
    with pytest.raises(LearnError, match="alpha"):
        fit_tables(np.zeros((4, 2), dtype=np.int64), np.array([0, 1, 0, 1]), 2, alpha=0.0)
