"""Accuracy against programming energy of binarized networks on approximate ST-MRAM.

Trains on digits and MNIST-5k with every pulse (current, width) of a grid of write error
rates, next to the full-precision and ideal-write baselines on the same splits, and writes
``docs/learn/bnn_energy.json`` and ``docs/learn/img/bnn_energy.png``.

    PYTHONPATH=. python scripts/bnn_energy_sweep.py [digits|mnist5k ...]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# one BLAS thread: the matrices are small, and threads fighting over 2 shared cores made an
# epoch 8x slower
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from spicegen import models
from spicegen.learn.approximate_memory import (
    energy_sweep,
    plot_energy_sweep,
    pulses_for_errors,
    sweep_metrics,
)
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import load_dataset
from spicegen.surrogate.mram_write import MramWriteSpec, characterise_mram_write

ROOT = Path(__file__).resolve().parents[1]
ERRORS = (1e-6, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.2, 0.3, 0.5)  # 1e-6 first: the reference
PLAN = {  # dataset: (reduced currents, seeds, epochs)
    "digits": ((2.0, 2.5, 3.0), (0, 1, 2, 3, 4), 20),
    "mnist5k": ((2.0,), (0, 1, 2), 10),
}


def main(names: list[str]) -> None:
    mram = characterise_mram_write(models.load("mtj"), MramWriteSpec())
    out = ROOT / "docs" / "learn" / "bnn_energy.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    for name in names:
        currents, seeds, epochs = PLAN[name]
        began = time.perf_counter()
        pulses = pulses_for_errors(mram, [i * mram.spec.ic0 for i in currents], ERRORS)
        sweep = energy_sweep(load_dataset(name), pulses, seeds, BnnConfig(epochs=epochs))
        seconds = time.perf_counter() - began
        results[name] = sweep_metrics(sweep) | {"epochs": epochs, "seconds": seconds}
        out.write_text(json.dumps(results, indent=1))
        print(name, json.dumps(results[name]["energy_saved_at_1pct_loss"]), flush=True)
    plot_energy_sweep(results, ROOT / "docs" / "learn" / "img" / "bnn_energy.png")


if __name__ == "__main__":
    main(sys.argv[1:] or ["digits", "mnist5k"])
