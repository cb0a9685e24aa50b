"""The dw_synapse reset-and-aim cycle, characterised by Monte Carlo ngspice runs, against the
model's own closed form (the pulse moves the wall by vel (i/ith - 1) t / length plus a Gaussian
error of sd sigma_pos per tnoise, then it relaxes to the nearest pinning site)."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import models
from spicegen.surrogate import SurrogateError
from spicegen.surrogate.dw_programming import characterise, closed_form

NLEVELS = 16
SIGMA = 0.4 / 15  # 0.4 of a level spacing


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPICEGEN_CACHE", str(tmp_path))


def test_without_noise_every_cycle_lands_on_its_target_level() -> None:
    # the pulse current solves the drawn trapezoid's displacement for each level exactly;
    # a tiny noise leaves nothing to chance (the fit needs a few misses, so check the counts)
    model = models.load("dw_synapse")
    from spicegen.surrogate.dw_programming import DwCycle, measure

    targets = list(range(1, NLEVELS - 1))
    out = measure(model, targets, nlevels=NLEVELS, sigma_pos=1e-6, cycles=2, cycle=DwCycle(),
                  ngspice_seed=1)  # fmt: skip
    np.testing.assert_array_equal(out["level"], np.repeat(np.array(targets)[:, None], 2, 1))
    # every cycle's energy: positive, and the same RESET for all, so it rises with the level
    assert np.all(out["energy"] > 0) and np.all(np.diff(out["energy"][:, 0]) > 0)


def test_landing_odds_follow_the_closed_form_and_the_fit_recovers_sigma_pos() -> None:
    model = models.load("dw_synapse")
    programming = characterise(model, nlevels=NLEVELS, sigma_pos=SIGMA, devices=4, cycles=6)
    expected = closed_form(NLEVELS, SIGMA, model.parameter_values({"nlevels": NLEVELS}))
    inner = range(1, NLEVELS - 1)
    cycles = 4 * 6 * len(inner)
    stay = np.mean([expected[j, j] for j in inner])
    observed = np.trace(programming.counts[1:-1], offset=1) / cycles
    # binomial: 4 standard errors of the pooled share of cycles that land on their target
    assert observed == pytest.approx(stay, abs=4 * np.sqrt(stay * (1 - stay) / cycles))
    # moves are to neighbours only (a 2.5-sd jump has probability ~1e-2 per side over 336)
    assert np.all([programming.counts[j, j - 3 : j - 1].sum() < 4 for j in range(3, 15)])
    # the fitted sd: the closed form's 0.4 spacing, minus the ramps' dead time (~0.1 %);
    # the fit's error follows the binomial one above, about 10 %
    assert programming.sd == pytest.approx(SIGMA, rel=0.25)
    np.testing.assert_allclose(programming.transition.sum(axis=1), 1.0, rtol=1e-12)


def test_bad_settings_are_refused() -> None:
    model = models.load("dw_synapse")
    with pytest.raises(SurrogateError, match="nlevels"):
        characterise(model, nlevels=3)
    with pytest.raises(SurrogateError, match="sigma_pos"):
        characterise(model, sigma_pos=0.0)
