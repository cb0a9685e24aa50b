"""Binarized networks on approximate ST-MRAM: accuracy against programming energy.

For each seed the dataset is split once (80 % train, 20 % test, stratified, from the seed) and
every setting is trained on that same split: the full-precision software baseline, the
binarized network with ideal writes, and the binarized network written by each MTJ pulse
(``spicegen.learn.synapses.MramPulse``, from the SPICE characterisation). The programming
energy of a run is the energy of all write attempts during training. The saving of a pulse is
``1 - energy / energy(reference pulse)``; ``energy_saved_at_1pct_loss`` is the largest saving
among pulses whose mean accuracy is within one point of the reference pulse's. With a
validation fraction, that pulse is chosen on the validation accuracies (a stratified part of
each training split, not trained on) and the test accuracies are only reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.bnn import BnnConfig, TrainResult, train_bnn
from spicegen.learn.datasets import Dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.evaluation import Scaler, Summary, stratified_folds, summarise
from spicegen.learn.synapses import IdealWrite, MramPulse, WriteModel, mram_pulse
from spicegen.surrogate.mram_write import MramWrite
from spicegen.sweep.progress import Progress

__all__ = [
    "EnergyPoint",
    "EnergySweep",
    "Split",
    "energy_sweep",
    "plot_energy_sweep",
    "pulses_for_errors",
    "seed_split",
    "sweep_metrics",
    "train_on_split",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class Split:
    """Scaled training and test samples of one seed's split (features in [0, 1])."""

    x_train: FloatArray
    y_train: IntArray
    x_test: FloatArray
    y_test: IntArray
    classes: int
    x_validation: FloatArray | None = None  # held out of the training part, same scaling
    y_validation: IntArray | None = None


def seed_split(dataset: Dataset, seed: int, validation_fraction: float = 0.0) -> Split:
    """The stratified 80/20 split of ``dataset`` drawn from training seed ``seed``, min-max
    scaled on its training part; ``validation_fraction`` of the training part (stratified) is
    held out as a validation part (the test part is the same with or without)."""
    fold = stratified_folds(dataset.y, 1, seed=seed, validation_fraction=validation_fraction)[0]
    scaler = Scaler.min_max(dataset.x[fold.train])
    validation = fold.validation.size > 0
    return Split(
        scaler(dataset.x[fold.train]),
        dataset.y[fold.train],
        np.clip(scaler(dataset.x[fold.test]), 0.0, 1.0),
        dataset.y[fold.test],
        len(dataset.classes),
        np.clip(scaler(dataset.x[fold.validation]), 0.0, 1.0) if validation else None,
        dataset.y[fold.validation] if validation else None,
    )


def train_on_split(
    split: Split, config: BnnConfig, synapse: WriteModel | None, seed: int
) -> tuple[TrainResult, float]:
    """Train on ``split`` and return the result and its test accuracy."""
    result, _ = train_bnn(
        split.x_train, split.y_train, split.classes, config, synapse=synapse, seed=seed
    )
    accuracy = float(np.mean(result.network.predict(split.x_test) == split.y_test))
    return result, accuracy


@dataclass(frozen=True, slots=True)
class EnergyPoint:
    """One pulse: ``current`` A, ``width`` s, write error rate, energy per write (J), and over
    the seeds the programming energy (J) and test accuracy, mean and sd."""

    current: float
    width: float
    error: float
    energy_per_write: float
    energy: Summary
    accuracy: Summary
    writes: float
    width_to_ap: float = 0.0  # s, of a P -> AP write (0: the same law as AP -> P)
    energy_to_ap: float = 0.0  # J per P -> AP write
    validation: Summary | None = None  # accuracy on the validation parts, if held out


