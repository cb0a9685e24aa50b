"""A 64x64 crossbar of stateful compiled devices in transient (issue 5: "simulate 64x64
crossbars in transient within the test suite").

The device is the linear ion-drift memristor of ``drift_memristor.va`` (no MTJ model exists
yet). Rows alternate between +0.5 V and -0.5 V into virtual-ground columns with ideal lines, so
every cell sees its own row voltage and its state follows the scalar ODE
``dx/dt = 4 k (V/R(x)) x (1-x)``, solved here independently with scipy. One simulation, four
checks: conservation of current, the sign of every state change, the state trajectory and the
final column currents.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from spicegen import Tran, Waveforms, compile_model, simulate
from spicegen.circuits.crossbar import (
    CompiledDevice,
    CrossbarParams,
    LinearState,
    column_currents,
    column_tags,
    device_node_voltage,
    read_circuit,
    row_currents,
)

HERE = Path(__file__).parent
SIZE = 64
RON, ROFF, K = 1e3, 100e3, 5e6  # ohm, ohm, 1/(A s)
STOP = 1e-3  # s
ROW_VOLTS = np.array([0.5 if i % 2 == 0 else -0.5 for i in range(SIZE)])


@pytest.fixture(scope="module")
def run() -> tuple[CrossbarParams, Waveforms, float]:
    device = CompiledDevice(
        compile_model(HERE / "drift_memristor.va"), "x0", "state",
        params=(("ron", RON), ("roff", ROFF), ("k", K)),
    )  # fmt: skip
    weights = np.random.default_rng(11).uniform(0, 1, (SIZE, SIZE))
    params = CrossbarParams(weights, device=device, mapping=LinearState(0.2, 0.7))
    # max_step: the state ODE is smooth; 4 steps per 1e-3 s keep trapezoidal errors < 1e-3
    analysis = Tran(step=1e-4, stop=STOP, max_step=2.5e-4)
    start = time.perf_counter()
    result = simulate(read_circuit(params, ROW_VOLTS.tolist(), analysis=analysis))
    return params, result.waveforms, time.perf_counter() - start


def _states(params: CrossbarParams, waves: Waveforms) -> np.ndarray:
    """x(t) of every device, shape (points, rows, columns)."""
    tags = column_tags(params)
    return np.stack(
        [np.stack([device_node_voltage(waves, params, i, t, "s") for t in tags], -1)
         for i in range(params.rows)], -2,
    )  # fmt: skip


def _resistance(x: np.ndarray) -> np.ndarray:
    return RON * x + ROFF * (1 - x)


def test_current_is_conserved(run: tuple[CrossbarParams, Waveforms, float]) -> None:
    params, waves, _ = run
    into_rows = row_currents(waves, params).sum(axis=1)
    out_of_columns = column_currents(waves, params).sum(axis=1)
    scale = np.abs(row_currents(waves, params)).sum(axis=1)
    assert np.all(np.abs(into_rows - out_of_columns) <= 1e-9 * scale)


def test_states_move_with_the_applied_polarity(
    run: tuple[CrossbarParams, Waveforms, float],
) -> None:
    params, waves, _ = run
    states = _states(params, waves)
    initial = 0.2 + 0.5 * params.weight_array
    np.testing.assert_allclose(states[0], initial, atol=1e-9)  # idt's initial condition
    change = states[-1] - states[0]
    positive_rows = ROW_VOLTS > 0
    assert np.all(change[positive_rows] > 1e-3)  # V > 0: x grows (R falls)
    assert np.all(change[~positive_rows] < -1e-3)


def test_states_and_currents_follow_the_device_ode(
    run: tuple[CrossbarParams, Waveforms, float],
) -> None:
    params, waves, elapsed = run
    initial = (0.2 + 0.5 * params.weight_array).ravel()
    volts = np.repeat(ROW_VOLTS, SIZE)

    def rate(_: float, x: np.ndarray) -> np.ndarray:
        return 4 * K * volts / _resistance(x) * x * (1 - x)

    times = waves.axis
    assert times is not None
    ode = solve_ivp(rate, (0.0, STOP), initial, t_eval=times, rtol=1e-10, atol=1e-12)
    expected = ode.y.T.reshape(len(times), SIZE, SIZE)
    simulated = _states(params, waves)
    # trapezoidal integration of a smooth ODE in ~17 steps: ~1e-6 measured, 1e-4 allowed
    state_error = np.abs(simulated - expected).max()
    assert state_error < 1e-4
    final_currents = (ROW_VOLTS[:, None] / _resistance(expected[-1])).sum(axis=0)
    measured = column_currents(waves, params)[-1]
    np.testing.assert_allclose(measured, final_currents, rtol=1e-3)
    current_error = np.abs(measured / final_currents - 1).max()
    print(
        f"64x64 drift-memristor transient: {elapsed:.1f} s, {len(times)} points, "
        f"state error {state_error:.1e}, final column currents {current_error:.1e} relative"
    )
