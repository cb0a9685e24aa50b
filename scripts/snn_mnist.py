"""MNIST-5k with the fast engine (docs/learn.md, issue 13 section 5): settings, protocol, curve.

    python scripts/snn_mnist.py validate [--train 1000] [--val 500] [--lr 0.05] [--alpha 0]
    python scripts/snn_mnist.py diagnose [--train 1000] [--val 500] [--out DIR]  # who wins
    python scripts/snn_mnist.py protocol --rule vdsp|stdp [--seeds 0 1 2 3 4] [--out DIR]
    python scripts/snn_mnist.py curve [--seed 0] [--out DIR]
    python scripts/snn_mnist.py figures [--engine fast] --out DIR  # redraw from weights.npz

The protocol split of each seed is the first of ``stratified_folds(y, 5, seed=seed)``: 4,000
images to train and label with, 1,000 held out. ``validate`` never sees those 1,000: it carves
its validation images from the 4,000 (the first of ``stratified_folds(train labels, 4,
seed=seed)``), trains on the first ``--train`` of the rest and labels with them, and scores
the first ``--val`` validation images; settings are chosen with it. ``protocol`` trains on the
4,000, labels with them and tests on the 1,000, beside k-means and logistic regression on the
same split, and writes ``metrics.json``, ``weights.npz`` and the figures into ``--out``
(``seed<k>.json`` per seed as it finishes, so a stopped run keeps what it had). ``curve``
reads the weight snapshots a protocol run kept (``--checkpoints``) and scores each;
``figures`` redraws the fields and the raster from the kept weights. One
network: 784 inputs, 100 outputs (``--neurons``), ``rram_hfo2`` synapses, one epoch.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from spicegen import models
from spicegen.learn import stratified_folds, summarise
from spicegen.learn.patterns import spiking_dataset
from spicegen.learn.snn import NetworkState, Rule, Stdp, Vdsp, train
from spicegen.learn.snn_fast_engine import FastSpikingEngine, fast_network_for, training_params
from spicegen.learn.snn_fast_network import FastNetworkEngine, characterise_network
from spicegen.learn.snn_network import MNIST_SYNAPSE_GAIN_784, Engine, SpikingNetworkParams
from spicegen.learn.snn_run import SeedResult, balanced_prefix, evaluate, run_seed

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "docs" / "learn" / "runs"


SYNAPSE_GAIN_784 = MNIST_SYNAPSE_GAIN_784  # --engine fast's default crossbar gain


def _engine(args: argparse.Namespace) -> Engine:
    if args.engine == "fast":
        return _vouched_engine(args)
    network = fast_network_for(
        models.load("threshold_switch"), models.load("rram_hfo2"), 784, args.neurons
    )
    if args.input_phases:  # inputs start at random points of their first charge
        network = replace(network, input_phases=args.input_phases, phase_seed=args.seed_phase)
    if args.drive_scale != 1.0:  # the crossbar drivers' gain (A/A), scaled
        network = replace(network, column_gain=network.column_gain * args.drive_scale)
    view = training_params(
        network,
        image_shape=(28, 28),
        adaptation_increment=args.adaptation_increment,
        adaptation_tau=args.adaptation_tau,
    )
    return FastSpikingEngine(network, view)


def _vouched_engine(args: argparse.Namespace) -> FastNetworkEngine:
    """The engine of the SPICE engine's own netlist at 784 x ``--neurons``, every crossbar
    cell characterised in ngspice (about 2 min the first time, then cached)."""
    if args.input_phases:
        raise SystemExit("snn_mnist.py: --input-phases applies to --engine fast-circuit only")
    params = SpikingNetworkParams(
        inputs=784,
        neurons=args.neurons,
        image_shape=(28, 28),
        synapse_gain=args.synapse_gain * args.drive_scale,
        adaptation_increment=args.adaptation_increment,
        adaptation_tau=args.adaptation_tau,
    )
    neuron, synapse = models.load(params.neuron_model), models.load(params.synapse_model)
    return FastNetworkEngine(params, characterise_network(params, neuron, synapse))


def _rule(args: argparse.Namespace) -> Rule:
    if args.rule == "stdp":
        return Stdp(column_mean=args.column_mean)
    return Vdsp(lr=args.lr, alpha=args.alpha, column_mean=args.column_mean)


def balanced(indices: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``indices`` reordered so that every prefix is balanced over the classes: the first of
    each class, then the second of each, and so on (the dataset is sorted by digit)."""
    return np.asarray(indices[balanced_prefix(labels[indices], indices.size)])


