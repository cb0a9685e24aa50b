"""The main demo: build a circuit in Python, simulate it with both backends, plot it.

Run with ``python -m spicegen.demo`` (``make demo``). Writes ``out/demo/rc_step.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from spicegen.netlist import Capacitor, Circuit, Pulse, Resistor, Tran, VoltageSource
from spicegen.plot import plot_waveforms
from spicegen.sim import simulate


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
    path = plot_waveforms(batch, ["v(in)", "v(out)"], Path(out_dir) / "rc_step.png")
    print(f"RC step response, tau = {tau * 1e6:.1f} us, {len(batch)} time points")
    print(f"  largest deviation from 1 - exp(-t/RC): {worst * 1e3:.3f} mV")
    print(f"  largest batch vs shared-library difference: {backend_gap:.3g} V")
    print(f"waveform plot written to {path.resolve()}")
    return path


if __name__ == "__main__":
    main(*sys.argv[1:])
