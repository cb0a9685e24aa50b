"""``models/mtj_sp.va`` (superparamagnetic MTJ, p-bit) against physics.md 1.3, 1.8 and 10.3.

The time-averaged AP fraction of a telegraph process with dwell times tau_AP = tau0
exp(delta (1 + i)) and tau_P = tau0 exp(delta (1 - i)) is 1/2 (1 + tanh(delta i)); with
delta 5 that is 0.5 at i = 0, 0.731 at i = 0.1 and 0.982 at i = 0.4 (physics.md 1.8).
"""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import Circuit, CurrentSource, Op
from spicegen.va import CompiledModel

from .conftest import load_testbench

bench = load_testbench("mtj_sp_telegraph")

BIASES = (0.0, 0.1, 0.4)
REFERENCE = {0.0: 0.5, 0.1: 0.731, 0.4: 0.982}  # physics.md 1.8, p-bit sigmoid


@pytest.fixture(scope="module")
def mtj_sp() -> CompiledModel:
    model: CompiledModel = bench.compile_mtj_sp()
    return model


@pytest.fixture(scope="module")
def traces(mtj_sp: CompiledModel) -> object:
    # 32 p-bits x 4 us per bias = 128 us of record; at i = 0 the state correlation time is
    # tau0 e^delta / 2 = 74 ns, so the AP fraction has a standard error of
    # sqrt(2 * 0.25 * 74 ns / 128 us) = 0.017. ts = 20 ns against the shortest dwell
    # (20 ns at i = 0.4): the per-interval flip rule then lowers P(AP) by <= 0.013
    # (stationary q_up/(q_up + q_down) of the sampled chain) -- both well inside 0.05.
    return bench.run_telegraph(
        mtj_sp, bench.Telegraph(BIASES, per_bias=32, record=4e-6, ts=20e-9, seed=1)
    )


@pytest.mark.parametrize("bias", BIASES)
def test_ap_fraction_follows_the_tanh_sigmoid(traces: object, bias: float) -> None:
    fraction = float(traces.ap_fraction(bias).mean())  # type: ignore[attr-defined]
    assert bench.ap_probability(bias) == pytest.approx(REFERENCE[bias], abs=1e-3)
    assert fraction == pytest.approx(REFERENCE[bias], abs=0.05)


def test_telegraph_switching_rate_at_zero_bias(traces: object) -> None:
    # i = 0: both dwell times are tau = tau0 e^delta = 148 ns (physics.md 1.8, delta 5). For a
    # symmetric telegraph process the chance that the state differs after a time ts is
    # (1 - exp(-2 ts/tau))/2 (closed form), 0.118 for ts = 20 ns; the observed changes per
    # interval of 32 p-bits x 200 intervals (~750 changes) have a relative scatter of ~5 %.
    states = traces.states[0.0]  # type: ignore[attr-defined]
    per_interval = states[:, ::4]  # one sample per interval of ts (4 samples per ts)
    changes = np.abs(np.diff(per_interval.astype(int), axis=1))
    assert changes.sum(axis=1).min() >= 5  # every device telegraphs
    expected = (1 - np.exp(-2 * 20e-9 / bench.mean_dwell())) / 2
    assert bench.mean_dwell() == pytest.approx(148e-9, rel=3e-3)
    assert float(changes.mean()) == pytest.approx(expected, rel=0.15)


def test_resistance_of_both_states_at_low_bias(mtj_sp: CompiledModel) -> None:
    # the operating point is state0 (no telegraphing in an OP): R_P = rp, R_AP = rp (1 + tmr0)
    current = 1e-7  # A: 0.4-1 mV, TMR(V) = tmr0 within 1e-5
    elements = (
        CurrentSource("I0", "a0", "0", current),
        mtj_sp.instance("X0", ("a0", "0"), state0=0),
        CurrentSource("I1", "a1", "0", current),
        mtj_sp.instance("X1", ("a1", "0"), state0=1),
    )
    w = simulate(Circuit("sp", elements=elements, subckts=(mtj_sp.subckt,)), Op()).waveforms
    assert -w.v("a0")[0] / current == pytest.approx(3979, rel=1e-3)
    assert -w.v("a1")[0] / current == pytest.approx(9947, rel=1e-3)
