"""The fast spiking engine: agreement with ngspice, speed against it, throughput on MNIST-5k.

1. Agreement (issue 13 section 4): the small network of ``tests/learn/test_snn_fast.py`` (or
   ``--inputs``/``--outputs``), ``--stimuli`` random stimuli and weights not used by the
   characterisation; per stimulus the fast engine and one ngspice transient of the whole
   network. Prints per-neuron spike counts, the fraction of output spikes matched within 5 %
   of the mean inter-spike interval, and the presynaptic membranes at the output spikes.
2. Speed: median seconds per presentation of each engine on that network, and the ratio.
3. Learned weights: one epoch of VDSP on ``--epoch-samples`` random stimuli with each engine
   (the fast one and ngspice of the same circuit) from the same start; the difference of the
   learned weights as a fraction of how far ngspice moved them, and the correlation of the
   two engines' weight changes (``--weights-only`` runs this part alone).
4. Throughput: MNIST-5k presentations (784 inputs, ``--neurons`` outputs) per second of the
   fast engine, with random weights, and the time one epoch of 4,000 images would take.

5. ``--training-network``: the fast engine of the SPICE training engine's own netlist
   (``snn_fast_network``) against ``SpiceEngine`` on the 4x4 bars network (16 x 4,
   ``rram_hfo2``): ``--stimuli`` unseen bars with random weights and thresholds, per-neuron
   counts within 5 % and spikes matched; with ``--fine-step S`` also ngspice at a largest
   step of ``S`` s against the network's default (2 ns; how far ngspice's own spike times
   move with its step); then one epoch of VDSP on ``--epoch-samples`` bars (0: none) with
   the fast engine and ngspice (at ``--fine-step`` when given); ``--stimuli 0``: the epoch alone.
6. ``--step-convergence``: the SPICE engine's step on the same unseen bars: ngspice at each
   largest step of ``--steps`` (default 20, 10, 5, 2 ns) and the fast engine against ngspice
   at ``--reference-step`` (1 ns), and the cost per presentation of each; every presentation
   is stored in ``--store`` (JSON) as it ends, so a rerun resumes.
7. ``--network-throughput``: ``FastNetworkEngine`` (``--engine fast``) at 784 x ``--neurons``
   ``rram_hfo2`` on MNIST-5k images, with the input trajectories kept against simulated per
   image, then part 4 (``--engine fast-circuit``) in the same run.

Prints medians and ratios measured in this run; never asserts. The machine may be shared with
other work; the ratio is the figure. ``python benchmarks/bench_snn_fast.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from typing import Any

import numpy as np

from spicegen import models
from spicegen.circuits import LifParams
from spicegen.learn import load_dataset
from spicegen.learn.snn_circuit import SpikingCircuit, fast_network, spice_presentation
from spicegen.learn.snn_fast import FastEngine, FastNetwork
from spicegen.seeds import stream
from spicegen.surrogate.oscillator_neuron import match_spikes


def small_circuit(inputs: int, outputs: int, duration: float) -> SpikingCircuit:
    """The suite's small network (threshold_switch neurons, rram_hfo2 synapses)."""
    return SpikingCircuit(
        models.load("threshold_switch"),
        models.load("rram_hfo2"),
        inputs,
        outputs,
        input=LifParams(r_leak=5e3, c=1e-9),
        output=LifParams(r_leak=11e3, c=1e-9),
        input_bias=210e-6,
        input_gain=150e-6,
        duration=duration,
        dt=5e-9,
        pulse_voltage=0.1,
        column_gain=2000.0 * 3 / inputs,
        inhibition=3e-3,
        synapse_params={"sigma_c2c": 0.0},
    )


