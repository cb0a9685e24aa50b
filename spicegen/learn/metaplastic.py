"""Metaplasticity against forgetting: task A, then task B, with and without f_meta.

Two pairs of tasks. ``permuted``: task B is task A with its pixels permuted (one fixed
permutation per seed, from ``stream(seed, "permute")``): the same labels, unrelated inputs.
``split``: task A is the first half of the classes, task B the second half, both labelled
0..classes/2-1 on one shared output layer. A plain binarized network trained on B overwrites
what it learnt on A. With metaplasticity m > 0 the updates that would move a hidden weight
towards a sign flip are scaled by f_meta = 1 - tanh^2(m W_h), and the hidden weights are not
clipped (Laborieux et al. 2021); m = 0 is the plain network (clipped at +-1). Task-A test
accuracy is recorded after every epoch of task B. As in the paper, the batch-norm state
(running statistics, gain, offset: 4 numbers per neuron, not synapses) is task-specific: task A
is read with the state saved at the end of task A (``task_norm=False``: with task B's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spicegen.learn.approximate_memory import Split, seed_split
from spicegen.learn.bnn import BnnConfig, train_bnn
from spicegen.learn.datasets import Dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.evaluation import Summary, summarise
from spicegen.seeds import stream

__all__ = [
    "TASKS",
    "SequentialResult",
    "permuted",
    "plot_sequential",
    "sequential_tasks",
    "split_classes",
]

TASKS = ("permuted", "split")


def permuted(split: Split, seed: int) -> Split:
    """``split`` with the features of every sample permuted by one permutation of ``seed``."""
    order = stream(seed, "permute").permutation(split.x_train.shape[1])
    return Split(
        split.x_train[:, order], split.y_train, split.x_test[:, order], split.y_test, split.classes
    )


def split_classes(split: Split) -> tuple[Split, Split]:
    """Task A (the first half of the classes) and task B (the rest) of ``split``, each labelled
    from 0 on a shared output layer of ``classes // 2`` units."""
    half = split.classes // 2
    if half < 2 or split.classes % 2:
        raise LearnError(f"split_classes: need an even number >= 4 of classes, got {split.classes}")

    def part(low: int) -> Split:
        train = (split.y_train >= low) & (split.y_train < low + half)
        test = (split.y_test >= low) & (split.y_test < low + half)
        return Split(
            split.x_train[train],
            split.y_train[train] - low,
            split.x_test[test],
            split.y_test[test] - low,
            half,
        )

    return part(0), part(half)


@dataclass(frozen=True, slots=True)
class SequentialResult:
    """For one m over the seeds: task-A test accuracy after A and after each epoch of B, and
    task-B test accuracy at the end."""

    m: float
    task_a_during_b: tuple[Summary, ...]  # index 0: after task A, then one per epoch of B
    task_b: Summary


def sequential_tasks(
    dataset: Dataset,
    m: float,
    seeds: Sequence[int],
    *,
    epochs: int = 20,
    hidden: tuple[int, ...] = (256,),
    learning_rate: float = 0.02,
    affine: bool = True,
    tasks: str = "permuted",
    task_norm: bool = True,
) -> SequentialResult:
    """Train task A then task B of ``dataset`` (``tasks``: ``permuted`` or ``split``) for
    ``epochs`` each, per seed; task A is read with its own batch-norm state if ``task_norm``.

    The default Adam rate 0.02 lets the hidden weights of important synapses grow to |W_h| ~ 1
    within the few hundred steps a small data set gives, so that m of order 1 consolidates
    them (the paper's m = 1.35 after 40 epochs of 600 steps at 0.005)."""
    if not seeds:
        raise LearnError("sequential_tasks: need at least one seed")
    if tasks not in TASKS:
        raise LearnError(f"sequential_tasks: tasks must be one of {TASKS}, got {tasks!r}")
    clip = 1.0 if m == 0 else None
    config = BnnConfig(
        hidden=hidden,
        epochs=epochs,
        learning_rate=learning_rate,
        metaplastic=m,
        clip=clip,
        affine=affine,
    )
    curves = []
    final_b = []
    for seed in seeds:
        whole = seed_split(dataset, seed)
        if tasks == "permuted":
            task_a, task_b = whole, permuted(whole, seed)
        else:
            task_a, task_b = split_classes(whole)
        first, hidden_a = train_bnn(
            task_a.x_train, task_a.y_train, task_a.classes, config, seed=seed
        )
        before = float(np.mean(first.network.predict(task_a.x_test) == task_a.y_test))
        second, _ = train_bnn(
            task_b.x_train,
            task_b.y_train,
            task_b.classes,
            config,
            seed=seed,
            monitor=(task_a.x_test, task_a.y_test),
            start=first.network,
            hidden_start=hidden_a,
            monitor_norm=first.network if task_norm else None,
        )
        curves.append([before, *second.history])
        final_b.append(float(np.mean(second.network.predict(task_b.x_test) == task_b.y_test)))
    by_epoch = np.array(curves).T
    return SequentialResult(
        m, tuple(summarise(row.tolist()) for row in by_epoch), summarise(final_b)
    )


def plot_sequential(results: Sequence[SequentialResult], path: Path, *, title: str = "") -> Path:
    """Task-A accuracy against epochs of task B, one curve per m, as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axis = plt.subplots(figsize=(6, 4))
    for result in results:
        axis.errorbar(
            range(len(result.task_a_during_b)),
            [100 * s.mean for s in result.task_a_during_b],
            yerr=[100 * s.std for s in result.task_a_during_b],
            capsize=2,
            label=f"m = {result.m:g}",
        )
    axis.set(xlabel="epochs of task B", ylabel="task A test accuracy (%)", title=title)
    axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
