"""Figures of a spiking-network run: receptive fields before and after training, the
accuracy per seed beside the baselines, the spikes per training sample, a spike raster."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from spicegen.learn.figure_files import pyplot, save_figure
from spicegen.learn.snn_network import FloatArray, PresentationResult
from spicegen.learn.snn_run import SeedResult

__all__ = ["accuracy_figure", "learning_curve", "raster", "receptive_fields"]


def receptive_fields(
    before: FloatArray,
    after: FloatArray,
    image_shape: tuple[int, int],
    path: str | os.PathLike[str],
    labels: Sequence[str] | None = None,
) -> Path:
    """Each neuron's weights as an image, before (top row) and after training (bottom); from
    17 neurons on, two square grids side by side (before, after), labels on the after grid."""
    neurons = before.shape[1]
    if neurons > 16:
        return _field_grids(before, after, image_shape, path, labels)
    plt = pyplot()
    figure, axes = plt.subplots(2, neurons, figsize=(1.6 * neurons + 1, 3.6), squeeze=False)
    for j in range(neurons):
        for row, (weights, name) in enumerate(((before, "before"), (after, "after"))):
            ax = axes[row][j]
            ax.imshow(weights[:, j].reshape(image_shape), cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            title = f"neuron {j}" if row == 0 else (labels[j] if labels else "")
            ax.set_title(title, fontsize=8)
            if j == 0:
                ax.set_ylabel(name, fontsize=9)
    figure.suptitle("receptive fields (weights in [0, 1])", fontsize=10)
    return save_figure(figure, path, crop=True)


def _field_grids(
    before: FloatArray,
    after: FloatArray,
    image_shape: tuple[int, int],
    path: str | os.PathLike[str],
    labels: Sequence[str] | None,
) -> Path:
    plt = pyplot()
    neurons = before.shape[1]
    side = math.ceil(math.sqrt(neurons))
    figure = plt.figure(figsize=(2 * side * 0.9 + 1, side * 0.95 + 0.8))
    grids = figure.subfigures(1, 2)
    for grid, weights, name in ((grids[0], before, "before"), (grids[1], after, "after")):
        axes = grid.subplots(side, side, squeeze=False)
        for k, ax in enumerate(axes.ravel()):
            ax.set_xticks([])
            ax.set_yticks([])
            if k >= neurons:
                ax.set_axis_off()
                continue
            ax.imshow(weights[:, k].reshape(image_shape), cmap="viridis", vmin=0, vmax=1)
            if labels and name == "after":
                ax.set_title(labels[k], fontsize=7, pad=1)
        grid.suptitle(f"{name} training", fontsize=10)
    return save_figure(figure, path, crop=True)


def accuracy_figure(
    results: Sequence[SeedResult], path: str | os.PathLike[str], title: str = ""
) -> Path:
    """Held-out accuracy per seed: the network, k-means and logistic regression."""
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(5, 3.5))
    columns = (
        [r.accuracy for r in results],
        [r.kmeans for r in results],
        [r.logistic for r in results],
    )
    for k, values in enumerate(columns):
        data = 100 * np.asarray(values)
        ax.plot(np.full(data.size, k), data, "o", alpha=0.7)
        ax.errorbar(k + 0.15, data.mean(), yerr=data.std(ddof=1) if data.size > 1 else 0, fmt="ks")
    ax.set_xticks(range(3), ["network", "k-means", "logistic\n(supervised)"])
    ax.set_ylabel("held-out accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_title(title or f"{len(results)} seeds", fontsize=10)
    return save_figure(figure, path, crop=True)


def learning_curve(results: Sequence[SeedResult], path: str | os.PathLike[str]) -> Path:
    """Output spikes and weight updates per training sample, one line per seed."""
    plt = pyplot()
    figure, (spikes, updates) = plt.subplots(1, 2, figsize=(9, 3.2))
    for r in results:
        history = np.asarray(r.history, dtype=float)
        if history.size:
            spikes.plot(history[:, 0], history[:, 1], lw=0.8, label=f"seed {r.seed}")
            updates.plot(history[:, 0], np.cumsum(history[:, 2]), lw=0.8)
    spikes.set_xlabel("training sample")
    spikes.set_ylabel("output spikes")
    updates.set_xlabel("training sample")
    updates.set_ylabel("weight updates (cumulative)")
    spikes.legend(fontsize=7)
    return save_figure(figure, path, crop=True)


def raster(result: PresentationResult, path: str | os.PathLike[str], title: str = "") -> Path:
    """Input and output spikes of one presentation (time in us)."""
    plt = pyplot()
    inputs, outputs = len(result.input_spikes), len(result.output_spikes)
    figure, ax = plt.subplots(figsize=(7, 0.12 * (inputs + outputs) + 1.5))
    for i, times in enumerate(result.input_spikes):
        ax.plot(times * 1e6, np.full(times.size, i), "|", color="tab:blue", ms=5)
    for j, times in enumerate(result.output_spikes):
        ax.plot(times * 1e6, np.full(times.size, inputs + j), "|", color="tab:red", ms=8)
    ax.axhline(inputs - 0.5, color="grey", lw=0.5)
    ax.set_xlim(0, result.duration * 1e6)
    ax.set_xlabel("time (us)")
    ax.set_ylabel("inputs (blue) / outputs (red)")
    ax.set_title(title, fontsize=10)
    return save_figure(figure, path, crop=True)