@dataclass(frozen=True, slots=True)
class EnergySweep:
    """The curve of accuracy against programming energy and its two baselines."""

    points: tuple[EnergyPoint, ...]
    reference: int  # index of the reference pulse in ``points``
    ideal: Summary  # binarized, ideal writes
    full_precision: Summary  # software baseline, real weights
    seeds: tuple[int, ...]

    def saving(self, index: int) -> float:
        """Fraction of the reference pulse's programming energy that point ``index`` saves
        (0 when the reference costs nothing, as ideal writes do)."""
        reference = self.points[self.reference].energy.mean
        return 1.0 - self.points[index].energy.mean / reference if reference > 0 else 0.0

    def best_within(self, points_lost: float = 0.01) -> int:
        """Index of the largest saving whose accuracy is within ``points_lost`` of the
        reference's (fractions: 0.01 is one point): validation accuracy if held out, else
        test accuracy."""

        def chosen_on(point: EnergyPoint) -> float:
            return point.accuracy.mean if point.validation is None else point.validation.mean

        floor = chosen_on(self.points[self.reference]) - points_lost
        eligible = [k for k, p in enumerate(self.points) if chosen_on(p) >= floor]
        return max(eligible, key=self.saving)


def pulses_for_errors(
    characterised: MramWrite,
    currents: Sequence[float],
    errors: Sequence[float],
    to_ap: MramWrite | None = None,
) -> tuple[MramPulse, ...]:
    """The pulses whose predicted write error rate is each of ``errors`` at each characterised
    current (A); widths beyond the characterised range are left out. With ``to_ap`` (the P ->
    AP characterisation) writes to -1 get their own width, for the same error rate at the same
    reduced current."""
    pulses = []
    for current in currents:
        for error in errors:
            width = characterised.width_for_error(current, error)
            if to_ap is None:
                if width <= characterised.widths[-1]:
                    pulses.append(mram_pulse(characterised, current, width))
                continue
            reverse = current / characterised.spec.critical * to_ap.spec.critical
            width_to_ap = to_ap.width_for_error(reverse, error)
            if width <= characterised.widths[-1] and width_to_ap <= to_ap.widths[-1]:
                pulses.append(mram_pulse(characterised, current, width, to_ap, width_to_ap))
    if not pulses:
        raise LearnError("no pulse of the requested error rates fits the characterised widths")
    return tuple(pulses)


def energy_sweep(
    dataset: Dataset,
    pulses: Sequence[MramPulse | IdealWrite],
    seeds: Sequence[int],
    config: BnnConfig | None = None,
    *,
    reference: int = 0,
    progress: Progress | None = None,
    validation_fraction: float = 0.0,
) -> EnergySweep:
    """Train every pulse of ``pulses`` (``pulses[reference]`` is the reference; an
    ``IdealWrite`` stands for a memory without errors) and the two
    baselines on the split of each seed (``config``: default ``BnnConfig()``). ``progress`` is
    advanced by one per training run. ``validation_fraction`` > 0 holds that part of each
    training split out to choose the pulse on (``EnergySweep.best_within``)."""
    config = BnnConfig() if config is None else config
    if not seeds or not pulses or not 0 <= reference < len(pulses):
        raise LearnError("energy_sweep: need seeds, pulses and a reference index among them")
    accuracies = np.zeros((len(pulses), len(seeds)))
    energies = np.zeros_like(accuracies)
    writes = np.zeros_like(accuracies)
    validated = np.zeros_like(accuracies)
    ideal, full = [], []
    full_config = BnnConfig(
        hidden=config.hidden,
        epochs=config.epochs,
        batch=config.batch,
        learning_rate=config.learning_rate,
        binary=False,
    )
    for s, seed in enumerate(seeds):
        split = seed_split(dataset, seed, validation_fraction)
        full.append(train_on_split(split, full_config, None, seed)[1])
        ideal.append(train_on_split(split, config, None, seed)[1])
        _advance(progress, 2)
        for p, pulse in enumerate(pulses):
            result, accuracies[p, s] = train_on_split(split, config, pulse, seed)
            energies[p, s] = result.energy
            writes[p, s] = result.writes
            if split.x_validation is not None:
                predicted = result.network.predict(split.x_validation)
                validated[p, s] = float(np.mean(predicted == split.y_validation))
            _advance(progress, 1)
    points = tuple(
        EnergyPoint(
            *_pulse_figures(pulse),
            summarise(energies[p].tolist()),
            summarise(accuracies[p].tolist()),
            float(writes[p].mean()),
            *_reverse_figures(pulse),
            summarise(validated[p].tolist()) if validation_fraction > 0 else None,
        )
        for p, pulse in enumerate(pulses)
    )
    return EnergySweep(points, reference, summarise(ideal), summarise(full), tuple(seeds))


