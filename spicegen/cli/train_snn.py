"""``spicegen train vdsp|stdp``: unsupervised training of a spiking network of NbOx neurons and
memristive synapses, labelled and tested on held-out samples over seeds.

Writes into ``--out``: ``metrics.json`` (``accuracy_mean``, ``accuracy_std`` as fractions over
seeds, the k-means and logistic-regression baselines on the same splits, ``updates``,
``engine``, ``dataset``, ``seconds``, seconds and energy per presentation), ``fields.png``
(receptive fields before and after, first seed; its weights in ``weights.npz``),
``accuracy.png``, ``learning.png`` (spikes and updates per training sample) and
``raster.png`` (one presentation after training).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from spicegen.cli.common import (
    OUTPUT_DIRECTORY_RULE,
    CliError,
    SubParsers,
    integers,
    make_last_directory,
    non_negative_int,
)

ENGINES = ("spice", "fast", "fast-circuit")
# threshold adaptation (V per output spike, decay s) when not given: mnist5k's was chosen on
# its validation images (docs/learn.md: 5 mV over 50 ms, ~950 presentations, keeps a third of
# the neurons from falling silent); the small tasks keep SpikingNetworkParams' 20 mV, 200 us
ADAPTATION = {"mnist5k": (5e-3, 50e-3)}


def register(methods: SubParsers) -> None:
    """Add ``vdsp`` and ``stdp`` to the ``spicegen train`` methods."""
    for name, text in (
        ("vdsp", "voltage-dependent synaptic plasticity (arXiv 2203.11022)"),
        ("stdp", "pair-based spike-timing-dependent plasticity, the baseline rule"),
    ):
        parser = methods.add_parser(
            name,
            help=f"spiking network, {text}",
            description=f"Train a spiking network of NbOx neurons and memristive synapses "
            f"with {text}, unsupervised; label its neurons on the training half and test on "
            "the held-out half of a stratified split per seed (physics.md 3.2), beside "
            "k-means and logistic regression on the same splits.",
        )
        _arguments(parser, name)
        parser.set_defaults(handler=handle, rule_name=name)


def _arguments(parser: argparse.ArgumentParser, rule: str) -> None:
    parser.add_argument("--dataset", default="patterns",
                        help="patterns (4x4 bars, default), digits or mnist5k")  # fmt: skip
    parser.add_argument("--neurons", type=int, default=4, help="output neurons (default 4)")
    parser.add_argument("--engine", choices=ENGINES, default="spice",
                        help="spice: an ngspice transient per presentation (default); fast: "
                        "the same netlist in numpy from ngspice characterisations of its "
                        "devices (every crossbar cell), checked spike for spike against "
                        "spice on the small network; fast-circuit: the older numpy engine "
                        "of its own circuit (not the spice netlist)")  # fmt: skip
    parser.add_argument("--epochs", type=int, default=1, help="epochs (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="first training seed (default 0)")
    parser.add_argument("--seeds", type=int, default=1,
                        help="seeds to run, from --seed on (default 1)")  # fmt: skip
    parser.add_argument("--folds", type=int, default=2, metavar="K",
                        help="test on the first of K stratified folds, train on the rest "
                        "(default 2: halves; 5: mnist5k's 4,000 / 1,000)")  # fmt: skip
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help=f"directory for the results; {OUTPUT_DIRECTORY_RULE}")  # fmt: skip
    parser.add_argument("--samples", type=int, default=None,
                        help="samples to use, balanced over classes (patterns: 80)")  # fmt: skip
    parser.add_argument("--image-size", type=int, default=None, metavar="S",
                        help="downsample images to S x S pixels (block averages)")  # fmt: skip
    parser.add_argument("--classes", default=None,
                        help="comma-separated class labels to keep (digits, mnist5k)")  # fmt: skip
    parser.add_argument("--synapse", choices=("rram_hfo2", "resistor"), default="rram_hfo2",
                        help="crossbar device: the compiled HfO2 memristor (default) or an "
                        "ideal conductance")  # fmt: skip
    parser.add_argument("--presentation", type=float, default=None, metavar="SECONDS",
                        help="time per sample (spice and fast 20e-6 s, fast-circuit "
                        "52.5e-6 s)")  # fmt: skip
    parser.add_argument("--max-step", type=float, default=None, metavar="SECONDS",
                        help="spice: the transient's largest step (default 2e-9 s, the "
                        "coarsest that matched ngspice at 1 ns; 20e-9 is 4x faster, its "
                        "spike times not converged)")  # fmt: skip
    parser.add_argument("--synapse-gain", type=float, default=None, metavar="A/A",
                        help="spice and fast: the crossbar's gain, column current into the "
                        "output membranes (default 60, set for 16 inputs; mnist5k "
                        "3.0 x 784 / inputs)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="spice: the bound on one presentation's transient (default 600 s "
                        "for 20 us at a 20 ns step on 64 synapses, scaled with the steps and "
                        "synapses); a transient past it is run again at half the step, and "
                        "one that fails twice is recorded in metrics.json and "
                        "skipped")  # fmt: skip
    parser.add_argument(
        "--adaptation-increment",
        type=float,
        default=None,
        metavar="V",
        help="threshold rise per output spike (mnist5k 5e-3, others 0.02)",
    )
    parser.add_argument(
        "--adaptation-tau",
        type=float,
        default=None,
        metavar="SECONDS",
        help="threshold decay time (mnist5k 50e-3, others 200e-6)",
    )
    if rule == "vdsp":
        parser.add_argument("--lr", type=float, default=0.05, help="learning rate (0.05)")
        parser.add_argument("--alpha", type=float, default=0.0,
                            help="weight-dependent variant's alpha (0: plain VDSP)")  # fmt: skip
    else:
        parser.add_argument("--a-plus", type=float, default=0.05, help="potentiation (0.05)")
        parser.add_argument("--a-minus", type=float, default=0.0525, help="depression (0.0525)")
        parser.add_argument("--tau", type=float, default=2e-6, metavar="SECONDS",
                            help="STDP window (default 2e-6 s)")  # fmt: skip


def handle(args: argparse.Namespace) -> None:
    """Train and test over the seeds; write the metrics and figures into ``args.out``."""
    for option, value in (("--neurons", args.neurons), ("--epochs", args.epochs),
                          ("--seeds", args.seeds)):  # fmt: skip
        if value < 1:
            raise CliError(f"{option} must be at least 1, not {value}")
    if args.timeout is not None and not 0 < args.timeout < float("inf"):
        raise CliError(f"--timeout must be a positive number of seconds, not {args.timeout}")
    if args.timeout is not None and args.engine != "spice":
        raise CliError(
            f"--timeout bounds ngspice transients: --engine spice only, not {args.engine}"
        )
    if args.folds < 2:
        raise CliError(f"--folds must be at least 2, not {args.folds}")
    non_negative_int(args.seed, "--seed")
    classes = None if args.classes is None else tuple(integers(args.classes, "--classes"))
    make_last_directory(args.out, "--out")

    from spicegen.learn.patterns import spiking_dataset
    from spicegen.learn.snn import Stdp, Vdsp
    from spicegen.learn.snn_network import SpikingNetworkParams

    rule: Any = (
        Vdsp(lr=args.lr, alpha=args.alpha)
        if args.rule_name == "vdsp"
        else Stdp(a_plus=args.a_plus, a_minus=args.a_minus, tau_plus=args.tau, tau_minus=args.tau)
    )
    data = spiking_dataset(
        args.dataset, seed=args.seed, samples=args.samples, image_size=args.image_size,
        classes=classes,
    )  # fmt: skip
    params = SpikingNetworkParams(
        inputs=data.features, neurons=args.neurons, image_shape=data.image_shape,
        synapse_model=args.synapse,
        presentation=20e-6 if args.presentation is None else args.presentation,
        **({} if args.max_step is None else {"max_step": args.max_step}),
        **_adaptation(args),
        **_synapse_gain(args, data.features),
    )  # fmt: skip
    _run(args, rule, data, params)


def _adaptation(args: argparse.Namespace) -> dict[str, Any]:
    """The threshold adaptation asked for, else the dataset's chosen one (``ADAPTATION``),
    else none (``SpikingNetworkParams``' own defaults)."""
    increment, tau = ADAPTATION.get(args.dataset, (None, None))
    chosen = {
        "adaptation_increment": increment if args.adaptation_increment is None
        else args.adaptation_increment,
        "adaptation_tau": tau if args.adaptation_tau is None else args.adaptation_tau,
    }  # fmt: skip
    return {key: value for key, value in chosen.items() if value is not None}


def _synapse_gain(args: argparse.Namespace, inputs: int) -> dict[str, Any]:
    """The crossbar gain asked for, else mnist5k's (scaled by 784 / inputs), else none (the
    network's default, set for the 16-input bars)."""
    if args.synapse_gain is not None:
        return {"synapse_gain": args.synapse_gain}
    if args.dataset == "mnist5k":
        from spicegen.learn.snn_network import MNIST_SYNAPSE_GAIN_784

        return {"synapse_gain": MNIST_SYNAPSE_GAIN_784 * 784 / inputs}
    return {}


def _engine(
    name: str, params: Any, presentation: float | None, timeout: float | None = None
) -> Any:
    """The engine ``name`` for ``params`` (one place: a new engine is one more branch)."""
    from spicegen import models

    neuron = models.load(params.neuron_model)
    synapse = None if params.synapse_model == "resistor" else models.load(params.synapse_model)
    if name == "fast":
        from spicegen.learn.snn_fast_network import FastNetworkEngine, characterise_network

        # every crossbar cell is characterised in ngspice: 78,400 at 784 x 100 take ~2 min
        # the first time, then come from the cache
        return FastNetworkEngine(params, characterise_network(params, neuron, synapse))
    if name == "fast-circuit":
        from spicegen.learn.snn_fast_engine import (
            FastSpikingEngine,
            fast_network_for,
            training_params,
        )

        network = (
            fast_network_for(neuron, synapse, params.inputs, params.neurons)
            if presentation is None
            else fast_network_for(
                neuron, synapse, params.inputs, params.neurons, duration=presentation
            )
        )
        view = training_params(
            network,
            image_shape=params.image_shape,
            adaptation_increment=params.adaptation_increment,
            adaptation_tau=params.adaptation_tau,
        )
        return FastSpikingEngine(network, view)
    from spicegen.learn.snn_spice import SpiceEngine

    return SpiceEngine(params, neuron, synapse, timeout=timeout)


def _run(args: argparse.Namespace, rule: Any, data: Any, params: Any) -> None:
    import numpy as np

    from spicegen.learn import write_metrics
    from spicegen.learn.snn_figures import (
        accuracy_figure,
        learning_curve,
        raster,
        receptive_fields,
    )
    from spicegen.learn.snn_run import metrics, run_seed
    from spicegen.sweep.progress import Progress

    seeds = list(range(args.seed, args.seed + args.seeds))
    # training (epochs x the training part), labelling (that part) and test (the rest)
    from spicegen.learn import stratified_folds

    trained = stratified_folds(data.y, args.folds, seed=args.seed)[0].train.size
    total = len(seeds) * (args.epochs * trained + data.samples)
    bar = Progress(total, desc=f"{args.rule_name} {args.engine}", unit="sample")
    results = []
    timings: list[dict[str, float]] = []
    failures: list[str] = []  # presentations ngspice could not finish, even at a smaller step
    try:
        for seed in seeds:
            with _engine(args.engine, params, args.presentation, args.timeout) as engine:
                result = run_seed(
                    engine, data, rule, seed=seed, epochs=args.epochs, folds=args.folds,
                    on_sample=lambda _, __: bar.update(1, 0),
                )  # fmt: skip
                if seed == seeds[0]:
                    shown = engine.present(data.x[0], result.weights, result.thresholds)
                if hasattr(engine, "timings"):  # the SPICE engine: where the time went
                    timings.append(engine.timings.as_dict())
                failures += [f"seed {seed}, {line}" for line in getattr(engine, "failures", [])]
            results.append(result)
    finally:
        bar.close()
    summary = metrics(
        results, rule=rule, engine=args.engine, dataset=data.name, neurons=args.neurons
    )
    summary["threshold_adaptation"] = {
        "increment_v": params.adaptation_increment, "tau_s": params.adaptation_tau,
    }  # fmt: skip
    if timings:
        summary["timings_s"] = timings
    summary["failed_presentations"] = failures
    for line in failures:
        print(f"warning: not simulated, left out of learning and counted silent: {line}",
              file=sys.stderr)  # fmt: skip
    write_metrics(args.out / "metrics.json", summary)
    first = results[0]
    # the first seed's weights, so its figures can be drawn again without training
    np.savez(args.out / "weights.npz", initial=first.initial_weights, final=first.weights,
             thresholds=first.thresholds, neuron_labels=first.neuron_labels)  # fmt: skip
    if data.image_shape is not None:
        names = [data.classes[k] if k >= 0 else "silent" for k in first.neuron_labels]
        receptive_fields(first.initial_weights, first.weights, data.image_shape,
                         args.out / "fields.png", names)  # fmt: skip
    accuracy_figure(results, args.out / "accuracy.png", f"{args.rule_name} on {data.name}")
    learning_curve(results, args.out / "learning.png")
    raster(shown, args.out / "raster.png", f"after training: {data.classes[data.y[0]]}")
    print(
        f"{args.rule_name}, {args.engine} engine, {data.name} ({data.samples} samples, "
        f"{params.inputs} inputs, {params.neurons} neurons), {len(seeds)} seed(s): "
        f"accuracy {100 * summary['accuracy_mean']:.1f} ± {100 * summary['accuracy_std']:.1f} %"
        f" (k-means {100 * summary['kmeans_accuracy_mean']:.1f} %, logistic "
        f"{100 * summary['logistic_accuracy_mean']:.1f} %), {summary['updates']} updates, "
        f"{summary['seconds_per_presentation']:.2f} s per presentation"
    )
    print(
        f"written to {args.out}: metrics.json, fields.png, accuracy.png, learning.png, raster.png"
    )
