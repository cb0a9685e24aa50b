"""SPICE spot check of a five-layer network trained in-situ on 5-level domain walls.

Trains 64-16-16-16-16-10 (five weight layers) on digits with 5-level ``dw_synapse`` writes
whose landing statistics come from SPICE (sigma_pos 0.1, as in ``bnn_domain_wall.py``), writes
every layer as a crossbar of ``dw_synapse`` devices with the walls at their programmed levels
(plus a mid-track reference column), reads ``SAMPLES`` test inputs in ngspice and compares the
decisions with the trainer's; writes ``docs/learn/bnn_dw_spot_check.json``. The tables'
128-unit networks (117,000 walls) were too large to read here.

    PYTHONPATH=. python scripts/bnn_dw_spot_check.py
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
from spicegen.learn.spot_check import dw_spot_check
from spicegen.learn.synapses import DwSteps
from spicegen.surrogate.dw_write import DwWriteSpec, characterise_dw_write

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 12
LEVELS = 5
HIDDEN = (16, 16, 16, 16)


def main() -> dict[str, object]:
    dw_model = models.load("dw_synapse")
    law = characterise_dw_write(dw_model, DwWriteSpec(nlevels=LEVELS, sigma_pos=0.1))
    split = seed_split(load_dataset("digits"), 0)
    config = BnnConfig(hidden=HIDDEN, epochs=15, levels=LEVELS, margin=0.2, learning_rate=0.02)
    result, accuracy = train_on_split(split, config, DwSteps(law), 0)
    began = time.perf_counter()
    check = dw_spot_check(result.network, dw_model, split.x_test[:SAMPLES])
    figures: dict[str, object] = {
        "network": "64-" + "-".join(map(str, HIDDEN)) + "-10",
        "levels": LEVELS,
        "test_accuracy": accuracy,
        "programmed_off_the_hidden_level": result.wrong_bits,
        "weights": sum(w.size for w in result.network.weights),
        "samples": check.samples,
        "devices": check.devices,
        "agreement": check.agreement,
        "max_column_error_weights": check.max_column_error,
        "spice_correct": float((check.spice == split.y_test[:SAMPLES]).mean()),
        "seconds": time.perf_counter() - began,
    }
    print(json.dumps(figures), flush=True)
    (ROOT / "docs" / "learn" / "bnn_dw_spot_check.json").write_text(json.dumps(figures, indent=1))
    return figures


if __name__ == "__main__":
    main()
