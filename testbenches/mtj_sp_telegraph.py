"""Testbench of ``models/mtj_sp.va``: telegraph noise of p-bits and their AP fraction vs bias.

Reference circuit (physics.md 1.3): each superparamagnetic MTJ is biased by its own DC current
source (positive i = current n -> p, which favours AP); many devices per bias point, each with
its own noise streams, share one netlist and one transient. The AP fraction of a device is the
time average of its state node ``x<k>.s`` > 0.5 over the record.

Run as a script to write ``out/testbenches/mtj_sp_telegraph.png``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spicegen import simulate
from spicegen.netlist import Circuit, CurrentSource, Option, Tran
from spicegen.va import CompiledModel
from spicegen.va.compile import compile_model

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "mtj_sp.va"
IC0 = 5.66e-6  # A, the model's default current scale


def compile_mtj_sp() -> CompiledModel:
    return compile_model(MODEL)


def ap_probability(i: float | np.ndarray, delta: float = 5.0) -> np.ndarray:
    """Time-averaged P(AP) = 1/2 (1 + tanh(delta i)) (physics.md 1.3)."""
    return np.asarray(0.5 * (1 + np.tanh(delta * np.asarray(i))))


@dataclass(frozen=True, slots=True)
class Telegraph:
    """``per_bias`` devices at each reduced current of ``biases`` for ``record`` s after
    ``warmup`` s, random levels every ``ts`` s, ngspice ``.options seed`` ``seed``."""

    biases: tuple[float, ...]
    per_bias: int
    record: float
    ts: float = 5e-9
    warmup: float = 200e-9
    seed: int = 1


@dataclass(frozen=True, slots=True)
class Traces:
    """Sample times (s, uniform grid) and states (devices x samples, 1 = AP) per bias."""

    time: np.ndarray
    states: dict[float, np.ndarray]

    def ap_fraction(self, bias: float) -> np.ndarray:
        """Time-averaged AP fraction of each device at ``bias``."""
        return np.asarray(self.states[bias].mean(axis=1))


def run_telegraph(model: CompiledModel, run: Telegraph) -> Traces:
    """Simulate every device of ``run`` in one transient; states sampled on a ts/4 grid."""
    elements: list[object] = []
    names: dict[float, list[str]] = {}
    k = 0
    for bias in run.biases:
        names[bias] = []
        for _ in range(run.per_bias):
            # source a -> 0 pulls i*ic0 out of p: the current flows n -> p through the MTJ
            elements.append(CurrentSource(f"I{k}", f"a{k}", "0", bias * IC0))
            elements.append(model.instance(f"X{k}", (f"a{k}", "0"), ts=run.ts, state0=k % 2))
            names[bias].append(f"x{k}.s")
            k += 1
    circuit = Circuit(
        "mtj_sp",
        elements=tuple(elements),  # type: ignore[arg-type]
        subckts=(model.subckt,),
        options=(Option("seed", run.seed), Option("klu"), Option("reltol", 1e-2)),
        saves=tuple(f"v({name})" for group in names.values() for name in group),
    )
    stop = run.warmup + run.record
    w = simulate(circuit, Tran(run.ts, stop), timeout=900).waveforms
    assert w.axis is not None
    grid = run.warmup + (np.arange(round(run.record / run.ts * 4)) + 0.5) * run.ts / 4
    states = {
        bias: np.array([np.interp(grid, w.axis, w.v(name)) > 0.5 for name in group])
        for bias, group in names.items()
    }
    return Traces(grid, states)


def mean_dwell(delta: float = 5.0, tau0: float = 1e-9) -> float:
    """Zero-bias dwell time tau0 exp(delta) in s (physics.md 1.8: 148 ns for delta 5)."""
    return tau0 * math.exp(delta)


def main(out_dir: Path = ROOT / "out" / "testbenches") -> Path:
    """Telegraph traces at three biases and the AP fraction against the tanh sigmoid."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    biases = (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3)
    traces = run_telegraph(compile_mtj_sp(), Telegraph(biases, per_bias=6, record=3e-6))
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for offset, bias in enumerate((-0.1, 0.0, 0.1)):
        a.plot(traces.time * 1e6, traces.states[bias][0] + 1.5 * offset, label=f"i = {bias}")
    a.set(xlabel="time (us)", ylabel="state (offset), 1 = AP", title="telegraph switching")
    a.legend(loc="upper right")
    fine = np.linspace(-0.35, 0.35, 200)
    b.plot(fine, ap_probability(fine), "k-", label="1/2 (1 + tanh(delta i)), delta 5")
    means = [float(traces.ap_fraction(x).mean()) for x in biases]
    b.plot(biases, means, "o", color="C1", label="6 p-bits x 3 us each")
    b.set(xlabel="reduced current i", ylabel="time fraction in AP", title="p-bit sigmoid")
    b.legend()
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "mtj_sp_telegraph.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


if __name__ == "__main__":
    print(main())
