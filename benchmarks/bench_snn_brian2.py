"""The fast spiking engine side by side with Brian2 on the same LIF network (no device physics).

The network is the MNIST-5k one (784 DC-driven LIF inputs, all-to-all synapses onto 100 LIF
outputs with lateral inhibition), written once in each simulator with the same numbers:

- a LIF neuron whose spike is a phase: ``c dv/dt = I - g v`` up to ``v_th``, then ON
  (``g_on`` added, chosen so that the spike lasts ``t_ref`` at a small drive) until ``v``
  falls to ``v_reset`` (the fast engine's two-phase neuron; Brian2: a state ``on`` set by the
  threshold and cleared by a custom ``release`` event). A fixed clamp at the reset for
  ``t_ref`` (Brian2's ``refractory``) is not the same neuron: under a strong volley the ON
  phase lasts until the volley's pulses end, and a clamp lets a second spike through 20 ns
  after it (measured: 20 % more spikes);
- a synapse: a current ``w``-dependent pulse while its input is ON, carrying ``G(w) * V_p *
  t_on`` times the column gain (Brian2: ``on_pre`` on the ``spike`` and ``release`` events);
- lateral inhibition: ``inhibition`` amperes drawn from every other output while one is ON.

The figures: the spike counts of both over the same samples and weights (mean difference per
presentation against the spread, a paired comparison: Brian2 detects a threshold at the end
of its step, the fast engine at the exact time, and resolves which output crosses first
inside a step, where Brian2 fires every output that crossed in it), and the
median time per presentation of each, with the ratio, measured in this run. Brian2 runs with
its default code generation (Cython when a compiler is there); its compile time is left out
by a warm-up presentation. The count test: a paired t-test of the total spikes per
presentation (the same sample and weights in both), equal at the 5 % level when p > 0.05;
and, since a difference too small to matter can still be significant over many samples, an
equivalence test: equal within ``MARGIN`` (5 %) of Brian2's count when the 90 % interval of
the paired relative difference lies inside +-5 % (two one-sided tests at 5 %).

Brian2 is a benchmark dependency only, in its own environment: Brian2 2.9.0 (the last
release for Python 3.11) needs numpy < 2, spicegen numpy 2. ``make brian2-env`` makes
``.venv-brian2`` (``python3.11 -m venv .venv-brian2 && .venv-brian2/bin/pip install
brian2==2.9.0 'numpy<2'``); this benchmark runs the fast engine here and Brian2's half,
``benchmarks/brian2_lif.py``, in that environment (one subprocess for all presentations).
``python benchmarks/bench_snn_brian2.py [--samples N] [--inhibition A] [--dt S]
[--brian2-python PATH]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import t as student_t
from scipy.stats import ttest_rel

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
MARGIN = 0.05  # the counts' equivalence margin, a fraction of Brian2's


def lif(g_leak: float) -> NeuronSurrogate:
    """A plain LIF as a two-phase neuron: no OFF conduction, an ON phase lasting T_REF."""
    # the ON phase from V_TH to V_RESET lasts c/g ln(V_TH/V_RESET) when I << g V_RESET
    g_on = C / T_REF * math.log(V_TH / V_RESET) - g_leak
    return NeuronSurrogate("lif", C, g_leak, 0.0, g_on, V_TH, V_RESET, 1.0, (), (), ())


def fast_engine(
    inputs: int, outputs: int, inhibition: float = INHIBITION, dt: float = DT
) -> FastEngine:
    source = lif(G_LEAK)
    network = FastNetwork(
        input_neuron=source,
        output_neuron=lif(G_LEAK_OUT),
        inputs=inputs,
        outputs=outputs,
        input_bias=0.994 * V_TH * G_LEAK,
        input_gain=0.08 * V_TH * G_LEAK,
        duration=DURATION,
        dt=dt,
        pulse_voltage=PULSE,
        column_gain=COLUMN_GAIN,
        g_min=G_MIN,
        g_max=G_MAX,
        inhibition=inhibition,
    )
    return FastEngine(network)


def spike_length(engine: FastEngine) -> float:
    """The ON time (s) of one input spike in the fast engine (for Brian2's charge per spike)."""
    neuron = engine.network.input_neuron
    current = engine.network.input_bias + engine.network.input_gain
    return float(neuron.phase_times(current)[1])


BRIAN2_PYTHON = Path(__file__).resolve().parents[1] / ".venv-brian2" / "bin" / "python"


def brian2_run(python: Path, engine: FastEngine, currents: np.ndarray, q: np.ndarray):  # type: ignore[no-untyped-def]
    """Brian2's counts (samples x outputs) and seconds per presentation, from
    ``brian2_lif.py`` run by ``python`` (the Brian2 environment)."""
    numbers = {
        "C": C, "G_LEAK": G_LEAK, "G_LEAK_OUT": G_LEAK_OUT, "V_TH": V_TH, "V_RESET": V_RESET,
        "G_ON": engine.network.input_neuron.g_on, "G_ON_OUT": engine.network.output_neuron.g_on,
        "T_ON": spike_length(engine), "DT": engine.network.dt, "DURATION": DURATION,
        "INHIBITION": engine.network.inhibition,
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.npz", Path(folder) / "out.npz"
        np.savez(source, currents=currents, q=q, **numbers)
        script = Path(__file__).with_name("brian2_lif.py")
        subprocess.run([str(python), str(script), str(source), str(target)], check=True)
        out = np.load(target)
        return out["counts"], out["times"], str(out["version"]), out["input_spikes"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--outputs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--brian2-python", type=Path, default=BRIAN2_PYTHON)
    parser.add_argument("--inhibition", type=float, default=INHIBITION, help="A; 0: none")
    parser.add_argument("--dt", type=float, default=DT, help="s, both simulators' step")
    args = parser.parse_args()
    if not args.brian2_python.exists():
        raise SystemExit(
            f"bench_snn_brian2: no Brian2 environment at {args.brian2_python}; run "
            "`make brian2-env` (or pass --brian2-python)"
        )
    data = load_dataset("mnist5k")
    x = data.x / 255.0
    engine = fast_engine(x.shape[1], args.outputs, args.inhibition, args.dt)
    rng = stream(args.seed, "bench", "brian2")
    samples = rng.choice(x.shape[0], args.samples, replace=False)
    weights = rng.uniform(0, 1, (x.shape[1], args.outputs))
    # charge per input spike through conductance G during the pulse, as volts on the output
    q = COLUMN_GAIN * PULSE * (G_MIN + weights * (G_MAX - G_MIN)) * spike_length(engine) / C
    currents = np.array([engine.input_currents(x[k]) for k in samples])
    engine.present(x[samples[0]], weights)  # warm-up, as Brian2's
    fast_times, fast_counts, fast_inputs = [], [], []
    for k in samples:
        start = time.perf_counter()
        fast = engine.present(x[k], weights)
        fast_times.append(time.perf_counter() - start)
        fast_counts.append(fast.counts)
        fast_inputs.append(int(fast.input_counts.sum()))
    b, brian_times, version, brian_inputs = brian2_run(args.brian2_python, engine, currents, q)
    f = np.array(fast_counts)
    per_sample = f.sum(axis=1) - b.sum(axis=1)
    spread = float(np.std(per_sample, ddof=1)) if len(per_sample) > 1 else 0.0
    test = ttest_rel(f.sum(axis=1), b.sum(axis=1))
    print(
        f"{args.samples} MNIST-5k presentations, 784 x {args.outputs}, {DURATION * 1e6:.1f} us "
        f"in {args.dt * 1e9:g} ns steps, inhibition {args.inhibition * 1e3:g} mA, Brian2 "
        f"{version} (machine shared with other work)"
    )
    print(
        f"spikes per presentation: fast {f.sum(1).mean():.2f} +- {f.sum(1).std(ddof=1):.2f}, "
        f"brian2 {b.sum(1).mean():.2f} +- {b.sum(1).std(ddof=1):.2f}"
    )
    print(
        f"paired difference (fast - brian2): {per_sample.mean():+.2f} +- {spread:.2f} "
        f"(standard error {spread / math.sqrt(len(per_sample)):.2f}); paired t-test "
        f"t = {test.statistic:.2f}, p = {test.pvalue:.3f} (equal at the 5 % level: "
        f"{bool(test.pvalue > 0.05)})"
    )
    print(
        f"input spikes per presentation: fast {np.mean(fast_inputs):.1f}, "
        f"brian2 {np.mean(brian_inputs):.1f}"
    )
    # equivalence within MARGIN of Brian2's count (two one-sided paired t-tests at 5 %)
    relative = per_sample / np.maximum(b.sum(axis=1), 1)
    error = float(np.std(relative, ddof=1)) / math.sqrt(len(relative))
    critical = float(student_t.ppf(0.95, len(relative) - 1))
    low, high = relative.mean() - critical * error, relative.mean() + critical * error
    print(
        f"relative difference {100 * relative.mean():+.1f} % (90 % interval {100 * low:+.1f} .. "
        f"{100 * high:+.1f} %): equal within {100 * MARGIN:.0f} % (TOST at 5 %): "
        f"{bool(low > -MARGIN and high < MARGIN)}"
    )
    same_winner = np.mean(np.argmax(f, 1) == np.argmax(b, 1))
    print(f"same most-active output neuron: {100 * same_winner:.0f} % of presentations")
    # per neuron and presentation: how closely the two simulators' counts track each other
    active = (f + b) > 0
    relative = np.abs(f - b)[active] / np.maximum(f, b)[active]
    print(
        f"per-neuron counts ({int(active.sum())} active neuron-presentations): correlation "
        f"{np.corrcoef(f.ravel(), b.ravel())[0, 1]:.3f}, median relative difference "
        f"{100 * np.median(relative):.1f} %"
    )
    fast_median, brian_median = statistics.median(fast_times), statistics.median(brian_times)
    print(
        f"median per presentation: fast {1e3 * fast_median:.1f} ms, "
        f"brian2 {1e3 * brian_median:.1f} ms, ratio brian2/fast {brian_median / fast_median:.2f}"
    )


if __name__ == "__main__":
    main()
