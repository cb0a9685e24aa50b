"""Brian2's half of ``bench_snn_brian2.py``, run in the Brian2 environment (its own numpy).

``python brian2_lif.py IN.npz OUT.npz``: ``IN`` holds the network's numbers (SI units, see
``bench_snn_brian2.py``), the input currents of every presentation (``currents``, samples x
inputs, A) and the charge of each synapse as output volts (``q``, inputs x outputs, V); ``OUT``
gets the output spike counts (samples x outputs) and the wall time of each presentation (s),
after one warm-up presentation (code generation and compilation). Imports only Brian2 and
numpy: Brian2 2.9.0, the last release for Python 3.11, needs numpy < 2, which spicegen does
not run on, so the benchmark runs this file in a separate environment
(``make brian2-env``).
"""

from __future__ import annotations

import sys
import time

import brian2 as b2
import numpy as np


def main(source: str, target: str) -> None:
    data = np.load(source)
    k = {name: float(data[name]) for name in (
        "C", "G_LEAK", "G_LEAK_OUT", "V_TH", "V_RESET", "T_ON", "T_REF", "DT", "DURATION",
        "Q_INH",
    )}  # fmt: skip
    currents, q = data["currents"], data["q"]
    inputs_n, outputs_n = q.shape
    b2.prefs.logging.console_log_level = "ERROR"
    b2.defaultclock.dt = k["DT"] * b2.second
    # LIF neurons, v clamped at the reset for the spike length (inputs T_ON, outputs T_REF).
    # A synapse adds its charge at the input spike; what reaches an output while it spikes is
    # lost (in the fast engine its ON phase ends at the reset whatever flows in meanwhile)
    equations = "dv/dt = (I - g*v)/C : volt (unless refractory)\nI : amp\ng : siemens"
    namespace = {
        "C": k["C"] * b2.farad,
        "V_TH": k["V_TH"] * b2.volt,
        "V_RESET": k["V_RESET"] * b2.volt,
        "Q_INH": k["Q_INH"] * b2.volt,
    }
    inputs = b2.NeuronGroup(
        inputs_n, equations, threshold="v > V_TH", reset="v = V_RESET",
        refractory=k["T_ON"] * b2.second, method="exact", namespace=namespace,
    )  # fmt: skip
    outputs = b2.NeuronGroup(
        outputs_n, equations, threshold="v > V_TH", reset="v = V_RESET",
        refractory=k["T_REF"] * b2.second, method="exact", namespace=namespace,
    )  # fmt: skip
    inputs.g = k["G_LEAK"] * b2.siemens
    outputs.g = k["G_LEAK_OUT"] * b2.siemens
    synapses = b2.Synapses(
        inputs, outputs, "q : volt", on_pre="v_post += q * int(not_refractory_post)",
        namespace=namespace,
    )  # fmt: skip
    synapses.connect()  # row-major over (pre, post), as q
    synapses.q = q.reshape(-1) * b2.volt
    inhibition = b2.Synapses(
        outputs, outputs, on_pre="v_post -= Q_INH * int(not_refractory_post)",
        namespace=namespace,
    )  # fmt: skip
    inhibition.connect(condition="i != j")
    monitor = b2.SpikeMonitor(outputs)
    input_monitor = b2.SpikeMonitor(inputs)
    network = b2.Network(inputs, outputs, synapses, inhibition, monitor, input_monitor)
    network.store()

    def present(current: np.ndarray) -> np.ndarray:
        network.restore()  # membranes at 0 V, the monitor emptied
        inputs.I = current * b2.amp
        network.run(k["DURATION"] * b2.second, namespace=namespace)
        input_spikes.append(input_monitor.num_spikes)
        return np.bincount(np.asarray(monitor.i), minlength=outputs_n)

    input_spikes: list[int] = []
    present(currents[0])  # warm-up
    input_spikes.clear()
    counts, times = [], []
    for current in currents:
        start = time.perf_counter()
        counts.append(present(current))
        times.append(time.perf_counter() - start)
    np.savez(
        target,
        counts=np.array(counts),
        times=np.array(times),
        input_spikes=np.array(input_spikes),
        version=b2.__version__,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