def validate(args: argparse.Namespace) -> None:
    """Score one setting on validation images carved from the protocol's training part."""
    data = spiking_dataset("mnist5k")
    fold = stratified_folds(data.y, 5, seed=args.seed)[0]
    inner = stratified_folds(data.y[fold.train], 4, seed=args.seed)[0]
    fit = balanced(fold.train[inner.train], data.y)[: args.train]
    held = balanced(fold.train[inner.test], data.y)[: args.val]
    engine = _engine(args)
    started = time.perf_counter()
    wins = np.zeros(args.neurons, dtype=np.int64)

    def won(_: int, result: Any) -> None:
        first = [(t[0], j) for j, t in enumerate(result.output_spikes) if t.size]
        if first:
            wins[min(first)[1]] += 1

    state = train(
        engine, data.x[fit], _rule(args), seed=args.seed, epochs=args.epochs, on_sample=won
    )
    marked = fit[: args.label or fit.size]  # fit is class-balanced: so is every prefix
    labels, predicted = evaluate(engine, state, (data.x[marked], data.y[marked]), data.x[held], 10)
    accuracy = float(np.mean(predicted == data.y[held]))
    print(
        json.dumps(
            {
                "rule": args.rule,
                "lr": args.lr,
                "alpha": args.alpha,
                "column_mean": args.column_mean,
                "adaptation": [args.adaptation_increment, args.adaptation_tau],
                "train": int(fit.size),
                "epochs": args.epochs,
                "input_phases": args.input_phases,
                "drive_scale": args.drive_scale,
                "engine": args.engine,
                "synapse_gain": args.synapse_gain if args.engine == "fast" else None,
                "val": int(held.size),
                "seed": args.seed,
                "validation_accuracy": accuracy,
                "silent": float(np.mean(predicted < 0)),
                "never_won_training": int(np.sum(wins == 0)),
                "never_answered_labelling": int(np.sum(labels < 0)),
                "threshold_shift_mean_v": float(state.thresholds.mean()),
                "threshold_shift_max_v": float(state.thresholds.max()),
                "updates": state.updates,
                "seconds": round(time.perf_counter() - started, 1),
            }
        ),
        flush=True,
    )


