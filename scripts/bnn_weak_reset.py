"""HfO2 weak RESET (arXiv 2107.06064): which non-ideality costs a binarized network the most.

Characterises weak-RESET pulse trains of the shipped ``rram_hfo2`` in ngspice (32 cells, 2
trains of 24 pulses, cached), validates the table on 16 fresh cells (another seed, 40
pulses), then trains 64-256-10 binarized networks whose weights are weak-RESET RRAM pairs on
digits (20 epochs) and MNIST-5k (5 epochs, to fit the shared machine), every setting of the
non-idealities, 3 seeds, with the full-precision and ideal-write baselines on the same splits.
``spread`` retrains digits with wider spreads than the model's defaults (sigma_d2d 0.3 and 0.5,
sigma_c2c 1.0; each characterised afresh in ngspice), the non-ideality alone and all on.
``spot`` reads every cell of a trained digits network in ngspice (the SPICE spot check);
``figures`` redraws the figures from the JSON. Writes
``docs/learn/bnn_weak_reset.json`` and ``docs/learn/img/bnn_weak_reset_<dataset>.png``.

    PYTHONPATH=. python scripts/bnn_weak_reset.py [digits] [spread] [mnist5k] [spot] [figures]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from spicegen import models
from spicegen.learn.approximate_memory import seed_split
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import load_dataset
from spicegen.learn.weak_reset import (
    NonIdealities,
    WeakResetDevices,
    non_ideality_settings,
    pulse_train,
    train_weak_reset,
)
from spicegen.learn.weak_reset_spot_check import pair_spot_check
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
EPOCHS = {"digits": 20, "mnist5k": 5}
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
    if names == ["figures"]:  # redraw from the JSON, no SPICE and no training
        plot_all(results, [n for n in ("digits", "mnist5k") if n in results])
        return
    summary, table = characterisation()
    results["characterisation"] = summary
    print(json.dumps({k: v for k, v in summary.items() if k != "example_train"}), flush=True)
    for name in names:
        if name.startswith("spread"):  # "spread" or "spread:sigma_c2c": one parameter's rows
            done: dict[str, object] = results.get("spread", {})  # type: ignore[assignment]
            results["spread"] = done | spread(name.partition(":")[2])
            OUT.write_text(json.dumps(results, indent=1))
            continue
        if name == "spot":
            results[name] = spot_check(table)
            OUT.write_text(json.dumps(results, indent=1))
            continue
        start = time.perf_counter()
        config = BnnConfig(hidden=(256,), epochs=EPOCHS[name])
        settings = non_ideality_settings()
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


def spot_check(table: WeakReset) -> dict[str, object]:
    """Digits, 64-256-10, all non-idealities, seed 0: every cell read in ngspice, all test
    inputs classified with the SPICE-read weights."""
    start = time.perf_counter()
    split = seed_split(load_dataset("digits"), 0)
    result = train_weak_reset(
        split.x_train, split.y_train, split.classes, WeakResetDevices(table),
        BnnConfig(hidden=(256,), epochs=EPOCHS["digits"]), seed=0,
    )  # fmt: skip
    check = pair_spot_check(result, models.load("rram_hfo2"), split.x_test)
    out = {
        "inputs": int(check.spice.size),
        "cells": check.cells,
        "agreement": check.agreement,
        "flipped_weights": check.flipped_weights,
        "max_conductance_error": check.max_conductance_error,
        "trainer_accuracy": float(np.mean(check.trainer == split.y_test)),
        "spice_accuracy": float(np.mean(check.spice == split.y_test)),
        "seconds": time.perf_counter() - start,
    }
    print("spot", json.dumps(out), flush=True)
    return out


def spread(only: str = "") -> dict[str, object]:
    """Digits with a wider spread than the defaults (of parameter ``only``, or all): the
    non-ideality alone and all on."""
    model = models.load("rram_hfo2")
    out: dict[str, object] = {}
    for parameter, value, label in SPREADS:
        if only and parameter != only:
            continue
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
    """The characterisation's figure and one bar chart per dataset, in docs/learn/img."""
    plot_characterisation(results["characterisation"])  # type: ignore[arg-type]
    for name in names:
        path = ROOT / "docs" / "learn" / "img" / f"bnn_weak_reset_{name}.png"
        plot_study(results[name], path, title=f"{name}: weak-RESET RRAM pairs")  # type: ignore[arg-type]


def plot_characterisation(summary: dict[str, object]) -> None:
    """Left: the step per pulse against the present conductance (SPICE bins, mean ± sd) and
    the closed form; right: four cells of the trainer's device model over a train."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = np.array(summary["conductance_S"]) * 1e6  # type: ignore[arg-type]
    step = np.array(summary["conductance_step_mean_S"]) * 1e6  # type: ignore[arg-type]
    sd = np.array(summary["conductance_step_sd_S"]) * 1e6  # type: ignore[arg-type]
    closed: dict[str, float] = summary["closed_form"]  # type: ignore[assignment]
    low = float(summary["windows_S"][2]) * 1e6  # type: ignore[index]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.errorbar(g, -step, yerr=sd, fmt="o", capsize=3, label="ngspice (32 cells, mean ± sd)")
    line = np.linspace(low, g.max(), 50)
    left.plot(
        line, closed["step_slope"] * (line - low), "k--", label="closed form (1 - E[m]) (G - g_lo)"
    )
    left.set(xlabel="present conductance G (uS)", ylabel="decrease per weak-RESET pulse (uS)")
    left.legend(fontsize=8)
    train = np.array(summary["example_train"])
    right.plot(train, marker=".")
    right.axhline(0.1, color="grey", ls=":", label="refresh threshold")
    right.set(xlabel="pulse", ylabel="state x = (G - g_lo)/(g_hi - g_lo)", title="trainer's cells")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "learn" / "img" / "rram_weak_reset.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main(sys.argv[1:] or ["digits"])
