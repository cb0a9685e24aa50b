"""The two engines of the memristor MCMC sampler: ngspice through the crossbar against the read
surrogate, on one cell (a closed form with the lines' resistance), on random arrays of each
device kind, and on the same chain."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen.circuits import Wires
from spicegen.learn import LearnError
from spicegen.learn.mcmc import MCMCClassifier
from spicegen.learn.mcmc_devices import DwDevice, IdealDevice, RramDevice
from spicegen.learn.mcmc_engines import FastEngine, SpiceEngine, validate_reads


def test_one_cell_read_through_its_lines_follows_ohms_law() -> None:
    # one row segment (port to the cell) and one column segment (cell to the port) in series
    # with the cell: I = V / (1/G + 2 R); the fast engine has ideal lines, I = G V
    device = IdealDevice()
    g = np.array([[[40e-6]]])
    v = np.array([[0.2], [-0.1], [0.05]])
    resistance = 1000.0
    spice = SpiceEngine(device, wires=Wires(resistance, resistance)).read(g, v)
    expected = v / (1 / g[0, 0, 0] + 2 * resistance)
    np.testing.assert_allclose(spice.currents[0], expected, rtol=1e-6)  # ngspice's reltol
    fast = FastEngine(device).read(g, v)
    np.testing.assert_allclose(fast.currents[0], g[0] * v, rtol=1e-12)
    # the energy the row delivered: V I for read_time per sample
    np.testing.assert_allclose(spice.energy, np.sum(v[:, 0] * expected[:, 0]) * 10e-9, rtol=1e-6)


def test_fast_reads_match_ngspice_on_random_arrays_of_each_device(
    rram_device: RramDevice, dw_device: DwDevice
) -> None:
    for device in (IdealDevice(), rram_device, dw_device):
        # ideal lines: the compiled devices read as the fast engine's equations say (ngspice's
        # reltol of 1e-3 on each current, far below 1e-5 of full scale in practice)
        exact = validate_reads(device, SpiceEngine(device, wires=Wires(0.0, 0.0)), rows=12,
                               columns=6, samples=8)  # fmt: skip
        assert exact.within(1e-5), f"{device.name}: {exact}"
        # 1 ohm segments: the IR drop. A column line carries at most rows * g_max * V (0.29 mA
        # for dw_synapse at 50 mV), which drops up to rows * 1 ohm * that at its far cell (3.5
        # mV, 7 % of the read) and half that on average over the line: under 3.5 % of full
        # scale; the row lines carry less. Measured: 0.2 % (ideal, rram), 0.7 % (dw)
        lines = validate_reads(device, SpiceEngine(device), rows=12, columns=6, samples=8)
        assert exact.max_error < lines.max_error < 0.035, f"{device.name}: {lines}"


def test_spice_and_fast_engines_walk_the_same_chain() -> None:
    # the same seed draws the same proposals; with 1 ohm lines the two engines' log densities
    # differ by the IR drop (well below 0.01 nats on 40 samples), so every accept decision
    # agrees unless a uniform falls within that margin of the ratio
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.0, (40, 1))
    y = (rng.random(40) < 1 / (1 + np.exp(-(1.5 * x[:, 0] - 0.5)))).astype(np.int64)
    runs = [
        MCMCClassifier(IdealDevice(), engine=engine, samples=15, burn_in=5, chains=2, seed=4)
        .fit(x, y)
        .run_
        for engine in ("spice", "fast")
    ]
    spice, fast = runs
    assert spice is not None and fast is not None
    np.testing.assert_allclose(spice.log_density, fast.log_density, atol=0.01)
    np.testing.assert_array_equal(spice.accepted, fast.accepted)
    assert spice.energy.evaluations == fast.energy.evaluations == 2 * 15 + 2
    assert spice.energy.reading == pytest.approx(fast.energy.reading, rel=0.01)


def test_reads_of_mismatched_shapes_are_refused() -> None:
    with pytest.raises(LearnError, match="expected conductances"):
        FastEngine(IdealDevice()).read(np.ones((1, 3, 2)), np.ones((4, 2)))
