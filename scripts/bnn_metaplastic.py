"""Metaplastic binarized networks: task-A accuracy while training task B (docs/learn.md).

Digits (task A), then the same digits with permuted pixels (task B), 64-256-10, for several m;
writes ``docs/learn/bnn_metaplastic.json`` and ``docs/learn/img/bnn_metaplastic.png``.

    PYTHONPATH=. python scripts/bnn_metaplastic.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from spicegen.learn.datasets import load_dataset
from spicegen.learn.metaplastic import sequential_tasks

ROOT = Path(__file__).resolve().parents[1]
M_VALUES = (0.0, 3.0, 10.0, 30.0)
SEEDS = (0, 1, 2)
EPOCHS = 10


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dataset = load_dataset("digits")
    results = {}
    fig, axis = plt.subplots(figsize=(6, 4))
    for m in M_VALUES:
        result = sequential_tasks(dataset, m, SEEDS, epochs=EPOCHS)
        curve = [s.mean for s in result.task_a_during_b]
        spread = [s.std for s in result.task_a_during_b]
        results[str(m)] = {
            "task_a_during_b": curve,
            "task_a_during_b_std": spread,
            "task_b": [result.task_b.mean, result.task_b.std],
        }
        print(m, json.dumps(results[str(m)]), flush=True)
        axis.errorbar(range(EPOCHS + 1), [100 * c for c in curve],
                      yerr=[100 * s for s in spread], capsize=2, label=f"m = {m:g}")  # fmt: skip
    axis.set(
        xlabel="epochs of task B (permuted digits)",
        ylabel="task A test accuracy (%)",
        title=f"digits, {len(SEEDS)} seeds",
    )
    axis.legend()
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "learn" / "img" / "bnn_metaplastic.png", dpi=110)
    (ROOT / "docs" / "learn" / "bnn_metaplastic.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
