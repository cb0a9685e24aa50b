"""The corpus of compact models in ``tests/va/corpus`` (see its README): each compiles, is
simulated with a drive of its own, and shows the behaviour its authors describe."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import (
    Circuit,
    CurrentSource,
    Dc,
    Pulse,
    Pwl,
    Resistor,
    Sine,
    Tran,
    VoltageSource,
)
from spicegen.va import CompiledModel, VaError
from spicegen.va.compile import compile_model

CORPUS = Path(__file__).resolve().parent / "corpus"
MODELS = sorted(path.stem for path in CORPUS.glob("*.va"))


def _load(name: str) -> CompiledModel:
    return compile_model(CORPUS / f"{name}.va", target="osdi")


def _run(model: CompiledModel, elements: tuple[object, ...], analysis: object) -> object:
    circuit = Circuit(name_of(model), elements=elements, subckts=(model.subckt,))  # type: ignore[arg-type]
    return simulate(circuit, analysis).waveforms  # type: ignore[arg-type]


def name_of(model: CompiledModel) -> str:
    return f"{model.name} corpus drive"


def _lobes(v: np.ndarray, i: np.ndarray) -> float:
    """|closed integral of i dv| over the positive-voltage half of a loop (W: V*A)."""
    positive = v >= 0
    return abs(float(np.trapezoid(np.where(positive, i, 0.0), np.where(positive, v, 0.0))))


@pytest.mark.parametrize("name", MODELS)
def test_every_corpus_model_compiles_on_osdi_and_on_subckt_or_names_osdi(name: str) -> None:
    model = _load(name)
    assert model.library is not None and model.library.is_file()
    try:
        compile_model(CORPUS / f"{name}.va", target="subckt")
    except VaError as err:  # what a subcircuit cannot express is refused, naming osdi
        assert all("--target osdi" in d.message for d in err.diagnostics), str(err)


def _pinched_sine(model: CompiledModel, amplitude: float, frequency: float, **params: float):  # type: ignore[no-untyped-def]
    ports = model.ports
    nodes = ("p", "0", *(f"aux{k}" for k in range(len(ports) - 2)))
    elements = [
        VoltageSource("V1", "p", "0", 0.0, waveform=Sine(0.0, amplitude, frequency)),
        model.instance("X1", nodes, **params),
    ]
    elements += [Resistor(f"Raux{k}", f"aux{k}", "0", 1e9) for k in range(len(ports) - 2)]
    step = 1 / frequency / 400
    w = _run(model, tuple(elements), Tran(step=step, stop=2 / frequency, max_step=step))
    time = w.axis  # type: ignore[attr-defined]
    keep = time >= 1 / frequency  # the second period: the loop has settled
    return w.v("p")[keep], -w.i("v1")[keep], w  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "amplitude", "frequencies", "params"),
    [
        ("vteam_window", 1.0, (1e6, 4e6), {}),
        ("yakopcic", 1.0, (10e3, 40e3), {"time_step": 1e-7}),
        ("biolek_hp", 1.2, (1.0, 4.0), {}),
        ("chua_flux", 1.0, (1e5, 4e5), {}),
    ],
)
def test_memristors_trace_pinched_loops_that_shrink_with_frequency(
    name: str, amplitude: float, frequencies: tuple[float, float], params: dict[str, float]
) -> None:
    model = _load(name)
    areas = []
    for frequency in frequencies:
        v, i, _ = _pinched_sine(model, amplitude, frequency, **params)
        # pinched: where the drive passes 0 V the current is 0 (a memristor has no offset)
        crossing = np.argmin(np.abs(v))
        assert abs(i[crossing]) <= 1e-2 * np.abs(i).max() + 1e-15
        areas.append(_lobes(v, i))
    assert areas[0] > 0  # a loop, not a line
    assert areas[1] < areas[0]  # it shrinks as the frequency rises (Chua's fingerprint)


def test_rram_sets_abruptly_and_resets_at_negative_voltage() -> None:
    model = _load("rram_gap")
    points = [(0.0, 0.0), (1e-6, 1.4), (2e-6, 0.0), (3e-6, -1.6), (4e-6, 0.0)]
    drive = VoltageSource("V1", "p", "0", 0.0, waveform=Pwl(tuple(points)))
    w = _run(model, (drive, model.instance("X1", ("p", "0"))), Tran(step=2e-9, stop=4e-6))
    time, v, i = w.axis, w.v("p"), -w.i("v1")  # type: ignore[attr-defined]
    # the gap's conductance I/sinh(V/V0) (V0 = 0.25 V), read at points of the sweep
    g = i / np.where(v == 0, 1, np.sinh(v / 0.25))
    at = lambda t: float(np.interp(t, time, g))  # noqa: E731
    start, before_set, end_set = at(0.2e-6), at(0.4e-6), at(1.9e-6)
    assert end_set > 100 * start  # SET: high- to low-resistance state
    # abrupt: most of it within 0.28 V of the 1.4 V ramp (0.56 V to 0.84 V)
    assert before_set < end_set / 100 and at(0.62e-6) > end_set / 10
    # RESET at negative voltage takes it back to the high-resistance state
    assert at(3.9e-6) < end_set / 10


def test_lif_neuron_fires_at_the_closed_form_rate() -> None:
    model = _load("lif_neuron")
    current = 1e-6  # A: i R = 1 V > vth = 0.5 V, switched on after the operating point
    step = Pulse(0.0, current, 0.1e-6, 1e-9, 1e-9, 1.0, 2.0)
    elements = (
        CurrentSource("I1", "0", "in", 0.0, waveform=step),
        model.instance("X1", ("in", "out")),
        Resistor("Rout", "out", "0", 1e6),
    )
    w = _run(model, elements, Tran(step=10e-9, stop=30e-6, max_step=20e-9))
    time, out = w.axis, w.v("out")  # type: ignore[attr-defined]
    rising = time[1:][(out[1:] > 0.5) & (out[:-1] <= 0.5)]
    period = float(np.median(np.diff(rising)))
    expected = 1e-6 + 1e6 * 1e-12 * math.log(1.0 / (1.0 - 0.5))  # t_ref + RC ln(iR/(iR - vth))
    # the clamp resets to within C/gclamp = 1 ns; the crossing lands within a step
    assert period == pytest.approx(expected, rel=0.02)


def test_stt_mtj_switches_after_the_precessional_time() -> None:
    model = _load("stt_mtj")
    width = 5e-9
    pulse = Pulse(0.0, 1.2, 1e-9, 10e-12, 10e-12, width, 1.0)
    drive = VoltageSource("V1", "p", "0", 0.0, waveform=pulse)
    result = simulate(
        Circuit("stt", elements=(drive, model.instance("X1", ("p", "0"))), subckts=(model.subckt,)),
        Tran(step=5e-12, stop=8e-9, max_step=5e-12),
    )
    w = result.waveforms
    time, v, i = w.axis, w.v("p"), -w.i("v1")
    resistance = np.where(v > 1.2 - 1e-9, v / np.where(i == 0, 1, i), np.nan)  # the plateau
    ap = 4e3 * (1 + 1.2 / (1 + (1.2 / 0.5) ** 2))  # TMR(V) = tmr0/(1 + (V/vh)^2)
    assert np.nanmax(resistance) == pytest.approx(ap, rel=1e-6)  # starts in AP
    assert np.nanmin(resistance) == pytest.approx(4e3, rel=1e-6)  # ends in P
    # switching after t_sw = tau0 ln(pi/(2 theta0)) / (i/ic - 1), i the AP current
    overdrive = 1.2 / ap / 50e-6
    t_sw = 0.5e-9 * math.log(math.pi / 0.2) / (overdrive - 1)
    switched = time[np.nanargmin(np.abs(resistance - 4e3) + np.where(np.isnan(resistance), 1e9, 0))]
    assert switched - (1e-9 + 10e-12) == pytest.approx(t_sw, abs=20e-12)
    assert "switched to state 0" in result.log


def test_sot_mtj_channel_current_writes_both_ways() -> None:
    model = _load("sot_mtj")
    points = [(0.0, 0.0), (1e-9, 0.0), (1.1e-9, 0.3), (6e-9, 0.3), (6.1e-9, 0.0)]
    points += [(10e-9, 0.0), (10.1e-9, -0.3), (15e-9, -0.3), (15.1e-9, 0.0), (20e-9, 0.0)]
    write = VoltageSource("Vw", "w1", "0", 0.0, waveform=Pwl(tuple(points)))
    read = VoltageSource("Vr", "r", "0", 0.05)
    w = _run(model, (write, read, model.instance("X1", ("w1", "0", "r"))), Tran(5e-11, 20e-9))
    time, mz = w.axis, w.v("x1.m")  # type: ignore[attr-defined]
    assert mz[0] == pytest.approx(-1.0, abs=1e-6)
    # 0.3 V over 1 kohm = 300 uA > 100 uA: written up, then down, each within ~5 tau
    assert float(np.interp(9e-9, time, mz)) > 0.99
    assert float(np.interp(19e-9, time, mz)) < -0.99


@pytest.mark.parametrize("name", ["fecap_preisach", "ferro_lk"])
def test_ferroelectrics_trace_polarization_loops(name: str) -> None:
    model = _load(name)
    frequency = 1e5
    points = [(0.0, 0.0), (0.25 / frequency, 3.0), (0.75 / frequency, -3.0)]
    points += [(1.25 / frequency, 3.0), (1.75 / frequency, -3.0), (2.0 / frequency, 0.0)]
    drive = VoltageSource("V1", "p", "0", 0.0, waveform=Pwl(tuple(points)))
    step = 1 / frequency / 2000
    w = _run(
        model, (drive, model.instance("X1", ("p", "0"))), Tran(step, 2 / frequency, max_step=step)
    )
    time, v, i = w.axis, w.v("p"), -w.i("v1")  # type: ignore[attr-defined]
    charge = np.concatenate([[0.0], np.cumsum(0.5 * (i[1:] + i[:-1]) * np.diff(time))])
    second = time >= 0.75 / frequency  # the second loop, from -3 V
    v2, q2 = v[second], charge[second]
    rising = np.gradient(v2) > 0
    # at 0 V the charge differs between the rising and the falling branch: remanence
    q_up = float(np.interp(0.0, v2[rising], q2[rising]))
    order = np.argsort(v2[~rising])
    q_down = float(np.interp(0.0, v2[~rising][order], q2[~rising][order]))
    assert q_down - q_up > 0.2 * (q2.max() - q2.min())


def test_diode_with_limiting_follows_shockley_and_has_capacitance() -> None:
    model = _load("diode_limited")
    w = _run(
        model,
        (VoltageSource("V1", "a", "0", 0.0), model.instance("X1", ("a", "0"))),
        Dc("V1", 0.3, 0.5, 0.05),
    )
    volts, current = w.v("a"), -w.i("v1")  # type: ignore[attr-defined]
    vt = 1.380649e-23 * 300.15 / 1.602176634e-19
    # up to 0.5 V rs = 10 ohm drops < 30 uV (< 0.1 %): Shockley (plus the 1 pS leak)
    np.testing.assert_allclose(current, 1e-14 * np.expm1(volts / vt) + 1e-12 * volts, rtol=2e-3)


def test_square_law_mosfet_reports_its_transconductance() -> None:
    model = _load("mos_square")
    w = _run(
        model,
        (
            VoltageSource("Vd", "d", "0", 2.0),
            VoltageSource("Vg", "g", "0", 0.0),
            model.instance("X1", ("d", "g", "0", "gm")),
        ),
        Dc("Vg", 0.6, 1.5, 0.1),
    )
    vg, gm, idd = w.v("g"), w.v("gm"), -w.i("vd")  # type: ignore[attr-defined]
    vov = vg - 0.5
    np.testing.assert_allclose(idd, 0.5e-3 * vov**2 * (1 + 0.05 * 2.0), rtol=1e-9)
    np.testing.assert_allclose(gm, 1e-3 * vov * (1 + 0.05 * 2.0), rtol=1e-9)  # ddx(id, V(g))


def test_vcm_cell_heats_and_switches() -> None:
    model = _load("vcm_thermal")
    points = [(0.0, 0.0), (50e-9, 1.5), (100e-9, 0.0), (150e-9, -1.5), (200e-9, 0.0)]
    drive = VoltageSource("V1", "ae", "0", 0.0, waveform=Pwl(tuple(points)))
    w = _run(
        model,
        (drive, model.instance("X1", ("ae", "0", "t")), Resistor("Rt", "t", "0", 1e12)),
        Tran(step=0.2e-9, stop=200e-9),
    )
    time, n_state, temperature = w.axis, w.v("x1.n_state"), w.v("t")  # type: ignore[attr-defined]
    assert temperature.max() > 10  # Joule heating above ambient
    assert float(np.interp(100e-9, time, n_state)) > 0.5  # SET at positive voltage
    assert float(np.interp(200e-9, time, n_state)) < 0.5  # RESET at negative voltage
