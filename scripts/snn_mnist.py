"""MNIST-5k with the fast engine (docs/learn.md, issue 13 section 5): settings, protocol, curve.

    python scripts/snn_mnist.py validate [--train 1000] [--val 500] [--lr 0.05] [--alpha 0]
    python scripts/snn_mnist.py protocol --rule vdsp|stdp [--seeds 0 1 2 3 4] [--out DIR]
    python scripts/snn_mnist.py curve [--seed 0] [--out DIR]

The protocol split of each seed is the first of ``stratified_folds(y, 5, seed=seed)``: 4,000
images to train and label with, 1,000 held out. ``validate`` never sees those 1,000: it carves
its validation images from the 4,000 (the first of ``stratified_folds(train labels, 4,
seed=seed)``), trains on the first ``--train`` of the rest and labels with them, and scores
the first ``--val`` validation images; settings are chosen with it. ``protocol`` trains on the
4,000, labels with them and tests on the 1,000, beside k-means and logistic regression on the
same split, and writes ``metrics.json``, ``weights.npz`` and the figures into ``--out``
(``seed<k>.json`` per seed as it finishes, so a stopped run keeps what it had). ``curve``
reads the weight snapshots a protocol run kept (``--checkpoints``) and scores each. One
network: 784 inputs, 100 outputs (``--neurons``), ``rram_hfo2`` synapses, one epoch.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from spicegen import models
from spicegen.learn import stratified_folds, summarise
from spicegen.learn.patterns import spiking_dataset
from spicegen.learn.snn import NetworkState, Rule, Stdp, Vdsp, train
from spicegen.learn.snn_fast_engine import FastSpikingEngine, fast_network_for, training_params
from spicegen.learn.snn_run import SeedResult, evaluate, run_seed

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "docs" / "learn" / "runs"


def _engine(neurons: int) -> FastSpikingEngine:
    network = fast_network_for(
        models.load("threshold_switch"), models.load("rram_hfo2"), 784, neurons
    )
    return FastSpikingEngine(network, training_params(network, image_shape=(28, 28)))


def _rule(args: argparse.Namespace) -> Rule:
    if args.rule == "stdp":
        return Stdp(column_mean=args.column_mean)
    return Vdsp(lr=args.lr, alpha=args.alpha, column_mean=args.column_mean)


def validate(args: argparse.Namespace) -> None:
    """Score one setting on validation images carved from the protocol's training part."""
    data = spiking_dataset("mnist5k")
    fold = stratified_folds(data.y, 5, seed=args.seed)[0]
    inner = stratified_folds(data.y[fold.train], 4, seed=args.seed)[0]
    fit = fold.train[inner.train][: args.train]
    held = fold.train[inner.test][: args.val]
    engine = _engine(args.neurons)
    started = time.perf_counter()
    state = train(engine, data.x[fit], _rule(args), seed=args.seed)
    _, predicted = evaluate(engine, state, (data.x[fit], data.y[fit]), data.x[held], 10)
    accuracy = float(np.mean(predicted == data.y[held]))
    print(
        json.dumps(
            {
                "rule": args.rule,
                "lr": args.lr,
                "alpha": args.alpha,
                "column_mean": args.column_mean,
                "train": int(fit.size),
                "val": int(held.size),
                "seed": args.seed,
                "validation_accuracy": accuracy,
                "silent": float(np.mean(predicted < 0)),
                "updates": state.updates,
                "seconds": round(time.perf_counter() - started, 1),
            }
        ),
        flush=True,
    )


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
    }


def protocol(args: argparse.Namespace) -> None:
    """4,000 / 1,000 per seed; writes the figures and metrics into ``args.out``."""
    from spicegen.learn.snn_figures import raster, receptive_fields

    data = spiking_dataset("mnist5k")
    rule = _rule(args)
    args.out.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        engine = _engine(args.neurons)
        result = run_seed(
            engine, data, rule, seed=seed, folds=5,
            checkpoints=args.checkpoints if seed == args.seeds[0] else (),
        )  # fmt: skip
        (args.out / f"seed{seed}.json").write_text(json.dumps(_seed_summary(result), indent=1))
        print(json.dumps(_seed_summary(result)), flush=True)
        if seed == args.seeds[0]:
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
    _write_metrics(args.out, rule)


def _write_metrics(out: Path, rule: Rule) -> None:
    seeds = [json.loads(p.read_text()) for p in sorted(out.glob("seed*.json"))]
    summary: dict[str, Any] = {"rule": rule.name, "engine": "fast", "dataset": "mnist5k"}
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
    (out / "metrics.json").write_text(json.dumps(summary, indent=1, sort_keys=True))


def curve(args: argparse.Namespace) -> None:
    """Accuracy against training images from a protocol run's snapshots (its first seed):
    each snapshot labelled with ``--label`` of the 4,000 training images and tested on the
    1,000 held out."""
    from spicegen.learn.figure_files import pyplot, save_figure

    data = spiking_dataset("mnist5k")
    fold = stratified_folds(data.y, 5, seed=args.seed)[0]
    label_part = fold.train[: args.label]
    stored = np.load(args.out / "weights.npz")
    points = sorted(int(key[1:]) for key in stored.files if key.startswith("w"))
    engine = _engine(args.neurons)
    rows = []
    for n in [0, *points]:
        weights = stored["initial"] if n == 0 else stored[f"w{n}"]
        thresholds = np.zeros(args.neurons) if n == 0 else stored[f"t{n}"]
        state = NetworkState(weights, thresholds)
        _, predicted = evaluate(
            engine, state, (data.x[label_part], data.y[label_part]), data.x[fold.test], 10
        )
        rows.append((n, float(np.mean(predicted == data.y[fold.test]))))
        print(json.dumps({"training_images": n, "accuracy": rows[-1][1]}), flush=True)
    (args.out / "curve.json").write_text(json.dumps(rows))
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot([r[0] for r in rows], [100 * r[1] for r in rows], "o-")
    ax.set_xlabel("training images")
    ax.set_ylabel(f"test accuracy (%), labelled on {args.label}")
    ax.set_title(f"VDSP, 100 neurons, MNIST-5k, seed {args.seed}")
    ax.grid(alpha=0.3)
    save_figure(figure, args.out / "curve.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("validate", "protocol", "curve"):
        command = sub.add_parser(name)
        command.add_argument("--rule", choices=("vdsp", "stdp"), default="vdsp")
        command.add_argument("--lr", type=float, default=0.05)
        command.add_argument("--alpha", type=float, default=0.0)
        command.add_argument("--column-mean", type=float, default=0.0)
        command.add_argument("--neurons", type=int, default=100)
        command.add_argument("--out", type=Path, default=RUNS / "mnist5k_protocol_vdsp")
    validate_parser = sub.choices["validate"]
    validate_parser.add_argument("--seed", type=int, default=0)
    validate_parser.add_argument("--train", type=int, default=1000)
    validate_parser.add_argument("--val", type=int, default=500)
    sub.choices["protocol"].add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    sub.choices["protocol"].add_argument(
        "--checkpoints", type=int, nargs="*", default=[250, 500, 1000, 2000, 3000, 4000]
    )
    sub.choices["curve"].add_argument("--seed", type=int, default=0)
    sub.choices["curve"].add_argument("--label", type=int, default=1000)
    args = parser.parse_args()
    {"validate": validate, "protocol": protocol, "curve": curve}[args.command](args)


if __name__ == "__main__":
    main()