def agreement(args: argparse.Namespace) -> None:
    circuit = small_circuit(args.inputs, args.outputs, args.duration)
    engine = FastEngine(fast_network(circuit))
    # --fine-step: ngspice's reference at a finer largest step than the characterisations'
    fine = dataclasses.replace(circuit, max_step=args.fine_step) if args.fine_step else circuit
    rng = stream(args.seed, "bench", "agreement")
    fast_times, spice_times, fractions, count_errors, v_errors = [], [], [], [], []
    for k in range(args.stimuli):
        sample = rng.uniform(0.4, 1.0, args.inputs)
        weights = rng.uniform(0.4, 1.0, (args.inputs, args.outputs))
        start = time.perf_counter()
        fast = engine.present(sample, weights)
        fast_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        spice = spice_presentation(fine, sample, weights)
        spice_times.append(time.perf_counter() - start)
        for j in range(args.outputs):
            reference = spice.output_spike_times(j)
            if reference.size:
                fractions.append(
                    (match_spikes(reference, fast.output_spike_times(j)), reference.size)
                )
                count_errors.append(
                    abs(int(fast.counts[j]) - int(spice.counts[j])) / reference.size
                )
        shared = min(fast.spike_times.size, spice.spike_times.size)
        if shared:
            v_errors.append(float(np.max(np.abs(fast.v_pre[:shared] - spice.v_pre[:shared]))))
        print(
            f"stimulus {k}: counts fast {fast.counts.tolist()} ngspice {spice.counts.tolist()}, "
            f"inputs equal: {bool(np.array_equal(fast.input_counts, spice.input_counts))}"
        )
    spikes = sum(n for _, n in fractions)
    matched = sum(f * n for f, n in fractions) / max(spikes, 1)
    print(
        f"agreement over {args.stimuli} stimuli, {spikes} ngspice output spikes: "
        f"{100 * matched:.1f} % matched within 5 % of the mean ISI; per-neuron count error "
        f"median {100 * statistics.median(count_errors):.1f} %, "
        f"max {100 * max(count_errors):.1f} %; "
        f"v_pre at output spikes max error {1e3 * max(v_errors, default=0):.1f} mV"
    )
    fast_median, spice_median = statistics.median(fast_times), statistics.median(spice_times)
    print(
        f"per presentation ({args.inputs}x{args.outputs}, {args.duration * 1e6:.0f} us): fast "
        f"{1e3 * fast_median:.1f} ms, ngspice {spice_median:.2f} s, "
        f"ratio {spice_median / fast_median:.0f}x"
    )


def learned_weights(args: argparse.Namespace) -> None:
    """One epoch of VDSP on ``--epoch-samples`` random stimuli with each engine, from the same
    initial weights and thresholds: how close the fast engine's learned weights are."""
    from spicegen.learn.snn import Vdsp, initial_state, train
    from spicegen.learn.snn_fast_engine import (
        FastSpikingEngine,
        circuit_spice_engine,
        training_params,
    )

    circuit = small_circuit(args.inputs, args.outputs, args.duration)
    network = fast_network(circuit)
    params = training_params(network)
    x = stream(args.seed, "bench", "epoch").uniform(0.4, 1.0, (args.epoch_samples, args.inputs))
    start = initial_state(params, args.seed)
    rule = Vdsp(lr=0.05)
    learned = {}
    for engine in (FastSpikingEngine(network, params), circuit_spice_engine(circuit, params)):
        began = time.perf_counter()
        state = train(engine, x, rule, seed=args.seed, state=start)
        learned[engine.name] = state
        print(f"{engine.name}: {state.updates} updates in {time.perf_counter() - began:.1f} s")
    fast, spice = learned["fast"].weights, learned["spice-circuit"].weights
    change = float(np.linalg.norm(spice - start.weights))
    gap = float(np.linalg.norm(fast - spice))
    print(
        f"one epoch ({args.epoch_samples} samples, {args.inputs}x{args.outputs}): weights moved "
        f"{change:.3f} (Frobenius) in ngspice; fast minus ngspice {gap:.3f}"
        f" ({100 * gap / change:.1f} % of the change), largest "
        f"|dw| {np.max(np.abs(fast - spice)):.3f}; correlation of the changes "
        f"{np.corrcoef((fast - start.weights).ravel(), (spice - start.weights).ravel())[0, 1]:.3f};"
        f" updates fast {learned['fast'].updates}, ngspice {learned['spice-circuit'].updates}"
    )


