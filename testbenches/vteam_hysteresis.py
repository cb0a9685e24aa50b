"""Testbenches of the compiled ``vteam`` memristor (Kvatinsky et al., IEEE TCAS-II 2015).

- ``step``: a voltage step across the device; the state drifts at the VTEAM rate (or not at
  all inside the threshold window).
- ``sine``: a sinusoidal drive; the I-V is a pinched hysteresis loop whose lobes shrink as the
  frequency rises.
Run as a script to write ``out/testbenches/vteam_hysteresis.png``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spicegen import Subckt, Tran, compile_va, simulate
from spicegen.netlist import Circuit, Pulse, Sine, SubcktInstance, VoltageSource

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "vteam.va"


@dataclass(frozen=True, slots=True)
class Params:
    """The model's default parameters (V, 1/s, 1, ohm)."""

    v_off: float = 0.3
    v_on: float = -0.3
    k_off: float = 1e5
    k_on: float = -1e5
    alpha_off: float = 3.0
    alpha_on: float = 3.0
    p_win: float = 10.0
    ron: float = 1e3
    roff: float = 100e3


def rate(params: Params, volts: float, x: float) -> float:
    """dx/dt (1/s) of the VTEAM state equation with the per-direction Joglekar windows."""
    if volts > params.v_off:
        window = 1.0 - x ** (2 * params.p_win)
        return float(params.k_off * (volts / params.v_off - 1.0) ** params.alpha_off * window)
    if volts < params.v_on:
        window = 1.0 - (1.0 - x) ** (2 * params.p_win)
        return float(params.k_on * (volts / params.v_on - 1.0) ** params.alpha_on * window)
    return 0.0


@dataclass(frozen=True, slots=True)
class Record:
    """time (s), voltage across the device (V), current into p (A), state x (1)."""

    time: np.ndarray
    voltage: np.ndarray
    current: np.ndarray
    state: np.ndarray


def _run(model: Subckt, source: VoltageSource, tran: Tran, params: Mapping[str, float]) -> Record:
    circuit = Circuit(
        title="vteam testbench",
        elements=(source, SubcktInstance("X1", ("p", "0"), model.name, dict(params))),
        subckts=(model,),
    )
    waves = simulate(circuit, tran, timeout=60.0).waveforms
    time = waves.axis
    assert time is not None
    return Record(time, waves.v("p"), -waves.i("V1"), waves.v("x1.x"))


def step(
    model: Subckt, volts: float, stop: float = 200e-9, params: Mapping[str, float] = {}
) -> Record:
    """``volts`` applied from t = 10 ns (1 ns edge) for ``stop`` (s)."""
    source = VoltageSource(
        "V1", "p", "0", 0.0, waveform=Pulse(0.0, volts, 10e-9, 1e-9, 1e-9, 1.0, 2.0)
    )
    max_step = stop / 400.0
    return _run(model, source, Tran(step=max_step, stop=stop, max_step=max_step), params)


def sine(model: Subckt, amplitude: float, frequency: float, periods: int = 2) -> Record:
    """``amplitude`` (V) sine at ``frequency`` (Hz) for ``periods`` periods, 400 steps each."""
    source = VoltageSource("V1", "p", "0", 0.0, waveform=Sine(0.0, amplitude, frequency))
    max_step = 1.0 / frequency / 400.0
    return _run(model, source, Tran(step=max_step, stop=periods / frequency, max_step=max_step), {})


def lobe_areas(record: Record, start: float) -> tuple[float, float]:
    """Areas (W: V*A) enclosed by the positive- and negative-voltage lobes of the I-V loop,
    |closed integral of i dv| over each half, from ``start`` (s) over whole periods."""
    keep = record.time >= start
    v, i = record.voltage[keep], record.current[keep]
    positive = v >= 0
    upper = abs(float(np.trapezoid(np.where(positive, i, 0.0), np.where(positive, v, 0.0))))
    lower = abs(float(np.trapezoid(np.where(~positive, i, 0.0), np.where(~positive, v, 0.0))))
    return upper, lower


def main(out_dir: Path = ROOT / "out" / "testbenches") -> Path:
    """Write the pinched-hysteresis figure at three frequencies."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = compile_va(MODEL)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for frequency in (1e5, 3e5, 1e6):
        record = sine(model, 1.0, frequency)
        keep = record.time >= 1.0 / frequency
        areas = lobe_areas(record, 1.0 / frequency)
        print(f"f = {frequency:.0e} Hz: lobe areas {areas[0]:.3e}, {areas[1]:.3e} W")
        ax.plot(
            record.voltage[keep], record.current[keep] * 1e3, label=f"{frequency / 1e3:.0f} kHz"
        )
    ax.set_xlabel("V (V)")
    ax.set_ylabel("I (mA)")
    ax.set_title("vteam: pinched hysteresis, 1 V sine")
    ax.legend()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "vteam_hysteresis.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "testbenches")
