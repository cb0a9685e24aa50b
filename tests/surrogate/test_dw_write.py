"""The domain-wall programming characterisation against the model's Gaussian closed form."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from spicegen import models
from spicegen.surrogate import SurrogateError
from spicegen.surrogate.dw_write import DwWriteSpec, characterise_dw_write, gaussian_offsets


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPICEGEN_CACHE", str(tmp_path))


@pytest.mark.parametrize(("nlevels", "sigma", "devices"), [(5, 0.125, 200), (3, 0.2, 100)])
def test_landing_offsets_follow_the_gaussian_odds(nlevels: int, sigma: float, devices: int) -> None:
    spec = DwWriteSpec(nlevels=nlevels, sigma_pos=sigma, devices=devices, seed=4)
    dw = characterise_dw_write(models.load("dw_synapse"), spec)
    expected = gaussian_offsets(spec, dw.offsets)
    assert dw.probabilities.sum() == pytest.approx(1.0)
    # each bin within 3 binomial sd (plus 0.01 for the drive lost in the 0.1 ns edges, which
    # moves the wall 1 % of a spacing short: docs/models/dw_synapse.md)
    sd = np.sqrt(expected * (1 - expected) / devices)
    assert np.all(np.abs(dw.probabilities - expected) <= 3 * sd + 0.01), (
        dw.probabilities,
        expected,
    )
    assert dw.probabilities[dw.offsets == 0][0] > 0.5
    # energy of one 10 ns step: I^2 R t with R between 1/gmax = 2 kohm and 1/gmin = 5 kohm
    current, width = spec.current(), 10e-9
    assert current**2 * 2000 * width * 0.98 < dw.energy < current**2 * 5000 * width


def test_without_noise_every_wall_lands_on_its_target_and_the_cache_serves_it() -> None:
    spec = DwWriteSpec(nlevels=5, sigma_pos=0.0, devices=5)
    first = characterise_dw_write(models.load("dw_synapse"), spec)
    second = characterise_dw_write(models.load("dw_synapse"), spec)
    assert first.offsets.tolist() == [0] and first.probabilities.tolist() == [1.0]
    assert (first.cached, second.cached) == (False, True)
    # 5 levels: one step is 0.25 of the track, overdrive 0.25 um / (20 m/s * 10 ns) = 1.25
    assert spec.current() == pytest.approx(50e-6 * 2.25)
    assert math.isclose(gaussian_offsets(spec, first.offsets)[0], 1.0)


def test_bad_specs_name_the_field() -> None:
    with pytest.raises(SurrogateError, match="nlevels"):
        characterise_dw_write(models.load("dw_synapse"), DwWriteSpec(nlevels=1))
    with pytest.raises(SurrogateError, match="not a dw_synapse"):
        characterise_dw_write(models.load("mtj"), DwWriteSpec())
