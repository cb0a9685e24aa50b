"""Testbench of ``models/mtj.va``: static R-V, Monte Carlo switching and precessional WER.

Reference circuits (physics.md section 1): each MTJ is driven by its own ideal current source
(positive = p -> n, the AP -> P direction). Monte Carlo runs put many independent instances,
each with its own noise streams, in one netlist and one transient; the switching outcome of an
instance is its state node ``x<k>.s`` (0 = P, 1 = AP) after the pulse.

Run as a script to write ``out/testbenches/mtj_switching.png``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spicegen import simulate
from spicegen.netlist import Circuit, CurrentSource, Op, Option, Pwl, Tran
from spicegen.va import CompiledModel
from spicegen.va.compile import compile_model

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "mtj.va"
IC0 = 45.3e-6  # A, the model's default AP -> P critical current (physics.md 1.8)
IC_RATIO = 1.5  # the model's default Ic(P -> AP)/Ic(AP -> P)
GAMMA = 1.76085963e11  # rad/(s T), electron gyromagnetic ratio
EDGE = 2e-12  # s, rise and fall time of the write pulses


def compile_mtj() -> CompiledModel:
    return compile_model(MODEL)


def tau_d(alpha: float = 0.027, hk: float = 0.1) -> float:
    """Precessional relaxation time tau_D = (1 + alpha^2)/(alpha gamma mu0 H_K) in s."""
    return (1 + alpha**2) / (alpha * GAMMA * hk)


def neel_brown(
    t: float | np.ndarray, i: float, delta: float = 40, tau0: float = 1e-9
) -> np.ndarray:
    """P_sw(t) = 1 - exp(-t/tau), tau = tau0 exp(delta (1 - i)) (physics.md 1.2, regime 1)."""
    return np.asarray(-np.expm1(-np.asarray(t) / (tau0 * math.exp(delta * (1 - i)))))


def butler_wer(
    t: float | np.ndarray, i: float, delta: float = 40, td: float | None = None
) -> np.ndarray:
    """WER(t) = 1 - exp[-(pi^2 delta/4) exp(-2 (i - 1) t/tau_D)] (Butler 2012, physics.md 1.2)."""
    td = tau_d() if td is None else td
    a = math.pi**2 * delta / 4
    return np.asarray(-np.expm1(-a * np.exp(-2 * (i - 1) * np.asarray(t) / td)))


def ap_voltage(rp: float, tmr0: float, vh: float, current: float) -> float:
    """Self-consistent V of V = I rp (1 + tmr0/(1 + (V/vh)^2)) (physics.md 1.4), by bisection."""
    lo, hi = 0.0, current * rp * (1 + tmr0)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid - current * rp * (1 + tmr0 / (1 + (mid / vh) ** 2)) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def dc_voltages(
    model: CompiledModel, currents: np.ndarray, state0: int, **params: float
) -> np.ndarray:
    """Operating-point voltage V(p) - V(n) of one MTJ per current (A, p -> n), in one OP."""
    elements: list[object] = []
    for k, current in enumerate(currents):
        elements.append(CurrentSource(f"I{k}", "0", f"a{k}", float(current)))
        instance = model.instance(f"X{k}", (f"a{k}", "0"), state0=state0, **params)  # type: ignore[arg-type]
        elements.append(instance)
    circuit = Circuit("mtj_dc", elements=tuple(elements), subckts=(model.subckt,))  # type: ignore[arg-type]
    w = simulate(circuit, Op()).waveforms
    return np.array([w.v(f"a{k}")[0] for k in range(len(currents))])


@dataclass(frozen=True, slots=True)
class Pulses:
    """A Monte Carlo run: ``count`` MTJs, each with one write pulse of reduced current ``i``.

    ``direction`` "ap2p" (positive current, devices start in AP) or "p2ap" (negative current of
    i*ic0*ic_ratio, devices start in P); ``width`` and ``ts`` in s; the pulse starts at
    ``2*ts`` (a boundary of the random levels), ``seed`` is ngspice's ``.options seed``.
    """

    count: int
    i: float
    width: float
    ts: float
    seed: int = 1
    direction: str = "ap2p"
    stochastic: int = 1
    delta: float = 40.0
    settle: float = 0.0  # s simulated after the pulse
    reltol: float = 1e-2  # ngspice reltol: outcomes are binary, and 1e-3 costs ~20x the time
    max_step: float | None = None  # s; precessional events happen between time points, so
    # their timing is resolved to the step: use << tau_D/(2 (i - 1)) for WER curves


@dataclass(frozen=True, slots=True)
class Outcome:
    """Per device: switched after the pulse, and the switching time from the pulse start (s,
    NaN when it did not switch)."""

    switched: np.ndarray
    times: np.ndarray


def run_pulses(model: CompiledModel, run: Pulses) -> Outcome:
    """Simulate ``run`` in one transient and read every device's outcome."""
    start = 2 * run.ts
    end = start + run.width
    if run.direction == "ap2p":
        level, state0 = run.i * IC0, 1
    else:
        level, state0 = -run.i * IC0 * IC_RATIO, 0
    wave = Pwl(((0.0, 0.0), (start - EDGE, 0.0), (start, level), (end - EDGE, level), (end, 0.0)))
    elements: list[object] = []
    for k in range(run.count):
        elements.append(CurrentSource(f"I{k}", "0", f"a{k}", 0.0, waveform=wave))
        elements.append(
            model.instance(
                f"X{k}",
                (f"a{k}", "0"),
                state0=state0,
                ts=run.ts,
                stochastic=run.stochastic,
                delta=run.delta,
            )
        )
    circuit = Circuit(
        "mtj_mc",
        elements=tuple(elements),  # type: ignore[arg-type]
        subckts=(model.subckt,),
        options=(Option("seed", run.seed), Option("klu"), Option("reltol", run.reltol)),
        # only the state nodes go to the raw file (it is most of the run time otherwise)
        saves=tuple(f"v(x{k}.s)" for k in range(run.count)),
    )
    stop = end + max(run.settle, 0.5 * run.ts)
    w = simulate(circuit, Tran(run.ts, stop, max_step=run.max_step), timeout=900).waveforms
    t = w.axis
    assert t is not None
    switched = np.zeros(run.count, dtype=bool)
    times = np.full(run.count, np.nan)
    for k in range(run.count):
        s = w.v(f"x{k}.s")
        flipped = s < 0.5 if state0 == 1 else s > 0.5
        switched[k] = bool(flipped[-1])
        if flipped.any():
            j = int(np.argmax(flipped))
            times[k] = t[j] - start
    return Outcome(switched, times)


