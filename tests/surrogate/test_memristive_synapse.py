"""The synapse surrogate against the closed forms of the device models and fresh ngspice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spicegen import models
from spicegen.surrogate import SurrogateError, memristive_synapse
from spicegen.surrogate.memristive_synapse import characterise_synapse, validate_synapse

VOLTAGES = (-0.5, -0.3, -0.1, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)  # V, inside rram_hfo2's thresholds


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPICEGEN_CACHE", str(tmp_path))


def test_rram_conductance_is_the_models_window_per_device() -> None:
    """rram_hfo2: G = g_lo + x (g_hi - g_lo) with this instance's window from its two
    variates, g_lo = gmin max(1 + 0.1 z1, 0.05), g_hi = max(gmax (1 + 0.1 z2), 2 g_lo), and
    I = G v0 sinh(v/v0): computed here from the variates, to 1e-6 (ngspice's reltol)."""
    device = models.load("rram_hfo2")
    cells = [dict(device.instance(f"Xc{k}", ("a", "b"), seed=k).params) for k in range(3)]
    synapse = characterise_synapse(
        device, "x0", (0.0, 0.5, 1.0), v_read=0.1, voltages=VOLTAGES, devices=cells
    )
    for d, cell in enumerate(cells):
        z1, z2 = cell["rdist0"], cell["rdist1"]
        g_lo = 5e-6 * max(1 + 0.1 * z1, 0.05)
        g_hi = max(100e-6 * (1 + 0.1 * z2), 2 * g_lo)
        for k, x in enumerate(synapse.states):
            g = (g_lo + x * (g_hi - g_lo)) * 0.5 * np.sinh(0.1 / 0.5) / 0.1
            assert synapse.conductance[d, k] == pytest.approx(g, rel=1e-6)
    sinh_shape = np.sinh(np.array(VOLTAGES) / 0.5) / np.array(VOLTAGES)
    np.testing.assert_allclose(synapse.shape, sinh_shape / (np.sinh(0.2) / 0.1), rtol=1e-6)
    assert synapse.separability < 1e-6  # the rram current factorises exactly
    assert synapse.interpolation == "conductance" and synapse.interpolation_error < 1e-6


def test_a_crossbar_too_big_for_one_operating_point_is_solved_in_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 784 x 400 cells in one .op needed over 22 GB of ngspice; chunks of a few copies (here
    # 7 of the 3 x 3 + 3 x 9 + 2 = 38) must give the currents of the whole in one
    device = models.load("rram_hfo2")
    cells = [dict(device.instance(f"Xc{k}", ("a", "b"), seed=k).params) for k in range(3)]

    def characterise() -> np.ndarray:
        synapse = characterise_synapse(
            device, "x0", (0.0, 0.5, 1.0), v_read=0.1, voltages=VOLTAGES, devices=cells,
            use_cache=False,
        )  # fmt: skip
        return np.concatenate([np.ravel(synapse.conductance), np.ravel(synapse.shape)])

    whole = characterise()
    monkeypatch.setattr(memristive_synapse, "_OP_CHUNK", 7)
    np.testing.assert_allclose(characterise(), whole, rtol=1e-9)


def test_rram_surrogate_against_ngspice_off_the_grids() -> None:
    """States and voltages drawn off both grids: within 0.1 % of full scale (linear in the
    state is exact; the spline of sinh between 0.1 V points is the only approximation)."""
    device = models.load("rram_hfo2")
    cells = [dict(device.instance(f"Xc{k}", ("a", "b"), seed=k).params) for k in range(4)]
    synapse = characterise_synapse(
        device, "x0", (0.0, 0.5, 1.0), v_read=0.1, voltages=VOLTAGES, devices=cells
    )
    rng = np.random.default_rng(5)
    points = [
        (int(rng.integers(4)), float(rng.uniform(0, 1)), float(rng.uniform(-0.45, 0.45)))
        for _ in range(24)
    ]
    result = validate_synapse(synapse, device, points, devices=cells)
    assert result.within(1e-3), result


def test_vteam_conductance_between_grid_states() -> None:
    """vteam: G = 1/(ron + (roff - ron) x) is linear in resistance, not conductance: the
    midpoint check picks resistance and the surrogate is then exact between three states."""
    device = models.load("vteam")
    states = (0.0, 0.5, 1.0)
    synapse = characterise_synapse(
        device, "x0", states, v_read=0.1, voltages=(-0.2, -0.1, 0.1, 0.2)
    )
    exact = 1.0 / (1e3 + (100e3 - 1e3) * np.asarray(states))
    np.testing.assert_allclose(synapse.conductance[0], exact, rtol=1e-6)
    np.testing.assert_allclose(synapse.shape, 1.0, atol=1e-9)  # ohmic
    between = np.linspace(0.05, 0.95, 10)
    closed = 1.0 / (1e3 + 99e3 * between)
    predicted = synapse.conductances(between[None, :])[0]
    assert synapse.interpolation == "resistance" and synapse.interpolation_error < 1e-6
    np.testing.assert_allclose(predicted, closed, rtol=1e-6)


def test_bad_grids_and_ranges_are_refused() -> None:
    device = models.load("rram_hfo2")
    with pytest.raises(SurrogateError, match="increase"):
        characterise_synapse(device, "x0", (1.0, 0.0), v_read=0.1, voltages=VOLTAGES)
    with pytest.raises(SurrogateError, match="no parameter"):
        characterise_synapse(device, "state", (0.0, 1.0), v_read=0.1, voltages=VOLTAGES)
    with pytest.raises(SurrogateError, match="nonzero"):
        characterise_synapse(device, "x0", (0.0, 1.0), v_read=0.0, voltages=VOLTAGES)
    synapse = characterise_synapse(device, "x0", (0.0, 1.0), v_read=0.1, voltages=VOLTAGES)
    with pytest.raises(SurrogateError, match="state outside"):
        synapse.conductances(1.5)
    with pytest.raises(SurrogateError, match="voltage outside"):
        synapse.current(0.9, 0.5)