def diagnose(args: argparse.Namespace) -> None:
    """Why some neurons never win, on the validation run's images. During training: the
    first spiker (the winner) of every image, the distinct neurons that spike, and every
    threshold (the loop's own ``adapt`` replayed on each presentation's counts). After it:
    each neuron's first-spike latency on the validation images with the inhibition off (who
    would cross first, and by how much), on its own best digit and against the winner; and
    the labelling's silent neurons. Writes ``diagnose.json`` and ``diagnose.png`` to ``--out``."""

    from spicegen.learn.snn_fast import FastEngine

    if args.engine != "fast-circuit":
        raise SystemExit("snn_mnist.py: diagnose reads the fast-circuit engine's internals")
    data = spiking_dataset("mnist5k")
    fold = stratified_folds(data.y, 5, seed=args.seed)[0]
    inner = stratified_folds(data.y[fold.train], 4, seed=args.seed)[0]
    fit = balanced(fold.train[inner.train], data.y)[: args.train]
    held = balanced(fold.train[inner.test], data.y)[: args.val]
    engine = _engine(args)
    params = engine.params
    winners: list[int] = []
    distinct: list[int] = []
    theta = [np.zeros(args.neurons)]

    def seen(_: int, result: Any) -> None:
        first = [(t[0], j) for j, t in enumerate(result.output_spikes) if t.size]
        winners.append(min(first)[1] if first else -1)
        distinct.append(len(first))
        theta.append(params.adapt(theta[-1], result.counts))

    state = train(engine, data.x[fit], _rule(args), seed=args.seed, on_sample=seen)
    marked = fit[: args.label or fit.size]  # fit is class-balanced: so is every prefix
    labels, predicted = evaluate(engine, state, (data.x[marked], data.y[marked]), data.x[held], 10)
    assert isinstance(engine, FastSpikingEngine)  # --engine fast-circuit, checked above
    free = FastEngine(replace(engine.network, inhibition=0.0))
    latency = np.full((held.size, args.neurons), np.inf)
    for row, index in enumerate(held):
        shown = free.present(data.x[index], state.weights, state.thresholds)
        for j in range(args.neurons):
            times = shown.spike_times[shown.spike_neurons == j]
            if times.size:
                latency[row, j] = times[0]
    wins = np.bincount(np.array([w for w in winners if w >= 0], dtype=np.int64),
                       minlength=args.neurons)  # fmt: skip
    history = np.array(theta)
    y = data.y[held]
    # each neuron's best digit: the class it crosses soonest on (mean latency, silent = end)
    capped = np.where(np.isfinite(latency), latency, engine.network.duration)
    first = capped.min(axis=1)  # the winner's latency, image by image
    by_class = np.array([capped[y == k].mean(axis=0) for k in range(10)])
    best = by_class.argmin(axis=0)
    own = np.array([capped[y == best[j], j].mean() for j in range(args.neurons)])
    winner_own = np.array([first[y == best[j]].mean() for j in range(args.neurons)])
    lost = np.where(np.isfinite(latency), latency - first[:, None], np.inf).min(axis=0)
    late = np.bincount([w for w in winners[fit.size // 2 :] if w >= 0], minlength=args.neurons)
    never = late == 0  # lost every image of the second half of training
    report = {
        "settings": _settings(args),
        "images": int(fit.size),
        "labelling_images": int(marked.size),
        "validation_accuracy": float(np.mean(predicted == y)),
        "never_won_training": int(never.sum()),
        "never_won_second_half": int(never.sum()),
        "never_answered_labelling": int(np.sum(labels < 0)),
        "top10_share_of_wins": float(np.sort(wins)[-10:].sum() / max(wins.sum(), 1)),
        "distinct_neurons_per_image": float(np.mean(distinct)),
        "threshold_shift_mean_v": float(history[-1].mean()),
        "threshold_shift_max_v": float(history.max()),
        "threshold_shift_mean_over_training_v": float(history[1:].mean()),
        "winner_latency_s": float(first.mean()),
        "validation_images_no_neuron_crosses": int(np.sum(np.isinf(latency).all(axis=1))),
        "own_digit_latency_minus_winner_s_never_won": float(
            np.mean(own[never] - winner_own[never])) if never.any() else None,
        "own_digit_latency_minus_winner_s_won": float(np.mean(own[~never] - winner_own[~never])),
        "closest_loss_s_never_won_median": float(np.median(lost[never])) if never.any() else None,
        "weight_mean": float(state.weights.mean()),
        "weights_below_0.05": float(np.mean(state.weights < 0.05)),
    }  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "diagnose.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report), flush=True)
    _diagnose_figure(args.out / "diagnose.png", late, history, own, winner_own, never, report)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "rule": args.rule,
        "lr": args.lr,
        "alpha": args.alpha,
        "adaptation_increment_v": args.adaptation_increment,
        "adaptation_tau_s": args.adaptation_tau,
        "seed": args.seed,
    }


def _diagnose_figure(
    path: Path,
    wins: np.ndarray,
    history: np.ndarray,
    own: np.ndarray,
    winner_own: np.ndarray,
    never: np.ndarray,
    report: dict[str, Any],
) -> None:
    from spicegen.learn.figure_files import pyplot, save_figure

    plt = pyplot()
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 3.6))
    left.bar(np.arange(wins.size), np.sort(wins)[::-1], color="tab:blue")
    left.set_xlabel("neuron (by wins)")
    left.set_ylabel("images won, second half of training")
    left.set_title(f"{report['never_won_second_half']} of {wins.size} never win")
    steps = np.arange(history.shape[0])
    middle.plot(steps, 1e3 * history.mean(axis=1), label="mean")
    middle.plot(steps, 1e3 * history.max(axis=1), label="max")
    middle.set_xlabel("training images")
    middle.set_ylabel("threshold shift (mV)")
    middle.set_title("thresholds over training")
    middle.legend(fontsize=8)
    right.scatter(1e6 * winner_own[~never], 1e6 * own[~never], s=9, label="won")
    right.scatter(1e6 * winner_own[never], 1e6 * own[never], s=9, label="never won (2nd half)")
    low, high = 1e6 * winner_own.min(), 1e6 * own.max()
    right.plot([low, high], [low, high], "k:", lw=0.8)
    right.set_xlabel("winner's first spike on that digit (us)")
    right.set_ylabel("neuron's first spike, own best digit (us)")
    right.set_title("no inhibition, validation images")
    right.legend(fontsize=8)
    figure.suptitle(
        f"increment {1e3 * report['settings']['adaptation_increment_v']:g} mV, "
        f"tau {1e3 * report['settings']['adaptation_tau_s']:g} ms; "
        f"validation {100 * report['validation_accuracy']:.1f} %", fontsize=9)  # fmt: skip
    save_figure(figure, path, tight=True)


