"""The preconditioned sampler: the change of coordinates leaves the model as it was (the same
logits and prior), its MAP is scikit-learn's with the same penalty, and the sampler in the new
coordinates still samples the exact posterior of a case small enough to integrate on a grid."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen.learn import LearnError, Scaler
from spicegen.learn.diagnostics import effective_sample_size
from spicegen.learn.mcmc import Architecture, MCMCClassifier, forward
from spicegen.learn.mcmc_devices import IdealDevice, RramDevice
from spicegen.learn.mcmc_precondition import (
    _map,
    laplace_preconditioner,
    sample_preconditioner,
)

RANGE = 3.0


def _data(
    features: int = 1, samples: int = 40, noise: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """Correlated features (the case preconditioning is for), logistic labels."""
    rng = np.random.default_rng(11)
    base = rng.normal(0.0, 1.0, (samples, 1))
    x = base + noise * rng.normal(0.0, 1.0, (samples, features))
    y = (rng.random(samples) < 1 / (1 + np.exp(-(1.5 * base[:, 0] - 0.5)))).astype(np.int64)
    return x, y


@pytest.mark.parametrize("classes", [2, 3])
def test_the_transformed_model_gives_the_same_logits_and_the_map_is_sklearns(
    classes: int,
) -> None:
    from sklearn.linear_model import LogisticRegression

    x, y = _data(features=4, samples=120)
    if classes == 3:
        y = np.digitize(x[:, 0], np.quantile(x[:, 0], [1 / 3, 2 / 3])).astype(np.int64)
    z = Scaler.standard(x)(x)
    architecture = Architecture(4, classes)
    pre = laplace_preconditioner(z, y, architecture.outputs, 1.0)
    u = np.random.default_rng(0).normal(0.0, 1.0, (5, architecture.parameters))
    # logits of u on the transformed inputs == logits of w = c L u on the inputs (exact)
    np.testing.assert_allclose(
        forward(architecture, u, pre.transform(z), pre.bias_input),
        forward(architecture, pre.weights(u), z),
        rtol=1e-10, atol=1e-10,
    )  # fmt: skip
    augmented = np.concatenate([z, np.ones((len(z), 1))], axis=1)
    if classes == 2:
        # the ones column as a feature: sklearn then penalises the bias as our prior does
        model = LogisticRegression(C=1.0, fit_intercept=False, tol=1e-10, max_iter=10000)
        expected = model.fit(augmented, y).coef_.T
        np.testing.assert_allclose(_map(augmented, y, 1, 1.0), expected, atol=1e-5)


def _grid_posterior(
    sampler: MCMCClassifier, x: np.ndarray, y: np.ndarray, multiplicity: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of (w, b) by summing the target over a grid of the model's weights.

    The devices' window is a box in the held weights u = (c L)^-1 w; for a device pair the
    common mode leaves the factor (RANGE - |u_j|) per held weight (the segment of the window
    with that difference), for the software chain the indicator |u_j| <= RANGE."""
    pre = sampler.preconditioner_
    assert pre is not None
    z = Scaler.standard(x)(x)
    values = np.linspace(-4.0, 4.0, 801)
    w, b = np.meshgrid(values, values, indexing="ij")
    logits = w[..., None] * z[:, 0] + b[..., None]
    log_p = np.sum(y * logits - np.logaddexp(0.0, logits), axis=-1) - 0.5 * (w**2 + b**2)
    u = np.einsum("ij,abj->abi", np.linalg.inv(pre.prior_matrix), np.stack([w, b], axis=-1))
    inside = np.all(np.abs(u) <= RANGE, axis=-1)
    with np.errstate(divide="ignore"):
        if multiplicity:
            log_p += np.log(np.maximum(RANGE - np.abs(u), 0.0)).sum(axis=-1)
        log_p[~inside] = -np.inf
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    mean = np.array([np.sum(p * w), np.sum(p * b)])
    sd = np.sqrt(np.array([np.sum(p * w**2), np.sum(p * b**2)]) - mean**2)
    return mean, sd


@pytest.mark.parametrize(
    ("device", "pilot"),
    [(None, 0), (IdealDevice(spread=0.04), 0), (IdealDevice(spread=0.04), 1000)],
    ids=["software", "ideal", "ideal-pilot"],
)
def test_preconditioned_sampler_samples_the_exact_posterior(
    device: IdealDevice | None, pilot: int
) -> None:
    # with a pilot the transform comes from the pilot's draws (then fixed): the chains must
    # still sample the posterior of the model's weights w, whatever transform they run in
    x, y = _data()
    sampler = MCMCClassifier(device, samples=4000, burn_in=400, weight_range=RANGE, step=0.1,
                             precondition=True, precondition_width=0.3, pilot=pilot,
                             seed=3)  # fmt: skip
    sampler.fit(x, y)
    run = sampler.run_
    assert run is not None
    draws = run.draws  # the model's weights w, mapped back from the held ones
    mean, sd = _grid_posterior(sampler, x, y, multiplicity=device is not None)
    ess = effective_sample_size(draws)
    # Monte Carlo error of a mean is sd / sqrt(ESS), of an sd about sd / sqrt(2 ESS): 4 of
    # them, plus 1 % of an sd for the grid (a step of 0.01 against sds of ~0.3)
    np.testing.assert_array_less(np.abs(draws.mean(axis=(0, 1)) - mean),
                                 4 * sd / np.sqrt(ess) + 0.01 * sd)  # fmt: skip
    np.testing.assert_array_less(np.abs(draws.std(axis=(0, 1)) - sd),
                                 4 * sd / np.sqrt(2 * ess) + 0.01 * sd)  # fmt: skip
    assert np.all(ess > 200)


