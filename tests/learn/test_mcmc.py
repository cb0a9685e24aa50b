"""The memristor MCMC sampler against exact posteriors small enough to integrate numerically:
Bayesian logistic regression on one feature (two weights, four devices), for each device kind
(continuous Gaussian proposals with a level-dependent spread, so Hastings' factor matters;
discrete wall levels; the software baseline), plus the bookkeeping of the stored lines."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen.learn import LearnError, Scaler
from spicegen.learn.diagnostics import effective_sample_size
from spicegen.learn.mcmc import MCMCClassifier, forward, probabilities
from spicegen.learn.mcmc_devices import DeviceKind, DwDevice, IdealDevice, RramDevice

PRIOR_SD = 1.0
RANGE = 3.0


def _data() -> tuple[np.ndarray, np.ndarray]:
    """40 samples of one feature, labels from a logistic model (w = 1.5, b = -0.5)."""
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.0, (40, 1))
    y = (rng.random(40) < 1 / (1 + np.exp(-(1.5 * x[:, 0] - 0.5)))).astype(np.int64)
    return x, y


def _exact(device: DeviceKind | None, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Posterior mean and sd of (w, b) by summing the target over a grid of weights.

    The sampler's target lives on the devices: uniform over the window, times the Gaussian
    prior and the likelihood of w = (G+ - G-)/g_unit. Over the common mode of a pair that
    leaves, for each weight, the length of the segment G+ - G- = w g_unit inside the window:
    (span - |w| g_unit), or for discrete levels the number of level pairs with that
    difference. The software baseline's target is the prior times the likelihood, |w| <= RANGE.
    """
    z = Scaler.standard(x)(x)
    if device is None or not isinstance(device, DwDevice):
        values = np.linspace(-RANGE, RANGE, 601)
        multiplicity = (
            np.ones_like(values) if device is None else np.maximum(RANGE - np.abs(values), 0.0)
        )
        feature = z if device is None or isinstance(device, IdealDevice) else None
        if feature is None:  # the rram read: I = G v0 sinh(V/v0), V = z * read_voltage / clip
            unit = device.read_voltage / 4.0
            feature = np.asarray(device.drive(np.clip(z, -4, 4) * unit)) / unit
            bias = float(device.drive(np.array(unit))) / unit
        else:
            bias = 1.0
    else:
        levels = device.programming.window[1] - device.programming.window[0] + 1
        differences = np.arange(-(levels - 1), levels)
        values = differences * RANGE / (levels - 1)
        multiplicity = (levels - np.abs(differences)).astype(np.float64)
        feature, bias = z, 1.0
    w, b = np.meshgrid(values, values, indexing="ij")
    logits = w[..., None] * feature[:, 0] + b[..., None] * bias
    log_like = np.sum(y * logits - np.logaddexp(0.0, logits), axis=-1)
    log_p = log_like - 0.5 * (w**2 + b**2) / PRIOR_SD**2
    with np.errstate(divide="ignore"):  # multiplicity 0 at the ends: probability 0
        log_p += np.log(multiplicity)[:, None] + np.log(multiplicity)[None, :]
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    mean = np.array([np.sum(p * w), np.sum(p * b)])
    sd = np.sqrt(np.array([np.sum(p * w**2), np.sum(p * b**2)]) - mean**2)
    return mean, sd


def _check(device: DeviceKind | None, samples: int, **options: object) -> None:
    x, y = _data()
    sampler = MCMCClassifier(
        device, samples=samples, burn_in=samples // 10, prior_sd=PRIOR_SD, weight_range=RANGE,
        seed=3, **options,  # type: ignore[arg-type]
    )  # fmt: skip
    sampler.fit(x, y)
    run = sampler.run_
    assert run is not None
    draws = run.draws
    mean, sd = _exact(device, x, y)
    ess = effective_sample_size(draws)
    got_mean = draws.mean(axis=(0, 1))
    got_sd = draws.std(axis=(0, 1))
    # Monte Carlo error of a mean is sd / sqrt(ESS); of an sd about sd / sqrt(2 ESS); 4 of
    # them, plus 1 % of an sd for the grid (a step of 0.01 against sds of ~0.3)
    np.testing.assert_array_less(np.abs(got_mean - mean), 4 * sd / np.sqrt(ess) + 0.01 * sd)
    np.testing.assert_array_less(np.abs(got_sd - sd), 4 * sd / np.sqrt(2 * ess) + 0.01 * sd)
    assert np.all(ess > 200)  # the comparison has power: hundreds of independent draws


