"""Figures of a spiking-network run: receptive fields before and after training, the
accuracy per seed beside the baselines, the spikes per training sample, a spike raster."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
    """Input and output spikes of one presentation (time in us).

    Small networks get one row per neuron at a readable height. Past ``_RASTER_ROWS`` rows
    (784 inputs and 100 outputs make 884) the inputs and outputs get panels of their own in
    a figure of bounded height, so the outputs stay visible beside hundreds of inputs.
    """
    plt = pyplot()
    inputs, outputs = len(result.input_spikes), len(result.output_spikes)
    rows = inputs + outputs
    if rows <= _RASTER_ROWS:
        figure, ax = plt.subplots(figsize=(7, 0.12 * rows + 1.5))
        _raster_rows(ax, result.input_spikes, 0, "tab:blue", 5)
        _raster_rows(ax, result.output_spikes, inputs, "tab:red", 8)
        ax.axhline(inputs - 0.5, color="grey", lw=0.5)
        ax.set_xlim(0, result.duration * 1e6)
        ax.set_xlabel("time (us)")
        ax.set_ylabel("inputs (blue) / outputs (red)")
        ax.set_title(title, fontsize=10)
        return save_figure(figure, path, crop=True)
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 7), sharex=True, gridspec_kw={"height_ratios": (3, 2)}
    )
    # marks shrink with the rows they share a panel with, so neighbours do not merge
    _raster_rows(top, result.input_spikes, 0, "tab:blue", max(1.0, 300 / max(inputs, 1)))
    _raster_rows(bottom, result.output_spikes, 0, "tab:red", max(1.5, 400 / max(outputs, 1)))
    top.set_ylim(-0.5, inputs - 0.5)
    bottom.set_ylim(-0.5, outputs - 0.5)
    top.set_ylabel(f"input ({inputs})")
    bottom.set_ylabel(f"output neuron ({outputs})")
    bottom.set_xlim(0, result.duration * 1e6)
    bottom.set_xlabel("time (us)")
    top.set_title(title, fontsize=10)
    return save_figure(figure, path, crop=True)


_RASTER_ROWS = 60  # beyond this one row per neuron at 0.12 in makes a figure too tall to read


def _raster_rows(
    ax: Any, trains: Sequence[FloatArray], first: int, color: str, size: float
) -> None:
    """One row of marks per spike train (times in s, drawn in us), from row ``first``."""
    for i, times in enumerate(trains):
        ax.plot(times * 1e6, np.full(times.size, first + i), "|", color=color, ms=size)
