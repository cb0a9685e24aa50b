"""SPICE spot check of a metaplastic binarized network after task B (docs/learn.md).

Trains a 64-32-10 binarized network on permuted digits as ``sequential_tasks`` does (seed 0,
m = 3, 30 epochs per task, Adam 0.02, ideal writes), then reads the stored bits after task B
as MTJ crossbars in ngspice on ``SAMPLES`` task-A test inputs, with task A's batch-norm state
(the task-specific normalisation), and compares the decisions with the trainer's;
writes ``docs/learn/bnn_metaplastic_spot_check.json``.

    PYTHONPATH=. python scripts/bnn_metaplastic_spot_check.py
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from spicegen import models
from spicegen.learn.approximate_memory import seed_split
from spicegen.learn.bnn import BnnConfig, BnnNetwork, train_bnn
from spicegen.learn.datasets import load_dataset
from spicegen.learn.metaplastic import permuted
from spicegen.learn.spot_check import spice_spot_check

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 12
SEED, M, EPOCHS, HIDDEN = 0, 3.0, 30, (32,)


def main() -> dict[str, object]:
    whole = seed_split(load_dataset("digits"), SEED)
    task_a, task_b = whole, permuted(whole, SEED)
    config = BnnConfig(hidden=HIDDEN, epochs=EPOCHS, learning_rate=0.02, metaplastic=M, clip=None)
    first, hidden_a = train_bnn(task_a.x_train, task_a.y_train, task_a.classes, config, seed=SEED)
    second, _ = train_bnn(
        task_b.x_train,
        task_b.y_train,
        task_b.classes,
        config,
        seed=SEED,
        start=first.network,
        hidden_start=hidden_a,
    )
    after_b = second.network
    # the bits stored after task B, read with task A's batch-norm state
    read_a = BnnNetwork(
        after_b.weights,
        first.network.mean,
        first.network.variance,
        first.network.gain,
        first.network.offset,
        after_b.binary,
    )
    x, y = task_a.x_test[:SAMPLES], task_a.y_test[:SAMPLES]
    began = time.perf_counter()
    check = spice_spot_check(read_a, models.load("mtj"), x)
    results: dict[str, object] = {
        "m": M,
        "seed": SEED,
        "epochs_per_task": EPOCHS,
        "hidden": list(HIDDEN),
        "task_a_after_a": float(np.mean(first.network.predict(task_a.x_test) == task_a.y_test)),
        "task_a_after_b": float(np.mean(read_a.predict(task_a.x_test) == task_a.y_test)),
        "task_b": float(np.mean(after_b.predict(task_b.x_test) == task_b.y_test)),
        "bits_flipped_by_b": int(
            sum(
                np.count_nonzero(a != b)
                for a, b in zip(first.network.weights, after_b.weights, strict=True)
            )
        ),
        "samples": check.samples,
        "devices": check.devices,
        "agreement": check.agreement,
        "max_column_error_weights": check.max_column_error,
        "spice_correct": float(np.mean(check.spice == y)),
        "trainer_correct": float(np.mean(check.trainer == y)),
        "seconds": time.perf_counter() - began,
    }
    print(json.dumps(results), flush=True)
    out = ROOT / "docs" / "learn" / "bnn_metaplastic_spot_check.json"
    out.write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
