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
        "C", "G_LEAK", "G_LEAK_OUT", "G_ON", "G_ON_OUT", "V_TH", "V_RESET", "T_ON", "DT",
        "DURATION", "INHIBITION",
    )}  # fmt: skip
    currents, q = data["currents"], data["q"]
    inputs_n, outputs_n = q.shape
    b2.prefs.logging.console_log_level = "ERROR"
    b2.defaultclock.dt = k["DT"] * b2.second
    # The fast engine's neuron, written in Brian2: a LIF whose spike is a phase, not a jump.
    # At V_TH it turns ON (conductance g_on added) and stays ON until v falls to V_RESET (a
    # custom event), so its refractory period lengthens under a strong drive, as there. A
    # synapse is a current pulse while its input is ON; the inhibition a current while the
    # other output is ON (charge that reaches a neuron while it is ON is mostly shunted).
    model = (
        "dv/dt = (I + i_syn - i_inh - (g + on * g_on) * v) / C : volt\n"
        "on : 1\nI : amp\ni_syn : amp\ni_inh : amp\ng : siemens\ng_on : siemens"
    )
    namespace = {
        "C": k["C"] * b2.farad,
        "V_TH": k["V_TH"] * b2.volt,
        "V_RESET": k["V_RESET"] * b2.volt,
        "I_INH": k["INHIBITION"] * b2.amp,
    }

    def group(size: int, g: float, g_on: float) -> b2.NeuronGroup:
        neurons = b2.NeuronGroup(
            size, model, threshold="on == 0 and v > V_TH", reset="on = 1",
            events={"release": "on == 1 and v < V_RESET"}, method="exact",
            namespace=namespace,
        )  # fmt: skip
        neurons.run_on_event("release", "on = 0")
        neurons.g = g * b2.siemens
        neurons.g_on = g_on * b2.siemens
        return neurons

    inputs = group(inputs_n, k["G_LEAK"], k["G_ON"])
    outputs = group(outputs_n, k["G_LEAK_OUT"], k["G_ON_OUT"])
    synapses = b2.Synapses(
        inputs, outputs, "a : amp",
        on_pre={"rise": "i_syn_post += a", "fall": "i_syn_post -= a"},
        on_event={"rise": "spike", "fall": "release"}, namespace=namespace,
    )  # fmt: skip
    synapses.connect()  # row-major over (pre, post), as q
    # the current of the fast engine's pulse: q C over the pulse's length
    synapses.a = (q * k["C"] / k["T_ON"]).reshape(-1) * b2.amp
    inhibition = b2.Synapses(
        outputs, outputs,
        on_pre={"rise": "i_inh_post += I_INH", "fall": "i_inh_post -= I_INH"},
        on_event={"rise": "spike", "fall": "release"}, namespace=namespace,
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
        last[:] = [np.asarray(monitor.t / b2.second), np.asarray(monitor.i)]
        return np.bincount(np.asarray(monitor.i), minlength=outputs_n)

    input_spikes: list[int] = []
    last: list[np.ndarray] = [np.empty(0), np.empty(0)]
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
        last_times=last[0],
        last_neurons=last[1],
        version=b2.__version__,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
