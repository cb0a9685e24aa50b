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
from spicegen.learn.approximate_memory import EnergySweep, energy_sweep, pulses_for_errors
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import load_dataset
from spicegen.surrogate.mram_write import MramWriteSpec, characterise_mram_write

ROOT = Path(__file__).resolve().parents[1]
ERRORS = (1e-6, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.2, 0.3, 0.5)  # 1e-6 first: the reference
PLAN = {  # dataset: (reduced currents, seeds, epochs)
    "digits": ((2.0, 2.5, 3.0), (0, 1, 2, 3, 4), 20),
    "mnist5k": ((2.0,), (0, 1, 2), 10),
}


def as_json(sweep: EnergySweep) -> dict[str, object]:
    best = sweep.best_within(0.01)
    return {
        "seeds": list(sweep.seeds),
        "full_precision": [sweep.full_precision.mean, sweep.full_precision.std],
        "ideal_writes": [sweep.ideal.mean, sweep.ideal.std],
        "points": [
            {
                "current_A": p.current,
                "width_s": p.width,
                "write_error": p.error,
                "energy_per_write_J": p.energy_per_write,
                "energy_J": [p.energy.mean, p.energy.std],
                "accuracy": [p.accuracy.mean, p.accuracy.std],
                "writes": p.writes,
                "saving": sweep.saving(k),
            }
            for k, p in enumerate(sweep.points)
        ],
        "reference": sweep.reference,
        "best_within_1pt": best,
        "energy_saved_at_1pct_loss": sweep.saving(best),
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
        results[name] = as_json(sweep) | {"epochs": epochs, "seconds": time.perf_counter() - began}
        out.write_text(json.dumps(results, indent=1))
        print(name, json.dumps(results[name]["energy_saved_at_1pct_loss"]), flush=True)
    plot(results)


def plot(results: dict[str, object]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4), squeeze=False)
    for axis, (name, data) in zip(axes[0], results.items(), strict=True):
        points = data["points"]  # type: ignore[index]
        currents = sorted({p["current_A"] for p in points})
        for current in currents:
            chosen = [p for p in points if p["current_A"] == current]
            axis.errorbar(
                [p["energy_J"][0] * 1e9 for p in chosen],
                [100 * p["accuracy"][0] for p in chosen],
                yerr=[100 * p["accuracy"][1] for p in chosen],
                marker="o", capsize=2, label=f"I = {current * 1e6:.1f} uA",
            )  # fmt: skip
        full = data["full_precision"]  # type: ignore[index]
        axis.axhline(100 * full[0], color="k", ls="--", label="full precision (software)")
        ideal = data["ideal_writes"]  # type: ignore[index]
        axis.axhline(100 * ideal[0], color="grey", ls=":", label="binarized, ideal writes")
        axis.set(
            xscale="log", xlabel="programming energy during training (nJ)",
            ylabel="test accuracy (%)",
            title=f"{name}: {100 * data['energy_saved_at_1pct_loss']:.0f} % saved for <= 1 pt",  # type: ignore[index]
        )  # fmt: skip
        axis.legend(fontsize=7)
    fig.tight_layout()
    path = ROOT / "docs" / "learn" / "img" / "bnn_energy.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main(sys.argv[1:] or ["digits", "mnist5k"])