def _pulse_figures(pulse: MramPulse | IdealWrite) -> tuple[float, float, float, float]:
    """current A, width s, write error rate, energy J per write (an ideal write has no pulse)."""
    if isinstance(pulse, IdealWrite):
        return 0.0, 0.0, 0.0, pulse.energy
    return pulse.current, pulse.width, pulse.error, pulse.energy


def _reverse_figures(pulse: MramPulse | IdealWrite) -> tuple[float, float]:
    """width s and energy J of a P -> AP write, (0, 0) when it has no law of its own."""
    if isinstance(pulse, IdealWrite) or pulse.width_to_ap is None:
        return 0.0, 0.0
    return pulse.width_to_ap, pulse.reverse_energy


def _advance(progress: Progress | None, count: int) -> None:
    if progress is not None:
        progress.update(count, 0)


def sweep_metrics(sweep: EnergySweep) -> dict[str, object]:
    """The sweep as plain data for ``metrics.json``: the reference pulse's accuracy as
    ``accuracy_mean``/``accuracy_std``, every point, and the saving at <= 1 point lost."""
    best = sweep.best_within(0.01)
    reference = sweep.points[sweep.reference]
    return {
        "accuracy_mean": reference.accuracy.mean,
        "accuracy_std": reference.accuracy.std,
        "seeds": list(sweep.seeds),
        "full_precision": {"mean": sweep.full_precision.mean, "std": sweep.full_precision.std},
        "ideal_writes": {"mean": sweep.ideal.mean, "std": sweep.ideal.std},
        "points": [
            {
                "current_A": p.current,
                "width_s": p.width,
                "write_error": p.error,
                "energy_per_write_J": p.energy_per_write,
                "energy_J": p.energy.mean,
                "energy_std_J": p.energy.std,
                "accuracy": p.accuracy.mean,
                "accuracy_std": p.accuracy.std,
                "writes": p.writes,
                "saving": sweep.saving(k),
                "width_to_ap_s": p.width_to_ap,
                "energy_per_write_to_ap_J": p.energy_to_ap,
                "validation_accuracy": None if p.validation is None else p.validation.mean,
            }
            for k, p in enumerate(sweep.points)
        ],
        "reference": sweep.reference,
        "best_within_1pt": best,
        "chosen_on": "test" if reference.validation is None else "validation",
        "energy_saved_at_1pct_loss": sweep.saving(best),
    }


def plot_energy_sweep(sweeps: dict[str, dict[str, object]], path: Path) -> Path:
    """Accuracy against programming energy of each named ``sweep_metrics`` result, one panel
    each, with the two baselines; written as a PNG to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(sweeps), figsize=(5.5 * len(sweeps), 4), squeeze=False)
    for axis, (name, data) in zip(axes[0], sweeps.items(), strict=True):
        points: list[dict[str, float]] = data["points"]  # type: ignore[assignment]
        for current in sorted({p["current_A"] for p in points}):
            chosen = [p for p in points if p["current_A"] == current]
            axis.errorbar(
                [p["energy_J"] * 1e9 for p in chosen],
                [100 * p["accuracy"] for p in chosen],
                yerr=[100 * p["accuracy_std"] for p in chosen],
                marker="o", capsize=2, label=f"I = {current * 1e6:.1f} uA",
            )  # fmt: skip
        full: dict[str, float] = data["full_precision"]  # type: ignore[assignment]
        ideal: dict[str, float] = data["ideal_writes"]  # type: ignore[assignment]
        axis.axhline(100 * full["mean"], color="k", ls="--", label="full precision (software)")
        axis.axhline(100 * ideal["mean"], color="grey", ls=":", label="binarized, ideal writes")
        saved = float(data["energy_saved_at_1pct_loss"])  # type: ignore[arg-type]
        axis.set(
            xscale="log" if any(p["energy_J"] > 0 for p in points) else "linear",
            xlabel="programming energy during training (nJ)",
            ylabel="test accuracy (%)", title=f"{name}: {100 * saved:.0f} % saved for <= 1 pt",
        )  # fmt: skip
        axis.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