def test_software_metropolis_hastings_samples_the_exact_posterior() -> None:
    _check(None, 4000, step=0.1)


def test_ideal_device_sampler_samples_the_exact_posterior() -> None:
    _check(IdealDevice(spread=0.04), 4000)


def test_rram_sampler_with_its_characterised_proposals_samples_the_exact_posterior(
    rram_device: RramDevice,
) -> None:
    # the spread of a cycle grows with the conductance: without Hastings' factor the walk
    # would lean towards the top of the window; with it the target is exact
    _check(rram_device, 6000)


def test_domain_wall_sampler_samples_the_exact_discrete_posterior(dw_device: DwDevice) -> None:
    _check(dw_device, 4000)


def test_stored_lines_hold_the_post_burn_in_chain_and_predictions_average_them() -> None:
    x, y = _data()
    sampler = MCMCClassifier(IdealDevice(), samples=400, burn_in=100, chains=2, seed=1)
    sampler.fit(x, y)
    run = sampler.run_
    assert run is not None
    rows = run.rows
    assert int(rows.holds.sum()) == 2 * 300  # every post-burn-in iteration is one line's
    assert len(rows) == 2 + int(run.accepted[:, 100:].sum())  # a line per acceptance
    # the holds-weighted average over lines equals the average over the chain's iterations
    hardware = sampler.hardware_
    assert hardware is not None
    weights = hardware.weights(rows.states)
    by_line = np.repeat(weights, rows.holds, axis=0)
    np.testing.assert_allclose(
        np.sort(by_line, axis=0), np.sort(run.weights[:, 100:].reshape(-1, 2), axis=0)
    )
    scaler = Scaler.standard(x)
    manual = (
        np.einsum(
            "r,rsc->sc",
            rows.holds,
            probabilities(forward(sampler.architecture_, weights, scaler(x))),
        )
        / rows.holds.sum()
    )  # ideal reads are exact products: the same logits
    np.testing.assert_allclose(sampler.predict_proba(x), manual, rtol=1e-9)


def test_the_same_seed_repeats_a_run_and_another_seed_does_not() -> None:
    x, y = _data()
    runs = [MCMCClassifier(IdealDevice(), samples=200, seed=s).fit(x, y).run_ for s in (5, 5, 6)]
    assert runs[0] is not None and runs[1] is not None and runs[2] is not None
    np.testing.assert_array_equal(runs[0].weights, runs[1].weights)
    assert not np.array_equal(runs[0].weights, runs[2].weights)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"samples": 0}, "samples"),
        ({"burn_in": 500, "samples": 100}, "burn_in"),
        ({"block": 0}, "block"),
        ({"prior_sd": -1.0}, "prior_sd"),
        ({"engine": "analog"}, "engine"),
        ({"weighting": "mean"}, "weighting"),
    ],
)
def test_bad_settings_raise_a_learn_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(LearnError, match=message):
        MCMCClassifier(IdealDevice(), **options)  # type: ignore[arg-type]


def test_software_baseline_has_no_array_to_simulate_and_unfitted_models_say_so() -> None:
    with pytest.raises(LearnError, match="no array"):
        MCMCClassifier(None, engine="spice")
    with pytest.raises(LearnError, match="fit first"):
        MCMCClassifier(IdealDevice()).predict(np.zeros((1, 1)))
    with pytest.raises(LearnError, match="labels"):
        MCMCClassifier(IdealDevice()).fit(np.zeros((3, 1)), [0, 2, 2])
