"""The main demo: build a circuit in Python, simulate it with both backends, plot it; then one
small example of each circuit generator, simulated and plotted; then a short finite-difference
training run of an MTJ network; then two behaviours of the neuron atlas and a short VDSP run
of a spiking network; then the device-randomness runs: memristor MCMC on Iris, the logarithmic
Bayesian machine at the prototype's scale in ngspice, and a binarized network trained with
HfO2 weak-RESET pulses.

Run with ``python -m spicegen.demo`` (``make demo``). Writes ``out/demo/rc_step.png``,
``oscillator_neuron.png``, ``neuron_pair.png``, ``bayesian_machine.png``, ``crossbar.png`` and
``fd_iris.png`` and ``spiking_fields.png``, with the MCMC and binarized runs' own folders
(``mcmc/``, ``bnn_rram/``) beside them.

The generators' runnable decks (sources and an analysis) are ``spicegen.circuits.decks``,
shared with ``spicegen build`` and ``scripts/regen_netlists.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from spicegen import models
from spicegen.circuits import NeuronPairParams, bayesian_machine
from spicegen.circuits.decks import (
    bayesian_machine_deck,
    crossbar_read_deck,
    neuron_pair_deck,
    oscillator_neuron_deck,
    random_weights,
)
from spicegen.netlist import Capacitor, Circuit, Pulse, Resistor, Tran, VoltageSource
from spicegen.plot import plot_waveforms
from spicegen.sim import simulate
from spicegen.waves import Waveforms


def rc_step_circuit(resistance: float = 1e3, capacitance: float = 1e-9) -> Circuit:
    """A 1 V pulse into an RC low-pass (ohm, F): the step response is 1 - exp(-t/RC)."""
    return Circuit(
        title="spicegen demo: RC step response",
        elements=(
            VoltageSource(
                "Vin", "in", "0", waveform=Pulse(0.0, 1.0, 1e-6, 1e-9, 1e-9, 10e-6, 20e-6)
            ),
            Resistor("R1", "in", "out", resistance),
            Capacitor("C1", "out", "0", capacitance),
        ),
    )


def main(out_dir: str = "out/demo") -> Path:
    """Run both demos, writing their figures into ``out_dir`` (created with its parents)."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    path = rc_demo(out_dir)
    generators_demo(out_dir)
    learning_demo(out_dir)
    spiking_demo(out_dir)
    device_learning_demo(out_dir)
    return path


def rc_demo(out_dir: str = "out/demo") -> Path:
    circuit = rc_step_circuit()
    analysis = Tran(step=10e-9, stop=20e-6)
    batch = simulate(circuit, analysis, backend="batch").waveforms
    shared = simulate(circuit, analysis, backend="shared").waveforms
    tau = 1e3 * 1e-9
    t, v = batch["time"], batch.v("out")
    rising = (t > 1e-6) & (t < 11e-6)
    expected = 1.0 - np.exp(-(t[rising] - 1e-6) / tau)
    worst = float(np.max(np.abs(v[rising] - expected)))
    backend_gap = float(np.max(np.abs(batch.v("out") - shared.v("out"))))
    path = plot_waveforms(
        batch, ["v(in)", "v(out)"], Path(out_dir) / "rc_step.png",
        title="RC low-pass step response: 1 kohm, 1 nF (tau = 1 us)",
    )  # fmt: skip
    print(f"RC step response, tau = {tau * 1e6:.1f} us, {len(batch)} time points")
    print(f"  largest deviation from 1 - exp(-t/RC): {worst * 1e3:.3f} mV")
    print(f"  largest batch vs shared-library difference: {backend_gap:.3g} V")
    print(f"waveform plot written to {path.resolve()}")
    return path


LIKELIHOODS = (  # P(o_i = v | y): 2 classes x 2 binary observations
    ((0.2, 0.8), (0.7, 0.3)),
    ((0.9, 0.1), (0.4, 0.6)),
)


