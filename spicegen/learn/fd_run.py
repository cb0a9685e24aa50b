"""A finite-difference experiment: k-fold cross-validation and what it leaves on disk.

``cross_validate`` trains one ``FiniteDifferenceTrainer`` per stratified fold (early stopping
on a validation split carved out of the fold's training part), scores it on the fold's test
part, and, with ``baseline=True``, trains the software tanh network on the same folds with the
same settings. ``write_run`` writes ``metrics.json`` (accuracy mean and sd over folds as
fractions, per-fold figures, the baseline, energy per sample, engine, dataset, seconds), the
learning curves and the summed confusion matrix as PNGs, the trained conductances of every
fold (``conductances.npz``) and the best fold's chip as a netlist (``network.cir``) that a
designer can simulate.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spicegen.learn.datasets import Dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.evaluation import (
    Scaler,
    Summary,
    confusion_matrix,
    stratified_folds,
    summarise,
    write_metrics,
)
from spicegen.learn.fd import FiniteDifferenceTrainer
from spicegen.learn.fd_engines import FloatArray
from spicegen.learn.fd_figures import plot_confusion, plot_learning_curves
from spicegen.learn.fd_hardware import Calibration, MtjChip, conductances
from spicegen.netlist import to_ngspice

__all__ = ["CrossValidation", "FoldResult", "cross_validate", "write_run"]


@dataclass(frozen=True, slots=True, eq=False)
class FoldResult:
    """One fold: test accuracy (0..1), the epoch kept, its history, test predictions, the
    chip's programmed weights and, for the MTJ engines, what a netlist of it needs."""

    fold: int
    accuracy: float
    validation_accuracy: float
    best_epoch: int
    epochs_run: int
    seconds: float
    history: Mapping[str, list[float]]
    test: FloatArray
    predicted: FloatArray
    weights: tuple[FloatArray, ...]
    scaler: Scaler
    energy_inference: float | None = None  # J per sample
    energy_training: float | None = None  # J per sample
    resistances: tuple[FloatArray, ...] | None = None
    calibration: Calibration | None = None
    outside_grid: float | None = None


@dataclass(frozen=True, slots=True, eq=False)
class CrossValidation:
    """Every fold of one run and the settings it ran with."""

    dataset: Dataset
    engine: str
    sizes: tuple[int, ...]
    folds: tuple[FoldResult, ...]
    seconds: float
    settings: Mapping[str, Any]
    chip: MtjChip
    baseline: tuple[FoldResult, ...] = ()

    @property
    def summary(self) -> Summary:
        return summarise([fold.accuracy for fold in self.folds])

    @property
    def baseline_summary(self) -> Summary | None:
        return summarise([fold.accuracy for fold in self.baseline]) if self.baseline else None


def cross_validate(
    dataset: Dataset,
    *,
    folds: int = 5,
    seed: int = 0,
    baseline: bool = True,
    **options: Any,
) -> CrossValidation:
    """``folds``-fold stratified cross-validation of a ``FiniteDifferenceTrainer`` built with
    ``options`` (its constructor's keywords; ``seed`` is shared by folds and trainer)."""
    if not isinstance(dataset, Dataset):
        raise LearnError(f"dataset: expected a Dataset, got {dataset!r}")
    validation_fraction = options.get("validation_fraction", 0.2)
    parts = stratified_folds(dataset.y, folds, seed=seed, validation_fraction=validation_fraction)
    start = time.perf_counter()
    trainer = FiniteDifferenceTrainer(seed=seed, **options)  # checks every option once
    results = tuple(_fold(dataset, part, seed, options) for part in parts)
    elapsed = time.perf_counter() - start
    reference: tuple[FoldResult, ...] = ()
    if baseline and trainer.engine != "software":
        software = {k: v for k, v in options.items() if k not in ("device", "client", "chip")}
        software["engine"] = "software"
        reference = tuple(_fold(dataset, part, seed, software) for part in parts)
    sizes = (dataset.features, *trainer.hidden, len(np.unique(dataset.y)))
    settings = {
        k: v for k, v in options.items() if k not in ("device", "client", "teacher", "chip")
    }
    return CrossValidation(dataset, trainer.engine, sizes, results, elapsed,
                           {**settings, "seed": seed, "folds": folds}, trainer.chip,
                           reference)  # fmt: skip


def _fold(dataset: Dataset, part: Any, seed: int, options: Mapping[str, Any]) -> FoldResult:
    start = time.perf_counter()
    with FiniteDifferenceTrainer(seed=seed, **options) as trainer:
        validation = (dataset.x[part.validation], dataset.y[part.validation])
        trainer.fit(dataset.x[part.train], dataset.y[part.train],
                    validation=validation if part.validation.size else None)  # fmt: skip
        test_x, test_y = dataset.x[part.test], dataset.y[part.test]
        predicted = trainer.predict(test_x)
        engine = trainer.engine_
        energy: tuple[float | None, float | None] = (None, None)
        power = trainer.supply_power(test_x)
        if power is not None:
            read = trainer.chip.read_time
            energy = (float(power.inference.mean() * read), float(power.training.mean() * read))
        history = {k: list(v) for k, v in trainer.history_.items()}
        best = trainer.best_epoch_
        validation_accuracy = (
            history["validation_accuracy"][best] if history["validation_accuracy"] else float("nan")
        )
        return FoldResult(
            fold=part.index,
            accuracy=float(np.mean(predicted == test_y)),
            validation_accuracy=validation_accuracy,
            best_epoch=best,
            epochs_run=len(history["epoch"]),
            seconds=time.perf_counter() - start,
            history=history,
            test=np.asarray(test_y, dtype=np.float64),
            predicted=np.asarray(predicted, dtype=np.float64),
            weights=trainer.programmed_weights,
            scaler=trainer.scaler_,
            energy_inference=energy[0],
            energy_training=energy[1],
            resistances=getattr(engine, "resistances", None),
            calibration=getattr(engine, "calibration", None),
            outside_grid=getattr(engine, "outside", None),
        )


