"""SPICE spot check of binarized networks trained on approximate ST-MRAM (docs/learn.md).

Trains a 64-32-10 binarized network on digits with the pulse that saved the most energy
within one point in ``bnn_energy_sweep.py`` (write error 0.5) and with the reference pulse
(1e-6), writes each as MTJ crossbars with the programmed states, reads ``SAMPLES`` test inputs
in ngspice and compares the decisions; writes ``docs/learn/bnn_spot_check.json``.

    PYTHONPATH=. python scripts/bnn_spot_check.py
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from spicegen import models
from spicegen.learn.approximate_memory import seed_split, train_on_split
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import load_dataset
from spicegen.learn.spot_check import spice_spot_check
from spicegen.learn.synapses import mram_pulse
from spicegen.surrogate.mram_write import MramWriteSpec, characterise_mram_write

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 12


def main() -> dict[str, object]:
    mtj = models.load("mtj")
    mram = characterise_mram_write(mtj, MramWriteSpec())
    split = seed_split(load_dataset("digits"), 0)
    results: dict[str, object] = {}
    for name, reduced, error in (("reference, BER 1e-6", 2.0, 1e-6), ("BER 0.5", 2.5, 0.5)):
        current = reduced * mram.spec.ic0
        pulse = mram_pulse(mram, current, mram.width_for_error(current, error))
        result, accuracy = train_on_split(split, BnnConfig(hidden=(32,)), pulse, 0)
        began = time.perf_counter()
        check = spice_spot_check(result.network, mtj, split.x_test[:SAMPLES])
        results[name] = {
            "current_A": pulse.current,
            "width_s": pulse.width,
            "test_accuracy": accuracy,
            "wrong_bits": result.wrong_bits,
            "samples": check.samples,
            "devices": check.devices,
            "agreement": check.agreement,
            "max_column_error_weights": check.max_column_error,
            "spice_correct": float((check.spice == split.y_test[:SAMPLES]).mean()),
            "seconds": time.perf_counter() - began,
        }
        print(name, json.dumps(results[name]), flush=True)
    (ROOT / "docs" / "learn" / "bnn_spot_check.json").write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