def _seed_summary(result: SeedResult) -> dict[str, Any]:
    return {
        "seed": result.seed,
        "accuracy": result.accuracy,
        "silent": result.silent,
        "kmeans": result.kmeans,
        "logistic": result.logistic,
        "updates": result.updates,
        "presentations": result.presentations,
        "seconds": result.seconds,
        "train_images": len(result.history),
        "train_seconds": result.train_seconds,
        "load_average_1min": os.getloadavg()[0],  # at the end of the seed: the machine is shared
    }


def protocol(args: argparse.Namespace) -> None:
    """4,000 / 1,000 per seed; writes the figures and metrics into ``args.out``."""
    from spicegen.learn.snn_figures import raster, receptive_fields

    data = spiking_dataset("mnist5k", samples=args.limit)  # --limit: a quick check only
    rule = _rule(args)
    args.out.mkdir(parents=True, exist_ok=True)
    # the seed whose weights, checkpoints and figures are kept (seeds may run one per call)
    figures = args.seeds[0] if args.figure_seed is None else args.figure_seed
    for seed in args.seeds:
        engine = _engine(args)
        result = run_seed(
            engine, data, rule, seed=seed, folds=5, epochs=args.epochs,
            checkpoints=args.checkpoints if seed == figures else (),
            labelling=args.labelling,
        )  # fmt: skip
        (args.out / f"seed{seed}.json").write_text(json.dumps(_seed_summary(result), indent=1))
        print(json.dumps(_seed_summary(result)), flush=True)
        _write_metrics(args, rule)  # after every seed: a stopped run keeps its summary
        if seed == figures:
            snapshots = {f"w{n}": w for n, w, _ in result.snapshots}
            snapshots.update({f"t{n}": t for n, _, t in result.snapshots})
            np.savez_compressed(
                args.out / "weights.npz", initial=result.initial_weights,
                final=result.weights, thresholds=result.thresholds,
                neuron_labels=result.neuron_labels, **snapshots,
            )  # fmt: skip
            names = [data.classes[k] if k >= 0 else "silent" for k in result.neuron_labels]
            receptive_fields(
                result.initial_weights, result.weights, (28, 28), args.out / "fields.png", names
            )
            shown = engine.present(data.x[0], result.weights, result.thresholds)
            raster(shown, args.out / "raster.png", f"after training: {data.classes[data.y[0]]}")


