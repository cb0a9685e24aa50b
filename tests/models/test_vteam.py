"""``models/vteam.va`` against the VTEAM equations (Kvatinsky et al., IEEE TCAS-II 62, 786
(2015)): no drift inside the threshold window, the rate law k (v/v_th - 1)^alpha outside it,
a state bounded to [0, 1] by the window, and a pinched I-V loop that shrinks with frequency."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import Subckt

from .conftest import load_testbench

bench = load_testbench("vteam_hysteresis")
PARAMS = bench.Params()


@pytest.mark.parametrize("volts", [0.25, -0.25, 0.3, -0.3])
def test_no_state_change_at_or_below_the_thresholds(vteam: Subckt, volts: float) -> None:
    record = bench.step(vteam, volts)
    # 190 ns at up to |v_on|, |v_off|: the rate law is exactly 0 there; 1e-9 leaves room for
    # the integrator's rounding only (the smallest rate tested below moves x by 2e-3)
    assert np.max(np.abs(record.state - 0.5)) < 1e-9


@pytest.mark.parametrize("volts", [0.45, 0.6, 0.9, -0.45, -0.6, -0.9])
def test_rate_follows_the_vteam_law(vteam: Subckt, volts: float) -> None:
    record = bench.step(vteam, volts)
    start, stop = np.searchsorted(record.time, [50e-9, 200e-9 - 1e-12])
    measured = (record.state[stop] - record.state[start]) / (record.time[stop] - record.time[start])
    # x stays near 0.5, where the window is 1 - 0.5^20 ~ 1, so the rate is constant over the
    # step; closed form at the mid state, 1 % for the window's change and the integrator
    x_mid = 0.5 * (record.state[stop] + record.state[start])
    expected = bench.rate(PARAMS, volts, x_mid)
    assert measured == pytest.approx(expected, rel=0.01)
    # and the magnitudes are the published ones: k (|v|/0.3 - 1)^3 with k = 1e5 /s
    assert abs(measured) == pytest.approx(1e5 * (abs(volts) / 0.3 - 1) ** 3, rel=0.01)


@pytest.mark.parametrize("volts", [1.0, -1.0])
def test_state_is_bounded_to_zero_one(vteam: Subckt, volts: float) -> None:
    # 20 us at 1 V is 25x the time to cross the whole range at the initial rate (1.3e6 /s)
    record = bench.step(vteam, volts, stop=20e-6)
    assert np.min(record.state) > -1e-6
    assert np.max(record.state) < 1 + 1e-6
    boundary = 1.0 if volts > 0 else 0.0
    assert record.state[-1] == pytest.approx(boundary, abs=0.02)
    # the end state sets the resistance: ron + (roff - ron) x
    resistance = record.voltage[-1] / record.current[-1]
    assert resistance == pytest.approx(
        PARAMS.ron + (PARAMS.roff - PARAMS.ron) * record.state[-1], rel=1e-6
    )


def test_pinched_loop_shrinks_with_frequency(vteam: Subckt) -> None:
    slow = bench.sine(vteam, 1.0, 1e5)
    fast = bench.sine(vteam, 1.0, 1e6)
    # pinched: the current is zero whenever the voltage is (i = v / R(x), R finite)
    near_zero = np.abs(slow.voltage) < 1e-3
    assert np.all(np.abs(slow.current[near_zero]) < 1e-3 / PARAMS.ron)
    slow_lobes = bench.lobe_areas(slow, 1e-5)
    fast_lobes = bench.lobe_areas(fast, 1e-6)
    # a memristor's loop area falls with frequency (the state integrates the drive: its swing
    # goes as 1/f); both lobes at least 10x smaller over one decade
    for slow_area, fast_area in zip(slow_lobes, fast_lobes, strict=True):
        assert slow_area > 0
        assert fast_area < slow_area / 10
