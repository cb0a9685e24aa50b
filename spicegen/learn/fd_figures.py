"""Figures of finite-difference runs (matplotlib, no display needed): learning curves,
confusion matrices, and the accuracy-against-setting plots of ablations."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from spicegen.learn.figure_files import pyplot, save_figure

__all__ = ["plot_ablation", "plot_confusion", "plot_learning_curves"]


def plot_learning_curves(
    curves: Mapping[str, Sequence[Mapping[str, Sequence[float]]]],
    path: str | os.PathLike[str],
    *,
    title: str = "learning curves",
) -> Path:
    """Validation accuracy and training loss per epoch: ``curves[label]`` is one history per
    fold (``history_`` of a trainer); each label's mean over folds is drawn bold."""
    plt = pyplot()
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 6))
    for color, (label, histories) in zip(plt.rcParams["axes.prop_cycle"].by_key()["color"],
                                         curves.items(), strict=False):  # fmt: skip
        for key, ax in (("validation_accuracy", top), ("train_loss", bottom)):
            runs = [np.asarray(h[key], dtype=float) for h in histories if len(h.get(key, ()))]
            if not runs:
                continue
            for run in runs:
                ax.plot(np.arange(run.size), run, color=color, alpha=0.25, linewidth=0.8)
            length = min(run.size for run in runs)
            mean = np.mean([run[:length] for run in runs], axis=0)
            ax.plot(np.arange(length), mean, color=color, linewidth=2.0,
                    label=label if key == "validation_accuracy" else None)  # fmt: skip
    top.set_ylabel("validation accuracy")
    bottom.set_ylabel("training loss")
    bottom.set_xlabel("epoch")
    for ax in (top, bottom):
        ax.grid(True, alpha=0.3)
    top.legend(loc="lower right", fontsize="small")
    figure.suptitle(title)
    figure.tight_layout()
    return save_figure(figure, path)


def plot_confusion(
    matrix: np.ndarray, classes: Sequence[str], path: str | os.PathLike[str], *, title: str
) -> Path:
    """A confusion matrix (rows true, columns predicted) with its counts."""
    plt = pyplot()
    counts = np.asarray(matrix)
    size = max(3.5, 0.45 * len(classes) + 2)
    figure, ax = plt.subplots(figsize=(size, size))
    ax.imshow(counts, cmap="Blues")
    for (row, column), value in np.ndenumerate(counts):
        color = "white" if value > counts.max() / 2 else "black"
        ax.text(column, row, str(value), ha="center", va="center", color=color, fontsize=8)
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    figure.tight_layout()
    return save_figure(figure, path)


def plot_ablation(
    settings: Sequence[str],
    results: Mapping[str, Sequence[tuple[float, float]]],
    path: str | os.PathLike[str],
    *,
    xlabel: str,
    title: str,
) -> Path:
    """Accuracy mean +- sd (fractions) for each setting, one line per series in ``results``."""
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(6, 4))
    positions = np.arange(len(settings))
    for label, values in results.items():
        means = [100 * v[0] for v in values]
        errors = [100 * v[1] for v in values]
        ax.errorbar(positions, means, yerr=errors, marker="o", capsize=3, label=label)
    ax.set_xticks(positions, settings)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    figure.tight_layout()
    return save_figure(figure, path)
