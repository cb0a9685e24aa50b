"""Accuracy against programming energy of binarized networks on approximate ST-MRAM.

Trains on digits and MNIST-5k with every pulse (current, width) of a grid of write error
rates, next to the full-precision and ideal-write baselines on the same splits, and writes
``docs/learn/bnn_energy.json`` and ``docs/learn/img/bnn_energy.png``. Writes to +1 (AP -> P)
and to -1 (P -> AP) follow their own SPICE characterisations: the P -> AP pulse has the same
reduced current (so 1.5 times the amplitude, the model's critical-current ratio) and its own
width for the same error rate. A fifth of each training split is held out: the pulse with the
largest saving within one point of the reference is chosen on it, and its test accuracy is
reported.

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
REFERENCE = (2.0, 1e-6)  # reduced current and write error rate of the reference pulse
GRID = {  # reduced current: write error rates, finest between 0.3 and 0.5
    2.0: (0.1, 0.3, 0.4, 0.5),
    2.5: (0.3, 0.35, 0.4, 0.45, 0.5),
}
PLAN = {"digits": ((0, 1, 2, 3, 4), 20), "mnist5k": ((0, 1, 2), 10)}  # seeds, epochs
VALIDATION = 0.2


def main(names: list[str]) -> None:
    mtj = models.load("mtj")
    to_p = characterise_mram_write(mtj, MramWriteSpec())
    to_ap = characterise_mram_write(mtj, MramWriteSpec(direction="p_to_ap"))
    out = ROOT / "docs" / "learn" / "bnn_energy.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    for name in names:
        seeds, epochs = PLAN[name]
        began = time.perf_counter()
        current, error = REFERENCE
        pulses = list(pulses_for_errors(to_p, [current * to_p.spec.ic0], [error], to_ap))
        for current, errors in GRID.items():
            pulses += pulses_for_errors(to_p, [current * to_p.spec.ic0], errors, to_ap)
        sweep = energy_sweep(
            load_dataset(name),
            pulses,
            seeds,
            BnnConfig(epochs=epochs),
            validation_fraction=VALIDATION,
        )
        seconds = time.perf_counter() - began
        results[name] = sweep_metrics(sweep) | {
            "epochs": epochs,
            "seconds": seconds,
            "validation_fraction": VALIDATION,
            "directions": "ap_to_p and p_to_ap characterised separately",
        }
        out.write_text(json.dumps(results, indent=1))
        print(name, json.dumps(results[name]["energy_saved_at_1pct_loss"]), flush=True)
    plot_energy_sweep(results, ROOT / "docs" / "learn" / "img" / "bnn_energy.png")


if __name__ == "__main__":
    main(sys.argv[1:] or ["digits", "mnist5k"])
