"""Testbench of ``models/rram_hfo2.va``: 300 devices read after SET (device-to-device spread)
and trains of weak-RESET pulses (progressive, noisy conductance decrease) against the closed
form. Writes ``out/testbenches/rram_hfo2.png``::

    .venv/bin/python testbenches/rram_hfo2_weak_reset.py [out_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spicegen import models, simulate
from spicegen.netlist import Circuit, Op, Option, Pwl, Tran, VoltageSource

OUT = Path(__file__).resolve().parents[1] / "out" / "testbenches"
READ = 0.1  # V


def _g(current: np.ndarray, volts: float = READ, v0: float = 0.5) -> np.ndarray:
    return current / (v0 * np.sinh(volts / v0))  # rram_hfo2's read law, S


def _reset_train(pulses: int, volts: float, seed: int, sigma_c2c: float) -> np.ndarray:
    rram = models.load("rram_hfo2")
    period, width, edge = 200e-9, 100e-9, 1e-9
    points = [(0.0, READ)]
    for k in range(pulses):
        start = k * period + period / 2
        points += [(start, READ), (start + edge, volts), (start + width - edge, volts)]
        points += [(start + width, READ)]
    stop = pulses * period + period / 2
    points.append((stop, READ))
    circuit = Circuit(
        "weak reset",
        elements=(
            VoltageSource("V1", "a", "0", READ, waveform=Pwl(tuple(points))),
            rram.instance("X1", ("a", "0"), sigma_d2d=0.0, sigma_c2c=sigma_c2c, tnoise=width),
        ),
        subckts=(rram.subckt,),
        options=(Option("seed", seed),),
    )
    w = simulate(circuit, Tran(period / 50, stop, max_step=width / 20)).waveforms
    assert w.axis is not None
    reads = np.arange(pulses + 1) * period + period / 4
    return np.interp(reads, w.axis, _g(-w.i("V1")))


def plot_rram(out: Path) -> Path:
    rram = models.load("rram_hfo2")
    count = 300
    elements: list[object] = []
    for k in range(count):
        elements += [VoltageSource(f"V{k}", f"a{k}", "0", READ)]
        elements += [rram.instance(f"X{k}", (f"a{k}", "0"), seed=21)]
    circuit = Circuit("d2d", elements=tuple(elements), subckts=(rram.subckt,))  # type: ignore[arg-type]
    w = simulate(circuit, Op()).waveforms
    g_on = np.array([_g(-w.i(f"V{k}"))[0] for k in range(count)])

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.hist(g_on * 1e6, bins=30)
    left.set(xlabel="G after SET (uS)", ylabel="devices",
             title=f"device-to-device: sd/mean = {g_on.std() / g_on.mean():.3f} (0.1)")  # fmt: skip
    pulses = np.arange(25)
    t = np.linspace(0.0, 100e-9, 20_001)  # one pulse as drawn, -0.7 V with 1 ns edges
    v = np.interp(t, [0.0, 1e-9, 99e-9, 100e-9], [READ, -0.7, -0.7, READ])
    rate = np.where(v < -0.6, np.exp((-v - 0.6) / 0.1) / 1e-6, 0.0)
    exponent = float(np.sum((rate[1:] + rate[:-1]) / 2 * np.diff(t)))
    g_window = 100e-6 - 5e-6
    right.semilogy(pulses, 5e-6 + g_window * np.exp(-exponent * pulses), "k--",
                   label="closed form, no c2c noise")  # fmt: skip
    for seed in (1, 2, 3):
        g = _reset_train(24, -0.7, seed, 0.3)
        right.semilogy(pulses, g, "o-", ms=3, label=f"sigma_c2c 0.3, seed {seed}")
    right.set(xlabel="weak-RESET pulse (-0.7 V, 100 ns)", ylabel="G (S)",
              title="progressive, noisy weak RESET")  # fmt: skip
    right.legend(fontsize=8)
    fig.tight_layout()
    path = out / "rram_hfo2.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    print(plot_rram(out))


if __name__ == "__main__":
    main()
