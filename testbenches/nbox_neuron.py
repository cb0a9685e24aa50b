"""Testbenches of the compiled ``nbox`` thermal NbOx model (physics.md section 2.1).

- ``quasi_static_iv``: a slow current ramp (quasi-static: much slower than R_th C_th) traces the
  S-shaped I-V with its negative-differential-resistance branch.
- ``oscillator``: the Pearson-Anson circuit of physics.md 2.3 (V_in -> R_L -> a, device || C).
- ``thermal_step``: a small voltage step across the device; the filament temperature rises with
  the thermal time constant.
Closed forms of the same physics are here too, for the tests and the plots. Run as a script to
write ``out/testbenches/nbox_neuron.png``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spicegen import Subckt, Tran, compile_va, simulate
from spicegen.netlist import (
    Capacitor,
    Circuit,
    CurrentSource,
    Pulse,
    Pwl,
    Resistor,
    SubcktInstance,
    VoltageSource,
)
from spicegen.waves.measure import crossings

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "nbox.va"
Q = 1.602176634e-19  # C
K_B = 1.380649e-23  # J/K


@dataclass(frozen=True, slots=True)
class Device:
    """The model's default device (SI: eV, S, K/W, J/K, K, ohm)."""

    ea: float = 0.25
    g0: float = 0.317
    rth: float = 6.4e5
    cth: float = 1e-15
    tamb: float = 300.0
    rs: float = 200.0

    def conductance(self, temp: np.ndarray | float) -> np.ndarray:
        """G(T) = g0 exp(-ea/(k_B T)) (S), the simplified form of physics.md 2.1 (pf = 0)."""
        return np.asarray(self.g0 * np.exp(-self.ea * Q / (K_B * np.asarray(temp))))


@dataclass(frozen=True, slots=True)
class Curve:
    """An I-V curve: current (A), terminal voltage (V), filament temperature (K)."""

    current: np.ndarray
    voltage: np.ndarray
    temperature: np.ndarray


def closed_form_iv(device: Device, temps: np.ndarray) -> Curve:
    """Steady state of C_th dT/dt = i v - (T - T_amb)/R_th, parametrised by T (physics.md 2.1):
    v_f = sqrt((T - T_amb)/(R_th G(T))), i = G v_f, terminal V = v_f + r_s i."""
    g = device.conductance(temps)
    v_f = np.sqrt((temps - device.tamb) / (device.rth * g))
    i = g * v_f
    return Curve(i, v_f + device.rs * i, temps)


def threshold_temperature(device: Device) -> float:
    """T (K) at the maximum of v_f(T): k_B T^2 = ea (T - T_amb), the smaller root."""
    a = device.ea * Q / K_B
    return 0.5 * (a - math.sqrt(a * a - 4.0 * a * device.tamb))


def oscillation_onset(device: Device, r_load: float) -> float:
    """Smallest V_in (V) whose load line meets the I-V past its peak (the NDR branch): the
    peak (V*, i*) of the quasi-static curve gives V_in = V* + R_L i*."""
    temp = threshold_temperature(device)
    peak = closed_form_iv(device, np.array([temp]))
    return float(peak.voltage[0] + r_load * peak.current[0])


def _instance(model: Subckt, params: Mapping[str, float]) -> SubcktInstance:
    return SubcktInstance("X1", ("a", "0"), model.name, dict(params))


def quasi_static_iv(
    model: Subckt, i_max: float = 3e-3, ramp: float = 20e-6, params: Mapping[str, float] = {}
) -> Curve:
    """Current ramp 0 -> ``i_max`` (A) over ``ramp`` (s) into the device (no capacitor)."""
    circuit = Circuit(
        title="nbox quasi-static I-V",
        elements=(
            CurrentSource("I1", "0", "a", 0.0, waveform=Pwl(((0.0, 0.0), (ramp, i_max)))),
            _instance(model, params),
        ),
        subckts=(model,),
    )
    step = ramp / 2000.0
    waves = simulate(circuit, Tran(step=step, stop=ramp, max_step=step), timeout=120.0).waveforms
    tamb = float(params.get("tamb", 300.0))
    time = waves.axis
    assert time is not None
    return Curve(time * i_max / ramp, waves.v("a"), tamb + waves.v("x1.th"))


