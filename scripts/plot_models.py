"""Validation figures of the device models, written to ``docs/models/img/`` (one PNG per model).

Every curve is a real ngspice run of the model compiled by spicegen, through the testbenches in
``testbenches/``; the dashed lines are the closed forms the tests compare against.

    .venv/bin/python scripts/plot_models.py [out_dir]
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spicegen import compile_va

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "models" / "img"


def _testbench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"_testbench_{name}", ROOT / "testbenches" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def plot_threshold_switch(out: Path) -> Path:
    bench = _testbench("threshold_switch_oscillator")
    model = compile_va(bench.MODEL)
    reference = bench.Oscillator()
    fig, (ax_t, ax_f) = plt.subplots(1, 2, figsize=(11, 4))
    for v_in in (1.05, 1.2, 1.5, 2.0):
        spikes = bench.run(model, dataclasses.replace(reference, v_in=v_in))
        ax_t.plot(spikes.time * 1e6, spikes.v_a, lw=0.8, label=f"V_in = {v_in} V")
    ax_t.set_xlim(0, 25)
    ax_t.set_xlabel("time (us)")
    ax_t.set_ylabel("v(a) (V)")
    ax_t.set_title("oscillator: R_L 5 kohm, C 1 nF")
    ax_t.legend(fontsize=8, loc="lower right")
    volts = np.array([1.15, 1.2, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0])
    for c, marker in ((1e-9, "o"), (10e-9, "s")):
        osc = dataclasses.replace(reference, c=c)
        measured = [bench.run(model, dataclasses.replace(osc, v_in=v)).frequency() for v in volts]
        fine = np.linspace(1.11, 3.0, 200)
        closed = [bench.closed_form(dataclasses.replace(osc, v_in=v))[2] for v in fine]
        ax_f.plot(fine, np.array(closed) / 1e3, "--", color="gray")
        ax_f.plot(volts, np.array(measured) / 1e3, marker, label=f"ngspice, C = {c * 1e9:.0f} nF")
    ax_f.plot([], [], "--", color="gray", label="closed form (physics.md 2.3)")
    ax_f.set_yscale("log")
    ax_f.set_xlabel("V_in (V)")
    ax_f.set_ylabel("f (kHz)")
    ax_f.set_title("spike frequency: rate coding and 1/C")
    ax_f.legend(fontsize=8)
    fig.tight_layout()
    path = out / "threshold_switch.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_vteam(out: Path) -> Path:
    bench = _testbench("vteam_hysteresis")
    model = compile_va(bench.MODEL)
    params = bench.Params()
    fig, (ax_loop, ax_rate) = plt.subplots(1, 2, figsize=(11, 4))
    for frequency in (1e5, 2e5, 5e5):
        record = bench.sine(model, 1.0, frequency)
        keep = record.time >= 1.0 / frequency
        ax_loop.plot(
            record.voltage[keep], record.current[keep] * 1e3, label=f"{frequency / 1e3:.0f} kHz"
        )
    ax_loop.set_xlabel("V (V)")
    ax_loop.set_ylabel("I (mA)")
    ax_loop.set_title("pinched hysteresis, 1 V sine (2nd period)")
    ax_loop.legend()
    volts = np.array([-0.9, -0.75, -0.6, -0.45, -0.35, -0.2, 0.0, 0.2, 0.35, 0.45, 0.6, 0.75, 0.9])
    measured = []
    for v in volts:
        record = bench.step(model, float(v))
        start, stop = np.searchsorted(record.time, [50e-9, 200e-9 - 1e-12])
        measured.append(
            (record.state[stop] - record.state[start]) / (record.time[stop] - record.time[start])
        )
    fine = np.linspace(-0.95, 0.95, 400)
    ax_rate.plot(
        fine,
        [bench.rate(params, float(v), 0.5) for v in fine],
        "--",
        color="gray",
        label="VTEAM law",
    )
    ax_rate.plot(volts, measured, "o", label="ngspice (step, x = 0.5)")
    ax_rate.set_yscale("symlog", linthresh=1e3)
    # one tick per decade outside the linear band around 0 (matplotlib's default symlog ticks
    # put 10^0..10^2 on top of one another there)
    decades = [10.0**k for k in range(3, 7)]
    ax_rate.set_yticks([-d for d in reversed(decades)] + [0.0] + decades)
    ax_rate.minorticks_off()
    ax_rate.set_xlabel("V (V)")
    ax_rate.set_ylabel("dx/dt (1/s)")
    ax_rate.set_title("state rate: dead zone between v_on and v_off")
    ax_rate.legend()
    fig.tight_layout()
    path = out / "vteam.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_nbox(out: Path) -> Path:
    bench = _testbench("nbox_neuron")
    model = compile_va(bench.MODEL)
    device = bench.Device()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    curve = bench.quasi_static_iv(model)
    reference = bench.closed_form_iv(device, np.linspace(300.01, 950.0, 600))
    axes[0].plot(curve.voltage, curve.current * 1e3, label="ngspice (current ramp)")
    axes[0].plot(
        reference.voltage, reference.current * 1e3, "--", color="gray", label="closed form"
    )
    axes[0].set_xlabel("V (V)")
    axes[0].set_ylabel("I (mA)")
    axes[0].set_title("quasi-static I-V: S-shaped NDR")
    axes[0].legend()
    for v_in in (1.25, 1.5, 2.0):
        spikes = bench.oscillator(model, bench.Oscillator(v_in=v_in))
        axes[1].plot(spikes.time * 1e6, spikes.v_a, lw=0.8, label=f"V_in = {v_in} V")
    axes[1].set_xlabel("time (us)")
    axes[1].set_ylabel("v(a) (V)")
    axes[1].set_title("oscillator: R_L 5 kohm, C 1 nF")
    axes[1].legend(fontsize=8)
    osc = bench.Oscillator(v_in=1.5, stop=50e-6, params={"rth2": 7e5, "cth2": 1.4e-11})
    burst = bench.oscillator(model, osc)
    axes[2].plot(burst.time * 1e6, burst.v_a, lw=0.8, label="v(a) (V)")
    twin = axes[2].twinx()
    twin.plot(
        burst.time * 1e6, burst.surroundings - device.tamb, color="tab:red", label="Ts - T_amb"
    )
    twin.set_ylabel("Ts - T_amb (K)", color="tab:red")
    axes[2].set_xlabel("time (us)")
    axes[2].set_ylabel("v(a) (V)")
    axes[2].set_title("phasic bursting: rth2 7e5 K/W, cth2 1.4e-11 J/K")
    fig.tight_layout()
    path = out / "nbox.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for plot in (plot_threshold_switch, plot_vteam, plot_nbox):
        print(f"wrote {plot(out)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
