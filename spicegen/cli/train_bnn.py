"""``spicegen train bnn``: a binarized network whose weight writes follow SPICE statistics.

``--synapse mram`` writes the bits with MTJ pulses characterised in ngspice in each direction
(``spicegen.surrogate.mram_write``, cached; P -> AP at the same reduced current);
``--synapse ideal`` never fails; ``--synapse rram`` keeps the hidden weights in HfO2 pairs
updated by weak-RESET pulses (``spicegen.surrogate.rram_weak_reset``,
``spicegen.learn.weak_reset``); ``--synapse dw --levels K`` programs K-level domain walls
in-situ (``spicegen.surrogate.dw_write``). Every setting is trained over ``--repeats`` seeds
next to the full-precision and ideal-write baselines on the same splits, and
``DIR/metrics.json`` and a figure are written (``train_bnn_devices`` holds the rram and dw runs).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from spicegen.cli.common import CliError, SubParsers, make_last_directory, output_directory
from spicegen.cli.train_bnn_devices import check_device_options, domain_wall, weak_reset

if TYPE_CHECKING:
    from spicegen.learn.datasets import Dataset
    from spicegen.surrogate.mram_write import MramWrite, MramWriteSpec

IC0 = 45.3e-6  # A, the shipped mtj's mean critical current (the characterisation's mu)
ERRORS = (1e-6, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.2, 0.3, 0.5)  # the sweep; 1e-6 the reference
SYNAPSES = ("ideal", "mram", "dw", "rram")
DEVICES = {"ideal": 200, "mram": 200, "dw": 200, "rram": 32}  # default --devices per synapse


def register(commands: SubParsers) -> None:
    """Add ``bnn`` to the ``spicegen train`` sub-commands."""
    parser = commands.add_parser(
        "bnn",
        help="binarized network with SPICE-characterised synapse writes",
        description="Train a binarized network whose weight writes follow write statistics "
        "characterised in ngspice, next to full-precision and ideal-write baselines.",
    )
    parser.add_argument("--dataset", default="digits", help="digits, mnist5k, or a bundled name")
    parser.add_argument("--synapse", choices=SYNAPSES, default="mram")
    pulse = parser.add_mutually_exclusive_group()
    pulse.add_argument("--pulse-current", type=float, metavar="A", help="write pulse current (A)")
    pulse.add_argument(
        "--energy-sweep", action="store_true",
        help="train with every pulse of write error 1e-6 .. 0.5 at each --sweep-current",
    )  # fmt: skip
    parser.add_argument("--pulse-width", type=float, metavar="S", help="write pulse width (s)")
    parser.add_argument(
        "--sweep-currents", default="2", metavar="I,I",
        help="reduced currents I/ic0 of the energy sweep (default 2)",
    )  # fmt: skip
    parser.add_argument(
        "--devices", type=int,
        help="devices in the Monte Carlo characterisation (MTJs per current, walls, or RRAM "
        "cells; default 200, 200, 32)",
    )  # fmt: skip
    parser.add_argument(
        "--levels", type=int, metavar="K", help="--synapse dw: wall levels K (2..16; paper 2, 3, 5)"
    )
    parser.add_argument(
        "--position-noise", type=float, default=0.1, metavar="F",
        help="--synapse dw: wall position noise, fraction of the track per step (default 0.1)",
    )  # fmt: skip
    parser.add_argument(
        "--non-idealities", default="c2c,d2d,nonlinear", metavar="LIST",
        help="--synapse rram: the non-idealities on, from c2c,d2d,nonlinear, or none",
    )  # fmt: skip
    parser.add_argument(
        "--ablation", action="store_true",
        help="--synapse rram: train every setting (none, each alone, all, all but each)",
    )  # fmt: skip
    parser.add_argument(
        "--metaplastic", type=float, metavar="M",
        help="train task A then task B with f_meta = 1 - tanh^2(M W_h), next to M = 0",
    )  # fmt: skip
    parser.add_argument(
        "--tasks", choices=("permuted", "split"), default="permuted",
        help="--metaplastic task pair: permuted (B is A with its pixels permuted) or split "
        "(A the first half of the classes, B the rest)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="first training seed")
    parser.add_argument("--repeats", type=int, default=3, help="seeds S, S+1, ... (default 3)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--hidden", default="256", metavar="N,N", help="hidden layer widths")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Train, write ``DIR/metrics.json`` and the figure, and print the headline."""
    from spicegen.cli.common import integers, numbers

    hidden = tuple(integers(args.hidden, "--hidden"))
    if args.devices is None:
        args.devices = DEVICES[args.synapse]
    if args.devices < 10:
        raise CliError(f"--devices must be >= 10, got {args.devices}")
    if args.repeats < 1 or args.epochs < 1:
        raise CliError(f"--repeats and --epochs must be >= 1, got {args.repeats}/{args.epochs}")
    check_device_options(args)
    if args.metaplastic is not None:
        if args.synapse != "ideal" or args.energy_sweep or args.pulse_current is not None:
            raise CliError("--metaplastic trains with ideal writes: use --synapse ideal")
        if not args.metaplastic > 0:
            raise CliError(f"--metaplastic must be > 0, got {args.metaplastic}")
    if args.synapse != "mram" and (args.energy_sweep or args.pulse_current is not None):
        raise CliError("--pulse-current/--energy-sweep need --synapse mram")
    if args.synapse == "mram" and not args.energy_sweep:
        if args.pulse_current is None or args.pulse_width is None:
            raise CliError(
                "--synapse mram needs --pulse-current A --pulse-width S, or --energy-sweep"
            )
        if not (args.pulse_current > IC0 and 0 < args.pulse_width <= 100e-9):
            raise CliError(
                f"--pulse-current must exceed ic0 = {IC0:g} A and --pulse-width lie in "
                f"(0, 100e-9] s, got {args.pulse_current:g} A, {args.pulse_width:g} s"
            )
    sweep_currents = numbers(args.sweep_currents, "--sweep-currents")
    if args.energy_sweep and min(sweep_currents) <= 1:
        raise CliError(f"--sweep-currents must be > 1 (I/ic0), got {args.sweep_currents}")
    output_directory(args.out, "--out")
    make_last_directory(args.out, "--out")

    from spicegen.learn.approximate_memory import (
        energy_sweep,
        plot_energy_sweep,
        pulses_for_errors,
        sweep_metrics,
    )
    from spicegen.learn.bnn import BnnConfig
    from spicegen.learn.datasets import load_dataset
    from spicegen.learn.evaluation import write_metrics
    from spicegen.learn.synapses import IdealWrite, MramPulse, mram_pulse
    from spicegen.surrogate.mram_write import MramWriteSpec
    from spicegen.sweep.progress import Progress

    dataset = load_dataset(args.dataset)
    seeds = list(range(args.seed, args.seed + args.repeats))
    if args.metaplastic is not None:
        _metaplastic(args, dataset, seeds, hidden)
        return
    if args.synapse == "rram":
        weak_reset(args, dataset, seeds, hidden)
        return
    if args.synapse == "dw":
        domain_wall(args, dataset, seeds, hidden)
        return
    pulses: list[MramPulse | IdealWrite]
    cached = True
    if args.synapse == "ideal":
        pulses = [IdealWrite()]
    elif args.energy_sweep:
        currents = [i * IC0 for i in sweep_currents]
        spec = MramWriteSpec(devices=args.devices)
        if not set(sweep_currents) <= set(spec.currents):
            spec = MramWriteSpec(currents=tuple(sweep_currents), devices=args.devices)
        mram, to_ap, cached = _both_directions(spec)
        pulses = list(pulses_for_errors(mram, currents, ERRORS, to_ap))
    else:
        width = max(30e-9, args.pulse_width)
        spec = MramWriteSpec(
            currents=(args.pulse_current / IC0,), width=width, devices=args.devices
        )
        mram, to_ap, cached = _both_directions(spec)
        pulses = [mram_pulse(mram, float(mram.currents[0]), args.pulse_width, to_ap)]
    progress = Progress(len(seeds) * (len(pulses) + 2), desc="train bnn", unit="run")
    try:
        sweep = energy_sweep(
            dataset, pulses, seeds, BnnConfig(hidden=hidden, epochs=args.epochs), progress=progress
        )
    finally:
        progress.close()
    metrics = sweep_metrics(sweep) | {
        "dataset": args.dataset,
        "synapse": args.synapse,
        "epochs": args.epochs,
        "hidden": list(hidden),
        "characterisation_cached": cached,
    }
    write_metrics(args.out / "metrics.json", metrics)
    plot_energy_sweep({args.dataset: metrics}, args.out / "accuracy_energy.png")
    print(
        f"accuracy {100 * sweep.points[0].accuracy.mean:.2f} ± "
        f"{100 * sweep.points[0].accuracy.std:.2f} % (full precision "
        f"{100 * sweep.full_precision.mean:.2f} ± {100 * sweep.full_precision.std:.2f} %); "
        f"energy saved at <= 1 pt lost: {100 * float(metrics['energy_saved_at_1pct_loss']):.1f} %; "  # type: ignore[arg-type]
        f"written to {args.out}"
    )


