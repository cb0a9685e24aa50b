"""Device characterisations the MCMC tests share: small real ngspice Monte Carlo runs, made
once per test session in a private cache directory."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

from spicegen import models
from spicegen.learn.mcmc_devices import DwDevice, RramDevice
from spicegen.surrogate import dw_programming, rram_programming


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get("SPICEGEN_CACHE")
    os.environ["SPICEGEN_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("SPICEGEN_CACHE", None)
    else:
        os.environ["SPICEGEN_CACHE"] = previous


@pytest.fixture(scope="session")
def rram_device(_session_cache: None) -> RramDevice:
    """rram_hfo2 with its cycle characterised at 6 compliances x 4 devices x 2 cycles."""
    model = models.load("rram_hfo2")
    grid = np.linspace(8e-6, 100e-6, 6)
    return RramDevice(model, rram_programming.characterise(model, grid, devices=4, cycles=2))


@pytest.fixture(scope="session")
def dw_device(_session_cache: None) -> DwDevice:
    """dw_synapse (16 levels) with 2 devices x 4 cycles aimed at each inner level."""
    model = models.load("dw_synapse")
    return DwDevice(model, dw_programming.characterise(model, devices=2, cycles=4))
