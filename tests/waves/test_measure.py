"""spicegen.waves.measure against closed forms, and on a real ngspice RC transient."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spicegen.waves import (
    MeasurementError,
    crossings,
    energy,
    fall_time,
    frequency,
    period,
    read_raw,
    rise_time,
    spike_rate,
    spike_times,
    switching_time,
    value_at,
)
from tests.waves.conftest import C, R

P = 1e-6  # s, period of the triangle wave
TRIANGLE_T = np.linspace(0.0, 5 * P, 101)  # samples on every vertex (each P/2 = 10 samples)


def triangle(t: np.ndarray) -> np.ndarray:
    """0 V at t = kP, 1 V at t = (k + 1/2)P, straight lines between."""
    phase = (t / P) % 1.0
    return 1.0 - np.abs(2.0 * phase - 1.0)


# -- value_at, crossings -------------------------------------------------------------------------
def test_value_at_interpolates_linearly():
    t = np.array([0.0, 1e-9, 3e-9])
    y = np.array([1.0, 2.0, 0.0])
    assert value_at(t, y, 0.5e-9) == pytest.approx(1.5, rel=1e-15)
    assert value_at(t, y, 2e-9) == pytest.approx(1.0, rel=1e-15)
    assert value_at(t, y, 3e-9) == 0.0
    with pytest.raises(MeasurementError, match="outside the record"):
        value_at(t, y, 4e-9)


@pytest.mark.parametrize("level", [0.1, 0.37, 0.5, 0.93])
def test_triangle_wave_crossings(level):
    """Sampled on its vertices, linear interpolation is exact: rises at kP + level P/2, falls
    at (k+1)P - level P/2, to rounding (1e-12 of P)."""
    y = triangle(TRIANGLE_T)
    k = np.arange(5)
    rises = k * P + level * P / 2
    falls = (k + 1) * P - level * P / 2
    np.testing.assert_allclose(crossings(TRIANGLE_T, y, level, "rise"), rises, atol=1e-12 * P)
    np.testing.assert_allclose(crossings(TRIANGLE_T, y, level, "fall"), falls, atol=1e-12 * P)
    both = np.sort(np.concatenate([rises, falls]))
    np.testing.assert_allclose(crossings(TRIANGLE_T, y, level), both, atol=1e-12 * P)


def test_no_crossing_is_an_empty_array_and_bad_direction_an_error():
    y = triangle(TRIANGLE_T)
    assert crossings(TRIANGLE_T, y, 2.0).size == 0
    with pytest.raises(MeasurementError, match="direction"):
        crossings(TRIANGLE_T, y, 0.5, "up")  # type: ignore[arg-type]


@given(
    hnp.arrays(np.float64, st.integers(2, 60), elements=st.floats(-10, 10)),
    st.floats(-10, 10),
)
def test_crossings_lie_on_the_interpolated_signal_and_alternate(y, level):
    t = np.arange(y.size) * 1e-9
    rises = crossings(t, y, level, "rise")
    falls = crossings(t, y, level, "fall")
    both = crossings(t, y, level)
    assert both.size == rises.size + falls.size
    assert np.all(np.diff(both) >= 0)
    assert np.all((both >= t[0]) & (both <= t[-1]))
    # The interpolated signal equals the level there (to rounding of values up to 10 V).
    np.testing.assert_allclose(np.interp(both, t, y), level, atol=1e-9)
    # Rises and falls alternate, so their counts differ by at most one.
    assert abs(rises.size - falls.size) <= 1


# -- edges --------------------------------------------------------------------------------------
TAU = 1e-6  # s
EXP_T = np.linspace(0.0, 10 * TAU, 10_001)  # dt = tau/1000


def test_rise_time_of_an_exponential_is_tau_ln9():
    """1 - exp(-t/tau) passes 10 % at tau ln(10/9) and 90 % at tau ln 10: 10-90 % in tau ln 9.
    Linear interpolation errs by ~dt^2 y''/(8 y') = tau 1.25e-7: rtol 1e-6."""
    y = 1.0 - np.exp(-EXP_T / TAU)
    assert rise_time(EXP_T, y, low=0.0, high=1.0) == pytest.approx(TAU * np.log(9), rel=1e-6)
    # 20-80 %: tau ln 4.
    assert rise_time(EXP_T, y, 0.0, 1.0, fractions=(0.2, 0.8)) == pytest.approx(
        TAU * np.log(4), rel=1e-6
    )


def test_fall_time_of_an_exponential_is_tau_ln9():
    y = 2.0 * np.exp(-EXP_T / TAU)  # V
    assert fall_time(EXP_T, y, low=0.0, high=2.0) == pytest.approx(TAU * np.log(9), rel=1e-6)


def test_rise_time_of_the_real_rc_circuit(raw_files):
    """ngspice's RC step (R = 1 kohm, C = 1 nF): rise time RC ln 9 = 2.197 us. The simulation
    and the 1 ns sampling each err by < 1e-7 V on a slope > 0.1 V/us: rtol 1e-5."""
    waves = read_raw(raw_files["rc_tran"])
    rc = R * C
    assert rise_time(waves.axis, waves.v("out"), 0.0, 1.0) == pytest.approx(
        rc * np.log(9), rel=1e-5
    )
    # Energy drawn from the 1 V source up to T = 5 RC: C V^2 (1 - exp(-5)) = 0.99326 nJ.
    delivered = energy(waves.axis, waves.v("in"), -waves.i("v1"))
    assert delivered == pytest.approx(C * (1 - np.exp(-5.0)), rel=1e-5)


def test_edges_that_do_not_exist():
    y = 1.0 - np.exp(-EXP_T / TAU)
    with pytest.raises(MeasurementError, match="never falls"):
        fall_time(EXP_T, y, 0.0, 1.0)
    with pytest.raises(MeasurementError, match="never rises"):
        rise_time(EXP_T, y, 0.0, 2.0)
    with pytest.raises(MeasurementError, match="must exceed"):
        rise_time(EXP_T, y, 1.0, 1.0)
    with pytest.raises(MeasurementError, match="fractions"):
        rise_time(EXP_T, y, fractions=(0.9, 0.1))


# -- spikes -------------------------------------------------------------------------------------
SPIKES = np.array([1.0, 2.5, 4.0, 7.0]) * 1e-6  # s, spike onsets
SPIKE_T = np.linspace(0.0, 10e-6, 10_001)  # 1 ns steps


def spike_train(t: np.ndarray) -> np.ndarray:
    """A 1 V triangular spike of 20 ns rise at every onset, then a 0.7 V afterpulse 200 ns
    later (it too crosses a 0.5 V threshold); the triangles' vertices lie on the grid."""
    y = np.zeros_like(t)
    for onset in SPIKES:
        y += np.interp(t, onset + np.array([0, 20e-9, 40e-9]), [0.0, 1.0, 0.0], 0.0, 0.0)
        y += np.interp(t, onset + np.array([200e-9, 220e-9, 240e-9]), [0, 0.7, 0], 0.0, 0.0)
    return y


def test_spike_times_with_and_without_refractory_period():
    """Threshold 0.5 V: the spike crosses 10 ns after its onset, the afterpulse 200 + 20*0.5/0.7
    ns after it. A 500 ns refractory period drops every afterpulse."""
    y = spike_train(SPIKE_T)
    kept = spike_times(SPIKE_T, y, 0.5, refractory=500e-9)
    np.testing.assert_allclose(kept, SPIKES + 10e-9, atol=1e-15)
    every = spike_times(SPIKE_T, y, 0.5)
    after = SPIKES + 200e-9 + 20e-9 * 0.5 / 0.7
    np.testing.assert_allclose(every, np.sort(np.r_[SPIKES + 10e-9, after]), atol=1e-15)
    assert spike_rate(SPIKE_T, y, 0.5, refractory=500e-9) == pytest.approx(4 / 10e-6, rel=1e-12)
    assert spike_rate(SPIKE_T, y, 1.5) == 0.0
    with pytest.raises(MeasurementError, match="refractory"):
        spike_times(SPIKE_T, y, 0.5, refractory=-1.0)


@given(
    st.lists(st.floats(0.0, 1e-5), min_size=0, max_size=40).map(sorted),
    st.floats(0.0, 3e-6),
)
def test_refractory_filter_is_greedy(onsets, refractory):
    """Kept spikes are at least `refractory` apart; every dropped crossing lies within
    `refractory` after the last kept spike before it."""
    onsets = np.unique(np.round(np.asarray(onsets), 9))
    assume(onsets.size == 0 or np.all(np.diff(onsets) > 2e-9))
    t = np.sort(np.r_[0.0, 1.1e-5, onsets, onsets + 1e-9])
    y = np.isin(t, onsets + 1e-9).astype(float)  # one-sample spikes
    every = crossings(t, y, 0.5, "rise")
    kept = spike_times(t, y, 0.5, refractory)
    assert np.all(np.diff(kept) >= refractory)
    assert set(kept) <= set(every)
    for crossing in set(every) - set(kept):
        before = kept[kept < crossing]
        assert before.size and crossing - before[-1] < refractory


# -- period, frequency, switching, energy -------------------------------------------------------
def test_frequency_of_a_sampled_sine():
    """1.234 MHz sine, 200 samples a period, 10.3 periods. At a zero crossing the sine is
    straight (y'' = 0), so interpolation errs by O(dt^3): rtol 1e-9."""
    f0 = 1.234e6  # Hz
    t = np.arange(0, 10.3 / f0, 1 / (200 * f0))
    y = 0.4 * np.sin(2 * np.pi * f0 * t + 0.3) + 0.1
    assert frequency(t, y) == pytest.approx(f0, rel=1e-9)
    assert period(t, y, level=0.1) == pytest.approx(1 / f0, rel=1e-9)
    with pytest.raises(MeasurementError, match="two rising crossings"):
        period(t[:150], y[:150])


def test_switching_time_of_a_symmetric_step():
    """tanh((t - t0)/w) from -1 to +1: the midpoint 0 is crossed at t0 (odd symmetry about it
    on a grid symmetric about t0); likewise for the falling step."""
    t0, w = 3e-9, 0.2e-9  # s
    t = np.linspace(0.0, 6e-9, 601)
    assert switching_time(t, np.tanh((t - t0) / w)) == pytest.approx(t0, rel=1e-12)
    assert switching_time(t, -2.0 * np.tanh((t - t0) / w)) == pytest.approx(t0, rel=1e-12)
    # A pulse returns to its initial level: with no final state, the level must be given.
    pulse = np.exp(-(((t - t0) / w) ** 2))
    assert switching_time(t, pulse, level=0.5) == pytest.approx(
        t0 - w * np.sqrt(np.log(2)), rel=1e-3
    )
    with pytest.raises(MeasurementError, match="has not switched"):
        switching_time(t, pulse)
    with pytest.raises(MeasurementError, match="never crosses"):
        switching_time(t, pulse, level=2.0)


def test_energy_closed_forms():
    t = np.linspace(0.0, 5e-6, 51)
    # Constant 2 V x 3 mA for 5 us: 30 nJ (the trapezoidal rule is exact for constants).
    assert energy(t, np.full(51, 2.0), np.full(51, 3e-3)) == pytest.approx(3e-8, rel=1e-13)
    # v = 1 V/us ramp, 1 mA: integral of t dt = T^2/2 x 1e6 x 1e-3, exact for linear products.
    assert energy(t, t * 1e6, np.full(51, 1e-3)) == pytest.approx(12.5e-9, rel=1e-13)
    # sin^2 over whole periods: A^2 T / 2; the trapezoidal rule is exact for periodic
    # trigonometric polynomials sampled over whole periods.
    s = np.linspace(0.0, 1e-6, 1001)
    v = 1.5 * np.sin(2 * np.pi * 3e6 * s)
    assert energy(s, v, v / 50.0) == pytest.approx(1.5**2 / 50.0 * 1e-6 / 2, rel=1e-12)


@pytest.mark.parametrize(
    ("t", "y", "message"),
    [
        ([0.0, 1.0], [1.0], "equal length"),
        ([0.0, 2.0, 1.0], [1.0, 2.0, 3.0], "non-decreasing"),
        ([0.0, 1.0], [np.nan, 1.0], "finite"),
        ([0.0], [1.0], "at least 2"),
        ([0.0, 1.0], [1j, 2.0], "real signal"),
    ],
)
def test_unusable_inputs(t, y, message):
    with pytest.raises(MeasurementError, match=message):
        crossings(np.asarray(t), np.asarray(y), 0.5)


def test_zero_duration_has_no_rate():
    with pytest.raises(MeasurementError, match="zero duration"):
        spike_rate([1.0, 1.0], [0.0, 1.0], 0.5)
