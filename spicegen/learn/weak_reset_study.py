"""Which weak-RESET non-ideality costs a binarized network the most (arXiv 2107.06064).

For each seed the dataset is split once (``approximate_memory.seed_split``: 80/20, stratified)
and on that split are trained the full-precision software baseline, the binarized network with
ideal writes (hidden weights in the periphery, ``spicegen.learn.bnn``) and the network whose
hidden weights are RRAM pairs (``spicegen.learn.weak_reset``) once per setting of the
non-idealities. The cost of a non-ideality is the accuracy it loses when it alone is on
(against the device with none) and when it alone is off (against the device with all); it is
named the most harmful only when that cost stands out of the seeds' scatter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spicegen.learn.approximate_memory import seed_split, train_on_split
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import Dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.evaluation import Summary, summarise
from spicegen.learn.weak_reset import NonIdealities, WeakResetDevices, train_weak_reset
from spicegen.surrogate.rram_weak_reset import WeakReset
from spicegen.sweep.progress import Progress

__all__ = [
    "SettingResult",
    "WeakResetStudy",
    "plot_accuracies",
    "plot_study",
    "study_metrics",
    "weak_reset_study",
]

_NAMES = ("cycle_to_cycle", "device_to_device", "nonlinear")


@dataclass(frozen=True, slots=True)
class SettingResult:
    """One setting of the non-idealities over the seeds: test accuracy, programming energy
    of the training run (J), and the mean weak-RESET pulses and pair refreshes."""

    nonideal: NonIdealities
    accuracy: Summary
    energy: Summary
    pulses: float
    refreshes: float


@dataclass(frozen=True, slots=True)
class WeakResetStudy:
    """Every setting and the two baselines on the same splits."""

    settings: tuple[SettingResult, ...]
    full_precision: Summary
    ideal_writes: Summary
    seeds: tuple[int, ...]

    def find(self, nonideal: NonIdealities) -> SettingResult | None:
        """The result of ``nonideal``, if it was trained."""
        return next((s for s in self.settings if s.nonideal == nonideal), None)

    def costs(self) -> dict[str, dict[str, float]]:
        """Points lost (fractions) per non-ideality: ``alone`` (on alone against none) and
        ``removed`` (all on against all but it), where those settings were trained, each with
        its standard error over the seeds (``alone_se``, ``removed_se``: the settings share
        their splits, so the per-seed differences are paired)."""
        out: dict[str, dict[str, float]] = {}
        none, every = self.find(NonIdealities(False, False, False)), self.find(NonIdealities())
        for k, name in enumerate(_NAMES):
            flags = [False, False, False]
            flags[k] = True
            alone = self.find(NonIdealities(*flags))
            without = self.find(NonIdealities(*[not f for f in flags]))
            entry: dict[str, float] = {}
            for key, better, worse in (("alone", none, alone), ("removed", without, every)):
                if better is not None and worse is not None:
                    lost = np.subtract(better.accuracy.values, worse.accuracy.values)
                    entry[key] = float(lost.mean())
                    spread = float(lost.std(ddof=1)) if lost.size > 1 else math.inf
                    entry[f"{key}_se"] = spread / math.sqrt(lost.size)
            if entry:
                out[name] = entry
        return out

    def most_harmful(self) -> str | None:
        """The non-ideality with the largest mean cost among those with a cost above twice its
        standard error, or None when no cost stands out of the seeds' scatter."""
        costs = self.costs()
        means = {
            name: float(np.mean([v for k, v in entry.items() if not k.endswith("_se")]))
            for name, entry in costs.items()
        }
        clear = [
            name
            for name, entry in costs.items()
            if any(entry[k] > 2 * entry[f"{k}_se"] for k in ("alone", "removed") if k in entry)
        ]
        return max(clear, key=lambda n: means[n]) if clear else None


