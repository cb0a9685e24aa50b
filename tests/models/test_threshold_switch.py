"""``models/threshold_switch.va`` in the Pearson-Anson oscillator of physics.md 2.3-2.4.

Reference numbers are physics.md 2.4's table (R_L 5 kohm, C 1 nF, R_off 50 kohm, R_on 200 ohm,
V_th 1.0 V, V_hold 0.7 V) and its closed form; the tolerance is physics.md's own: a transient
run with a hysteretic switch and small switching times lands within ~2-5 % of them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spicegen import Subckt, compile_va

from .conftest import ROOT, load_testbench

bench = load_testbench("threshold_switch_oscillator")
REFERENCE = bench.Oscillator()

# physics.md 2.4 at C = 1 nF: V_in (V) -> t_ch (us), t_dis (ns), f (kHz)
TABLE = {
    1.2: (6.63, 72.6, 149.2),
    1.5: (2.734, 73.7, 356.1),
    2.0: (1.420, 75.6, 668.7),
    3.0: (0.728, 79.7, 1238.0),
}


@pytest.mark.parametrize("v_in", sorted(TABLE))
def test_closed_form_is_the_physics_table(v_in: float) -> None:
    # the testbench's closed form is the reference of the tests below: it must be physics.md's
    t_ch, t_dis, f = bench.closed_form(dataclasses.replace(REFERENCE, v_in=v_in))
    ref_ch, ref_dis, ref_f = TABLE[v_in]
    assert t_ch == pytest.approx(ref_ch * 1e-6, rel=2e-3)  # the table rounds to 3-4 digits
    assert t_dis == pytest.approx(ref_dis * 1e-9, rel=2e-3)
    assert f == pytest.approx(ref_f * 1e3, rel=2e-3)


def test_oscillates_at_356_khz_at_1v5(threshold_switch: Subckt) -> None:
    spikes = bench.run(threshold_switch, REFERENCE)
    assert spikes.frequency() == pytest.approx(356.1e3, rel=0.05)  # physics.md 10.4
    # the capacitor swings between the two thresholds (switching overshoot of a few mV)
    late = spikes.time > spikes.spikes[1]
    assert np.max(spikes.v_a[late]) == pytest.approx(1.0, abs=0.01)
    assert np.min(spikes.v_a[late]) == pytest.approx(0.7, abs=0.01)


def test_no_spikes_at_1v05(threshold_switch: Subckt) -> None:
    osc = dataclasses.replace(REFERENCE, v_in=1.05)
    spikes = bench.run(threshold_switch, osc)
    assert spikes.spikes.size == 0
    # the node settles at the OFF-state divider V_in R_off/(R_off + R_L) = 0.9545 V < V_th
    assert spikes.v_a[-1] == pytest.approx(1.05 * 50 / 55, abs=1e-3)


@pytest.mark.parametrize("v_in", [1.2, 2.0, 3.0])
def test_frequency_rises_with_v_in_as_in_the_table(threshold_switch: Subckt, v_in: float) -> None:
    spikes = bench.run(threshold_switch, dataclasses.replace(REFERENCE, v_in=v_in))
    assert spikes.frequency() == pytest.approx(TABLE[v_in][2] * 1e3, rel=0.05)


def test_frequency_scales_as_one_over_c(threshold_switch: Subckt) -> None:
    f_1n = bench.run(threshold_switch, REFERENCE).frequency()
    f_10n = bench.run(threshold_switch, dataclasses.replace(REFERENCE, c=10e-9)).frequency()
    # at 100 pF the discharge lasts 7.4 ns, so the switching time must be well below it for the
    # ideal-switch closed form to hold: tsw = 0.1 ns
    f_100p = bench.run(
        threshold_switch, dataclasses.replace(REFERENCE, c=100e-12, tsw=0.1e-9)
    ).frequency()
    assert f_10n == pytest.approx(35.61e3, rel=0.05)  # physics.md 2.4
    assert f_100p == pytest.approx(3.561e6, rel=0.05)  # physics.md 2.4
    assert f_1n / f_10n == pytest.approx(10.0, rel=0.03)
    assert f_100p / f_1n == pytest.approx(10.0, rel=0.03)


def _switching_voltage(model: Subckt, vth_d2d: float = 0.0) -> float:
    """v(a) at the first switching event: the effective threshold of the instance."""
    spikes = bench.run(model, dataclasses.replace(REFERENCE, vth_d2d=vth_d2d), periods=1)
    first = spikes.time <= spikes.spikes[0]
    return float(np.max(spikes.v_a[first]))


def test_threshold_offset_is_seeded_and_off_by_default(threshold_switch: Subckt) -> None:
    assert _switching_voltage(threshold_switch) == pytest.approx(1.0, abs=2e-3)
    path = ROOT / "models" / "threshold_switch.va"
    seeded = [compile_va(path, seed=seed) for seed in (1, 1, 2)]
    volts = [_switching_voltage(model, vth_d2d=0.05) for model in seeded]
    assert volts[0] == volts[1]  # same seed, same device
    assert volts[0] != pytest.approx(volts[2], abs=1e-4)  # another seed, another threshold
    for v in volts:
        assert abs(v - 1.0) < 5 * 0.05  # a normal offset with sd 50 mV


def test_threshold_jitter_makes_spiking_stochastic_and_seeded(threshold_switch: Subckt) -> None:
    # at 1.05 V the deterministic neuron settles at 0.9545 V, just below vth = 1.0 V: silent.
    # With a 50 mV jitter held per 100 ns the threshold dips below the settled voltage now and
    # then (P(z < -0.91) = 0.18 per level), so the neuron fires at random.
    quiet = dataclasses.replace(REFERENCE, v_in=1.05)
    assert bench.run(threshold_switch, quiet, periods=20).spikes.size == 0
    noisy = dataclasses.replace(quiet, vth_sigma=0.05, seed=3)
    first = bench.run(threshold_switch, noisy, periods=20).spikes
    assert first.size >= 3
    intervals = np.diff(first)
    assert np.std(intervals) / np.mean(intervals) > 0.1  # irregular, unlike a relaxation clock
    np.testing.assert_array_equal(first, bench.run(threshold_switch, noisy, periods=20).spikes)
    other = bench.run(threshold_switch, dataclasses.replace(noisy, seed=4), periods=20).spikes
    assert other.size != first.size or not np.allclose(other, first)