def training_network(args: argparse.Namespace) -> None:
    """The fast engine of the SPICE training engine's netlist (``snn_fast_network``) against
    ``SpiceEngine`` itself on the 4x4 bars network: presentations of unseen bars with random
    weights and thresholds, then one epoch of VDSP with each engine from the same start."""

    from spicegen.learn.patterns import spiking_dataset
    from spicegen.learn.snn import Vdsp, initial_state, train
    from spicegen.learn.snn_fast_network import FastNetworkEngine, characterise_network
    from spicegen.learn.snn_network import SpikingNetworkParams
    from spicegen.learn.snn_spice import SpiceEngine

    neuron, synapse = models.load("threshold_switch"), models.load("rram_hfo2")
    params = SpikingNetworkParams(inputs=16, neurons=4, image_shape=(4, 4))
    fast = FastNetworkEngine(params, characterise_network(params, neuron, synapse))
    references = {"spice": SpiceEngine(params, neuron, synapse)}
    if args.fine_step:
        fine = dataclasses.replace(params, max_step=args.fine_step)
        references[f"spice {args.fine_step * 1e9:g} ns"] = SpiceEngine(fine, neuron, synapse)
    # bars the characterisation never saw (it uses DC drives of single neurons)
    data = spiking_dataset("patterns", seed=args.seed + 101, samples=max(args.stimuli, 4))
    rng = stream(args.seed, "bench", "training-network")
    runs: dict[str, list[tuple[np.ndarray, ...]]] = {"fast": [], **{k: [] for k in references}}
    seconds: dict[str, list[float]] = {k: [] for k in runs}
    for k in range(args.stimuli):
        weights = rng.uniform(0, 1, params.weight_shape)
        thresholds = rng.uniform(0, 0.05, params.neurons) if k % 2 else np.zeros(params.neurons)
        for name, engine in {"fast": fast, **references}.items():
            start = time.perf_counter()
            result = engine.present(data.x[k], weights, thresholds)
            seconds[name].append(time.perf_counter() - start)
            runs[name].append(result.output_spikes)
        print(f"bars {k}: counts " + ", ".join(
            f"{name} {[t.size for t in runs[name][-1]]}" for name in runs
        ), flush=True)  # fmt: skip

    def compare(reference: str, candidate: str) -> str:
        as_lists = {name: [[t.tolist() for t in run] for run in runs[name]]
                    for name in (reference, candidate)}  # fmt: skip
        within, neurons, fraction, spikes = _matching(as_lists[reference], as_lists[candidate])
        matched = fraction * spikes
        return (
            f"{candidate} against {reference}: per-neuron counts within 5 % {within}/{neurons}, "
            f"{100 * matched / max(spikes, 1):.1f} % of {spikes} spikes matched within 5 % of "
            "the mean interval"
        )

    if args.stimuli:
        for name in references:
            print(compare(name, "fast"))
        if args.fine_step:
            print(compare(f"spice {args.fine_step * 1e9:g} ns", "spice"))
        for name in references:
            ratio = statistics.median(seconds[name]) / statistics.median(seconds["fast"])
            print(
                f"median per presentation: fast {statistics.median(seconds['fast']):.2f} s, "
                f"{name} {statistics.median(seconds[name]):.1f} s, ratio {ratio:.0f}x"
            )
    if not args.epoch_samples:
        for engine in references.values():
            engine.close()
        return
    # one epoch of VDSP on bars from the same initial state
    x = spiking_dataset("patterns", seed=args.seed, samples=args.epoch_samples).x
    start = initial_state(params, args.seed)
    learned = {}
    # the reference: ngspice at --fine-step when given, else at the network's own step
    reference = list(references)[-1]
    for name, engine in (("fast", fast), (reference, references[reference])):
        learned[name] = train(engine, x, Vdsp(), seed=args.seed, state=start)
    for engine in references.values():
        engine.close()
    a, b = learned["fast"].weights, learned[reference].weights
    change = float(np.linalg.norm(b - start.weights))
    gap = float(np.linalg.norm(a - b))
    correlation = np.corrcoef((a - start.weights).ravel(), (b - start.weights).ravel())[0, 1]
    print(
        f"one epoch of VDSP ({args.epoch_samples} bars, 16x4): {reference} moved the weights "
        f"{change:.3f} (Frobenius); fast minus {reference} {gap:.3f} ({100 * gap / change:.1f} "
        f"% of that change); correlation of the two changes {correlation:.3f}; updates fast "
        f"{learned['fast'].updates}, {reference} {learned[reference].updates}"
    )


def _matching(
    reference: list[list[list[float]]], candidate: list[list[list[float]]]
) -> tuple[int, int, float, int]:
    """Over paired presentations: neurons whose counts are within 5 %, neurons that spiked
    in either, the fraction of the reference's spikes matched, and the reference's spikes."""
    within = neurons = spikes = 0
    matched = 0.0
    for ref, cand in zip(reference, candidate, strict=True):
        for r_list, c_list in zip(ref, cand, strict=True):
            r, c = np.asarray(r_list), np.asarray(c_list)
            if r.size == 0 and c.size == 0:
                continue
            neurons += 1
            within += abs(c.size - r.size) <= 0.05 * r.size
            spikes += r.size
            matched += match_spikes(r, c) * r.size
    return within, neurons, matched / max(spikes, 1), spikes


