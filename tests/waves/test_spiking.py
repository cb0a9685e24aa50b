"""The spiking-behaviour classifiers of ``waves.spiking``, each on spike trains that show its
behaviour and on ones that do not (the near misses its criteria exist to reject)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from spicegen.waves import MeasurementError
from spicegen.waves.spiking import (
    bursts,
    leaky_integrate_and_fire,
    logistic_fit,
    membrane_decay,
    phasic_bursting,
    spike_latency,
    stochastic_spiking,
    temporal_integration,
    tonic_spiking,
)


def _figure(verdict: object, name: str) -> float:
    return dict(verdict.figures)[name]  # type: ignore[attr-defined]


def test_bursts_split_at_long_silences() -> None:
    train = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 30.0])
    groups = bursts(train, k=3.0)  # silences > 3 x the 1.0 intra-burst interval
    assert [g.tolist() for g in groups] == [[0.0, 1.0, 2.0], [10.0, 11.0], [30.0]]
    assert bursts(np.array([]), 3.0) == ()
    assert [g.tolist() for g in bursts(np.array([5.0]))] == [[5.0]]
    with pytest.raises(MeasurementError):
        bursts(train, k=1.0)
    with pytest.raises(MeasurementError, match="ascending"):
        bursts(np.array([2.0, 1.0]))


def test_tonic_spiking() -> None:
    regular = 1e-6 + np.arange(10) * 3e-6  # 1 .. 28 us, input 0 .. 30 us
    verdict = tonic_spiking(regular, 0.0, 30e-6)
    assert verdict.shown
    assert _figure(verdict, "rate_hz") == pytest.approx(1 / 3e-6)
    assert _figure(verdict, "interval_cv") == pytest.approx(0.0, abs=1e-9)
    # a first interval from rest that is longer does not count against regularity
    assert tonic_spiking(np.concatenate([[0.0], 5e-6 + np.arange(9) * 3e-6]), 0.0, 30e-6).shown


@pytest.mark.parametrize(
    ("train", "why"),
    [
        (np.array([1e-6, 4e-6, 7e-6]), "spikes"),  # too few
        (np.cumsum(np.resize([1e-6, 4e-6], 12)), "irregular"),  # alternating intervals
        (np.arange(6) * 1e-6, "stops"),  # stops after 5 us of a 30 us input
    ],
)
def test_tonic_spiking_rejects(train: np.ndarray, why: str) -> None:
    verdict = tonic_spiking(train[train <= 30e-6], 0.0, 30e-6)
    assert not verdict.shown
    assert why in verdict.reason


def test_phasic_bursting() -> None:
    burst = 1e-6 + np.array([0.0, 1.0, 2.2, 3.5]) * 1e-6  # onset burst, then silence
    verdict = phasic_bursting(burst, 0.0, 50e-6)
    assert verdict.shown
    assert _figure(verdict, "burst_spikes") == 4


@pytest.mark.parametrize(
    ("train", "why"),
    [
        (np.arange(1, 50, 3.0) * 1e-6, "last part"),  # tonic: spikes to the end
        (np.array([2e-6]), "no burst"),  # a single spike
        (np.array([1e-6, 2e-6, 3e-6, 15e-6, 16e-6]), "bursts"),  # two bursts, both early
        (np.array([]), "no burst"),
    ],
)
def test_phasic_bursting_rejects(train: np.ndarray, why: str) -> None:
    verdict = phasic_bursting(train, 0.0, 50e-6)
    assert not verdict.shown
    assert why in verdict.reason


def test_membrane_decay_recovers_the_time_constant() -> None:
    t = np.linspace(0, 20e-6, 400)
    tau, r2 = membrane_decay(t, 0.3 * np.exp(-t / 4.5e-6))
    assert tau == pytest.approx(4.5e-6, rel=1e-9)
    assert r2 == pytest.approx(1.0)
    # a linear ramp down is no exponential: the log fit is poor
    _, r2_linear = membrane_decay(t, 0.3 * (1 - t / 20.5e-6))
    assert r2_linear < 0.95
    with pytest.raises(MeasurementError):
        membrane_decay(t[:2], np.ones(2))


def test_leaky_integrate_and_fire() -> None:
    rates = [1e6, 500e3, 250e3, 100e3]
    verdict = leaky_integrate_and_fire(rates, [4, 6, math.inf, math.inf], 4.5e-6, 0.999)
    assert verdict.shown
    assert "4.5e-06" in verdict.reason


@pytest.mark.parametrize(
    ("needed", "tau", "r2", "why"),
    [
        ([1, 1, 1, 1], 4.5e-6, 0.999, "single pulse"),  # every pulse fires: no integration
        ([math.inf] * 4, 4.5e-6, 0.999, "never fires"),
        ([4, 4, 4, 4], math.inf, 0.2, "no leak"),  # a perfect integrator: rate does not matter
        ([4, 3, 6, 8], 4.5e-6, 0.999, "fewer pulses"),
        ([4, math.inf, 6, 8], 4.5e-6, 0.999, "fewer pulses"),
        ([4, 6, 8, math.inf], 4.5e-6, 0.5, "exponential"),
    ],
)
def test_leaky_integrate_and_fire_rejects(
    needed: list[float], tau: float, r2: float, why: str
) -> None:
    verdict = leaky_integrate_and_fire([1e6, 500e3, 250e3, 100e3], needed, tau, r2)
    assert not verdict.shown
    assert why in verdict.reason


def test_spike_latency() -> None:
    # the ideal switch from rest: t = tau ln(Vinf / (Vinf - vth)), Vinf = V 50/55
    amplitudes = np.array([1.12, 1.2, 1.5, 2.0, 3.0])
    v_inf = amplitudes * 50 / 55
    latencies = 4.545e-6 * np.log(v_inf / (v_inf - 1.0))
    verdict = spike_latency(amplitudes[::-1], latencies[::-1])  # any order
    assert verdict.shown
    assert _figure(verdict, "latency_ratio") == pytest.approx(latencies[0] / latencies[-1])


@pytest.mark.parametrize(
    ("latencies", "why"),
    [
        ([5e-6, 5e-6, 5e-6, 5e-6], "does not fall"),  # input-independent
        ([5e-6, 4.8e-6, 4.6e-6, 4.5e-6], "only"),  # falls, but barely
        ([math.nan, math.nan, 5e-6, 2e-6], "amplitudes fire"),
        ([5e-6, 6e-6, 2e-6, 1e-6], "does not fall"),
    ],
)
def test_spike_latency_rejects(latencies: list[float], why: str) -> None:
    verdict = spike_latency([1.2, 1.5, 2.0, 3.0], latencies)
    assert not verdict.shown
    assert why in verdict.reason


def test_temporal_integration() -> None:
    separations = [2e-6, 3e-6, 4e-6, 6e-6, 8e-6]
    verdict = temporal_integration(separations, [True, True, True, False, False], False)
    assert verdict.shown
    assert _figure(verdict, "window_s") == pytest.approx(5e-6)


@pytest.mark.parametrize(
    ("fired", "single", "why"),
    [
        ([True] * 5, True, "alone"),
        ([True] * 5, False, "every pair"),
        ([False] * 5, False, "no pair"),
        ([True, False, True, False, False], False, "separation alone"),
    ],
)
def test_temporal_integration_rejects(fired: list[bool], single: bool, why: str) -> None:
    verdict = temporal_integration([2e-6, 3e-6, 4e-6, 6e-6, 8e-6], fired, single)
    assert not verdict.shown
    assert why in verdict.reason


def test_logistic_fit_recovers_centre_and_width() -> None:
    x = np.linspace(1.0, 1.3, 13)
    p = 1.0 / (1.0 + np.exp(-(x - 1.12) / 0.015))
    centre, width = logistic_fit(x, p)
    assert centre == pytest.approx(1.12, abs=1e-6)
    assert width == pytest.approx(0.015, rel=1e-4)


def test_stochastic_spiking() -> None:
    # a Gaussian threshold (probit) sampled with 200 trials per amplitude
    rng = np.random.default_rng(4)
    amplitudes = np.linspace(1.05, 1.2, 8)
    p = norm.cdf((amplitudes - 1.12) / 0.03)
    measured = rng.binomial(200, p) / 200
    verdict = stochastic_spiking(amplitudes, measured, 200)
    assert verdict.shown
    # a logistic of width s matches a probit of sd s * 1.70 (the usual scaling), to the noise
    assert _figure(verdict, "centre") == pytest.approx(1.12, abs=0.01)
    assert _figure(verdict, "width") == pytest.approx(0.03 / 1.70, rel=0.3)


@pytest.mark.parametrize(
    ("probabilities", "why"),
    [
        ([0, 0, 0, 0, 1, 1, 1, 1], "deterministic"),  # a sharp threshold
        ([0, 0.05, 0.2, 0.4, 0.5, 0.6, 0.6, 0.7], "span"),  # never reaches high
        ([0, 0.3, 0.95, 0.2, 0.5, 0.95, 1, 1], "falls"),
    ],
)
def test_stochastic_spiking_rejects(probabilities: list[float], why: str) -> None:
    verdict = stochastic_spiking(np.linspace(1.05, 1.2, 8), probabilities, 100)
    assert not verdict.shown
    assert why in verdict.reason


def test_verdict_as_dict_is_plain() -> None:
    verdict = temporal_integration([1e-6, 2e-6], [False, False], False)
    plain = verdict.as_dict()
    assert plain["shown"] is False
    assert plain["window_s"] is None  # NaN becomes None for JSON
