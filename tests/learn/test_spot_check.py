"""The SPICE spot check reads a trained binarized network as MTJ crossbars in ngspice."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import models
from spicegen.learn.approximate_memory import seed_split, train_on_split
from spicegen.learn.bnn import BnnConfig, BnnNetwork
from spicegen.learn.datasets import load_dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.spot_check import spice_spot_check
from spicegen.learn.synapses import MramPulse


@pytest.fixture(scope="module")
def trained() -> tuple[BnnNetwork, np.ndarray]:
    split = seed_split(load_dataset("digits"), 0)
    pulse = MramPulse(current=113e-6, width=4e-9, error=0.3, energy=3e-13)  # bits with errors
    result, _ = train_on_split(split, BnnConfig(hidden=(8,), epochs=3), pulse, 0)
    assert result.wrong_bits > 0  # the stored states are not simply sign(W_h)
    return result.network, split.x_test[:3]


def test_spice_decisions_match_the_trainer(trained: tuple[BnnNetwork, np.ndarray]) -> None:
    network, x = trained
    check = spice_spot_check(network, models.load("mtj"), x)
    assert check.samples == 3 and check.devices == 2 * (64 * 8 + 8 * 10)
    np.testing.assert_array_equal(check.trainer, network.predict(x))
    # the column sums agree to a fraction of one weight's contribution: the only difference is
    # the TMR's bias dependence (at 50 mV, TMR falls by 1 %, docs/models/mtj.md); a wrong state
    # mapping would be off by whole weights
    assert check.max_column_error < 0.25
    assert check.agreement == 1.0


def test_full_precision_networks_are_refused(trained: tuple[BnnNetwork, np.ndarray]) -> None:
    network, x = trained
    real = BnnNetwork(
        network.weights, network.mean, network.variance, network.gain, network.offset, False
    )
    with pytest.raises(LearnError, match="binarized"):
        spice_spot_check(real, models.load("mtj"), x)
    with pytest.raises(LearnError, match="read_voltage"):
        spice_spot_check(network, models.load("mtj"), x, read_voltage=1.0)


@pytest.fixture(scope="module")
def dw_trained() -> tuple[BnnNetwork, np.ndarray]:
    from spicegen.learn.synapses import DwSteps
    from spicegen.surrogate.dw_write import DwWrite, DwWriteSpec

    # a 5-level landing law (10 % one level low, 10 % high) so the programmed levels differ from
    # the quantised hidden weights: the spot check must read what was programmed
    law = DwWrite(
        DwWriteSpec(nlevels=5), np.array([-1, 0, 1]), np.array([0.1, 0.8, 0.1]), 2e-13, True
    )
    split = seed_split(load_dataset("digits"), 0)
    config = BnnConfig(hidden=(6, 6), epochs=3, levels=5, margin=0.2, learning_rate=0.02)
    result, _ = train_on_split(split, config, DwSteps(law), 0)
    assert result.wrong_bits > 0
    return result.network, split.x_test[:3]


def test_dw_crossbar_decisions_match_the_trainer(dw_trained: tuple[BnnNetwork, np.ndarray]) -> None:
    from spicegen.learn.spot_check import dw_spot_check

    network, x = dw_trained
    assert set(np.unique(np.concatenate([w.ravel() for w in network.weights]))) <= {
        -1.0, -0.5, 0.0, 0.5, 1.0
    }  # fmt: skip
    check = dw_spot_check(network, models.load("dw_synapse"), x)
    # one device per weight plus one reference device per row of each layer
    assert check.devices == (64 * 6 + 6 * 6 + 6 * 10) + (64 + 6 + 6)
    np.testing.assert_array_equal(check.trainer, network.predict(x))
    # the wall conductance is linear in x0 and the walls stay pinned at 50 mV, so the column
    # sums agree to solver precision (reltol 1e-3 of a column of up to 64 devices); a wrong
    # level mapping would be off by half a weight or more
    assert check.max_column_error < 0.05
    assert check.agreement == 1.0
    with pytest.raises(LearnError, match="read_voltage"):
        dw_spot_check(network, models.load("dw_synapse"), x, read_voltage=0.2)
