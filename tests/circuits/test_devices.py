"""Every crosspoint of a compiled stochastic model is its own device (issue 10).

The reference is the ``rram_hfo2`` model's own closed form (docs/models/rram_hfo2.md): after a
SET to state ``x`` an instance conducts ``I = G v0 sinh(v / v0)`` with
``G = g_lo + x (g_hi - g_lo)``, ``g_lo = gmin max(1 + sigma_d2d z1, 0.05)``,
``g_hi = max(gmax (1 + sigma_d2d z2), 2 g_lo)``; ``z1``, ``z2`` are the instance's two
``$rdist_normal`` draws, which the model gives for an instance name and seed
(``CompiledModel.variates``). Each cell's conductance is measured in ngspice one row at a
time (only that row driven, every column at virtual ground).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen import models
from spicegen.circuits import (
    CircuitSpecError,
    CompiledDevice,
    CrossbarParams,
    LinearState,
    crossbar,
    read_circuit,
)
from spicegen.circuits.names import column_vectors, row_sources
from spicegen.sim import Session
from spicegen.va import CompiledModel

GMIN, GMAX, V0 = 5e-6, 100e-6, 0.5  # S, S, V: rram_hfo2 defaults
SIGMA = 0.1  # sigma_d2d
READ = 0.1  # V, below the SET and RESET thresholds: a read leaves the state alone


@pytest.fixture(scope="module")
def rram() -> CompiledModel:
    return models.load("rram_hfo2")


def _device(rram: CompiledModel, seed: int) -> CompiledDevice:
    return CompiledDevice(rram, "x0", "state", params={"sigma_d2d": SIGMA}, seed=seed)


def _measured_conductances(params: CrossbarParams) -> np.ndarray:
    """G (S) of every cell from ngspice: row i alone at READ volts, column currents read."""
    zero = [0.0] * params.rows
    sources = row_sources(params)
    conductances = []
    with Session(read_circuit(params, zero)) as session:
        for i, source in enumerate(sources):
            session.alter(source, READ)
            waves = session.op(vectors=column_vectors(params))
            currents = [waves.vector(name).data[0] for name in column_vectors(params)]
            conductances.append(np.array(currents) / (V0 * math.sinh(READ / V0)))
            session.alter(sources[i], 0.0)
    return np.array(conductances)


def _closed_form(rram: CompiledModel, seed: int, states: np.ndarray) -> np.ndarray:
    """G (S) of every cell from the model's equation at the cell instance's own draws."""
    rows, columns = states.shape
    names = [f"X{i}_{j}" for i in range(rows) for j in range(columns)]
    draws = rram.variates(names, seed)
    z1 = np.array([d["rdist0"] for d in draws]).reshape(rows, columns)
    z2 = np.array([d["rdist1"] for d in draws]).reshape(rows, columns)
    g_lo = GMIN * np.maximum(1 + SIGMA * z1, 0.05)
    g_hi = np.maximum(GMAX * (1 + SIGMA * z2), 2 * g_lo)
    return np.asarray(g_lo + states * (g_hi - g_lo))


def test_each_cell_follows_its_own_draws(rram: CompiledModel) -> None:
    states = np.random.default_rng(2).uniform(0, 1, (4, 6))
    params = CrossbarParams(states, device=_device(rram, 11), mapping=LinearState(0.0, 1.0))
    measured = _measured_conductances(params)
    # 1e-6: ideal lines and sources fix every device's voltage; the only error is the op's
    # Newton tolerance on the state node (measured ~1e-12)
    np.testing.assert_allclose(measured, _closed_form(rram, 11, states), rtol=1e-6)
    assert len(np.unique(measured.round(12))) == measured.size  # no two cells alike


def test_cell_spread_is_the_model_sigma_d2d(rram: CompiledModel) -> None:
    # after a full SET (x = 1) G = g_hi = gmax (1 + sigma_d2d z2): relative sd sigma_d2d
    # (2 g_lo ~ 10 uS never binds). Before the fix every cell shared one draw: sd 0.
    rows, columns = 8, 32
    params = CrossbarParams(
        np.ones((rows, columns)), device=_device(rram, 7), mapping=LinearState(0.0, 1.0)
    )
    measured = _measured_conductances(params).ravel()
    n = measured.size
    # standard errors of n normal draws: mean sigma gmax / sqrt(n), sd sigma / sqrt(2 n)
    assert abs(measured.mean() - GMAX) < 4 * SIGMA * GMAX / math.sqrt(n)
    assert abs(measured.std(ddof=1) / GMAX - SIGMA) < 4 * SIGMA / math.sqrt(2 * n)


def test_same_seed_same_array_other_seed_other_array(rram: CompiledModel) -> None:
    def array(seed: int) -> CrossbarParams:
        weights = [[1.0, 0.5], [0.25, 0.0]]
        return CrossbarParams(weights, device=_device(rram, seed), mapping=LinearState(0, 1))

    assert crossbar(array(3)) == crossbar(array(3))
    assert crossbar(array(3)) != crossbar(array(4))
    assert array(3) == array(3) and hash(array(3)) == hash(array(3))
    # and each cell is exactly the instance CompiledModel.instance makes for its name and seed
    for element in crossbar(array(3)).elements:
        if element.name.startswith("X"):
            row, column = map(int, element.name[1:].split("_"))
            state = float(array(3).weight_array[row, column])
            alone = rram.instance(
                element.name,
                element.nodes,
                seed=3,
                x0=state,
                sigma_d2d=SIGMA,  # type: ignore[union-attr]
            )
            assert element == alone


def test_values_outside_the_model_ranges_are_refused(rram: CompiledModel) -> None:
    with pytest.raises(CircuitSpecError, match=r"`x0` = 1.5 is outside its range \[0:1\]") as info:
        crossbar(CrossbarParams([[1.0]], device=_device(rram, 1), mapping=LinearState(0, 1.5)))
    assert info.value.field == "CrossbarParams.mapping"
    with pytest.raises(CircuitSpecError, match="sigma_d2d") as info:
        CompiledDevice(rram, "x0", "state", params={"sigma_d2d": 0.7})
    assert info.value.field == "CompiledDevice.params"
    # the bulk path checks the same ranges (one numpy check for the whole array)
    weights = np.full((3, 3), 0.5)
    weights[2, 1] = 0.0  # -> x0 = -0.5
    params = CrossbarParams(weights, device=_device(rram, 1), mapping=LinearState(-0.5, 1.0))
    with pytest.raises(CircuitSpecError, match=r"`x0` = -0.5 is outside") as info:
        crossbar(params, bulk=True)
    assert info.value.field == "CrossbarParams.mapping"