def weak_reset_study(
    dataset: Dataset,
    characterised: WeakReset,
    settings: Sequence[NonIdealities],
    seeds: Sequence[int],
    config: BnnConfig | None = None,
    *,
    refresh_below: float = 0.1,
    progress: Progress | None = None,
) -> WeakResetStudy:
    """Train each of ``settings`` and the two baselines on the split of each seed;
    ``progress`` advances by one per training run."""
    config = BnnConfig() if config is None else config
    if not seeds or not settings:
        raise LearnError("weak_reset_study: need seeds and at least one setting")
    full_config = BnnConfig(
        hidden=config.hidden,
        epochs=config.epochs,
        batch=config.batch,
        learning_rate=config.learning_rate,
        binary=False,
    )
    accuracy = np.zeros((len(settings), len(seeds)))
    energy, pulses, refreshes = (np.zeros_like(accuracy) for _ in range(3))
    full, ideal = [], []
    for s, seed in enumerate(seeds):
        split = seed_split(dataset, seed)
        full.append(train_on_split(split, full_config, None, seed)[1])
        ideal.append(train_on_split(split, config, None, seed)[1])
        _advance(progress, 2)
        for k, nonideal in enumerate(settings):
            devices = WeakResetDevices(characterised, nonideal, refresh_below)
            result = train_weak_reset(
                split.x_train, split.y_train, split.classes, devices, config, seed=seed
            )
            predicted = result.network.predict(split.x_test)
            accuracy[k, s] = float(np.mean(predicted == split.y_test))
            energy[k, s] = result.energy
            pulses[k, s] = result.pulses
            refreshes[k, s] = result.refreshes
            _advance(progress, 1)
    results = tuple(
        SettingResult(
            nonideal,
            summarise(accuracy[k].tolist()),
            summarise(energy[k].tolist()),
            float(pulses[k].mean()),
            float(refreshes[k].mean()),
        )
        for k, nonideal in enumerate(settings)
    )
    return WeakResetStudy(results, summarise(full), summarise(ideal), tuple(seeds))


def _advance(progress: Progress | None, count: int) -> None:
    if progress is not None:
        progress.update(count, 0)


def study_metrics(study: WeakResetStudy) -> dict[str, object]:
    """The study as plain data for ``metrics.json``: the first setting's accuracy as
    ``accuracy_mean``/``accuracy_std``, every setting, the costs and the most harmful."""
    first = study.settings[0]
    return {
        "accuracy_mean": first.accuracy.mean,
        "accuracy_std": first.accuracy.std,
        "seeds": list(study.seeds),
        "full_precision": {"mean": study.full_precision.mean, "std": study.full_precision.std},
        "ideal_writes": {"mean": study.ideal_writes.mean, "std": study.ideal_writes.std},
        "settings": [
            {
                "non_idealities": s.nonideal.label,
                "cycle_to_cycle": s.nonideal.cycle_to_cycle,
                "device_to_device": s.nonideal.device_to_device,
                "nonlinear": s.nonideal.nonlinear,
                "accuracy": s.accuracy.mean,
                "accuracy_std": s.accuracy.std,
                "accuracies": list(s.accuracy.values),
                "energy_J": s.energy.mean,
                "pulses": s.pulses,
                "refreshes": s.refreshes,
            }
            for s in study.settings
        ],
        "costs": study.costs(),
        "most_harmful": study.most_harmful(),
    }


def plot_study(metrics: dict[str, object], path: Path, *, title: str = "") -> Path:
    """Accuracy of each setting of ``study_metrics`` (mean ± sd over seeds) with the two
    baselines, as a PNG."""
    settings: list[dict[str, float | str]] = metrics["settings"]  # type: ignore[assignment]
    full: dict[str, float] = metrics["full_precision"]  # type: ignore[assignment]
    ideal: dict[str, float] = metrics["ideal_writes"]  # type: ignore[assignment]
    return plot_accuracies(
        [str(s["non_idealities"]) for s in settings],
        [Summary(float(s["accuracy"]), float(s["accuracy_std"]), ()) for s in settings],
        Summary(full["mean"], full["std"], ()),
        path,
        ideal=Summary(ideal["mean"], ideal["std"], ()),
        title=title or "weak-RESET RRAM pairs: non-idealities on",
    )


def plot_accuracies(
    labels: Sequence[str],
    accuracies: Sequence[Summary],
    full_precision: Summary,
    path: Path,
    *,
    ideal: Summary | None = None,
    title: str = "",
) -> Path:
    """Bars of test accuracy (mean ± sd) per label, the full-precision baseline (and the
    binarized ideal-write one) as lines; written as a PNG to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axis = plt.subplots(figsize=(1.1 * len(labels) + 3, 4))
    positions = np.arange(len(labels))
    axis.bar(
        positions, [100 * a.mean for a in accuracies], yerr=[100 * a.std for a in accuracies],
        capsize=3, color="tab:orange",
    )  # fmt: skip
    axis.axhline(100 * full_precision.mean, color="k", ls="--", label="full precision (software)")
    if ideal is not None:
        axis.axhline(100 * ideal.mean, color="grey", ls=":", label="binarized, ideal writes")
    axis.set_xticks(positions, list(labels), rotation=30)
    lowest = min(100 * a.mean for a in accuracies)
    axis.set(ylim=(max(0.0, lowest - 10), 100), ylabel="test accuracy (%)", title=title)
    axis.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
