"""The MTJ write characterisation against the closed forms of physics.md 1.2 and 6.2.

One Monte Carlo run of 100 devices at i = 2 without ic0 spread (9 s) serves the closed-form
checks; a second, small run with spread checks the ic0 averaging and the cache.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from spicegen import models
from spicegen.surrogate import SurrogateError
from spicegen.surrogate.mram_write import (
    MramWrite,
    MramWriteSpec,
    butler_error,
    characterise_mram_write,
    pulse_for_error,
    tau_d,
)

DEVICES = 100


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def nominal(cache: Path) -> MramWrite:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(cache))
        return characterise_mram_write(
            models.load("mtj"), MramWriteSpec(currents=(2.0,), devices=DEVICES, sigma=0.0, seed=11)
        )


def test_closed_form_reproduces_the_physics_reference_pulses() -> None:
    # physics.md 6.2: Delta 40, tau_D 2.1 ns, i = 2: BER 1e-6 at 19.4 ns, 1e-3 at 12.1 ns,
    # 0.5 at 5.2 ns (the text rounds tau_D; the model's is 2.105 ns)
    assert pulse_for_error(1e-6, 2.0) == pytest.approx(19.4e-9, abs=0.05e-9)
    assert pulse_for_error(1e-3, 2.0) == pytest.approx(12.1e-9, abs=0.05e-9)
    assert pulse_for_error(0.5, 2.0) == pytest.approx(5.2e-9, abs=0.05e-9)
    assert float(butler_error(pulse_for_error(1e-4, 3.0), 3.0)) == pytest.approx(1e-4, rel=1e-9)


def test_fitted_law_matches_butler_and_the_reference_pulses(nominal: MramWrite) -> None:
    # The censored Gumbel fit of 100 devices: the scale 1/k has a standard error of ~0.78/sqrt(n)
    # = 7.8 %, ln A about 0.13 (the fit starts from the data's moments, not from these values).
    assert nominal.k == pytest.approx(2 / tau_d(), rel=0.16)
    assert nominal.log_a == pytest.approx(math.log(math.pi**2 * 40 / 4), abs=0.35)
    # the extrapolated tail: BER 1e-6 -> 1e-3 cuts the pulse from 19.4 to 12.1 ns (physics.md
    # 6.2); the extrapolation inherits the slope's ~8 % error, so the bound is 12 %
    current = float(nominal.currents[0])
    assert nominal.width_for_error(current, 1e-6) == pytest.approx(19.4e-9, rel=0.12)
    assert nominal.width_for_error(current, 1e-3) == pytest.approx(12.1e-9, rel=0.12)
    saving = 1 - nominal.width_for_error(current, 1e-3) / nominal.width_for_error(current, 1e-6)
    assert saving == pytest.approx(0.38, abs=0.03)  # the ratio does not depend on ln A


def test_monte_carlo_table_follows_the_fit_where_it_is_resolved(nominal: MramWrite) -> None:
    # where 100 devices resolve the error rate, the table and the fitted law agree within the
    # binomial scatter (max sd 0.05) plus the time-step resolution (0.1 ns at a slope of 1/ns)
    predicted = nominal.error(float(nominal.currents[0]), nominal.widths)
    assert np.max(np.abs(predicted - nominal.error_mc[0])) < 0.15
    assert nominal.error_mc[0, 0] == 1.0 and nominal.error_mc[0, -1] <= 0.02


def test_write_energy_is_the_integral_of_v_i_between_the_two_resistances(
    nominal: MramWrite,
) -> None:
    current = float(nominal.currents[0])
    widths = nominal.widths[1:]
    energy = nominal.energy[0, 1:]
    assert np.all(np.diff(energy) > 0)
    # R_P = 3979 ohm (the device ends in P), R_AP(0) = rp (1 + tmr0) = 9947 ohm is the most it
    # can be (the TMR falls with bias): E = I^2 R t lies between these for every width
    assert np.all(energy > current**2 * 3979 * widths * 0.99)
    assert np.all(energy < current**2 * 9947 * widths * 1.01)
    # long pulses: almost all devices are in P after ~8 ns, so dE/dt -> I^2 R_P
    slope = (energy[-1] - energy[-20]) / (widths[-1] - widths[-20])
    assert slope == pytest.approx(current**2 * 3979, rel=0.02)


@pytest.fixture(scope="module")
def reverse(cache: Path) -> MramWrite:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(cache))
        spec = MramWriteSpec(
            currents=(2.0,), devices=DEVICES, sigma=0.0, seed=11, direction="p_to_ap"
        )
        return characterise_mram_write(models.load("mtj"), spec)


def test_p_to_ap_writes_follow_butler_at_the_reverse_critical_current(reverse: MramWrite) -> None:
    # P -> AP: a negative current into a device in P; the model's critical current is
    # ic_ratio ic0 = 1.5 x 45.3 uA, so i = 2 is 135.9 uA, and the reduced law is Butler's again
    current = float(reverse.currents[0])
    assert current == pytest.approx(2 * 1.5 * 45.3e-6)
    # the same censored-fit tolerances as AP -> P (100 devices: 1/k to 7.8 %, ln A to 0.13)
    assert reverse.k == pytest.approx(2 / tau_d(), rel=0.16)
    assert reverse.log_a == pytest.approx(math.log(math.pi**2 * 40 / 4), abs=0.35)
    assert reverse.width_for_error(current, 1e-6) == pytest.approx(19.4e-9, rel=0.12)
    predicted = reverse.error(current, reverse.widths)
    assert np.max(np.abs(predicted - reverse.error_mc[0])) < 0.15  # as for AP -> P
    assert reverse.error_mc[0, 0] == 1.0 and reverse.error_mc[0, -1] <= 0.02


def test_p_to_ap_energy_is_i2_rp_then_the_bias_reduced_r_ap(reverse: MramWrite) -> None:
    current = float(reverse.currents[0])
    widths, energy = reverse.widths[1:], reverse.energy[0, 1:]
    # before any device switches (2 ns: none switch under 3 ns at i = 2) every device is in P,
    # whose resistance has no bias dependence: E = I^2 R_P t exactly (up to the 2 ps edge)
    early = widths < 2e-9
    np.testing.assert_allclose(energy[early], current**2 * 3979 * widths[early], rtol=2e-3)
    # after all have switched dE/dt = I^2 R_AP(V), V = I R_AP, R_AP = rp (1 + tmr0/(1 + (V/vh)^2))
    r_ap = 3979.0
    for _ in range(100):  # the fixed point converges (contraction) to ~5.7 kohm
        r_ap = 3979 * (1 + 1.5 / (1 + (current * r_ap / 0.5) ** 2))
    slope = (energy[-1] - energy[-20]) / (widths[-1] - widths[-20])
    assert slope == pytest.approx(current**2 * r_ap, rel=0.02)


def test_ic0_spread_fattens_the_tail_and_the_second_run_is_cached(cache: Path) -> None:
    spec = MramWriteSpec(currents=(2.0,), devices=20, sigma=0.1, seed=3, width=12e-9, points=25)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(cache))
        first = characterise_mram_write(models.load("mtj"), spec)
        second = characterise_mram_write(models.load("mtj"), spec)
    assert (first.cached, second.cached) == (False, True)
    np.testing.assert_array_equal(first.energy, second.energy)
    # the same fitted law with and without spread: the spread only raises the error rate
    spread = MramWrite(
        spec, first.currents, first.widths, first.error_mc, first.energy, 4.59, 2 / tau_d(), True
    )
    narrow = MramWrite(
        MramWriteSpec(sigma=0.0), first.currents, first.widths, first.error_mc, first.energy,
        4.59, 2 / tau_d(), True,
    )  # fmt: skip
    current = float(first.currents[0])
    assert float(spread.error(current, 19.4e-9)) > 10 * float(narrow.error(current, 19.4e-9))


def test_bad_specs_name_the_field() -> None:
    with pytest.raises(SurrogateError, match="currents"):
        characterise_mram_write(models.load("mtj"), MramWriteSpec(currents=(0.8,)))
    with pytest.raises(SurrogateError, match="sigma"):
        characterise_mram_write(models.load("mtj"), MramWriteSpec(sigma=0.5))
    with pytest.raises(SurrogateError, match="direction"):
        characterise_mram_write(models.load("mtj"), MramWriteSpec(direction="both"))
    with pytest.raises(SurrogateError, match="no ic0"):
        characterise_mram_write(models.load("vteam"), MramWriteSpec())
