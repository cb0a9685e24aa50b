"""ESS and split R-hat against chains whose answers are known in closed form (independent draws;
AR(1) chains, ESS = n (1 - rho) / (1 + rho); chains stuck apart), and the ECE and reliability
diagram against a hand count and against probabilities calibrated by construction."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen.learn import LearnError
from spicegen.learn.calibration import (
    expected_calibration_error,
    predictive_entropy,
    reliability,
)
from spicegen.learn.diagnostics import effective_sample_size, rank_rhat, split_rhat


def _ar1(rho: float, chains: int, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((chains, n)) * np.sqrt(1 - rho**2)
    x = np.empty((chains, n))
    x[:, 0] = rng.standard_normal(chains)
    for t in range(1, n):
        x[:, t] = rho * x[:, t - 1] + noise[:, t]
    return x


def test_ess_of_independent_draws_is_their_count() -> None:
    draws = np.random.default_rng(0).standard_normal((4, 5000, 3))
    ess = effective_sample_size(draws)
    # the ESS estimate of white noise scatters by a few per cent around 20000
    np.testing.assert_allclose(ess, 20000, rtol=0.1)


@pytest.mark.parametrize("rho", [0.5, 0.9])
def test_ess_of_ar1_chains_follows_the_closed_form(rho: float) -> None:
    chains, n = 4, 20000
    expected = chains * n * (1 - rho) / (1 + rho)  # tau = (1 + rho) / (1 - rho)
    ess = effective_sample_size(_ar1(rho, chains, n, seed=1))
    # the estimator's error grows with tau: within 15 % for tau <= 19 over 80000 draws
    assert ess[0] == pytest.approx(expected, rel=0.15)


def test_split_rhat_is_one_for_mixed_chains_and_large_for_chains_apart() -> None:
    mixed = _ar1(0.5, 4, 4000, seed=2)
    assert split_rhat(mixed)[0] == pytest.approx(1.0, abs=0.01)
    apart = mixed + np.array([0.0, 0.0, 3.0, 3.0])[:, None]  # two pairs of chains 3 sd apart
    # var_plus / W = 1 + between / within: between-chain variance of {0,0,3,3} halves ~ 2.6
    assert split_rhat(apart)[0] > 1.5
    drifting = mixed + np.linspace(0, 4, 4000)[None, :]  # each chain's halves disagree
    assert split_rhat(drifting)[0] > 1.2


def test_rank_rhat_agrees_with_split_rhat_on_normal_chains_and_ignores_monotone_maps() -> None:
    mixed = _ar1(0.5, 4, 4000, seed=2)
    # normal draws: their normal scores are nearly the draws, so bulk R-hat ~ split R-hat ~ 1
    assert rank_rhat(mixed)[0] == pytest.approx(1.0, abs=0.01)
    apart = mixed + np.array([0.0, 0.0, 3.0, 3.0])[:, None]
    # ranks do not change under exp: the same R-hat for the draws and their exponentials
    assert rank_rhat(np.exp(apart))[0] == pytest.approx(rank_rhat(apart)[0], rel=1e-12)
    assert rank_rhat(apart)[0] > 1.5


def test_rank_rhat_sees_chains_that_differ_only_in_spread() -> None:
    # the same mean, sd 1 in two chains and 3 in the other two: the classic split R-hat
    # compares means only and stays near 1; the folded draws |x - median| differ by 3x
    wide = _ar1(0.0, 4, 4000, seed=3) * np.array([1.0, 1.0, 3.0, 3.0])[:, None]
    assert split_rhat(wide)[0] < 1.01
    assert rank_rhat(wide)[0] > 1.1


def test_rank_rhat_of_a_constant_parameter_is_nan() -> None:
    draws = np.stack([np.zeros((4, 100)), _ar1(0.5, 4, 100, seed=4)], axis=-1)
    result = rank_rhat(draws)
    assert np.isnan(result[0]) and np.isfinite(result[1])


def test_ece_by_hand_and_of_probabilities_calibrated_by_construction() -> None:
    # four predictions: confidences 0.9, 0.9 (bin 9, one right: accuracy 0.5) and 0.6, 0.6
    # (bin 6, both right: accuracy 1): ECE = (2 * 0.4 + 2 * 0.4) / 4 = 0.4
    p = np.array([[0.9, 0.1], [0.1, 0.9], [0.6, 0.4], [0.4, 0.6]])
    y = np.array([0, 0, 0, 1])
    table = reliability(p, y)
    assert table.counts[8] == 2 and table.counts[5] == 2 and table.counts.sum() == 4
    assert expected_calibration_error(p, y) == pytest.approx(0.4, abs=1e-12)
    # labels drawn from the predicted probabilities themselves: ECE -> 0 as 1/sqrt(n)
    rng = np.random.default_rng(3)
    q = rng.uniform(0, 1, 40000)
    labels = (rng.random(q.size) < q).astype(np.int64)
    calibrated = np.column_stack([1 - q, q])
    assert expected_calibration_error(calibrated, labels) < 0.01
    # overconfident: the same labels, probabilities pushed to the ends
    sharp = np.clip((q - 0.5) * 3 + 0.5, 0.0, 1.0)
    assert expected_calibration_error(np.column_stack([1 - sharp, sharp]), labels) > 0.1


def test_entropy_and_bad_inputs() -> None:
    np.testing.assert_allclose(
        predictive_entropy(np.array([[0.5, 0.5], [1.0, 0.0]])), [np.log(2), 0.0]
    )
    with pytest.raises(LearnError, match="sum to 1"):
        reliability(np.array([[0.5, 0.6]]), np.array([0]))
    with pytest.raises(LearnError, match="at least 4 iterations"):
        effective_sample_size(np.zeros((2, 3)))
