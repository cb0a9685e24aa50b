"""Both targets give the same waveforms on the shipped models' testbenches (NRMSE <= 1e-3).

Each scenario comes from ``testbenches/`` or drives the model the way its testbench does, with
the random parts off (the two targets draw transient noise from different streams: ngspice's
``trrandom`` sources on the subckt target, a counter-based stream on the osdi target; both are
reproducible, neither is the other). NRMSE is the RMS difference over the signal's range,
with the osdi waveform interpolated onto the subckt target's time points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from spicegen import models, simulate
from spicegen.netlist import Circuit, CurrentSource, Pulse, Pwl, Tran, VoltageSource
from spicegen.va import CompiledModel
from tests.models.conftest import load_testbench

Trace = dict[str, tuple[np.ndarray, np.ndarray]]


def nrmse(reference: tuple[np.ndarray, np.ndarray], other: tuple[np.ndarray, np.ndarray]) -> float:
    """RMS of (other - reference) over the reference's range, on the reference's time points."""
    time, values = reference
    resampled = np.interp(time, *other)
    span = float(np.max(values) - np.min(values)) or 1.0
    return float(np.sqrt(np.mean((resampled - values) ** 2)) / span)


def _vteam(model: CompiledModel) -> Trace:
    bench = load_testbench("vteam_hysteresis")
    record = bench.sine(model.subckt, 1.0, 1e6)
    return {"i": (record.time, record.current), "x": (record.time, record.state)}


def _threshold_switch(model: CompiledModel) -> Trace:
    bench = load_testbench("threshold_switch_oscillator")
    osc = bench.Oscillator()
    step = 2e-9
    w = simulate(bench.circuit(model.subckt, osc), Tran(step=step, stop=3e-6, max_step=step))
    time = w.waveforms.axis
    return {"v": (time, w.waveforms.v("a"))}


def _nbox(model: CompiledModel) -> Trace:
    bench = load_testbench("nbox_neuron")
    spikes = bench.oscillator(model.subckt, bench.Oscillator(stop=4e-6))
    return {"v": (spikes.time, spikes.v_a), "t": (spikes.time, spikes.temperature)}


def _pulse_drive(
    model: CompiledModel,
    source: object,
    stop: float,
    params: dict[str, float],
    nodes: tuple[str, ...],
    points: int = 2000,
) -> Trace:
    circuit = Circuit(
        "drive",
        elements=(source, model.instance("X1", ("a", "0"), **params)),  # type: ignore[arg-type]
        subckts=(model.subckt,),
    )
    step = stop / points
    w = simulate(circuit, Tran(step=step, stop=stop, max_step=step)).waveforms
    trace = {"v": (w.axis, w.v("a")), "i": (w.axis, -w.i("v1") if "i(v1)" in w else w.v("a"))}
    for node in nodes:
        trace[node] = (w.axis, w.v(f"x1.{node}"))
    return trace


def _mtj(model: CompiledModel) -> Trace:
    # a deterministic device written by a 2.5 Ic0 pulse: precessional switching AP -> P. The
    # latch fires at the first point past a threshold, so the targets agree to the time step:
    # 0.5 ps steps against the latch's 20 ps
    pulse = Pulse(0.0, 113e-6, 1e-9, 20e-12, 20e-12, 5e-9, 1.0)
    write = CurrentSource("I1", "0", "a", 0.0, waveform=pulse)
    trace = _pulse_drive(model, write, 10e-9, {"state0": 1, "stochastic": 0}, ("s",), 20000)
    return {"v": trace["v"], "s": trace["s"]}


def _mtj_sp(model: CompiledModel) -> Trace:
    # the deterministic part: the bias-dependent resistance of a device held in AP, below the
    # bias where thermal switching (whose random levels differ between targets) sets in
    drive = VoltageSource("V1", "a", "0", 0.0, waveform=Pwl(((0.0, -0.02), (20e-9, 0.02))))
    return _pulse_drive(model, drive, 20e-9, {"state0": 1, "delta": 40.0}, ())


def _rram(model: CompiledModel) -> Trace:
    points = [(0.0, 0.1), (50e-9, 0.1), (51e-9, -1.0), (150e-9, -1.0), (151e-9, 0.1), (300e-9, 0.1)]
    drive = VoltageSource("V1", "a", "0", 0.1, waveform=Pwl(tuple(points)))
    params = {"sigma_c2c": 0.0, "sigma_d2d": 0.0}
    return _pulse_drive(model, drive, 300e-9, params, ("x",))


def _dw(model: CompiledModel) -> Trace:
    wave = Pwl(((0.0, 0.0), (10e-9, 0.0), (10.1e-9, 112.5e-6), (19.9e-9, 112.5e-6), (20e-9, 0.0)))
    drive = CurrentSource("I1", "0", "a", 0.0, waveform=wave)
    trace = _pulse_drive(model, drive, 80e-9, {"sigma_pos": 0.0}, ("x",))
    return {"v": trace["v"], "x": trace["x"]}


SCENARIOS: dict[str, Callable[[CompiledModel], Trace]] = {
    "vteam": _vteam,
    "threshold_switch": _threshold_switch,
    "nbox": _nbox,
    "mtj": _mtj,
    "mtj_sp": _mtj_sp,
    "rram_hfo2": _rram,
    "dw_synapse": _dw,
}


def test_every_shipped_model_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(models.available())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_both_targets_give_the_same_waveforms(name: str) -> None:
    subckt = SCENARIOS[name](models.load(name, target="subckt"))
    osdi = SCENARIOS[name](models.load(name, target="osdi"))
    for signal, reference in subckt.items():
        assert nrmse(reference, osdi[signal]) <= 1e-3, signal