@dataclass(frozen=True, slots=True)
class Spikes:
    """Oscillator record: time (s), v(a) (V), filament and surroundings temperature (K) and the
    spike times (s): falls of v(a) through ``level``."""

    time: np.ndarray
    v_a: np.ndarray
    temperature: np.ndarray
    surroundings: np.ndarray
    spikes: np.ndarray


@dataclass(frozen=True, slots=True)
class Oscillator:
    """Pearson-Anson oscillator of physics.md 2.3 around the nbox device (V, ohm, F, s)."""

    v_in: float = 1.5
    r_load: float = 5e3
    c: float = 1e-9
    stop: float = 20e-6
    max_step: float = 5e-9
    level: float = 0.75
    params: Mapping[str, float] = field(default_factory=dict)


def oscillator(model: Subckt, osc: Oscillator) -> Spikes:
    """Simulate the oscillator; V_in steps up from 0 V in 1 ns."""
    circuit = Circuit(
        title="nbox relaxation oscillator",
        elements=(
            VoltageSource(
                "Vin", "in", "0", 0.0, waveform=Pulse(0.0, osc.v_in, 0.0, 1e-9, 1e-9, 1.0, 2.0)
            ),
            Resistor("RL", "in", "a", osc.r_load),
            Capacitor("C1", "a", "0", osc.c),
            _instance(model, osc.params),
        ),
        subckts=(model,),
    )
    tran = Tran(step=osc.max_step, stop=osc.stop, max_step=osc.max_step)
    waves = simulate(circuit, tran, timeout=120.0).waveforms
    tamb = float(osc.params.get("tamb", 300.0))
    time, v_a = waves.axis, waves.v("a")
    assert time is not None
    return Spikes(
        time,
        v_a,
        tamb + waves.v("x1.th"),
        tamb + waves.v("x1.ts"),
        crossings(time, v_a, osc.level, "fall"),
    )


def thermal_step(
    model: Subckt, volts: float = 0.3, stop: float = 5e-9
) -> tuple[np.ndarray, np.ndarray]:
    """(time (s), filament temperature rise (K)) after a ``volts`` step across the device at
    t = 0.1 ns (0.1 ps edge), with r_s = 1 mohm so the whole step lands on the oxide."""
    circuit = Circuit(
        title="nbox thermal step",
        elements=(
            VoltageSource(
                "V1", "a", "0", 0.0, waveform=Pwl(((0.0, 0.0), (1e-10, 0.0), (1.001e-10, volts)))
            ),
            _instance(model, {"rs": 1e-3}),
        ),
        subckts=(model,),
    )
    step = stop / 2000.0
    waves = simulate(circuit, Tran(step=step, stop=stop, max_step=step), timeout=60.0).waveforms
    time = waves.axis
    assert time is not None
    return time - 1e-10, waves.v("x1.th")


def main(out_dir: Path = ROOT / "out" / "testbenches") -> Path:
    """Write the I-V and spike-train figure; print the threshold and the oscillation onset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = compile_va(MODEL)
    device = Device()
    curve = quasi_static_iv(model)
    reference = closed_form_iv(device, np.linspace(300.5, 900.0, 400))
    spikes = oscillator(model, Oscillator())
    onset = oscillation_onset(device, 5e3)
    print(f"threshold: T* = {threshold_temperature(device):.1f} K, onset V_in = {onset:.3f} V")
    fig, (ax_iv, ax_t) = plt.subplots(1, 2, figsize=(10, 4))
    ax_iv.plot(curve.voltage, curve.current * 1e3, label="ngspice (current ramp)")
    ax_iv.plot(reference.voltage, reference.current * 1e3, "--", label="closed form")
    ax_iv.set_xlabel("V (V)")
    ax_iv.set_ylabel("I (mA)")
    ax_iv.set_title("nbox quasi-static I-V (S-shaped NDR)")
    ax_iv.legend()
    ax_t.plot(spikes.time * 1e6, spikes.v_a)
    ax_t.set_xlabel("time (us)")
    ax_t.set_ylabel("v(a) (V)")
    ax_t.set_title("oscillator: V_in 1.5 V, R_L 5 kohm, C 1 nF")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "nbox_neuron.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "testbenches")
