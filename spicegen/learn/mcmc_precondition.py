"""A fixed linear change of coordinates that makes a linear model's posterior round, so the
device random walk mixes (``MCMCClassifier(precondition=True)``).

Random-walk Metropolis-Hastings slows with the square of the ratio between the posterior's
widest and narrowest directions; breast cancer's 30 correlated features make that ratio about
7 (Laplace approximation: sd 0.14 to 1.0), and every proposal the devices can make is
isotropic in the weights. The cure is to sample other coordinates: with ``Sigma = L L^T`` the
Laplace covariance of the augmented inputs ``[z, 1]`` (lower-triangular ``L``), the model

    logits = [z, 1] w,   w = c L u   (per output column)

is the same model in ``u``: the devices hold ``u``, the rows are driven by the transformed
inputs ``c ([z, 1] L)[:, :d]`` and the bias row by the constant ``c L_dd`` (``L`` is
lower-triangular, so the last transformed column is constant), and the prior stays
``N(0, prior_sd^2)`` on ``w`` (``prior_matrix`` maps ``u`` to ``w``). In ``u`` the posterior is
roughly ``N(m, I / c^2)``: ``c`` sets its width against the devices' spread, and is raised if
needed so the posterior centre ``m`` stays within half the weight range.

The Laplace covariance is that of the exact model (same prior) at the MAP found by Newton's
method, with the Fisher weights of a softmax averaged over classes (the transform acts on the
inputs, which every output column shares). It depends on the training data only, never on the
chains, so the sampler stays a plain Metropolis-Hastings sampler of the same posterior; only
the devices' window (a box in ``u`` instead of in ``w``) differs. ``sample_preconditioner``
builds the same transform from a pilot run's draws instead (``MCMCClassifier(pilot=N)``): it
depends on that separate run, and is fixed before the chains start, so they are again plain
Metropolis-Hastings chains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError

__all__ = ["Preconditioner", "laplace_preconditioner", "sample_preconditioner"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class Preconditioner:
    """``w = prior_matrix @ u`` per output column; inputs map by ``transform``; the bias row is
    driven by ``bias_input`` instead of 1. ``laplace_sd``: the Laplace approximation's sd of
    each weight in ``w`` (the posterior width the transform was built from)."""

    prior_matrix: FloatArray  # (d + 1, d + 1): c L
    bias_input: float
    laplace_sd: FloatArray

    def transform(self, z: FloatArray) -> FloatArray:
        """The row inputs (samples, d) of standardised features ``z`` (samples, d)."""
        augmented = np.concatenate([z, np.ones((z.shape[0], 1))], axis=1)
        return np.asarray((augmented @ self.prior_matrix)[:, :-1])

    def weights(self, u: FloatArray) -> FloatArray:
        """Model weights ``w`` (..., (d + 1) * outputs) of device weights ``u`` (same shape,
        row-major (d + 1, outputs) as ``Architecture.split``)."""
        rows = self.prior_matrix.shape[0]
        matrix = u.reshape(*u.shape[:-1], rows, -1)
        return np.asarray(np.matmul(self.prior_matrix, matrix).reshape(u.shape))


def _probabilities(logits: FloatArray) -> FloatArray:
    if logits.shape[1] == 1:
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))


def _map(x: FloatArray, y: IntArray, outputs: int, prior_sd: float) -> FloatArray:
    """The exact model's MAP weights (d + 1, outputs) by Newton's method on the log posterior
    (sigmoid for one output, softmax otherwise; N(0, prior_sd^2) on every weight)."""
    rows = x.shape[1]
    target = (y[:, None] == np.arange(outputs)[None, :]).astype(np.float64)
    if outputs == 1:
        target = y[:, None].astype(np.float64)
    w = np.zeros((rows, outputs))
    for _ in range(100):
        p = _probabilities(x @ w)
        gradient = x.T @ (target - p) - w / prior_sd**2
        # Hessian of the negative log posterior, (rows * outputs)^2, row-major in (row, output)
        if outputs == 1:
            hessian = np.einsum("ni,n,nj->ij", x, (p * (1 - p))[:, 0], x)
        else:
            cross = np.einsum("nk,kl->nkl", p, np.eye(outputs)) - np.einsum("nk,nl->nkl", p, p)
            hessian = np.einsum("ni,nkl,nj->ikjl", x, cross, x).reshape(rows * outputs, -1)
        hessian += np.eye(rows * outputs) / prior_sd**2
        step = np.linalg.solve(hessian, gradient.reshape(-1)).reshape(rows, outputs)
        w += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w


def laplace_preconditioner(
    z: FloatArray,
    y: IntArray,
    outputs: int,
    prior_sd: float,
    *,
    width: float = 0.25,
    weight_range: float = 4.0,
) -> Preconditioner:
    """The transform for standardised training features ``z`` (samples, d) and labels ``y``:
    the posterior in ``u`` gets sd about ``width`` per weight (or less, to keep its centre
    within ``weight_range / 2``)."""
    if z.ndim != 2 or y.shape != (z.shape[0],):
        raise LearnError(f"precondition: expected z (samples, d) and y (samples,), got "
                         f"{z.shape} and {y.shape}")  # fmt: skip
    if not 0 < width < weight_range:
        raise LearnError(f"precondition: width must be in (0, weight_range), got {width!r}")
    x = np.concatenate([z, np.ones((z.shape[0], 1))], axis=1)
    w = _map(x, y, outputs, prior_sd)
    p = _probabilities(x @ w)
    # the Fisher weight of each sample, averaged over the output columns (shared inputs)
    fisher = (p * (1 - p)).mean(axis=1)
    precision = np.einsum("ni,n,nj->ij", x, fisher, x) + np.eye(x.shape[1]) / prior_sd**2
    return _from_covariance(np.linalg.inv(precision), w, width, weight_range)


def sample_preconditioner(
    draws: FloatArray, outputs: int, *, width: float = 0.25, weight_range: float = 4.0
) -> Preconditioner:
    """The transform from a pilot run's model weights ``draws`` (draws, (d + 1) * outputs,
    row-major as ``Architecture.split``): their sample covariance (averaged over the output
    columns, which share the inputs) and mean instead of the Laplace ones, so the transform
    follows the posterior's actual shape rather than its Gaussian approximation at the MAP."""
    if draws.ndim != 2 or draws.shape[1] % outputs or draws.shape[0] <= draws.shape[1]:
        raise LearnError(f"precondition: expected more pilot draws than weights, got "
                         f"{draws.shape}")  # fmt: skip
    if not 0 < width < weight_range:
        raise LearnError(f"precondition: width must be in (0, weight_range), got {width!r}")
    matrices = draws.reshape(draws.shape[0], -1, outputs)
    covariance = np.mean([np.cov(matrices[:, :, k], rowvar=False) for k in range(outputs)], axis=0)
    return _from_covariance(np.atleast_2d(covariance), matrices.mean(axis=0), width, weight_range)


def _from_covariance(
    covariance: FloatArray, centre_w: FloatArray, width: float, weight_range: float
) -> Preconditioner:
    """``c L`` with ``L L^T = covariance`` ((d + 1) square), ``c`` from ``width`` and the
    posterior centre ``centre_w`` ((d + 1, outputs), kept within ``weight_range / 2``)."""
    lower = np.linalg.cholesky(covariance)
    centre = np.linalg.solve(lower, centre_w)  # the posterior centre in u, times c
    scale = max(1.0 / width, float(np.max(np.abs(centre))) / (weight_range / 2))
    matrix: FloatArray = np.asarray(scale * lower, dtype=np.float64)
    return Preconditioner(matrix, float(matrix[-1, -1]), np.sqrt(np.diag(covariance)))
