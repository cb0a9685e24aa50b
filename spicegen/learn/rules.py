"""Plasticity rules as pure functions of weights and what the waveforms show; no simulator.

Weights are dimensionless in [0, 1] (a trainer maps them onto conductances). Every rule returns
the weight change ``dw`` (same shape as the broadcast inputs); ``apply`` adds it and clips to
[0, 1]. All functions take numpy arrays or scalars.

VDSP (voltage-dependent synaptic plasticity; Garg et al., Front. Neurosci. 16:983950, 2022,
arXiv 2203.11022) updates a synapse when its *postsynaptic* neuron spikes, from the
*presynaptic* membrane potential ``v_pre`` at that instant, in the units of a LIF neuron with
threshold +1 and reset -1: ``v_pre < 0`` means the presynaptic neuron fired recently
(potentiation), ``v_pre > 0`` that it is about to fire (depression). The forms below are the
ones in the authors' code (``VDSP_Nengo/utilis.py``: ``fun_post_baseline``, its commented
alpha variant, and ``fun_post`` for memristor programming).

Pair-based STDP (``stdp``) is the baseline: a change from the time between a pre and a post
spike, with optional soft bounds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spicegen.learn.errors import LearnError

__all__ = ["apply", "stdp", "vdsp", "vdsp_alpha", "vdsp_memristor"]

FloatArray = NDArray[np.float64]


def vdsp(w: ArrayLike, v_pre: ArrayLike, lr: float = 1.0) -> FloatArray:
    """VDSP: ``+lr (1-w)(exp(-v)-1)`` for ``v < 0``, ``-lr w (exp(v)-1)`` for ``v > 0``.

    The factors ``(1-w)`` and ``w`` are soft bounds: a full weight cannot grow, an empty one
    cannot shrink. ``w`` in [0, 1]; ``v_pre`` in LIF units (threshold 1).
    """
    weights, v = _weights(w), _finite(v_pre, "v_pre")
    _rate(lr, "lr")
    potentiation = np.where(v < 0, (1.0 - weights) * np.expm1(-v), 0.0)
    depression = np.where(v > 0, weights * np.expm1(v), 0.0)
    return np.asarray(lr * (potentiation - depression), dtype=np.float64)


def vdsp_alpha(w: ArrayLike, v_pre: ArrayLike, lr: float = 1.0, alpha: float = 1.0) -> FloatArray:
    """VDSP with weight-dependent steps: ``f_pot = exp(-alpha w)(1-w)``, ``f_dep =
    exp(alpha (w-1)) w`` replace ``(1-w)`` and ``w``; ``alpha = 0`` is ``vdsp``."""
    weights, v = _weights(w), _finite(v_pre, "v_pre")
    _rate(lr, "lr")
    if not np.isfinite(alpha) or alpha < 0:
        raise LearnError(f"vdsp_alpha: alpha must be a finite number >= 0, not {alpha!r}")
    f_pot = np.exp(-alpha * weights) * (1.0 - weights)
    f_dep = np.exp(alpha * (weights - 1.0)) * weights
    potentiation = np.where(v < 0, f_pot * np.expm1(-v), 0.0)
    depression = np.where(v > 0, f_dep * np.expm1(v), 0.0)
    return np.asarray(lr * (potentiation - depression), dtype=np.float64)


def vdsp_memristor(
    w: ArrayLike,
    v_mem: ArrayLike,
    *,
    v_prog: float = 0.0,
    v_thp: float = 0.16,
    v_thn: float = 0.15,
    a_p: float = 4000.0,
    a_n: float = 4000.0,
    alpha_p: float = 1.0,
    alpha_n: float = 5.0,
    x_p: float = 0.3,
    x_n: float = 0.5,
    eta: float = 1.0,
) -> FloatArray:
    """VDSP as memristor programming: the voltage across the synapse ``v_app = v_prog - v_mem``
    (V) changes it only beyond the device's thresholds ``v_thp`` (SET) and ``v_thn`` (RESET).

    ``dw = eta (f_pot a_p (exp(v_app) - exp(v_thp)))`` for ``v_app > v_thp``, and
    ``-eta f_dep a_n (exp(-v_app) - exp(v_thn))`` for ``v_app < -v_thn``, with the window
    functions of the authors' TiO2 fit (flat below ``x_p`` / above ``1 - x_n``, exponential
    beyond). Defaults: the TiO2 thresholds (0.16 V, 0.15 V) of the paper's device.
    """
    weights, v = _weights(w), _finite(v_mem, "v_mem")
    for name, value in (("v_thp", v_thp), ("v_thn", v_thn), ("a_p", a_p), ("a_n", a_n)):
        if not np.isfinite(value) or value < 0:
            raise LearnError(f"vdsp_memristor: {name} must be a finite number >= 0, not {value!r}")
    if not (0.0 < x_p < 1.0 and 0.0 < x_n < 1.0):
        raise LearnError(f"vdsp_memristor: x_p and x_n must lie in (0, 1), not {x_p}, {x_n}")
    _rate(eta, "eta")
    v_app = v_prog - v
    fast_pot = weights < x_p
    fast_dep = weights > 1.0 - x_n
    f_pot = np.where(
        fast_pot, 1.0, np.exp(-alpha_p * (weights - x_p)) * ((x_p - weights) / (1.0 - x_p) + 1.0)
    )
    f_dep = np.where(fast_dep, 1.0, np.exp(alpha_n * (weights + x_n - 1.0)) * weights / (1.0 - x_n))
    g_pot = np.where(v_app > v_thp, a_p * (np.exp(v_app) - np.exp(v_thp)), 0.0)
    g_dep = np.where(v_app < -v_thn, -a_n * (np.exp(-v_app) - np.exp(v_thn)), 0.0)
    return np.asarray(eta * (f_pot * g_pot + f_dep * g_dep), dtype=np.float64)


def stdp(
    w: ArrayLike,
    delta_t: ArrayLike,
    *,
    a_plus: float = 0.01,
    a_minus: float = 0.0105,
    tau_plus: float = 20e-3,
    tau_minus: float = 20e-3,
    soft_bounds: bool = True,
) -> FloatArray:
    """Pair-based STDP for ``delta_t = t_post - t_pre`` (s).

    ``delta_t > 0`` (pre before post): ``+a_plus exp(-delta_t/tau_plus)``; ``delta_t < 0``:
    ``-a_minus exp(delta_t/tau_minus)``; 0 at ``delta_t = 0``. With ``soft_bounds`` the
    changes are scaled by ``(1-w)`` and ``w`` as in VDSP, so the two rules differ only in what
    they read (spike times against membrane voltage). Defaults: Song, Miller & Abbott (2000).
    """
    weights, dt = _weights(w), _finite(delta_t, "delta_t")
    for name, value in (("a_plus", a_plus), ("a_minus", a_minus)):
        _rate(value, name)
    for name, value in (("tau_plus", tau_plus), ("tau_minus", tau_minus)):
        if not np.isfinite(value) or value <= 0:
            raise LearnError(f"stdp: {name} must be a time > 0 s, not {value!r}")
    up = np.where(dt > 0, a_plus * np.exp(-np.abs(dt) / tau_plus), 0.0)
    down = np.where(dt < 0, a_minus * np.exp(-np.abs(dt) / tau_minus), 0.0)
    if soft_bounds:
        up, down = up * (1.0 - weights), down * weights
    return np.asarray(up - down, dtype=np.float64)


def apply(w: ArrayLike, dw: ArrayLike) -> FloatArray:
    """``w + dw`` clipped to [0, 1]."""
    return np.clip(_weights(w) + _finite(dw, "dw"), 0.0, 1.0)


def _weights(w: ArrayLike) -> FloatArray:
    weights = _finite(w, "w")
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        raise LearnError("weights must lie in [0, 1]")
    return weights


def _finite(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise LearnError(f"{name} has NaN or infinite values")
    return array


def _rate(value: float, name: str) -> None:
    if not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
        raise LearnError(f"{name} must be a finite number >= 0, not {value!r}")