def generators_demo(out_dir: str = "out/demo") -> list[Path]:
    """One small example of each circuit generator: simulate, summarise, plot (Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from spicegen.circuits.crossbar import column_currents, ideal_column_currents
    from spicegen.waves.measure import crossings

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    start = time.perf_counter()

    # oscillator neurons: a 3-neuron population with lateral inhibition
    supplies = (1.4, 1.5, 1.6)
    deck = oscillator_neuron_deck(models.load("threshold_switch"), supplies, inhibition=1e-5)
    waves = simulate(deck).waveforms
    counts = [len(crossings(waves["time"], waves.v(f"out{i}"), 0.5, "rise")) for i in range(3)]
    paths.append(
        plot_waveforms(
            waves, [f"v(xpop.m{i})" for i in range(3)], out / "oscillator_neuron.png",
            title=f"3 oscillator neurons at {', '.join(map(str, supplies))} V with lateral "
            f"inhibition: {', '.join(map(str, counts))} spikes",
        )
    )  # fmt: skip
    print(f"oscillator neurons at {supplies} V: {counts} spikes in 30 us")

    # MTJ neuron pair: one operating point per bias current, plotted against the bias
    biases = np.linspace(10e-6, 90e-6, 9)
    v1, dout = [], []
    for bias in biases:
        pair = NeuronPairParams(float(bias), 2e-6)
        point = simulate(neuron_pair_deck(models.load("mtj"), pair)).waveforms
        v1.append(float(point.v("v1")[0]))
        dout.append(float(point.v("dout")[0]))
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(biases * 1e6, v1, "o-")
    left.set(xlabel="bias current (uA)", ylabel="V1 = f(I) (V)", title="MTJ activation")
    right.plot(biases * 1e6, np.array(dout) / 2e-6 * 1e-3, "o-")
    right.set(xlabel="bias current (uA)", ylabel="(V2 - V1)/dI (kohm)", title="f'(I), dI = 2 uA")
    figure.tight_layout()
    figure.savefig(out / "neuron_pair.png", dpi=100)
    plt.close(figure)
    paths.append(out / "neuron_pair.png")
    print(f"neuron pair: f(50 uA) = {v1[4]:.4f} V, f'(50 uA) ~ {dout[4] / 2e-6:.0f} ohm")

    # Bayesian machine: 2 classes x 2 binary observations, 6-bit streams
    circuit, machine = bayesian_machine_deck(LIKELIHOODS, (1, 0), bits=6)
    waves = simulate(circuit).waveforms
    counts = [int(c) for c in bayesian_machine.decode(waves, machine)]
    exact = [float(np.prod([LIKELIHOODS[y][i][o] for i, o in enumerate((1, 0))])) for y in (0, 1)]
    paths.append(_bayesian_figure(waves, machine, exact, out / "bayesian_machine.png"))
    print(
        f"bayesian machine, observation (1, 0): counts {counts} of {machine.cycles} cycles "
        f"(exact products {exact[0]:.2f}, {exact[1]:.2f}); class {int(np.argmax(counts))}"
    )

    # crossbar: a 4x4 1R read with 2-ohm wires against the ideal V @ G
    volts = [0.2, 0.15, 0.1, 0.05]
    weights = random_weights(4, 4, signed=False, seed=1)
    circuit, params = crossbar_read_deck(weights, volts, g_min=1e-6, g_max=1e-4, wire=2.0)
    measured = column_currents(simulate(circuit).waveforms, params)[0]
    ideal = ideal_column_currents(params, volts)
    paths.append(_crossbar_figure(ideal, measured, out / "crossbar.png"))
    worst = float(np.max(np.abs(np.asarray(measured) / np.asarray(ideal) - 1)))
    print(f"crossbar 4x4 read: largest deviation from V @ G {worst * 100:.3f} %")

    print(f"generator examples in {time.perf_counter() - start:.1f} s; plots written to:")
    for path in paths:
        print(f"  {path.resolve()}")
    return paths


def learning_demo(out_dir: str = "out/demo") -> Path:
    """A short finite-difference run: Iris on the MTJ surrogate, 3 folds, against tanh."""
    from spicegen.learn import load_dataset
    from spicegen.learn.fd_figures import plot_learning_curves
    from spicegen.learn.fd_hardware import MtjChip
    from spicegen.learn.fd_run import cross_validate

    start = time.perf_counter()
    chip = MtjChip(rp_spread=0.05, mismatch=0.005)
    run = cross_validate(load_dataset("iris"), folds=3, seed=0, engine="surrogate",
                         device=models.load("mtj"), chip=chip, hidden=(8,), epochs=20)  # fmt: skip
    curves = {"MTJ surrogate": [f.history for f in run.folds],
              "software tanh": [f.history for f in run.baseline]}  # fmt: skip
    title = "Iris 4-8-3, MTJ neuron pairs, finite-difference gradients"
    path = plot_learning_curves(curves, Path(out_dir) / "fd_iris.png", title=title)
    print(
        f"finite-difference training, Iris 4-8-3, 3 folds: MTJ surrogate {run.summary}, "
        f"software tanh {run.baseline_summary} ({time.perf_counter() - start:.1f} s)"
    )
    print(f"learning curves written to {path.resolve()}")
    return path


def _bayesian_figure(
    waves: Waveforms,
    machine: bayesian_machine.BayesianMachine,
    exact: Sequence[float],
    path: Path,
) -> Path:
    """Each class's likelihood streams and AND stream as stacked digital traces; beside them,
    each class's counter over time against the exact product of likelihoods x cycles."""
    import matplotlib.pyplot as plt

    time_us = waves["time"] * 1e6
    figure, (traces, counters) = plt.subplots(
        1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": (2.2, 1)}, sharex=True
    )
    labels: list[str] = []
    ticks: list[float] = []
    row = 0.0  # rows go downwards: class 0 on top, each class's AND stream last
    for y, (blocks, stream) in enumerate(
        zip(machine.block_nodes, machine.stream_nodes, strict=True)
    ):
        for node in (*blocks, stream):
            bit = waves.v(node) / machine.vdd  # the dac_bridge output, 0 or vdd
            # 0.8 of a row per bit, so neighbouring traces never touch
            traces.plot(time_us, row + 0.8 * bit, color=f"C{y}", lw=1.4 if node == stream else 0.9)
            labels.append(f"{node} (class {y})" if node == stream else node)
            ticks.append(row + 0.4)
            row -= 1.0
        row -= 0.5  # a gap between the classes
    traces.set_yticks(ticks)
    traces.set_yticklabels(labels)
    traces.set(xlabel="time (us)", title="each class: one stream per observation, and their AND")
    for y, nodes in enumerate(machine.counter_nodes):
        bits = np.stack([waves.v(node) > machine.vdd / 2 for node in nodes]).astype(np.int64)
        count = (bits << np.arange(len(nodes))[:, None]).sum(axis=0)  # counter bits, LSB first
        counters.step(time_us, count, where="post", color=f"C{y}", label=f"class {y}: {count[-1]}")
        counters.axhline(exact[y] * machine.cycles, color=f"C{y}", ls="--", lw=0.9)
    counters.set(
        xlabel="time (us)", ylabel="counter value",
        title=f"counters; dashed: {machine.cycles} x P(o | y)",
    )  # fmt: skip
    counters.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _crossbar_figure(
    ideal: npt.NDArray[np.float64], measured: npt.NDArray[np.float64], path: Path
) -> Path:
    """Column currents, ideal V @ G beside ngspice's, and the relative deviation per column."""
    import matplotlib.pyplot as plt

    ideal_ua, measured_ua = np.asarray(ideal) * 1e6, np.asarray(measured) * 1e6
    columns = np.arange(len(ideal_ua))
    figure, (currents, deviation) = plt.subplots(1, 2, figsize=(9, 3.6))
    currents.bar(columns - 0.2, ideal_ua, 0.4, label="ideal V @ G")
    currents.bar(columns + 0.2, measured_ua, 0.4, label="ngspice, 2 ohm wires")
    currents.set_xticks(columns)
    currents.set_ylim(0, 1.3 * max(ideal_ua.max(), measured_ua.max()))  # room for the legend
    currents.set(xlabel="column", ylabel="current (uA)", title="4x4 crossbar read")
    currents.legend(loc="upper left", ncol=2, fontsize="small")
    deviation.bar(columns, (measured_ua / ideal_ua - 1.0) * 100.0, 0.5, color="C1")
    deviation.axhline(0.0, color="k", lw=0.8)
    deviation.set_xticks(columns)
    deviation.set(xlabel="column", ylabel="ngspice / ideal - 1 (%)", title="IR drop on the wires")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def spiking_demo(out_dir: str = "out/demo") -> Path:
    """Two behaviours of the neuron atlas in ngspice, and a short VDSP run of the spiking
    network (fast engine, 4x4 bars) with its receptive fields before and after."""
    from spicegen.learn.neuron_atlas import PROTOCOLS, run_behaviour
    from spicegen.learn.patterns import patterns
    from spicegen.learn.snn import Vdsp
    from spicegen.learn.snn_fast_engine import (
        FastSpikingEngine,
        fast_network_for,
        training_params,
    )
    from spicegen.learn.snn_figures import receptive_fields
    from spicegen.learn.snn_run import run_seed

    start = time.perf_counter()
    device = models.load("threshold_switch")
    for name in ("tonic_spiking", "spike_latency"):
        verdict, _ = run_behaviour(name, device, PROTOCOLS["threshold_switch"])
        print(f"neuron atlas, {name}: {'shown' if verdict.shown else 'not shown'} "
              f"({verdict.reason})")  # fmt: skip
    data = patterns(24, seed=0)
    network = fast_network_for(device, models.load("rram_hfo2"), 16, 4)
    with FastSpikingEngine(network, training_params(network, image_shape=(4, 4))) as engine:
        result = run_seed(engine, data, Vdsp(lr=0.05), seed=0)
    names = [data.classes[k] if k >= 0 else "silent" for k in result.neuron_labels]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    path = Path(out_dir) / "spiking_fields.png"
    receptive_fields(result.initial_weights, result.weights, (4, 4), path, names)
    print(
        f"spiking network (16 inputs, 4 NbOx outputs, fast engine), VDSP on 12 bars: "
        f"{100 * result.accuracy:.0f} % of 12 held-out bars (k-means {100 * result.kmeans:.0f} "
        f"%), {result.updates} updates, in {time.perf_counter() - start:.1f} s"
    )
    print(f"  {path.resolve()}")
    return path