def figures(args: argparse.Namespace) -> None:
    """Redraw ``fields.png`` and ``raster.png`` from ``args.out/weights.npz`` (no training)."""
    from spicegen.learn.snn_figures import raster, receptive_fields

    stored = args.out / "weights.npz"
    if not stored.is_file():
        raise SystemExit(f"snn_mnist.py figures: no {stored} (a protocol run writes it)")
    kept = np.load(stored)
    data = spiking_dataset("mnist5k")
    names = [data.classes[k] if k >= 0 else "silent" for k in kept["neuron_labels"]]
    receptive_fields(kept["initial"], kept["final"], (28, 28), args.out / "fields.png", names)
    with _engine(args) as engine:  # the engine the weights were trained on (--engine)
        shown = engine.present(data.x[0], kept["final"], kept["thresholds"])
    raster(shown, args.out / "raster.png", f"after training: {data.classes[data.y[0]]}")
    print(f"written to {args.out}: fields.png, raster.png")


def _write_metrics(args: argparse.Namespace, rule: Rule) -> None:
    out = args.out
    seeds = [json.loads(p.read_text()) for p in sorted(out.glob("seed*.json"))]
    summary: dict[str, Any] = {"rule": rule.name, "engine": args.engine, "dataset": "mnist5k"}
    summary["settings"] = {
        "rule": repr(rule),
        "neurons": args.neurons,
        "labelling_images": args.labelling,
        "epochs": args.epochs,
        "adaptation_increment_v": args.adaptation_increment,
        "adaptation_tau_s": args.adaptation_tau,
        **({"synapse_gain": args.synapse_gain * args.drive_scale} if args.engine == "fast" else {}),
    }
    summary["split"] = "first of 5 stratified folds per seed: 4,000 train, 1,000 test"
    summary["seeds"] = [s["seed"] for s in seeds]
    for key in ("accuracy", "kmeans", "logistic"):
        values = summarise([s[key] for s in seeds])
        summary[f"{key}_mean"], summary[f"{key}_std"] = values.mean, values.std
        summary[f"{key}_per_seed"] = list(values.values)
    summary["updates"] = int(np.mean([s["updates"] for s in seeds]))
    summary["updates_per_seed"] = [s["updates"] for s in seeds]
    summary["seconds_per_presentation"] = sum(s["seconds"] for s in seeds) / sum(
        s["presentations"] for s in seeds
    )
    trained = [s for s in seeds if s.get("train_seconds")]
    if trained:  # one epoch's speed, from the runs' own timing of training alone
        summary["train_images_per_second"] = sum(s["train_images"] for s in trained) / sum(
            s["train_seconds"] for s in trained
        )
        summary["load_average_1min_per_seed"] = [s["load_average_1min"] for s in trained]
    (out / "metrics.json").write_text(json.dumps(summary, indent=1, sort_keys=True))


def curve(args: argparse.Namespace) -> None:
    """Accuracy against training images from a protocol run's snapshots (its first seed):
    each snapshot labelled with ``--label`` of the 4,000 training images and tested on the
    1,000 held out."""
    from spicegen.learn.figure_files import pyplot, save_figure

    data = spiking_dataset("mnist5k")
    fold = stratified_folds(data.y, 5, seed=args.seed)[0]
    label_part = balanced(fold.train, data.y)[: args.label]
    test_part = balanced(fold.test, data.y)[: args.test]
    stored = np.load(args.out / "weights.npz")
    points = sorted(int(key[1:]) for key in stored.files if key.startswith("w"))
    engine = _engine(args)
    rows = []
    states = [(n, NetworkState(stored[f"w{n}"], stored[f"t{n}"])) for n in points]
    trained = int(fold.train.size)  # the end of the epoch: the weights the run finished with
    states.append((trained, NetworkState(stored["final"], stored["thresholds"])))
    for n, state in states:
        _, predicted = evaluate(
            engine, state, (data.x[label_part], data.y[label_part]), data.x[test_part], 10
        )
        rows.append((n, float(np.mean(predicted == data.y[test_part]))))
        print(json.dumps({"training_images": n, "accuracy": rows[-1][1]}), flush=True)
    (args.out / "curve.json").write_text(json.dumps(rows))
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot([r[0] for r in rows], [100 * r[1] for r in rows], "o-")
    ax.set_xlabel("training images")
    ax.set_ylabel(f"accuracy on {test_part.size} test images (%)")
    ax.text(0.98, 0.04, f"labelled with {label_part.size} training images", ha="right",
            transform=ax.transAxes, fontsize=8)  # fmt: skip
    ax.set_title(f"VDSP, 100 neurons, MNIST-5k, seed {args.seed}")
    ax.grid(alpha=0.3)
    save_figure(figure, args.out / "curve.png")


