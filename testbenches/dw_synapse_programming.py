"""Testbench of ``models/dw_synapse.va``: 200 domain-wall synapses programmed by one current
pulse with position noise, landing on pinning levels with Gaussian odds. Writes
``out/testbenches/dw_synapse.png``::

    .venv/bin/python testbenches/dw_synapse_programming.py [out_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spicegen import models, simulate
from spicegen.netlist import Circuit, CurrentSource, Option, Pwl, Tran

OUT = Path(__file__).resolve().parents[1] / "out" / "testbenches"


def plot_dw(out: Path) -> Path:
    dw = models.load("dw_synapse")
    count, width, start = 200, 10e-9, 10e-9
    wave = Pwl(((0.0, 0.0), (start, 0.0), (start + 0.1e-9, 112.5e-6),
                (start + width - 0.1e-9, 112.5e-6), (start + width, 0.0)))  # fmt: skip
    elements: list[object] = []
    for k in range(count):
        elements += [CurrentSource(f"I{k}", "0", f"b{k}", waveform=wave)]
        elements += [dw.instance(f"X{k}", (f"b{k}", "0"), sigma_pos=0.125, seed=k)]
    circuit = Circuit(
        "program", elements=tuple(elements), subckts=(dw.subckt,),  # type: ignore[arg-type]
        options=(Option("seed", 9),), saves=tuple(f"v(x{k}.x)" for k in range(count)),
    )  # fmt: skip
    w = simulate(circuit, Tran(0.2e-9, start + width + 60e-9, max_step=0.5e-9)).waveforms
    assert w.axis is not None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for k in range(12):
        left.plot(w.axis * 1e9, w.v(f"x{k}.x"), lw=1)
    for level in np.arange(5) / 4:
        left.axhline(level, color="k", ls=":", lw=0.8)
    left.set(xlabel="t (ns)", ylabel="wall position x",
             title="one 10 ns, 2.25 ith pulse from x = 0 (12 devices)")  # fmt: skip
    sites = np.round(np.array([w.v(f"x{k}.x")[-1] for k in range(count)]) * 4).astype(int)
    right.bar(np.arange(5), np.bincount(sites, minlength=5) / count, label="simulated")
    from math import erf, sqrt

    p_target = erf(1.02 / sqrt(2)) / 2 + erf(0.98 / sqrt(2)) / 2
    right.hlines(p_target, 0.6, 1.4, colors="k", lw=2, label=f"expected (Gaussian) {p_target:.3f}")
    right.set(xlabel="landing level", ylabel="fraction of devices",
              title="position noise sd = half a level spacing")  # fmt: skip
    right.set_ylim(0, 1)  # room above the bars for the legend
    right.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    path = out / "dw_synapse.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    print(plot_dw(out))


if __name__ == "__main__":
    main()