def step_convergence(args: argparse.Namespace) -> None:
    """The SPICE engine's step: ``--stimuli`` unseen bars (random weights and thresholds, as
    ``--training-network``) at each largest step of ``--steps`` against ngspice at
    ``--reference-step``, and the fast engine against the same reference; cost per
    presentation of each. Every presentation is appended to ``--store`` (JSON) as it ends, so
    a stopped run keeps what it measured and a rerun skips it."""
    import json
    from pathlib import Path

    from spicegen.learn.patterns import spiking_dataset
    from spicegen.learn.snn_fast_network import FastNetworkEngine, characterise_network
    from spicegen.learn.snn_network import SpikingNetworkParams
    from spicegen.learn.snn_spice import SpiceEngine

    neuron, synapse = models.load("threshold_switch"), models.load("rram_hfo2")
    params = SpikingNetworkParams(inputs=16, neurons=4, image_shape=(4, 4))
    reference_name = f"{args.reference_step * 1e9:g} ns"
    names = [reference_name] + [f"{s * 1e9:g} ns" for s in args.steps]
    steps = dict(zip(names, [args.reference_step, *args.steps], strict=True))
    store = Path(args.store)
    stored = json.loads(store.read_text()) if store.exists() else {}
    fast = FastNetworkEngine(params, characterise_network(params, neuron, synapse))
    data = spiking_dataset("patterns", seed=args.seed + 101, samples=max(args.stimuli, 4))
    rng = stream(args.seed, "bench", "training-network")
    for k in range(args.stimuli):
        weights = rng.uniform(0, 1, params.weight_shape)
        thresholds = rng.uniform(0, 0.05, params.neurons) if k % 2 else np.zeros(params.neurons)
        for name in ["fast", *names]:
            key = f"{k}/{name}"
            if key in stored:
                continue
            if name == "fast":
                engine: Any = fast
            else:
                engine = SpiceEngine(
                    dataclasses.replace(params, max_step=steps[name]), neuron, synapse
                )
            start = time.perf_counter()
            result = engine.present(data.x[k], weights, thresholds)
            seconds = time.perf_counter() - start
            engine.close()
            stored[key] = {
                "seconds": seconds,
                "spikes": [t.tolist() for t in result.output_spikes],
            }
            store.write_text(json.dumps(stored))
            counts = [t.size for t in result.output_spikes]
            print(f"bars {k}, {name}: counts {counts}, {seconds:.1f} s", flush=True)
    report_convergence(stored, reference_name, ["fast", *names[1:]])


def report_convergence(stored: dict[str, Any], reference: str, candidates: list[str]) -> None:
    """Print each candidate against the reference over the presentations both have."""
    done = sorted({int(key.split("/")[0]) for key in stored})
    print(f"against ngspice at {reference} (largest step), on unseen bars:")
    for name in [reference, *candidates]:
        shared = [k for k in done if f"{k}/{name}" in stored and f"{k}/{reference}" in stored]
        if not shared:
            continue
        seconds = statistics.median(stored[f"{k}/{name}"]["seconds"] for k in shared)
        if name == reference:
            print(f"  {name}: {len(shared)} presentations, median {seconds:.1f} s each")
            continue
        within, neurons, matched, spikes = _matching(
            [stored[f"{k}/{reference}"]["spikes"] for k in shared],
            [stored[f"{k}/{name}"]["spikes"] for k in shared],
        )
        reference_seconds = statistics.median(stored[f"{k}/{reference}"]["seconds"] for k in shared)
        print(
            f"  {name}: counts within 5 % {within}/{neurons}, {100 * matched:.1f} % of "
            f"{spikes} spikes matched within 5 % of the mean interval; median "
            f"{seconds:.2f} s per presentation ({reference_seconds / seconds:.1f}x faster "
            f"than {reference}), {len(shared)} presentations"
        )