def _count(least: int) -> Any:
    """An argparse type: an integer >= ``least``, else a one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"expected an integer >= {least}, not {text!r}")
        return value

    return parse


def _positive(text: str) -> float:
    """An argparse type: a finite number > 0, else a one-line usage error."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, not {text!r}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("validate", "diagnose", "protocol", "curve", "figures"):
        command = sub.add_parser(name)
        command.add_argument("--rule", choices=("vdsp", "stdp"), default="vdsp")
        command.add_argument("--lr", type=float, default=0.05)
        command.add_argument("--alpha", type=float, default=0.0)
        command.add_argument("--column-mean", type=float, default=0.0)
        command.add_argument("--adaptation-increment", type=float, default=0.005, metavar="V")
        command.add_argument("--adaptation-tau", type=float, default=50e-3, metavar="S")
        command.add_argument("--neurons", type=int, default=100)
        command.add_argument(
            "--epochs", type=_count(1), default=1, help="passes over the training images"
        )
        command.add_argument(
            "--input-phases", type=_count(0), default=0, metavar="K", help="0: start at rest"
        )
        command.add_argument("--seed-phase", type=_count(0), default=0, help="phases' seed")
        command.add_argument(
            "--drive-scale", type=_positive, default=1.0, help="scales the column drivers' gain"
        )
        command.add_argument(
            "--engine", choices=("fast-circuit", "fast"), default="fast-circuit",
            help="fast-circuit: the numpy engine of its own circuit (the figures so far); "
            "fast: the SPICE engine's netlist from ngspice characterisations of every cell",
        )  # fmt: skip
        command.add_argument(
            "--synapse-gain", type=_positive, default=SYNAPSE_GAIN_784,
            help=f"--engine fast: the crossbar's gain, A/A (default {SYNAPSE_GAIN_784})",
        )  # fmt: skip
        command.add_argument("--out", type=Path, default=RUNS / "mnist5k_protocol_vdsp")
    for name in ("validate", "diagnose"):
        sub.choices[name].add_argument("--seed", type=int, default=0)
        sub.choices[name].add_argument("--train", type=int, default=1000)
        sub.choices[name].add_argument("--val", type=int, default=500)
        sub.choices[name].add_argument(
            "--label", type=int, default=None, help="label with the first N training images"
        )
    sub.choices["protocol"].add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    sub.choices["protocol"].add_argument("--limit", type=int, default=None, help="images")
    sub.choices["protocol"].add_argument(
        "--labelling", type=int, default=None, help="label with this many training images"
    )
    sub.choices["protocol"].add_argument(
        "--checkpoints", type=int, nargs="*", default=[500, 1000, 2000]
    )
    sub.choices["protocol"].add_argument(
        "--figure-seed", type=int, default=None, help="keep weights and figures of this seed"
    )
    sub.choices["curve"].add_argument("--seed", type=int, default=0)
    sub.choices["curve"].add_argument("--label", type=int, default=1000)
    sub.choices["curve"].add_argument("--test", type=int, default=1000)
    args = parser.parse_args()
    commands = {
        "validate": validate, "diagnose": diagnose, "protocol": protocol, "curve": curve,
        "figures": figures,
    }  # fmt: skip
    commands[args.command](args)


if __name__ == "__main__":
    main()
