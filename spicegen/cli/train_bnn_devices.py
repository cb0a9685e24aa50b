"""``spicegen train bnn --synapse rram|dw``: weak-RESET RRAM pairs and k-level domain walls.

``rram``: the hidden weights are pairs of ``rram_hfo2`` cells updated by weak-RESET pulses
whose statistics come from ngspice (``spicegen.learn.weak_reset_study``); ``--non-idealities``
picks the setting, ``--ablation`` trains all eight. ``dw``: in-situ training of ``--levels K``
domain-wall synapses (``DwSteps``: the hidden weights are the high-precision accumulator, a
cell is programmed once it passes its level by a 0.2-spacing margin, each step landing with the
SPICE statistics of ``spicegen.surrogate.dw_write``). Both write ``DIR/metrics.json`` and
``DIR/accuracy.png`` next to the full-precision and ideal baselines on the same splits.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from spicegen.cli.common import CliError

if TYPE_CHECKING:
    from spicegen.learn.datasets import Dataset
    from spicegen.learn.weak_reset import NonIdealities

__all__ = ["check_device_options", "domain_wall", "weak_reset"]

NAMES = {"c2c": "cycle_to_cycle", "d2d": "device_to_device", "nonlinear": "nonlinear"}
DW_MARGIN = 0.2  # noise-tolerance margin, level spacings (docs/learn.md, domain walls)
DW_RATE = 0.02  # Adam rate of the k-level networks (docs/learn.md)


def check_device_options(args: argparse.Namespace) -> None:
    """Raise ``CliError`` when an rram or dw option is given to another synapse, or is out of
    range."""
    if args.levels is not None and args.synapse != "dw":
        raise CliError("--levels needs --synapse dw")
    if args.synapse == "dw":
        if args.levels is None:
            raise CliError("--synapse dw needs --levels K (2, 3 or 5 in the paper)")
        if not 2 <= args.levels <= 16:
            raise CliError(f"--levels must lie in 2..16, got {args.levels}")
        if not 0 <= args.position_noise <= 0.5:
            raise CliError(f"--position-noise must lie in [0, 0.5], got {args.position_noise}")
    rram_only = args.ablation or args.non_idealities != "c2c,d2d,nonlinear"
    if rram_only and args.synapse != "rram":
        raise CliError("--non-idealities/--ablation need --synapse rram")
    if args.synapse == "rram":
        non_idealities(args.non_idealities)


def non_idealities(text: str) -> NonIdealities:
    """The setting named by ``--non-idealities`` (``c2c,d2d,nonlinear`` or ``none``)."""
    from spicegen.learn.weak_reset import NonIdealities

    parts = [p.strip() for p in text.split(",") if p.strip()]
    if parts == ["none"]:
        return NonIdealities(False, False, False)
    unknown = [p for p in parts if p not in NAMES]
    if not parts or unknown:
        raise CliError(f"--non-idealities expects some of c2c,d2d,nonlinear or none, got {text!r}")
    return NonIdealities(*(name in parts for name in NAMES))


def weak_reset(
    args: argparse.Namespace, dataset: Dataset, seeds: list[int], hidden: tuple[int, ...]
) -> None:
    """Characterise (or fetch) the weak-RESET table, train the settings, write the results."""
    from spicegen import models
    from spicegen.learn.bnn import BnnConfig
    from spicegen.learn.evaluation import write_metrics
    from spicegen.learn.weak_reset import non_ideality_settings
    from spicegen.learn.weak_reset_study import plot_study, study_metrics, weak_reset_study
    from spicegen.surrogate.rram_weak_reset import WeakResetSpec, characterise_weak_reset
    from spicegen.sweep.progress import Progress

    table = characterise_weak_reset(models.load("rram_hfo2"), WeakResetSpec(devices=args.devices))
    settings = non_ideality_settings() if args.ablation else (non_idealities(args.non_idealities),)
    progress = Progress(len(seeds) * (len(settings) + 2), desc="train bnn", unit="run")
    try:
        study = weak_reset_study(
            dataset,
            table,
            settings,
            seeds,
            BnnConfig(hidden=hidden, epochs=args.epochs),
            progress=progress,
        )
    finally:
        progress.close()
    metrics = study_metrics(study) | {
        "dataset": args.dataset,
        "synapse": "rram",
        "epochs": args.epochs,
        "hidden": list(hidden),
        "characterisation_cached": table.cached,
        "pulse_energy_J": table.pulse_energy,
        "set_energy_J": table.set_energy,
    }
    write_metrics(args.out / "metrics.json", metrics)
    plot_study(metrics, args.out / "accuracy.png", title=f"{args.dataset}: weak-RESET RRAM pairs")
    first = study.settings[0]
    harmful = f"; most harmful: {study.most_harmful()}" if args.ablation else ""
    print(
        f"accuracy {100 * first.accuracy.mean:.2f} ± {100 * first.accuracy.std:.2f} % with "
        f"{first.nonideal.label} (full precision {100 * study.full_precision.mean:.2f} ± "
        f"{100 * study.full_precision.std:.2f} %){harmful}; written to {args.out}"
    )


def domain_wall(
    args: argparse.Namespace, dataset: Dataset, seeds: list[int], hidden: tuple[int, ...]
) -> None:
    """Characterise (or fetch) the wall's landing statistics and train in-situ."""
    from spicegen import models
    from spicegen.learn.approximate_memory import seed_split, train_on_split
    from spicegen.learn.bnn import BnnConfig
    from spicegen.learn.evaluation import summarise, write_metrics
    from spicegen.learn.synapses import DwSteps
    from spicegen.learn.weak_reset_study import plot_accuracies
    from spicegen.surrogate.dw_write import DwWriteSpec, characterise_dw_write
    from spicegen.sweep.progress import Progress

    spec = DwWriteSpec(nlevels=args.levels, sigma_pos=args.position_noise, devices=args.devices)
    walls = characterise_dw_write(models.load("dw_synapse"), spec)
    config = BnnConfig(
        hidden=hidden,
        epochs=args.epochs,
        levels=args.levels,
        margin=DW_MARGIN,
        learning_rate=DW_RATE,
    )
    full_config = BnnConfig(hidden=hidden, epochs=args.epochs, binary=False)
    full, ideal, in_situ, energy = [], [], [], []
    progress = Progress(3 * len(seeds), desc="train bnn", unit="run")
    try:
        for seed in seeds:
            split = seed_split(dataset, seed)
            full.append(train_on_split(split, full_config, None, seed)[1])
            ideal.append(train_on_split(split, config, None, seed)[1])
            result, accuracy = train_on_split(split, config, DwSteps(walls), seed)
            in_situ.append(accuracy)
            energy.append(result.energy)
            progress.update(3, 0)
    finally:
        progress.close()
    samples = seed_split(dataset, seeds[0]).y_train.size * args.epochs
    summary = {
        name: summarise(v) for name, v in (("full", full), ("ideal", ideal), ("dw", in_situ))
    }
    metrics = {
        "accuracy_mean": summary["dw"].mean,
        "accuracy_std": summary["dw"].std,
        "accuracies": list(summary["dw"].values),
        "full_precision": {"mean": summary["full"].mean, "std": summary["full"].std},
        "ideal_levels": {"mean": summary["ideal"].mean, "std": summary["ideal"].std},
        "levels": args.levels,
        "position_noise": args.position_noise,
        "margin": DW_MARGIN,
        "step_energy_J": walls.energy,
        "energy_J": summarise(energy).mean,
        "energy_per_training_sample_J": summarise(energy).mean / samples,
        "landing_offsets": walls.offsets.tolist(),
        "landing_probabilities": walls.probabilities.tolist(),
        "seeds": seeds,
        "dataset": args.dataset,
        "synapse": "dw",
        "epochs": args.epochs,
        "hidden": list(hidden),
        "characterisation_cached": walls.cached,
    }
    write_metrics(args.out / "metrics.json", metrics)
    plot_accuracies(
        [f"{args.levels} levels, ideal", f"{args.levels} levels, in-situ"],
        [summary["ideal"], summary["dw"]],
        summary["full"],
        args.out / "accuracy.png",
        title=f"{args.dataset}: domain-wall synapses",
    )
    print(
        f"accuracy {100 * summary['dw'].mean:.2f} ± {100 * summary['dw'].std:.2f} % in-situ "
        f"with {args.levels} levels (ideal levels {100 * summary['ideal'].mean:.2f} %, full "
        f"precision {100 * summary['full'].mean:.2f} %); written to {args.out}"
    )
