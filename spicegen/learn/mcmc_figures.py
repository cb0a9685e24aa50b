"""Figures of memristor MCMC runs (matplotlib, no display needed): traces, posteriors,
reliability diagrams, out-of-distribution entropy and sampler diagnostics."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.calibration import Reliability
from spicegen.learn.diagnostics import autocorrelation
from spicegen.learn.figure_files import pyplot, save_figure
from spicegen.learn.mcmc import Run

if TYPE_CHECKING:
    from spicegen.learn.mcmc_run import CrossValidation

__all__ = ["plot_calibration", "plot_diagnostics", "plot_ood", "plot_posteriors", "plot_traces"]

FloatArray = NDArray[np.float64]
LABELS = {"device": "device MCMC", "software": "software MH", "logistic": "logistic regression"}


def _shown(run: Run, count: int) -> list[int]:
    """The parameters with the largest posterior |mean| (the ones the data speaks about)."""
    mean = np.abs(run.draws.mean(axis=(0, 1)))
    return [int(k) for k in np.argsort(mean)[::-1][:count]]


def plot_traces(run: Run, path: str | os.PathLike[str], parameters: int = 3) -> Path:
    """Each chain's trace of a few weights and of the log posterior density."""
    plt = pyplot()
    shown = _shown(run, parameters)
    figure, axes = plt.subplots(len(shown) + 1, 1, figsize=(8, 1.8 * (len(shown) + 1)),
                                sharex=True)  # fmt: skip
    at = np.arange(run.weights.shape[1]) * run.trace_every  # the recorded iterations
    for axis, k in zip(axes, shown, strict=False):
        for c, trace in enumerate(run.weights[:, :, k]):
            axis.plot(at, trace, lw=0.6, label=f"chain {c}")
        axis.set_ylabel(f"w[{k}]")
        axis.axvline(run.burn_in, color="k", ls=":", lw=0.8)
    for c, trace in enumerate(run.log_density):
        axes[-1].plot(at, trace, lw=0.6, label=f"chain {c}")
    axes[-1].axvline(run.burn_in, color="k", ls=":", lw=0.8)
    axes[-1].set_ylabel("log posterior")
    axes[-1].set_xlabel("proposal (dotted: end of burn-in)")
    axes[0].legend(fontsize=7, ncol=4)
    return save_figure(figure, path, tight=True)


def plot_posteriors(
    run: Run, software: Run | None, path: str | os.PathLike[str], parameters: int = 4
) -> Path:
    """Posterior histograms of a few weights: the device sampler's draws (every chain after
    burn-in) and the software Metropolis-Hastings draws of the same fold."""
    plt = pyplot()
    shown = _shown(run, parameters)
    figure, axes = plt.subplots(1, len(shown), figsize=(3 * len(shown), 2.8))
    for axis, k in zip(np.atleast_1d(axes), shown, strict=False):
        draws = run.draws[:, :, k].ravel()
        axis.hist(draws, bins=40, density=True, alpha=0.6, label="device MCMC")
        if software is not None:
            other = software.draws[:, :, k].ravel()
            axis.hist(other, bins=40, density=True, alpha=0.5, label="software MH")
        axis.set_xlabel(f"w[{k}]")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    return save_figure(figure, path, tight=True)


def plot_calibration(
    reliabilities: Mapping[str, Reliability], path: str | os.PathLike[str]
) -> Path:
    """Reliability diagrams (accuracy against confidence per bin) with each method's ECE."""
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(4.6, 4.2))
    axis.plot([0, 1], [0, 1], color="k", lw=0.8, ls=":")
    for method, table in reliabilities.items():
        used = table.counts > 0
        axis.plot(table.confidence[used], table.accuracy[used], marker="o",
                  label=f"{LABELS.get(method, method)} (ECE {100 * table.ece:.1f} %)")  # fmt: skip
    axis.set_xlabel("confidence (largest class probability)")
    axis.set_ylabel("accuracy")
    axis.set_xlim(0.45, 1.0)
    axis.set_ylim(0.0, 1.02)
    axis.legend(fontsize=7)
    return save_figure(figure, path, tight=True)


def plot_ood(
    entropies: Mapping[str, tuple[FloatArray, FloatArray]], path: str | os.PathLike[str]
) -> Path:
    """Predictive entropy on test inputs and on out-of-distribution inputs, per method."""
    plt = pyplot()
    figure, axes = plt.subplots(1, len(entropies), figsize=(3.4 * len(entropies), 2.8),
                                sharey=True)  # fmt: skip
    for axis, (method, (test, ood)) in zip(np.atleast_1d(axes), entropies.items(), strict=True):
        top = max(float(np.max(test)), float(np.max(ood)), 1e-3)
        bins = np.linspace(0.0, top, 30)
        axis.hist(test, bins=bins, alpha=0.6, density=True, label=f"test ({test.mean():.3f})")
        axis.hist(ood, bins=bins, alpha=0.6, density=True, label=f"OOD ({ood.mean():.3f})")
        axis.set_title(LABELS.get(method, method), fontsize=9)
        axis.set_xlabel("predictive entropy (nats)")
        axis.legend(fontsize=7)
    return save_figure(figure, path, tight=True)


def plot_diagnostics(cv: CrossValidation, path: str | os.PathLike[str]) -> Path:
    """Per fold: acceptance, ESS (median and smallest over weights) and the largest split
    R-hat; and the first fold's autocorrelation of a few weights."""
    plt = pyplot()
    folds = [f.fold for f in cv.folds]
    figure, axes = plt.subplots(1, 4, figsize=(13, 2.9))
    axes[0].bar(folds, [f.acceptance for f in cv.folds])
    axes[0].set_title("acceptance")
    axes[1].bar(np.array(folds) - 0.2, [np.nanmedian(f.ess) for f in cv.folds], 0.4,
                label="median")  # fmt: skip
    axes[1].bar(np.array(folds) + 0.2, [np.nanmin(f.ess) for f in cv.folds], 0.4, label="min")
    axes[1].set_title("ESS over weights")
    axes[1].legend(fontsize=7)
    axes[2].bar(folds, [np.nanmax(f.rhat) for f in cv.folds])
    axes[2].axhline(1.01, color="k", ls=":", lw=0.8)
    axes[2].set_title("largest rank R-hat")
    run = cv.first_run
    draws = run.draws
    lags = min(draws.shape[1], 400)
    for k in _shown(run, 3):
        acf = autocorrelation(draws[:, :, k]).mean(axis=0)[:lags]
        axes[3].plot(np.arange(lags) * run.trace_every, acf, label=f"w[{k}]")
    axes[3].set_title("autocorrelation (fold 0)")
    axes[3].set_xlabel("lag (proposals)")
    axes[3].legend(fontsize=7)
    for axis in axes[:3]:
        axis.set_xlabel("fold")
    return save_figure(figure, path, tight=True)
