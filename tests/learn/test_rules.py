"""Plasticity rules against physics.md section 3.1 and their closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen.learn import LearnError
from spicegen.learn.rules import apply, stdp, vdsp, vdsp_alpha, vdsp_memristor

# physics.md 3.1, derived from the authors' fun_post_baseline with lr = 1
SAMPLES = [
    (0.2, -1.0, +1.3746),
    (0.5, -1.0, +0.8591),
    (0.8, -1.0, +0.3437),
    (0.5, -0.5, +0.3244),
    (0.5, +0.5, -0.3244),
    (0.8, +0.9, -1.1677),
]


@pytest.mark.parametrize(("w", "v", "expected"), SAMPLES)
def test_vdsp_sample_values(w: float, v: float, expected: float) -> None:
    # the table is rounded to 4 decimals: 1e-4 is its resolution
    assert vdsp(w, v) == pytest.approx(expected, abs=1e-4)


def test_vdsp_is_antisymmetric_at_half_weight() -> None:
    v = np.linspace(-1.5, 1.5, 31)
    np.testing.assert_allclose(vdsp(0.5, v), -vdsp(0.5, -v), atol=1e-15)


def test_vdsp_soft_bounds_and_sign() -> None:
    v = np.linspace(-2, 2, 41)
    assert np.all(vdsp(1.0, v[v < 0]) == 0.0)  # a full weight cannot grow
    assert np.all(vdsp(0.0, v[v > 0]) == 0.0)  # an empty one cannot shrink
    assert np.all(vdsp(0.3, v[v < 0]) > 0) and np.all(vdsp(0.3, v[v > 0]) < 0)
    assert vdsp(0.3, 0.0) == 0.0
    # the step scales with lr
    assert vdsp(0.3, -0.7, lr=1e-3) == pytest.approx(1e-3 * vdsp(0.3, -0.7))


def test_alpha_variant_reduces_to_vdsp_and_shrinks_steps() -> None:
    w = np.linspace(0, 1, 11)[:, None]
    v = np.linspace(-1, 1, 9)[None, :]
    np.testing.assert_allclose(vdsp_alpha(w, v, alpha=0.0), vdsp(w, v))
    # alpha > 0 damps potentiation of large weights and depression of small ones
    assert abs(vdsp_alpha(0.8, -1.0, alpha=5.0)) == pytest.approx(np.exp(-4.0) * 0.2 * np.expm1(1))
    assert abs(vdsp_alpha(0.2, 1.0, alpha=5.0)) == pytest.approx(np.exp(-4.0) * 0.2 * np.expm1(1))


def test_memristor_variant_thresholds() -> None:
    w = 0.5
    # inside the programming window nothing changes
    for v_mem in (-0.16, -0.1, 0.0, 0.1, 0.15):
        assert vdsp_memristor(w, v_mem) == 0.0
    # v_app = -v_mem = 0.5 > v_thp: SET with a_p (exp(0.5) - exp(0.16)), window at w=0.5
    f_pot = np.exp(-(0.5 - 0.3)) * ((0.3 - 0.5) / 0.7 + 1)
    assert vdsp_memristor(w, -0.5) == pytest.approx(f_pot * 4000 * (np.exp(0.5) - np.exp(0.16)))
    # w = 0.5 is on the fast side of the depression window (w > 1 - x_n is false at 0.5)
    f_dep = np.exp(5 * (0.5 + 0.5 - 1)) * 0.5 / 0.5
    expected = -f_dep * 4000 * (np.exp(0.5) - np.exp(0.15))
    assert vdsp_memristor(w, 0.5) == pytest.approx(expected)


def test_stdp_closed_form() -> None:
    dt = np.array([-40e-3, -20e-3, 0.0, 20e-3, 40e-3])
    hard = stdp(0.5, dt, soft_bounds=False)
    np.testing.assert_allclose(
        hard,
        [-0.0105 * np.exp(-2), -0.0105 * np.exp(-1), 0.0, 0.01 * np.exp(-1), 0.01 * np.exp(-2)],
    )
    soft = stdp(0.25, dt)
    np.testing.assert_allclose(soft[3:], 0.75 * hard[3:])
    np.testing.assert_allclose(soft[:2], 0.25 * hard[:2])


def test_apply_clips() -> None:
    np.testing.assert_array_equal(apply([0.1, 0.9, 0.5], [-0.5, 0.5, 0.1]), [0.0, 1.0, 0.6])


@pytest.mark.parametrize(
    "call",
    [
        lambda: vdsp(1.5, 0.1),
        lambda: vdsp(0.5, np.nan),
        lambda: vdsp(0.5, 0.1, lr=-1),
        lambda: vdsp_alpha(0.5, 0.1, alpha=-1),
        lambda: stdp(0.5, 0.01, tau_plus=0),
        lambda: vdsp_memristor(0.5, 0.1, x_p=1.2),
    ],
)
def test_rule_parameters_out_of_range(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LearnError):
        call()
