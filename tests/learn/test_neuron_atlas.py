"""Atlas protocols in ngspice against closed forms of the ideal switch (physics.md 2.3-2.4):
the first-spike latency from rest, the firing probability of a Gaussian threshold jitter, the
membrane's leak time constant; and the negative case the atlas must report (no phasic
bursting without a slow variable). The whole atlas runs in tests/cli/test_neuron_atlas.py."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.stats import norm

from spicegen import models
from spicegen.learn.neuron_atlas import PROTOCOLS, run_behaviour
from spicegen.va import CompiledModel

R_LOAD, C, ROFF, VTH = 5e3, 1e-9, 50e3, 1.0
TAU = C * R_LOAD * ROFF / (R_LOAD + ROFF)  # 4.545 us: charging through R_L || R_off


@pytest.fixture(scope="module")
def switch() -> CompiledModel:
    return models.load("threshold_switch")


def test_latency_is_the_rc_charging_time(switch: CompiledModel) -> None:
    protocols = dataclasses.replace(
        PROTOCOLS["threshold_switch"], latency_amplitudes=(1.15, 1.5, 3.0), latency_duration=25e-6
    )
    verdict, _ = run_behaviour("spike_latency", switch, protocols)
    assert verdict.shown
    figures = dict(verdict.figures)
    for amplitude in protocols.latency_amplitudes:
        v_inf = amplitude * ROFF / (ROFF + R_LOAD)
        expected = TAU * math.log(v_inf / (v_inf - VTH))  # from 0 V to threshold
        # the stimulus edge (10 ns) and one 20 ns step
        assert figures[f"latency_at_{amplitude:.4g}"] == pytest.approx(expected, abs=40e-9)


def test_stochastic_spiking_follows_the_gaussian_threshold(switch: CompiledModel) -> None:
    protocols = dataclasses.replace(
        PROTOCOLS["threshold_switch"],
        stochastic_amplitudes=(1.06, 1.1, 1.12, 1.16),
        stochastic_pulses=12,
        stochastic_seeds=(11, 12),
    )
    verdict, traces = run_behaviour("stochastic_spiking", switch, protocols)
    assert verdict.shown and traces
    figures = dict(verdict.figures)
    sigma = dict(protocols.stochastic_params)["vth_sigma"]
    trials = 24
    for amplitude in protocols.stochastic_amplitudes:
        # one jitter level per pulse: it fires when the plateau the 25 us pulse reaches
        # (5.5 tau) clears vth + sigma z, z ~ N(0, 1)
        plateau = amplitude * ROFF / (ROFF + R_LOAD) * (1 - math.exp(-25e-6 / TAU))
        expected = norm.cdf((plateau - VTH) / sigma)
        error = math.sqrt(max(expected * (1 - expected), 1 / trials) / trials)
        assert figures[f"probability_at_{amplitude:.4g}"] == pytest.approx(expected, abs=3 * error)


def test_lif_leak_is_the_membrane_rc(switch: CompiledModel) -> None:
    protocols = dataclasses.replace(
        PROTOCOLS["threshold_switch"], lif_rates=(1e6, 100e3), lif_pulses=8
    )
    verdict, _ = run_behaviour("leaky_integrate_and_fire", switch, protocols)
    assert verdict.shown
    figures = dict(verdict.figures)
    assert figures["decay_tau_s"] == pytest.approx(TAU, rel=0.01)  # R_L || R_off times C
    assert figures["decay_r2"] > 0.999
    assert figures["pulses_to_fire_at_1e+06_hz"] > 1
    assert math.isinf(figures["pulses_to_fire_at_1e+05_hz"])  # the leak wins at 100 kHz


def test_no_phasic_bursting_without_a_slow_variable(switch: CompiledModel) -> None:
    protocols = dataclasses.replace(PROTOCOLS["threshold_switch"], phasic_duration=20e-6)
    verdict, traces = run_behaviour("phasic_bursting", switch, protocols)
    assert not verdict.shown
    assert "last part" in verdict.reason  # it keeps spiking: tonic
    assert np.count_nonzero(traces[0].spikes > 15e-6) >= 1