def _both_directions(spec: MramWriteSpec) -> tuple[MramWrite, MramWrite, bool]:
    """The AP -> P characterisation of ``spec``, the P -> AP one at the same reduced currents
    (writes to -1 cost more: their critical current is ic_ratio times higher), and whether
    both came from the cache."""
    from dataclasses import replace

    from spicegen import models
    from spicegen.surrogate.mram_write import characterise_mram_write

    mtj = models.load("mtj")
    to_p = characterise_mram_write(mtj, spec)
    to_ap = characterise_mram_write(mtj, replace(spec, direction="p_to_ap"))
    return to_p, to_ap, to_p.cached and to_ap.cached


def _metaplastic(
    args: argparse.Namespace, dataset: Dataset, seeds: list[int], hidden: tuple[int, ...]
) -> None:
    """Task A then task B (``--tasks``) with m = M and m = 0; metrics.json and task_a.png."""
    from spicegen.learn.evaluation import write_metrics
    from spicegen.learn.metaplastic import plot_sequential, sequential_tasks
    from spicegen.sweep.progress import Progress

    progress = Progress(2, desc="train bnn", unit="m")
    results = []
    try:
        for m in (args.metaplastic, 0.0):
            results.append(
                sequential_tasks(
                    dataset, m, seeds, epochs=args.epochs, hidden=hidden, tasks=args.tasks
                )
            )
            progress.update(1, 0)
    finally:
        progress.close()
    meta, plain = results
    metrics = {
        "accuracy_mean": meta.task_a_during_b[-1].mean,  # task A at the end of task B
        "accuracy_std": meta.task_a_during_b[-1].std,
        "dataset": args.dataset,
        "tasks": args.tasks,
        "seeds": seeds,
        "epochs": args.epochs,
        "hidden": list(hidden),
        "curves": {
            str(r.m): {
                "task_a_during_b": [s.mean for s in r.task_a_during_b],
                "task_a_during_b_std": [s.std for s in r.task_a_during_b],
                "task_b": r.task_b.mean,
                "task_b_std": r.task_b.std,
            }
            for r in results
        },
    }
    write_metrics(args.out / "metrics.json", metrics)
    plot_sequential(results, args.out / "task_a.png", title=args.dataset)
    print(
        f"task A after task B: {100 * meta.task_a_during_b[-1].mean:.2f} ± "
        f"{100 * meta.task_a_during_b[-1].std:.2f} % with m = {args.metaplastic:g}, "
        f"{100 * plain.task_a_during_b[-1].mean:.2f} ± {100 * plain.task_a_during_b[-1].std:.2f} % "
        f"without; written to {args.out}"
    )
