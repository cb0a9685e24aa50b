"""The SPICE engine's results for docs/learn.md: the small network learning the bar patterns.

    python scripts/snn_spice_results.py atlas|vdsp|stdp|tables [--out docs/learn] [--seeds 0,1,2]

``atlas`` runs ``spicegen neuron-atlas``'s atlas for both models into OUT/img/atlas_MODEL.png
and OUT/snn_spice_results.json; ``vdsp``/``stdp`` train the 16-input, 4-neuron network of
NbOx neurons and HfO2 memristor synapses on ``patterns`` (80 samples: 40 to train on, 40
held out, a new draw and split per seed) for one epoch, label it and test it, with k-means
and logistic regression on the same splits; figures into OUT/img/snn_spice_*.png; ``tables``
prints the markdown of the stored results. Every experiment stores its figures as it ends
(a rerun skips what is stored unless --force); ``--max-step`` sets the transient's largest
step (default the network's 2 ns; the figures measured before it was the default used 20 ns,
``--max-step 20e-9``). Long: each presentation is one ngspice
transient of the whole network, a few CPU seconds; hours on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from spicegen import models
from spicegen.learn.atlas_figure import atlas_figure
from spicegen.learn.neuron_atlas import atlas_summary, run_atlas
from spicegen.learn.patterns import patterns
from spicegen.learn.snn import Rule, Stdp, Vdsp
from spicegen.learn.snn_figures import accuracy_figure, learning_curve, raster, receptive_fields
from spicegen.learn.snn_network import SpikingNetworkParams
from spicegen.learn.snn_run import SeedResult, metrics, run_seed
from spicegen.learn.snn_spice import SpiceEngine

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 80
PARAMS = SpikingNetworkParams(inputs=16, neurons=4, image_shape=(4, 4))
RULES: dict[str, Rule] = {"vdsp": Vdsp(lr=0.05), "stdp": Stdp()}


def _store(out: Path, key: str, value: Any) -> None:
    path = out / "snn_spice_results.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored[key] = value
    path.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")


def _stored(out: Path) -> dict[str, Any]:
    path = out / "snn_spice_results.json"
    return json.loads(path.read_text()) if path.exists() else {}


class _Ticker:
    """Prints a line every 20 presentations."""

    def __init__(self, seed: int) -> None:
        self.seed, self.done = seed, 0

    def __call__(self, _: int, __: object) -> None:
        self.done += 1
        if self.done % 20 == 0:
            print(f"  seed {self.seed}: {self.done} presentations", flush=True)


def atlas(out: Path) -> None:
    for model in ("threshold_switch", "nbox"):
        started = time.perf_counter()
        result = run_atlas(models.load(model))
        atlas_figure(result, out / "img" / f"atlas_{model}.png")
        summary = atlas_summary(result)
        summary["seconds"] = time.perf_counter() - started
        _store(out, f"atlas_{model}", summary)
        print(model, summary["behaviours"], f"{summary['seconds']:.0f} s", flush=True)


def train_rule(out: Path, name: str, seeds: list[int], max_step: float) -> None:
    rule = RULES[name]
    params = dataclasses.replace(PARAMS, max_step=max_step)
    neuron, synapse = models.load(PARAMS.neuron_model), models.load(PARAMS.synapse_model)
    results: list[SeedResult] = []
    timings: list[dict[str, float]] = []
    for seed in seeds:
        data = patterns(SAMPLES, seed=seed)
        with SpiceEngine(params, neuron, synapse) as engine:
            result = run_seed(engine, data, rule, seed=seed, on_sample=_Ticker(seed))
            timings.append(engine.timings.as_dict())
            if seed == seeds[0]:
                sample = data.x[0]
                shown = engine.present(sample, result.weights, result.thresholds)
                raster(shown, out / "img" / f"snn_spice_{name}_raster.png",
                       f"one presentation after training ({data.classes[data.y[0]]})")  # fmt: skip
                receptive_fields(
                    result.initial_weights,
                    result.weights,
                    (4, 4),
                    out / "img" / f"snn_spice_{name}_fields.png",
                    [data.classes[k] if k >= 0 else "silent" for k in result.neuron_labels],
                )
        results.append(result)
        print(
            f"{name} seed {seed}: accuracy {result.accuracy:.3f} (k-means {result.kmeans:.3f},"
            f" logistic {result.logistic:.3f}), {result.updates} updates, "
            f"{result.seconds:.0f} s",
            flush=True,
        )
    summary = metrics(results, rule=rule, engine="spice", dataset="patterns", neurons=4)
    summary["timings"] = timings
    summary["network"] = {
        "inputs": 16,
        "neurons": 4,
        "synapse": PARAMS.synapse_model,
        "max_step_s": max_step,
    }
    _store(out, name, summary)
    accuracy_figure(results, out / "img" / f"snn_spice_{name}_accuracy.png",
                    f"{name.upper()} in SPICE, patterns, {len(results)} seeds")  # fmt: skip
    learning_curve(results, out / "img" / f"snn_spice_{name}_learning.png")


def tables(out: Path) -> None:
    stored = _stored(out)
    print("| rule | network | k-means | logistic (supervised) | updates | s per presentation |")
    print("|---|---|---|---|---|---|")
    for name in ("vdsp", "stdp"):
        if name not in stored:
            continue
        m = stored[name]
        print(
            f"| {name.upper()} | {100 * m['accuracy_mean']:.1f} ± {100 * m['accuracy_std']:.1f} % "
            f"| {100 * m['kmeans_accuracy_mean']:.1f} ± {100 * m['kmeans_accuracy_std']:.1f} % "
            f"| {100 * m['logistic_accuracy_mean']:.1f} ± "
            f"{100 * m['logistic_accuracy_std']:.1f} % | {m['updates']} "
            f"| {m['seconds_per_presentation']:.2f} |"
        )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("atlas", "vdsp", "stdp", "tables"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learn")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--max-step", type=float, default=PARAMS.max_step,
                        help="largest step (s; default the network's 2e-9)")  # fmt: skip
    args = parser.parse_args(argv)
    (args.out / "img").mkdir(parents=True, exist_ok=True)
    if args.what != "tables" and not args.force:
        key = args.what if args.what != "atlas" else "atlas_nbox"
        if key in _stored(args.out):
            print(f"{args.what}: stored (use --force to run again)")
            return
    if args.what == "atlas":
        atlas(args.out)
    elif args.what in RULES:
        seeds = [int(s) for s in args.seeds.split(",")]
        train_rule(args.out, args.what, seeds, args.max_step)
    tables(args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
