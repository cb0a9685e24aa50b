"""Metaplastic binarized networks: task-A accuracy while training task B (docs/learn.md).

Digits, 64-256-10, 30 epochs per task at Adam 0.02, 3 seeds, for several m, on two pairs of
tasks: permuted digits (task B: the pixels permuted) and split digits (task A: classes 0-4,
task B: 5-9, on one 5-unit output). Task A is read with its own batch-norm state, as in the
paper; the end of each run is repeated with task B's state (``task_norm=False``) to show what
that costs. Writes ``docs/learn/bnn_metaplastic.json`` and ``docs/learn/img/bnn_metaplastic.png``.

    PYTHONPATH=. python scripts/bnn_metaplastic.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from spicegen.learn.datasets import load_dataset
from spicegen.learn.metaplastic import TASKS, sequential_tasks

ROOT = Path(__file__).resolve().parents[1]
M_VALUES = (0.0, 1.35, 3.0, 10.0)
SEEDS = (0, 1, 2)
EPOCHS = 30


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dataset = load_dataset("digits")
    results: dict[str, dict[str, object]] = {}
    fig, axes = plt.subplots(1, len(TASKS), figsize=(11, 4), sharey=True)
    for axis, tasks in zip(axes, TASKS, strict=True):
        results[tasks] = {}
        for m in M_VALUES:
            result = sequential_tasks(dataset, m, SEEDS, epochs=EPOCHS, tasks=tasks)
            shared = sequential_tasks(dataset, m, SEEDS, epochs=EPOCHS, tasks=tasks,
                                      task_norm=False)  # fmt: skip
            curve = [s.mean for s in result.task_a_during_b]
            spread = [s.std for s in result.task_a_during_b]
            end = shared.task_a_during_b[-1]
            results[tasks][str(m)] = {
                "task_a_during_b": curve,
                "task_a_during_b_std": spread,
                "task_b": [result.task_b.mean, result.task_b.std],
                "task_a_end_with_task_b_norm": [end.mean, end.std],
            }
            print(tasks, m, json.dumps(results[tasks][str(m)]), flush=True)
            percent = [100 * c for c in curve]
            bars = [100 * s for s in spread]
            axis.errorbar(range(EPOCHS + 1), percent, yerr=bars, capsize=2, label=f"m = {m:g}")
        axis.set(
            xlabel=f"epochs of task B ({tasks} digits)",
            title=f"{tasks} digits, {len(SEEDS)} seeds",
        )
        axis.legend()
    axes[0].set_ylabel("task A test accuracy (%)")
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "learn" / "img" / "bnn_metaplastic.png", dpi=110)
    (ROOT / "docs" / "learn" / "bnn_metaplastic.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
