"""Weak-RESET pulse trains of rram_hfo2 in ngspice against the model's closed form: a pulse
multiplies the state by exp(-A max(0, 1 + sigma_c2c z)) and the windows spread by sigma_d2d
(docs/models/rram_hfo2.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

from spicegen import models
from spicegen.surrogate import SurrogateError
from spicegen.surrogate.rram_weak_reset import (
    WeakReset,
    WeakResetSpec,
    characterise_weak_reset,
    closed_form,
    validate_weak_reset,
)

SPEC = WeakResetSpec(devices=16, trains=1, pulses=24)


@pytest.fixture(scope="module")
def model_and_table(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, WeakReset]]:
    os.environ["SPICEGEN_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    try:
        model = models.load("rram_hfo2")
        yield model, characterise_weak_reset(model, SPEC)
    finally:
        os.environ.pop("SPICEGEN_CACHE")


def test_noisy_steps_follow_the_closed_form(model_and_table: tuple[object, WeakReset]) -> None:
    model, table = model_and_table
    expected = closed_form(model, SPEC)  # type: ignore[arg-type]
    # the log step: 4 standard errors of the mean over the pulses above the lowest bin (>= 200)
    standard_error = expected["log_step_sd"] / np.sqrt(200)
    assert abs(table.log_step_mean - expected["log_step_mean"]) < 4 * standard_error
    # its sd: the sd of a sample sd of >= 200 normals is 5 %; 20 % also covers the read error
    assert table.log_step_sd == pytest.approx(expected["log_step_sd"], rel=0.2)
    # the nonlinearity: the mean step is -x (1 - E[m]), proportional to the present state; per
    # bin (>= 10 pulses each) within 4 standard errors of the bin's mean
    slope = table.step_mean / table.centres
    spread = expected["spread_slope"] / expected["step_slope"] * np.abs(slope)
    counts = 10
    assert np.all(np.abs(slope + expected["step_slope"]) < 4 * spread / np.sqrt(counts) + 0.01)
    # every pulse lowers the conductance, larger steps at larger conductance
    assert np.all(table.step_mean < 0) and np.all(np.diff(table.conductance_step_mean[:6]) < 0)
    # the windows: 16 devices, top mean within 4 standard errors of gmax and relative sd 0.1
    # within 50 % (the sd of a 16-sample sd is 18 %)
    assert abs(table.high_mean - expected["high_mean"]) < 4 * 0.1 * 1e-4 / 4
    assert table.high_sd / table.high_mean == pytest.approx(0.1, rel=0.5)
    assert table.pulse_energy > 0 and table.set_energy > table.pulse_energy


def test_without_cycle_to_cycle_noise_a_pulse_is_the_deterministic_step(
    model_and_table: tuple[object, WeakReset],
) -> None:
    model = models.load("rram_hfo2")
    spec = WeakResetSpec(
        devices=4, trains=1, pulses=12, bins=4, device_params=(("sigma_c2c", 0.0),)
    )
    table = characterise_weak_reset(model, spec, use_cache=False)
    expected = closed_form(model, spec)
    # x_after = x exp(-A): measured 1.0 % steeper than the quadrature of A. The pulse's edges,
    # where the rate rises e-fold per 0.1 V within a nanosecond, carry 1.2 % of A and ngspice
    # steps across them coarsely; 2 % bounds it
    assert table.log_step_mean == pytest.approx(-expected["exponent"], rel=0.02)
    assert table.log_step_sd < 0.01 * expected["exponent"]
    np.testing.assert_allclose(
        table.step_mean, -expected["step_slope"] * table.centres, rtol=0.03, atol=1e-4
    )


def test_the_table_predicts_fresh_devices_and_a_longer_train(
    model_and_table: tuple[object, WeakReset],
) -> None:
    model, table = model_and_table
    fresh = WeakResetSpec(devices=16, trains=1, pulses=30, seed=5)  # a seed and count unseen
    mean, sd = validate_weak_reset(model, table, fresh)  # type: ignore[arg-type]
    # of the largest mean step: 16 fresh devices leave >= 16 pulses in each upper bin, whose
    # mean has a standard error of ~0.3 x 0.14 x/sqrt(16) ~ 7 % of the step at the top (the
    # fit's own error is smaller: it pools every pulse); 20 % is ~3 of those
    assert mean.within(0.2) and mean.rms_error < 0.08, str(mean)
    assert sd.within(0.2), str(sd)


def test_a_second_characterisation_is_served_from_the_cache(
    model_and_table: tuple[object, WeakReset],
) -> None:
    model, table = model_and_table
    again = characterise_weak_reset(model, SPEC)  # type: ignore[arg-type]
    assert again.cached and not table.cached
    np.testing.assert_array_equal(again.step_mean, table.step_mean)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (WeakResetSpec(devices=1), "devices"),
        (WeakResetSpec(pulse_voltage=0.2), "pulse_voltage"),
        (WeakResetSpec(edge=0.0), "edge"),
        (WeakResetSpec(pulses=0), "pulses"),
    ],
)
def test_bad_specs_are_named(spec: WeakResetSpec, message: str) -> None:
    with pytest.raises(SurrogateError, match=message):
        characterise_weak_reset(models.load("rram_hfo2"), spec)


def test_a_model_without_weak_reset_is_refused() -> None:
    with pytest.raises(SurrogateError, match="not an rram_hfo2"):
        characterise_weak_reset(models.load("mtj"), SPEC)