def test_preconditioning_speeds_up_mixing_on_correlated_features() -> None:
    # eight features that are one feature plus a little noise: the posterior is a narrow
    # ridge, along which the plain random walk crawls
    x, y = _data(features=8, samples=200, noise=0.1)
    ess = {}
    for precondition in (False, True):
        sampler = MCMCClassifier(None, samples=3000, step=0.05, precondition=precondition,
                                 seed=5, progress=False)  # fmt: skip
        sampler.fit(x, y)
        assert sampler.run_ is not None
        ess[precondition] = float(np.min(effective_sample_size(sampler.run_.draws)))
    # measured about 3x and more; a factor 2 leaves room for the estimators' scatter
    assert ess[True] > 2 * ess[False], ess


def test_the_sample_preconditioner_makes_the_pilots_draws_round() -> None:
    # draws of a correlated Gaussian in w: mapped to u by the transform they build, their
    # covariance is width^2 I and their mean the centre (exactly, for the draws themselves)
    rng = np.random.default_rng(4)
    factor = np.array([[1.0, 0.0, 0.0], [0.9, 0.2, 0.0], [-0.3, 0.1, 0.5]])
    draws = rng.normal(0.0, 1.0, (5000, 3)) @ factor.T + np.array([0.5, -0.2, 0.1])
    pre = sample_preconditioner(draws, 1, width=0.3, weight_range=4.0)
    u = np.linalg.solve(pre.prior_matrix, draws.T).T
    np.testing.assert_allclose(np.cov(u, rowvar=False), 0.09 * np.eye(3), atol=1e-12)
    np.testing.assert_allclose(pre.laplace_sd, np.sqrt(np.diag(np.cov(draws, rowvar=False))))
    # softmax: the three output columns share the inputs' transform, from their mean covariance
    columns = np.stack([draws, 2 * draws, draws], axis=2).reshape(5000, -1)
    shared = sample_preconditioner(columns, 3, width=0.3, weight_range=40.0)
    np.testing.assert_allclose(shared.prior_matrix, pre.prior_matrix * np.sqrt(2.0), rtol=1e-10)
    with pytest.raises(LearnError, match="pilot draws"):
        sample_preconditioner(draws[:3], 1)


def test_a_pilot_needs_preconditioning_and_counts_in_the_energy() -> None:
    with pytest.raises(LearnError, match="pilot"):
        MCMCClassifier(None, pilot=100)
    with pytest.raises(LearnError, match="pilot"):
        MCMCClassifier(None, precondition=True, pilot=-1)
    x, y = _data()
    runs = {}
    for pilot in (0, 200):
        sampler = MCMCClassifier(IdealDevice(spread=0.04), samples=300, precondition=True,
                                 pilot=pilot, seed=2, progress=False)  # fmt: skip
        sampler.fit(x, y)
        assert sampler.run_ is not None
        runs[pilot] = sampler
    assert runs[0].pilot_run_ is None and runs[200].pilot_run_ is not None
    assert runs[200].run_.energy.proposals == 4 * (300 + 200)  # type: ignore[union-attr]
    assert runs[0].run_.energy.proposals == 4 * 300  # type: ignore[union-attr]


def test_preconditioning_is_for_linear_models_and_needs_a_width_inside_the_range() -> None:
    with pytest.raises(LearnError, match="linear models"):
        MCMCClassifier(None, hidden=2, precondition=True)
    with pytest.raises(LearnError, match="precondition_width"):
        MCMCClassifier(None, precondition=True, precondition_width=3.0)


def test_thinned_rows_are_the_chains_states_at_evenly_spaced_iterations() -> None:
    x, y = _data()
    sampler = MCMCClassifier(IdealDevice(), samples=400, burn_in=100, chains=2, seed=1)
    sampler.fit(x, y)
    run = sampler.run_
    assert run is not None and sampler.hardware_ is not None
    rows = sampler.stored_rows(8)
    assert len(rows) == 8 and np.all(rows.holds == 1)
    assert rows.chain.tolist() == [0] * 4 + [1] * 4
    # 300 post-burn-in iterations in 4 slices of 75: the middle of each, 37 in
    np.testing.assert_array_equal(rows.written[:4], [137, 212, 287, 362])
    for state, chain, at in zip(rows.states, rows.chain, rows.written, strict=True):
        np.testing.assert_allclose(sampler.hardware_.weights(state), run.weights[chain, at])
    with pytest.raises(LearnError, match="rows"):
        sampler.stored_rows(1)  # fewer rows than chains
    assert sampler.predict_proba(x, rows=8).shape == (len(x), 2)


def test_rram_floor_leaves_the_bottom_of_the_window_unused(rram_device: RramDevice) -> None:
    low, high = rram_device.programming.window
    floored = RramDevice(rram_device.model, rram_device.programming, floor=0.2)
    assert floored.window == pytest.approx((low + 0.2 * (high - low), high), rel=1e-12)
    # the cycle's spread at the new bottom is well above that at the old one (2.5x with this
    # coarse 6-compliance characterisation, about 14x with the default 12)
    spread = rram_device.programming.spread_for(np.array([low, floored.window[0]]))
    assert spread[1] > 2 * spread[0]
    with pytest.raises(LearnError, match="floor"):
        RramDevice(rram_device.model, rram_device.programming, floor=1.0)