def main(out_dir: Path = ROOT / "out" / "testbenches") -> Path:
    """Monte Carlo P_sw(t) at i = 0.9 and the precessional WER at i = 2 against closed forms."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = compile_mtj()
    thermal = run_pulses(model, Pulses(count=200, i=0.9, width=40e-9, ts=4e-9, seed=3))
    precessional = run_pulses(
        model, Pulses(count=100, i=2.0, width=14e-9, ts=2e-9, seed=4, max_step=100e-12)
    )
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    t = np.linspace(0, 40e-9, 200)
    measured = [np.mean(thermal.times <= x) for x in t]
    a.plot(t * 1e9, neel_brown(t, 0.9), "k-", label="1 - exp(-t/tau), tau = 54.6 ns")
    a.step(t * 1e9, measured, "C0", where="post", label="200 MTJs, i = 0.9")
    a.set(xlabel="pulse width (ns)", ylabel="P_sw", title="thermally activated (delta 40)")
    a.legend()
    t2 = np.linspace(0, 14e-9, 200)
    wer = [np.mean(~(precessional.times <= x)) for x in t2]
    b.semilogy(t2 * 1e9, butler_wer(t2, 2.0), "k-", label="Butler WER, i = 2")
    b.semilogy(t2 * 1e9, np.maximum(wer, 1e-3), "C1", label="100 MTJs")
    b.set(xlabel="pulse width (ns)", ylabel="WER", title="precessional (tau_D 2.105 ns)")
    b.legend()
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "mtj_switching.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


if __name__ == "__main__":
    print(main())
