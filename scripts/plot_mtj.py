"""Validation figures of ``models/mtj.va`` and ``models/mtj_sp.va`` for docs/models/.

Writes ``mtj_static.png``, ``mtj_switching.png`` and ``mtj_sp.png`` into ``docs/models/img/``
(or the directory given) and prints every measured figure next to its reference in the
project's physics notes. Usage: ``python scripts/plot_mtj.py [out_dir]``.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "models" / "img"


def _testbench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"_tb_{name}", ROOT / "testbenches" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def static(tb: ModuleType, out_dir: Path) -> None:
    model = tb.compile_mtj()
    volts = np.linspace(0.02, 1.2, 40)
    currents = -volts / (3979 * (1 + 1.5 / (1 + (volts / 0.5) ** 2)))
    v = tb.dc_voltages(model, currents, state0=1)
    tmr = v / (currents * 3979) - 1
    i_table = np.linspace(2e-6, 200e-6, 40)
    v_ap = -tb.dc_voltages(model, -i_table, state0=1, rp=4000.0)
    v_p = -tb.dc_voltages(model, -i_table, state0=0, rp=4000.0)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(volts, 1.5 / (1 + (volts / 0.5) ** 2) * 100, "k-", label="tmr0/(1 + (V/vh)^2)")
    a.plot(volts, tmr * 100, "o", ms=4, label="ngspice, mtj.va")
    a.set(xlabel="|V| (V)", ylabel="TMR (%)", title="TMR bias dependence (tmr0 1.5, vh 0.5 V)")
    a.legend()
    table = {10e-6: 0.0978, 25e-6: 0.2248, 50e-6: 0.3874, 100e-6: 0.6313, 200e-6: 1.0292}
    b.plot(i_table * 1e6, v_ap, "C0-", label="AP (ngspice)")
    b.plot(i_table * 1e6, v_p, "C2-", label="P (ngspice)")
    b.plot([x * 1e6 for x in table], list(table.values()), "ks", label="physics.md 1.4 table")
    b.set(xlabel="I (uA)", ylabel="V (V)", title="self-consistent V(I), R_P 4 kohm")
    b.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "mtj_static.png", dpi=110)
    plt.close(fig)
    print(f"TMR(0.5 V) = {np.interp(0.5, volts, tmr) * 100:.2f} % (ref 75 %)")
    print(f"V_AP(100 uA) = {np.interp(100e-6, i_table, v_ap):.4f} V (ref 0.6313 V)")


def switching(tb: ModuleType, out_dir: Path) -> None:
    model = tb.compile_mtj()
    # P_sw(t) curves: pulses of several widths, 300 devices each, i = 0.9 and 0.8
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for i, widths, ts, color in (
        (0.9, (10e-9, 20e-9, 40e-9, 80e-9), 5e-9, "C0"),
        (0.8, (0.5e-6, 1e-6, 2e-6), 250e-9, "C1"),
    ):
        measured = []
        for k, width in enumerate(widths):
            run = tb.Pulses(count=300, i=i, width=width, ts=ts, seed=20 + k)
            p = float(tb.run_pulses(model, run).switched.mean())
            measured.append(p)
            print(
                f"P_sw({width * 1e9:g} ns, i={i}) = {p:.3f} +- {math.sqrt(p * (1 - p) / 300):.3f}"
                f" (300 trials; closed form {float(tb.neel_brown(width, i)):.3f})"
            )
        t = np.linspace(0, widths[-1], 200)
        a.plot(t * 1e9, tb.neel_brown(t, i), "-", color=color, label=f"1 - exp(-t/tau), i = {i}")
        a.plot(
            np.array(widths) * 1e9, measured, "o", color=color, label=f"300 MTJs per point, i = {i}"
        )
    a.set(
        xscale="log",
        xlabel="pulse width (ns)",
        ylabel="P_sw",
        title="Neel-Brown, delta 40, tau0 1 ns",
    )
    a.legend(fontsize=8)
    for i, color in ((1.5, "C2"), (2.0, "C3"), (3.0, "C4")):
        width = 20e-9 / (i - 1) * 0.9
        run = tb.Pulses(count=150, i=i, width=width, ts=2e-9, seed=7, max_step=50e-12)
        out = tb.run_pulses(model, run)
        t = np.linspace(0, width, 300)
        wer = np.array([np.mean(~(out.times <= x)) for x in t])
        times = np.sort(out.times)
        w = 1 - np.arange(1, 151) / 150
        window = (w > 0.05) & (w < 0.95)
        slope = np.polyfit(times[window], np.log(-np.log(1 - w[window])), 1)[0]
        print(
            f"WER slope i={i}: {slope * 1e-9:.4f} /ns vs -2(i-1)/tau_D = "
            f"{-2 * (i - 1) / tb.tau_d() * 1e-9:.4f} /ns; "
            f"median t_sw {np.median(out.times) * 1e9:.2f} ns"
        )
        b.semilogy(t * 1e9, tb.butler_wer(t, i), "-", color=color, label=f"Butler, i = {i}")
        b.semilogy(t * 1e9, np.where(wer > 0, wer, np.nan), ".", ms=3, color=color)
    b.set(
        xlabel="pulse width (ns)",
        ylabel="WER",
        ylim=(1e-3, 1.2),
        title="precessional WER (dots: 150 MTJs)",
    )
    b.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "mtj_switching.png", dpi=110)
    plt.close(fig)


def pbit(tb: ModuleType, out_dir: Path) -> None:
    biases = (-0.4, -0.2, -0.1, 0.0, 0.1, 0.2, 0.4)
    traces = tb.run_telegraph(
        tb.compile_mtj_sp(), tb.Telegraph(biases, per_bias=16, record=4e-6, ts=20e-9, seed=3)
    )
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for offset, bias in enumerate((-0.1, 0.0, 0.1)):
        a.step(traces.time * 1e6, traces.states[bias][0] + 1.5 * offset, where="post")
    a.set_yticks([0.5 + 1.5 * offset for offset in range(3)])
    a.set_yticklabels([f"i = {bias}" for bias in (-0.1, 0.0, 0.1)])
    a.set(
        xlabel="time (us)",
        ylabel="state: low P, high AP",
        title="telegraph switching, delta 5",
    )
    fine = np.linspace(-0.45, 0.45, 200)
    b.plot(fine, tb.ap_probability(fine), "k-", label="1/2 (1 + tanh(delta i))")
    for bias in biases:
        f = traces.ap_fraction(bias)
        print(
            f"p-bit AP fraction i={bias:+.1f}: {f.mean():.3f} +- {f.std() / math.sqrt(len(f)):.3f}"
            f" (ref {float(tb.ap_probability(bias)):.3f})"
        )
        b.errorbar(bias, f.mean(), yerr=f.std() / math.sqrt(len(f)), fmt="o", color="C1")
    b.set(
        xlabel="reduced current i = -I/ic0",
        ylabel="time fraction in AP",
        title="p-bit sigmoid (16 devices x 4 us per point)",
    )
    b.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "mtj_sp.png", dpi=110)
    plt.close(fig)


def main(out_dir: Path = IMG) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    tb = _testbench("mtj_switching")
    static(tb, out_dir)
    switching(tb, out_dir)
    pbit(_testbench("mtj_sp_telegraph"), out_dir)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else IMG)