def device_learning_demo(out_dir: str = "out/demo") -> list[Path]:
    """Short runs of the Bayesian and binarized learners through the command line, as a
    designer would type them (each writes metrics.json and its figures into its own folder)."""
    import json
    import subprocess

    from spicegen.waves import read_raw

    def spicegen(arguments: list[str], quiet: bool = False) -> int:
        # the installed command's own process, as a designer would type it
        command = [sys.executable, "-m", "spicegen", *arguments]
        return subprocess.run(command, stdout=subprocess.DEVNULL if quiet else None).returncode

    start = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    commands = {
        "mcmc": ["train", "mcmc", "--dataset", "iris", "--device", "rram_hfo2", "--samples",
                 "400", "--folds", "2", "--precondition", "--rows", "64", "--seed", "0"],
        "bnn_rram": ["train", "bnn", "--dataset", "digits", "--synapse", "rram", "--hidden",
                     "32", "--epochs", "3", "--repeats", "1", "--devices", "16", "--seed", "0"],
    }  # fmt: skip
    figures: list[Path] = []
    for name, command in commands.items():
        folder = out / name
        status = spicegen([*command, "--out", str(folder)])
        if status != 0:
            raise RuntimeError(f"spicegen {' '.join(command)} exited with {status}")
        metrics = json.loads((folder / "metrics.json").read_text())
        mean, sd = 100 * metrics["accuracy_mean"], 100 * metrics["accuracy_std"]
        print(f"spicegen {' '.join(command[:2])} ({command[3]}): accuracy {mean:.1f} ± {sd:.1f} %")
        figures += sorted(folder.glob("*.png"))
    deck, raw = out / "bayesian_machine_log.cir", out / "bayesian_machine_log.raw"
    machine_start = time.perf_counter()
    for command in (["build", "bayesian-machine", "--scaled", "--variant", "logarithmic",
                     "-o", str(deck)], ["run", str(deck), "--raw", str(raw)]):  # fmt: skip
        if spicegen(command, quiet=True) != 0:  # quiet: the run lists ~100 logic vectors
            raise RuntimeError(f"spicegen {' '.join(command)} failed")
    sums = _accumulator_sums(read_raw(raw))
    print(f"logarithmic Bayesian machine, 2,048 memristors (2T2R), ngspice with XSPICE logic: "
          f"class sums {sums}, decision class {sums.index(min(sums))} (smallest sum) in "
          f"{time.perf_counter() - machine_start:.1f} s; deck {deck.resolve()}")  # fmt: skip
    print(f"device-randomness runs in {time.perf_counter() - start:.1f} s; figures:")
    for path in figures:
        print(f"  {path.resolve()}")
    return figures


def _accumulator_sums(waves: Waveforms) -> list[int]:
    """Each class's final log-likelihood sum, from its register bits ``acc<class>_<bit>``."""
    sums: list[int] = []
    while any(name.startswith(f"v(acc{len(sums)}_") for name in waves.names):
        bits = [name for name in waves.names if name.startswith(f"v(acc{len(sums)}_")]
        sums.append(
            sum(int(waves[f"v(acc{len(sums)}_{k})"][-1] > 0.5) << k for k in range(len(bits)))
        )
    return sums


if __name__ == "__main__":
    main(*sys.argv[1:])
