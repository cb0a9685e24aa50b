"""HfO2 weak RESET (arXiv 2107.06064): which non-ideality costs a binarized network the most.

Characterises weak-RESET pulse trains of the shipped ``rram_hfo2`` in ngspice (32 cells, 2
trains of 24 pulses, cached), validates the table on 16 fresh cells (another seed, 40
pulses), then trains 64-256-10 binarized networks whose weights are weak-RESET RRAM pairs on
digits (every setting of the non-idealities, 20 epochs) and MNIST-5k (none, each alone, all;
10 epochs), 3 seeds, with the full-precision and ideal-write baselines on the same splits.
``spread`` retrains digits with wider spreads than the model's defaults (sigma_d2d 0.3 and 0.5,
sigma_c2c 1.0; each characterised afresh in ngspice), the non-ideality alone and all on. Writes
``docs/learn/bnn_weak_reset.json`` and ``docs/learn/img/bnn_weak_reset_<dataset>.png``.

    PYTHONPATH=. python scripts/bnn_weak_reset.py [digits] [spread] [mnist5k]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from spicegen import models
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import load_dataset
from spicegen.learn.weak_reset import (
    NonIdealities,
    WeakResetDevices,
    non_ideality_settings,
    pulse_train,
)
from spicegen.learn.weak_reset_study import plot_study, study_metrics, weak_reset_study
from spicegen.surrogate.rram_weak_reset import (
    WeakReset,
    WeakResetSpec,
    characterise_weak_reset,
    closed_form,
    validate_weak_reset,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "learn" / "bnn_weak_reset.json"
SEEDS = (0, 1, 2)
EPOCHS = {"digits": 20, "mnist5k": 10}
SPREADS = (("sigma_d2d", 0.3, "d2d"), ("sigma_d2d", 0.5, "d2d"), ("sigma_c2c", 1.0, "c2c"))


def characterisation() -> tuple[dict[str, object], WeakReset]:
    """The table, its closed-form check and its validation, as plain data."""
    model = models.load("rram_hfo2")
    spec = WeakResetSpec()
    start = time.perf_counter()
    table = characterise_weak_reset(model, spec)
    seconds = time.perf_counter() - start
    expected = closed_form(model, spec)
    mean, sd = validate_weak_reset(
        model, table, WeakResetSpec(devices=16, trains=1, pulses=40, seed=7)
    )
    devices = WeakResetDevices(table)
    x, _ = pulse_train(devices, 24, 8, seed=0)
    return {
        "spec": repr(spec),
        "seconds": seconds,
        "cached": table.cached,
        "centres": table.centres.tolist(),
        "step_mean": table.step_mean.tolist(),
        "step_sd": table.step_sd.tolist(),
        "conductance_S": table.conductance.tolist(),
        "conductance_step_mean_S": table.conductance_step_mean.tolist(),
        "conductance_step_sd_S": table.conductance_step_sd.tolist(),
        "log_step": [table.log_step_mean, table.log_step_sd],
        "closed_form": expected,
        "windows_S": [table.high_mean, table.high_sd, table.low_mean, table.low_sd],
        "pulse_energy_J": table.pulse_energy,
        "set_energy_J": table.set_energy,
        "samples": table.samples,
        "linear_step": devices.linear_step,
        "relative_spread": devices.relative_spread,
        "validation": {
            "mean": [mean.max_error, mean.rms_error, mean.points],
            "sd": [sd.max_error, sd.rms_error, sd.points],
        },
        "example_train": x[:, :4].tolist(),
    }, table


def main(names: list[str]) -> None:
    results: dict[str, object] = json.loads(OUT.read_text()) if OUT.exists() else {}
    summary, table = characterisation()
    results["characterisation"] = summary
    print(json.dumps({k: v for k, v in summary.items() if k != "example_train"}), flush=True)
    for name in names:
        if name == "spread":
            results["spread"] = spread()
            OUT.write_text(json.dumps(results, indent=1))
            continue
        start = time.perf_counter()
        config = BnnConfig(hidden=(256,), epochs=EPOCHS[name])
        settings = non_ideality_settings()
        settings = settings if name == "digits" else settings[:5]  # MNIST-5k: the first five
        study = weak_reset_study(load_dataset(name), table, settings, SEEDS, config)
        metrics = study_metrics(study) | {
            "epochs": EPOCHS[name],
            "seconds": time.perf_counter() - start,
        }
        results[name] = metrics
        print(name, json.dumps(metrics), flush=True)
        OUT.write_text(json.dumps(results, indent=1))
    plots = [n for n in ("digits", "mnist5k") if n in results]
    if plots:
        plot_all(results, plots)


def spread() -> dict[str, object]:
    """Digits with a wider spread than the defaults: the non-ideality alone and all on."""
    model = models.load("rram_hfo2")
    out: dict[str, object] = {}
    for parameter, value, label in SPREADS:
        start = time.perf_counter()
        table = characterise_weak_reset(model, WeakResetSpec(device_params=((parameter, value),)))
        alone = NonIdealities(label == "c2c", label == "d2d", False)
        study = weak_reset_study(
            load_dataset("digits"),
            table,
            (alone, NonIdealities()),
            SEEDS,
            BnnConfig(hidden=(256,), epochs=EPOCHS["digits"]),
        )
        metrics = study_metrics(study) | {
            "windows_S": [table.high_mean, table.high_sd, table.low_mean, table.low_sd],
            "log_step": [table.log_step_mean, table.log_step_sd],
            "seconds": time.perf_counter() - start,
        }
        out[f"{parameter}={value}"] = metrics
        print(parameter, value, json.dumps(metrics), flush=True)
    return out


def plot_all(results: dict[str, object], names: list[str]) -> None:
    """One bar chart per dataset, written next to the JSON."""
    for name in names:
        path = ROOT / "docs" / "learn" / "img" / f"bnn_weak_reset_{name}.png"
        plot_study(results[name], path, title=f"{name}: weak-RESET RRAM pairs")  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:] or ["digits"])
