"""Sampler diagnostics over several chains: effective sample size and split R-hat.

Both follow Gelman et al., Bayesian Data Analysis (3rd ed.), section 11.4-11.5, as Stan
computes them (without rank normalisation): chains are split in halves for R-hat; the ESS sums
the autocorrelations estimated across chains up to Geyer's initial monotone sequence.
``draws`` is (chains, iterations) or (chains, iterations, parameters).

``rank_rhat`` is the rank-normalised split R-hat of Vehtari et al., Bayesian Analysis 16, 667
(2021): the larger of the split R-hat of the normal scores of the pooled ranks (the bulk) and
of the folded draws ``|x - median|`` (the tails). It is invariant under monotone transforms,
finite for heavy tails, and catches chains that agree on their means but not on their spread;
their threshold is 1.01.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError

__all__ = ["autocorrelation", "effective_sample_size", "rank_rhat", "split_rhat"]

FloatArray = NDArray[np.float64]


def _as_draws(draws: FloatArray, minimum: int) -> FloatArray:
    x = np.asarray(draws, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3 or x.shape[0] < 1 or x.shape[1] < minimum:
        raise LearnError(
            f"diagnostics: expected (chains, iterations[, parameters]) with at least {minimum} "
            f"iterations, got shape {np.shape(draws)}"
        )
    if not np.all(np.isfinite(x)):
        raise LearnError("diagnostics: the draws contain NaN or infinite values")
    return x


def autocorrelation(series: FloatArray) -> FloatArray:
    """Autocorrelation of each row of ``series`` (..., n) at lags 0 .. n-1 (biased estimator,
    by FFT); a constant row gives 1 at lag 0 and 0 elsewhere."""
    x = np.asarray(series, dtype=np.float64)
    n = x.shape[-1]
    centred = x - x.mean(axis=-1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size, axis=-1)
    covariance = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=-1)[..., :n] / n
    variance = covariance[..., :1]
    result = np.divide(covariance, variance, out=np.zeros_like(covariance), where=variance > 0)
    result[..., 0] = 1.0
    return np.asarray(result)


def effective_sample_size(draws: FloatArray) -> FloatArray:
    """ESS of each parameter, shape (parameters,): ``chains * n / (1 + 2 sum rho_t)``.

    ``rho_t = 1 - (W - mean_chains(s_c^2 acf_c(t))) / var_plus`` pools the chains' within
    variance ``W`` and the between-chain variance; the sum runs over pairs of lags while their
    sum stays positive, made monotone (Geyer). A parameter that never moves (zero variance
    across all draws) has no defined ESS: ``nan``.
    """
    x = _as_draws(draws, 4)
    chains, n, _ = x.shape
    acf = autocorrelation(np.moveaxis(x, 1, -1))  # (chains, parameters, n)
    chain_var = x.var(axis=1, ddof=1)  # (chains, parameters)
    within = chain_var.mean(axis=0)
    chain_mean = x.mean(axis=1)
    between_over_n = chain_mean.var(axis=0, ddof=1) if chains > 1 else np.zeros_like(within)
    var_plus = within * (n - 1) / n + between_over_n
    # autocovariance of each chain at lag t: acf * (n-1)/n * s^2 (the biased acf's scale)
    autocov = acf * (chain_var * (n - 1) / n)[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = 1.0 - (within[:, None] - autocov.mean(axis=0)) / var_plus[:, None]
    rho[:, 0] = 1.0
    result = np.empty(x.shape[2])
    for p in range(x.shape[2]):
        if not var_plus[p] > 0:
            result[p] = np.nan
            continue
        result[p] = chains * n / _tau(rho[p])
    return result


def _tau(rho: FloatArray) -> float:
    """``1 + 2 sum rho_t`` truncated by Geyer's initial positive, monotone sequence."""
    n = rho.size
    pairs: list[float] = []
    for t in range(0, n - 1, 2):
        pair = float(rho[t] + rho[t + 1])
        if pair < 0:
            break
        pairs.append(min(pair, pairs[-1]) if pairs else pair)
    # rho_0 = 1 is inside the first pair: tau = -1 + 2 * sum of the pair sums
    tau = -1.0 + 2.0 * float(np.sum(pairs)) if pairs else 1.0
    # a floor (as Stan's) keeps the ESS of antithetic chains finite
    return max(tau, 1.0 / float(np.log10(max(n, 10))))


def split_rhat(draws: FloatArray) -> FloatArray:
    """Split R-hat of each parameter, shape (parameters,): every chain cut in two halves,
    ``sqrt(var_plus / W)`` over the 2 x chains half-chains; ~1 when they agree."""
    x = _as_draws(draws, 4)
    half = x.shape[1] // 2
    halves = np.concatenate([x[:, :half], x[:, x.shape[1] - half :]], axis=0)
    n = halves.shape[1]
    within = halves.var(axis=1, ddof=1).mean(axis=0)
    between_over_n = halves.mean(axis=1).var(axis=0, ddof=1)
    var_plus = within * (n - 1) / n + between_over_n
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.sqrt(var_plus / within), dtype=np.float64)


def _normal_scores(x: FloatArray) -> FloatArray:
    """Each parameter's draws (chains, iterations, parameters) replaced by the normal quantile
    of their pooled rank, ``Phi^-1((r - 3/8) / (S + 1/4))`` (Blom's offsets, as Vehtari et al.);
    ties get their average rank."""
    from scipy.stats import norm, rankdata

    chains, n, parameters = x.shape
    pooled = x.reshape(chains * n, parameters)
    ranks = rankdata(pooled, axis=0)  # average ranks for ties
    scores = norm.ppf((ranks - 0.375) / (chains * n + 0.25))
    return np.asarray(scores.reshape(chains, n, parameters), dtype=np.float64)


def rank_rhat(draws: FloatArray) -> FloatArray:
    """Rank-normalised split R-hat of each parameter, shape (parameters,): the larger of the
    bulk (normal scores of the ranks) and tail (folded draws) split R-hats. A parameter that
    never moves gives ``nan``."""
    x = _as_draws(draws, 4)
    bulk = split_rhat(_normal_scores(x))
    folded = np.abs(x - np.median(x.reshape(-1, x.shape[2]), axis=0))
    tail = split_rhat(_normal_scores(folded))
    constant = np.ptp(x.reshape(-1, x.shape[2]), axis=0) == 0
    return np.asarray(np.where(constant, np.nan, np.maximum(bulk, tail)), dtype=np.float64)