def network_throughput(args: argparse.Namespace) -> None:
    """``FastNetworkEngine`` (the engine ``--engine fast`` runs) at 784 inputs x ``--neurons``
    on MNIST-5k images with random weights, ``rram_hfo2`` cells characterised in ngspice as
    ``snn_mnist.py --engine fast`` runs them (gain 3.0 A/A): median seconds per presentation
    with the input trajectories kept from earlier images (training) against a fresh engine
    per image (every supply simulated), then the older engine of its own circuit
    (``--engine fast-circuit``) in the same run."""
    from spicegen.learn.snn_fast_network import FastNetworkEngine, characterise_network
    from spicegen.learn.snn_network import MNIST_SYNAPSE_GAIN_784, SpikingNetworkParams

    params = SpikingNetworkParams(
        inputs=784,
        neurons=args.neurons,
        image_shape=(28, 28),
        synapse_gain=MNIST_SYNAPSE_GAIN_784,
    )
    neuron, synapse = models.load(params.neuron_model), models.load(params.synapse_model)
    devices = characterise_network(params, neuron, synapse)  # about 2 min once, then cached
    x = load_dataset("mnist5k").x / 255.0
    images = x[stream(args.seed, "bench", "images").permutation(len(x))[: args.images]]
    weights = stream(args.seed, "bench", "weights").uniform(0, 1, params.weight_shape)
    thresholds = np.zeros(params.neurons)
    kept = FastNetworkEngine(params, devices)
    for image in images:  # what a training run has seen after its first images
        kept.present(image, weights, thresholds)
    warm, cold = [], []
    for image in images:  # interleaved, so that a busy machine slows both alike
        start = time.perf_counter()
        kept.present(image, weights, thresholds)
        warm.append(time.perf_counter() - start)
        start = time.perf_counter()
        FastNetworkEngine(params, devices).present(image, weights, thresholds)
        cold.append(time.perf_counter() - start)
    median, first = statistics.median(warm), statistics.median(cold)
    print(
        f"FastNetworkEngine, 784 x {args.neurons} rram_hfo2, {kept.steps} steps of "
        f"{kept.dt * 1e9:g} ns per {params.presentation * 1e6:g} us image, over "
        f"{args.images} images: median {median:.3f} s per image with the input trajectories "
        f"kept, {first:.3f} s simulating every supply ({first / median:.1f}x); one epoch of "
        f"4,000 images {4000 * median / 60:.1f} min of presentations"
    )


def throughput(args: argparse.Namespace) -> None:
    base = fast_network(small_circuit(3, 2, 12e-6))
    network = FastNetwork(
        input_neuron=base.input_neuron,
        output_neuron=base.output_neuron,
        inputs=784,
        outputs=args.neurons,
        input_bias=0.994 * base.input_neuron.rheobase,
        input_gain=0.08 * base.input_neuron.rheobase,
        duration=52.5e-6,
        dt=0.15e-6,
        pulse_voltage=0.1,
        column_gain=40.0,
        g_min=5e-6,
        g_max=1e-4,
        inhibition=12e-3,
    )
    engine = FastEngine(network)
    data = load_dataset("mnist5k")
    x = data.x / 255.0
    weights = stream(args.seed, "bench", "weights").uniform(0, 1, (784, args.neurons))
    engine.present(x[0], weights)
    times = []
    for k in range(args.images):
        start = time.perf_counter()
        engine.present(x[k], weights)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"MNIST-5k, 784 x {args.neurons}, 350 steps per image: median {1e3 * median:.1f} ms "
        f"per image, {1 / median:.1f} images/s, "
        f"one epoch of 4,000 images {4000 * median / 60:.1f} min"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stimuli", type=int, default=5)
    parser.add_argument("--inputs", type=int, default=3)
    parser.add_argument("--outputs", type=int, default=2)
    parser.add_argument("--duration", type=float, default=12e-6)
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epoch-samples", type=int, default=12)
    parser.add_argument("--skip-spice", action="store_true")
    parser.add_argument("--weights-only", action="store_true")
    parser.add_argument("--training-network", action="store_true")
    parser.add_argument("--fine-step", type=float, default=0.0)
    parser.add_argument("--step-convergence", action="store_true")
    parser.add_argument("--steps", type=float, nargs="+", default=[20e-9, 10e-9, 5e-9, 2e-9])
    parser.add_argument("--reference-step", type=float, default=1e-9)
    parser.add_argument("--store", default="step_convergence.json")
    parser.add_argument("--network-throughput", action="store_true")
    parser.add_argument("--agreement-only", action="store_true",
                        help="only the spike agreement of the small circuit (--fine-step: "
                        "ngspice's reference at that largest step)")  # fmt: skip
    args = parser.parse_args()
    if args.agreement_only:
        agreement(args)
        return
    if args.network_throughput:
        network_throughput(args)
        throughput(args)
        return
    if args.step_convergence:
        step_convergence(args)
        return
    if args.training_network:
        training_network(args)
        return
    if args.weights_only:
        learned_weights(args)
        return
    if not args.skip_spice:
        agreement(args)
        learned_weights(args)
    throughput(args)


if __name__ == "__main__":
    main()
