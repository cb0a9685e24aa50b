"""The fast spiking engine side by side with Brian2 on the same LIF network (no device physics).

The network is the MNIST-5k one (784 DC-driven LIF inputs, all-to-all synapses onto 100 LIF
outputs with lateral inhibition), written once in each simulator with the same numbers:

- a LIF neuron: ``c dv/dt = I - g v``, spike at ``v_th``, reset to ``v_reset``, refractory
  ``t_ref`` (Brian2: v clamped at the reset; the fast engine: a two-phase neuron whose ON
  phase runs from ``v_th`` to ``v_reset`` in ``t_ref``, its ON conductance chosen so, which
  leaves the same trajectory outside the spike);
- a synapse: each input spike adds ``w * q / c`` volts to the outputs (Brian2: ``on_pre``;
  the fast engine: a pulse through conductance ``G(w)`` during the input's ON phase);
- lateral inhibition: each output spike removes ``q_inh / c`` volts from the other outputs.

The figures: the spike counts of both over the same samples and weights (mean difference per
presentation against the spread, a paired comparison: Brian2 spikes on its clock grid, the
fast engine at exact times, so counts differ by discretisation, not by model), and the
median time per presentation of each, with the ratio, measured in this run. Brian2 runs with
its default code generation (Cython when a compiler is there); its compile time is left out
by a warm-up presentation. ``python benchmarks/bench_snn_brian2.py [--samples N]``.
Brian2 is a benchmark dependency only (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

from spicegen.learn import load_dataset
from spicegen.learn.snn_fast import FastEngine, FastNetwork
from spicegen.seeds import stream
from spicegen.surrogate.oscillator_neuron import NeuronSurrogate

C = 1e-9  # F, membrane
G_LEAK = 1e-9 / 4.5e-6  # S: tau = 4.5 us inputs
G_LEAK_OUT = 1e-9 / 9e-6  # S: tau = 9 us outputs
V_TH, V_RESET = 1.0, 0.7  # V
T_REF = 80e-9  # s, refractory (the threshold switch's spike length)
DT = 0.15e-6  # s
DURATION = 52.5e-6  # s: 350 steps, as the numba reference
PULSE, COLUMN_GAIN = 0.1, 40.0  # V, A/A
G_MIN, G_MAX = 5e-6, 1e-4  # S
INHIBITION = 12e-3  # A while an output spikes


def lif(g_leak: float) -> NeuronSurrogate:
    """A plain LIF as a two-phase neuron: no OFF conduction, an ON phase lasting T_REF."""
    # the ON phase from V_TH to V_RESET lasts c/g ln(V_TH/V_RESET) when I << g V_RESET
    g_on = C / T_REF * math.log(V_TH / V_RESET) - g_leak
    return NeuronSurrogate("lif", C, g_leak, 0.0, g_on, V_TH, V_RESET, 1.0, (), (), ())


def fast_engine(inputs: int, outputs: int) -> FastEngine:
    source = lif(G_LEAK)
    network = FastNetwork(
        input_neuron=source,
        output_neuron=lif(G_LEAK_OUT),
        inputs=inputs,
        outputs=outputs,
        input_bias=0.994 * V_TH * G_LEAK,
        input_gain=0.08 * V_TH * G_LEAK,
        duration=DURATION,
        dt=DT,
        pulse_voltage=PULSE,
        column_gain=COLUMN_GAIN,
        g_min=G_MIN,
        g_max=G_MAX,
        inhibition=INHIBITION,
    )
    return FastEngine(network)


def spike_length(engine: FastEngine) -> float:
    """The ON time (s) of one input spike in the fast engine (for Brian2's charge per spike)."""
    neuron = engine.network.input_neuron
    current = engine.network.input_bias + engine.network.input_gain
    return float(neuron.phase_times(current)[1])


def brian2_network(engine: FastEngine):  # type: ignore[no-untyped-def]
    """The same network in Brian2; returns (network, inputs, outputs, synapses, monitor)."""
    import brian2 as b2

    b2.prefs.logging.console_log_level = "ERROR"
    net = engine.network
    b2.defaultclock.dt = DT * b2.second
    t_on = spike_length(engine)
    equations = "dv/dt = (I - g*v)/C : volt (unless refractory)\nI : amp\ng : siemens"
    namespace = {"C": C * b2.farad, "V_TH": V_TH * b2.volt, "V_RESET": V_RESET * b2.volt}
    inputs = b2.NeuronGroup(
        net.inputs,
        equations,
        threshold="v > V_TH",
        reset="v = V_RESET",
        refractory=t_on * b2.second,
        method="exact",
        namespace=namespace,
    )
    outputs = b2.NeuronGroup(
        net.outputs,
        equations + "\ninh : amp",
        threshold="v > V_TH",
        reset="v = V_RESET",
        refractory=T_REF * b2.second,
        method="exact",
        namespace=namespace,
    )
    inputs.g = G_LEAK * b2.siemens
    outputs.g = G_LEAK_OUT * b2.siemens
    synapses = b2.Synapses(inputs, outputs, "q : volt", on_pre="v_post += q")
    synapses.connect()
    # each output spike removes INHIBITION * T_REF coulombs from every other output
    inhibition = b2.Synapses(outputs, outputs, on_pre="v_post -= Q_INH")
    inhibition.connect(condition="i != j")
    monitor = b2.SpikeMonitor(outputs)
    network = b2.Network(inputs, outputs, synapses, inhibition, monitor)
    q_inh = INHIBITION * T_REF / C
    return network, inputs, outputs, synapses, monitor, {"Q_INH": q_inh * b2.volt, **namespace}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--outputs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        import brian2 as b2
    except Exception as err:  # not installed, or (2.9.0 with numpy >= 2.4) broken on import
        raise SystemExit(
            f"bench_snn_brian2: Brian2 cannot be imported here ({type(err).__name__}: {err}); "
            "install a Brian2 release that supports this numpy (pip install brian2)"
        ) from None

    data = load_dataset("mnist5k")
    x = data.x / 255.0
    engine = fast_engine(x.shape[1], args.outputs)
    rng = stream(args.seed, "bench", "brian2")
    samples = rng.choice(x.shape[0], args.samples, replace=False)
    weights = rng.uniform(0, 1, (x.shape[1], args.outputs))
    t_on = spike_length(engine)
    # charge per input spike through conductance G during the pulse, as volts on the output
    q = COLUMN_GAIN * PULSE * (G_MIN + weights * (G_MAX - G_MIN)) * t_on / C
    network, inputs, _outputs, synapses, monitor, namespace = brian2_network(engine)
    synapses.q = q.reshape(-1) * b2.volt  # connect() is row-major over (pre, post)
    network.store()

    def brian2_present(sample: np.ndarray) -> np.ndarray:
        network.restore()
        inputs.I = engine.input_currents(sample) * b2.amp
        before = monitor.num_spikes
        network.run(DURATION * b2.second, namespace=namespace)
        del before
        return np.bincount(np.asarray(monitor.i), minlength=args.outputs)

    brian2_present(x[samples[0]])  # warm-up: code generation and compilation
    fast_times, brian_times, fast_counts, brian_counts = [], [], [], []
    for k in samples:
        start = time.perf_counter()
        fast = engine.present(x[k], weights)
        fast_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        brian = brian2_present(x[k])
        brian_times.append(time.perf_counter() - start)
        fast_counts.append(fast.counts)
        brian_counts.append(brian)
    f, b = np.array(fast_counts), np.array(brian_counts)
    per_sample = f.sum(axis=1) - b.sum(axis=1)
    spread = float(np.std(per_sample, ddof=1)) if len(per_sample) > 1 else 0.0
    print(
        f"{args.samples} MNIST-5k presentations, 784 x {args.outputs}, {DURATION * 1e6:.1f} us "
        f"in {DT * 1e9:.0f} ns steps (machine shared with other work)"
    )
    print(
        f"spikes per presentation: fast {f.sum(1).mean():.2f} +- {f.sum(1).std(ddof=1):.2f}, "
        f"brian2 {b.sum(1).mean():.2f} +- {b.sum(1).std(ddof=1):.2f}"
    )
    print(
        f"paired difference (fast - brian2): {per_sample.mean():+.2f} +- {spread:.2f} "
        f"(standard error {spread / math.sqrt(len(per_sample)):.2f})"
    )
    same_winner = np.mean(np.argmax(f, 1) == np.argmax(b, 1))
    print(f"same most-active output neuron: {100 * same_winner:.0f} % of presentations")
    fast_median, brian_median = statistics.median(fast_times), statistics.median(brian_times)
    print(
        f"median per presentation: fast {1e3 * fast_median:.1f} ms, "
        f"brian2 {1e3 * brian_median:.1f} ms, ratio brian2/fast {brian_median / fast_median:.2f}"
    )


if __name__ == "__main__":
    main()