def metrics(run: CrossValidation) -> dict[str, Any]:
    """The run as plain data (what ``metrics.json`` holds)."""
    summary = run.summary
    result: dict[str, Any] = {
        "dataset": run.dataset.name,
        "engine": run.engine,
        "sizes": list(run.sizes),
        "accuracy_mean": summary.mean,
        "accuracy_std": summary.std,
        "seconds": run.seconds,
        "settings": dict(run.settings),
        "chip": dataclasses.asdict(run.chip),
        "folds": [_fold_metrics(fold) for fold in run.folds],
    }
    energies = [f.energy_inference for f in run.folds if f.energy_inference is not None]
    if energies:
        result["energy_inference_per_sample_J"] = float(np.mean(energies))
        training = [f.energy_training for f in run.folds if f.energy_training is not None]
        result["energy_training_per_sample_J"] = float(np.mean(training))
    baseline = run.baseline_summary
    if baseline is not None:
        result["baseline"] = {
            "engine": "software (tanh, exact derivatives, same folds and settings)",
            "accuracy_mean": baseline.mean,
            "accuracy_std": baseline.std,
            "folds": [_fold_metrics(fold) for fold in run.baseline],
        }
    return result


def _fold_metrics(fold: FoldResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "fold": fold.fold,
        "accuracy": fold.accuracy,
        "validation_accuracy": fold.validation_accuracy,
        "best_epoch": fold.best_epoch,
        "epochs_run": fold.epochs_run,
        "seconds": fold.seconds,
        "history": dict(fold.history),
    }
    if fold.energy_inference is not None:
        entry["energy_inference_per_sample_J"] = fold.energy_inference
        entry["energy_training_per_sample_J"] = fold.energy_training
    if fold.outside_grid is not None:
        entry["currents_outside_characterised_grid"] = fold.outside_grid
    return entry


def write_run(
    run: CrossValidation, out: str | os.PathLike[str], *, device: Any = None
) -> dict[str, Path]:
    """Write the run's files into directory ``out``; ``device`` (the neuron's CompiledModel)
    is needed for the netlist. Returns the paths by kind."""
    directory = Path(out)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise LearnError(f"cannot create the output directory {str(directory)!r}: {err}") from None
    paths: dict[str, Path] = {}
    label = f"{run.dataset.name} {'-'.join(map(str, run.sizes))}"
    curves = {run.engine: [f.history for f in run.folds]}
    if run.baseline:
        curves["software tanh"] = [f.history for f in run.baseline]
    paths["learning_curve"] = plot_learning_curves(
        curves, directory / "learning_curve.png", title=f"{label}, {run.engine} engine"
    )
    classes = len(run.dataset.classes)
    matrix = sum(
        (confusion_matrix(f.predicted.astype(np.int64), f.test.astype(np.int64), classes)
         for f in run.folds),
        np.zeros((classes, classes), dtype=np.int64),
    )  # fmt: skip
    summary = run.summary
    paths["confusion"] = plot_confusion(
        matrix, run.dataset.classes, directory / "confusion.png",
        title=f"{label}, {run.engine}: {summary}",
    )  # fmt: skip
    paths["conductances"] = _write_conductances(run, directory / "conductances.npz")
    best = max(run.folds, key=lambda f: (f.validation_accuracy, -f.fold))
    if device is not None and best.resistances is not None and best.calibration is not None:
        from spicegen.learn.fd_spice import network

        circuit = network(device, run.chip, run.sizes, best.weights, best.resistances,
                          best.calibration)  # fmt: skip
        paths["netlist"] = directory / "network.cir"
        paths["netlist"].write_text(to_ngspice(circuit), encoding="utf-8")
    data = metrics(run)
    data["confusion_matrix"] = matrix
    data["exported_fold"] = best.fold
    data["files"] = {kind: path.name for kind, path in paths.items()}
    paths["metrics"] = write_metrics(directory / "metrics.json", data)
    return paths


def _write_conductances(run: CrossValidation, path: Path) -> Path:
    arrays: dict[str, np.ndarray] = {}
    for fold in run.folds:
        for layer, weights in enumerate(fold.weights):
            plus, minus = conductances(run.chip, weights)
            arrays[f"fold{fold.fold}_layer{layer}_g_plus"] = plus
            arrays[f"fold{fold.fold}_layer{layer}_g_minus"] = minus
            arrays[f"fold{fold.fold}_layer{layer}_weights"] = weights
        # inputs in volts: read_voltage * clip((x - offset) / scale, -1, 1)
        arrays[f"fold{fold.fold}_input_offset"] = fold.scaler.offset
        arrays[f"fold{fold.fold}_input_scale"] = fold.scaler.scale
    np.savez(path, **arrays)  # type: ignore[arg-type]
    return path
