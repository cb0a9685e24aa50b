"""Pearson-Anson relaxation oscillator built on the compiled ``threshold_switch`` model.

The reference circuit of physics.md section 2.3: ``V_in -> R_L -> node a``, with the threshold
switch and a capacitor ``C`` in parallel from ``a`` to ground. Run as a script to write
``out/testbenches/threshold_switch_oscillator.png`` (spike trains at the V_in of the physics.md
2.4 table) and print the measured frequencies next to the closed form.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spicegen import Subckt, Tran, compile_va, simulate
from spicegen.netlist import (
    Capacitor,
    Circuit,
    Option,
    Pulse,
    Resistor,
    SubcktInstance,
    VoltageSource,
)
from spicegen.waves.measure import crossings

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "threshold_switch.va"


@dataclass(frozen=True, slots=True)
class Oscillator:
    """Reference oscillator of physics.md 2.4 (all SI: V, ohm, F, s)."""

    v_in: float = 1.5
    r_load: float = 5e3
    c: float = 1e-9
    roff: float = 50e3
    ron: float = 200.0
    vth: float = 1.0
    vhold: float = 0.7
    tsw: float = 1e-9
    vth_sigma: float = 0.0  # V, cycle-to-cycle threshold jitter
    vth_d2d: float = 0.0  # V, device-to-device threshold offset
    seed: int = 1  # .options seed of the jitter and instance seed of the offset


@dataclass(frozen=True, slots=True)
class Spikes:
    """A simulated spike train: time (s), v(a) (V), discharge (spike) times (s)."""

    time: np.ndarray
    v_a: np.ndarray
    spikes: np.ndarray

    def frequency(self) -> float:
        """Mean spike frequency (Hz) over the spikes after the first one (the first charge
        starts from 0 V, not from v_hold)."""
        if self.spikes.size < 3:
            raise ValueError(f"need at least 3 spikes for a frequency, got {self.spikes.size}")
        return float((self.spikes.size - 2) / (self.spikes[-1] - self.spikes[1]))


def closed_form(osc: Oscillator) -> tuple[float, float, float]:
    """(t_ch, t_dis, f) of the ideal piecewise switch, physics.md 2.3 (s, s, Hz)."""
    v_inf = osc.v_in * osc.roff / (osc.roff + osc.r_load)
    tau_ch = osc.c * osc.r_load * osc.roff / (osc.r_load + osc.roff)
    t_ch = tau_ch * math.log((v_inf - osc.vhold) / (v_inf - osc.vth))
    v_inf_on = osc.v_in * osc.ron / (osc.ron + osc.r_load)
    tau_dis = osc.c * osc.r_load * osc.ron / (osc.r_load + osc.ron)
    t_dis = tau_dis * math.log((osc.vth - v_inf_on) / (osc.vhold - v_inf_on))
    return t_ch, t_dis, 1.0 / (t_ch + t_dis)


def circuit(model: Subckt, osc: Oscillator) -> Circuit:
    """The oscillator; V_in steps up from 0 V in 1 ns so the capacitor starts discharged."""
    params = {
        "roff": osc.roff,
        "ron": osc.ron,
        "vth": osc.vth,
        "vhold": osc.vhold,
        "tsw": osc.tsw,
        "vth_sigma": osc.vth_sigma,
        "vth_d2d": osc.vth_d2d,
    }
    return Circuit(
        title="threshold_switch relaxation oscillator",
        elements=(
            VoltageSource(
                "Vin", "in", "0", 0.0, waveform=Pulse(0.0, osc.v_in, 0.0, 1e-9, 1e-9, 1.0, 2.0)
            ),
            Resistor("RL", "in", "a", osc.r_load),
            Capacitor("C1", "a", "0", osc.c),
            SubcktInstance("X1", ("a", "0"), model.name, params),
        ),
        subckts=(model,),
        options=(Option("seed", osc.seed),),
    )


def run(model: Subckt, osc: Oscillator, periods: int = 6) -> Spikes:
    """Simulate the first charge plus ``periods`` closed-form periods and find the spikes:
    falling crossings of v(a) through (vth + vhold)/2, one per discharge."""
    period = (
        1.0 / closed_form(osc)[2]
        if osc.v_in * osc.roff / (osc.roff + osc.r_load) > osc.vth
        else 3e-6 * osc.c / 1e-9
    )
    tau_ch = osc.c * osc.r_load * osc.roff / (osc.r_load + osc.roff)
    stop = 3.0 * tau_ch + periods * period
    step = period / 1000.0
    result = simulate(circuit(model, osc), Tran(step=step, stop=stop, max_step=step), timeout=120.0)
    waves = result.waveforms
    level = 0.5 * (osc.vth + osc.vhold)
    time = waves.axis
    assert time is not None
    return Spikes(time, waves.v("a"), crossings(time, waves.v("a"), level, "fall"))


def main(out_dir: Path = ROOT / "out" / "testbenches") -> Path:
    """Simulate the physics.md 2.4 V_in table, print measured vs closed form, write the figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = compile_va(MODEL)
    fig, ax = plt.subplots(figsize=(7, 4))
    for v_in in (1.05, 1.2, 1.5, 2.0, 3.0):
        osc = Oscillator(v_in=v_in)
        spikes = run(model, osc)
        measured = spikes.frequency() if spikes.spikes.size >= 3 else 0.0
        expected = closed_form(osc)[2] if v_in * 50 / 55 > 1.0 else 0.0
        print(f"V_in {v_in:4.2f} V: f = {measured / 1e3:8.1f} kHz (closed form", end=" ")
        print(f"{expected / 1e3:8.1f} kHz)")
        ax.plot(spikes.time * 1e6, spikes.v_a, lw=0.8, label=f"V_in = {v_in} V")
    ax.set_xlabel("time (us)")
    ax.set_ylabel("v(a) (V)")
    ax.set_xlim(0, 30)
    ax.set_title("threshold_switch oscillator: R_L 5 kohm, C 1 nF")
    ax.legend(fontsize=8, loc="lower right")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "threshold_switch_oscillator.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "testbenches")
