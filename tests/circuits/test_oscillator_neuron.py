"""Threshold-switch oscillator neurons in ngspice against physics.md 2.3 and RC closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen import models, simulate
from spicegen.circuits import (
    CircuitSpecError,
    CompiledDevice,
    LifParams,
    OscillatorNeuronParams,
    PopulationParams,
    lif_neuron,
    oscillator_neuron,
    oscillator_period,
    population,
)
from spicegen.netlist import Circuit, CurrentSource, Pulse, SubcktInstance, Tran, VoltageSource
from spicegen.va import CompiledModel
from spicegen.waves.measure import crossings

R_LOAD = 5e3  # ohm
C = 1e-9  # F
ROFF = 50e3  # ohm, threshold_switch default (physics.md 2.4)
LEVEL = 0.85  # V, (vth + vhold)/2: one falling crossing of the membrane per spike


@pytest.fixture(scope="module")
def device() -> CompiledModel:
    return models.load("threshold_switch")


def _step(value: float) -> Pulse:
    """0 -> value at t = 0 in 1 ps, held: the membrane starts discharged."""
    return Pulse(0.0, value, 0.0, 1e-12, 1e-12, 1.0, 2.0)


def _frequency(spikes: np.ndarray) -> float:
    """Mean rate (Hz) after the first spike (the first charge starts at 0 V, not v_hold)."""
    assert spikes.size >= 4, spikes
    return float((spikes.size - 2) / (spikes[-1] - spikes[1]))


def _membrane_spikes(circuit: Circuit, period: float, node: str) -> np.ndarray:
    tau_ch = C * R_LOAD * ROFF / (R_LOAD + ROFF)
    step = period / 1000.0
    stop = 3.0 * tau_ch + 6.0 * period
    waves = simulate(circuit, Tran(step=step, stop=stop, max_step=step)).waveforms
    assert waves.axis is not None
    return crossings(waves.axis, waves.v(node), LEVEL, "fall")


@pytest.mark.parametrize("v_in", [1.2, 1.5, 2.0, 3.0])
def test_rate_follows_the_closed_form_period(device: CompiledModel, v_in: float) -> None:
    neuron = oscillator_neuron(device, OscillatorNeuronParams(r_load=R_LOAD, c=C))
    circuit = Circuit(
        title="oscillator neuron",
        elements=(
            VoltageSource("Vin", "vdd", "0", waveform=_step(v_in)),
            SubcktInstance("X1", ("vdd", "m", "out", "0"), neuron.name),
        ),
        subckts=(neuron,),
    )
    period = oscillator_period(v_in, R_LOAD, C)[2]
    measured = _frequency(_membrane_spikes(circuit, period, "m"))
    assert measured == pytest.approx(1.0 / period, rel=0.05)


def test_current_input_is_the_norton_equivalent(device: CompiledModel) -> None:
    """Supply grounded, synaptic current I into the membrane: the period of V_in = I R_L."""
    current = 300e-6  # A
    params = OscillatorNeuronParams(r_load=R_LOAD, c=C, input_current=current)
    neuron = oscillator_neuron(device, params)
    circuit = Circuit(
        title="current-driven oscillator neuron",
        elements=(SubcktInstance("X1", ("0", "m", "out", "0"), neuron.name),),
        subckts=(neuron,),
    )
    period = oscillator_period(current * R_LOAD, R_LOAD, C)[2]
    measured = _frequency(_membrane_spikes(circuit, period, "m"))
    assert measured == pytest.approx(1.0 / period, rel=0.05)


def test_lif_integrates_and_leaks_with_its_rc_constant(device: CompiledModel) -> None:
    r_leak, current = 5e3, 150e-6  # ohm, A: I R = 0.68 V < vth
    neuron = lif_neuron(device, LifParams(r_leak=r_leak, c=C))
    resistance = r_leak * ROFF / (r_leak + ROFF)  # leak || device OFF
    tau = resistance * C
    # current on for 4 tau (integrate), then off for 4 tau (leak)
    drive = Pulse(0.0, current, 0.0, 1e-12, 1e-12, 4 * tau, 1.0)
    circuit = Circuit(
        title="lif neuron",
        elements=(
            CurrentSource("Iin", "0", "m", waveform=drive),
            SubcktInstance("X1", ("m", "out", "0"), neuron.name),
        ),
        subckts=(neuron,),
    )
    step = tau / 200
    waves = simulate(circuit, Tran(step=step, stop=8 * tau, max_step=step)).waveforms
    time, v = waves.axis, waves.v("m")
    assert time is not None
    v_on = current * resistance * (1 - math.exp(-4))
    expected = np.where(
        time <= 4 * tau,
        current * resistance * (1 - np.exp(-time / tau)),
        v_on * np.exp(-(time - 4 * tau) / tau),
    )
    error = np.abs(v - expected).max() / (current * resistance)
    assert error < 0.01
    assert v.max() < 1.0  # never fired
    assert v.max() == pytest.approx(v_on, rel=0.01)


def test_lif_fires_above_threshold(device: CompiledModel) -> None:
    neuron = lif_neuron(device, LifParams(r_leak=5e3, c=C, input_current=300e-6))
    circuit = Circuit(
        title="lif above threshold",
        elements=(SubcktInstance("X1", ("m", "out", "0"), neuron.name),),
        subckts=(neuron,),
    )
    period = oscillator_period(300e-6 * 5e3, 5e3, C)[2]  # Norton: same as the oscillator
    assert _frequency(_membrane_spikes(circuit, period, "m")) == pytest.approx(1 / period, rel=0.05)


def _wta_counts(device: CompiledModel, inhibition: float) -> list[int]:
    supplies = (1.3, 1.6, 2.0)  # V: neuron 2 is the strongest
    pop = population(device, PopulationParams(size=3, inhibition=inhibition))
    elements: list[VoltageSource | SubcktInstance] = [
        VoltageSource(f"V{i}", f"vdd{i}", "0", waveform=_step(v)) for i, v in enumerate(supplies)
    ]
    elements.append(
        SubcktInstance("Xp", ("vdd0", "vdd1", "vdd2", "out0", "out1", "out2", "0"), pop.name)
    )
    circuit = Circuit(title="wta", elements=tuple(elements), subckts=(pop,))
    step = 2e-9
    waves = simulate(circuit, Tran(step=step, stop=30e-6, max_step=step)).waveforms
    assert waves.axis is not None
    # spike output: readout * device current, ~1 V during a spike, mV between
    return [crossings(waves.axis, waves.v(f"out{i}"), 0.5, "rise").size for i in range(3)]


def test_winner_take_all_population(device: CompiledModel) -> None:
    free = _wta_counts(device, 0.0)
    inhibited = _wta_counts(device, 1e-3)
    # without inhibition: the three independent oscillators' closed-form rates over 30 us
    for count, v_in in zip(free, (1.3, 1.6, 2.0), strict=True):
        t_first = (
            C
            * R_LOAD
            * ROFF
            / (R_LOAD + ROFF)
            * math.log((v_in * ROFF / (ROFF + R_LOAD)) / (v_in * ROFF / (ROFF + R_LOAD) - 1.0))
        )
        assert abs(count - (1 + (30e-6 - t_first) / oscillator_period(v_in, R_LOAD, C)[2])) <= 1
    assert free[2] > free[1] > free[0] > 0
    assert inhibited[2] == max(inhibited) and inhibited[2] > inhibited[1] > 0
    assert inhibited[0] < free[0] and inhibited[1] < free[1]
    assert inhibited[2] >= free[2] - 2  # the winner barely notices the losers


def test_population_netlist_and_errors(device: CompiledModel) -> None:
    pop = population(device, PopulationParams(size=4, inhibition=2e-3))
    assert pop.ports == ("vdd0", "vdd1", "vdd2", "vdd3", "out0", "out1", "out2", "out3", "gnd")
    assert sum(type(e).__name__ == "Vccs" for e in pop.elements) == 12
    assert population(device, PopulationParams(size=2)).elements[-1].name == "Xn1"
    with pytest.raises(CircuitSpecError) as info:
        OscillatorNeuronParams(c=-1.0)
    assert info.value.field == "OscillatorNeuronParams.c"
    with pytest.raises(CircuitSpecError):
        PopulationParams(size=0)
    with pytest.raises(CircuitSpecError):
        oscillator_period(1.0, R_LOAD, C)  # 1.0 * 50/55 < vth: never fires
    with pytest.raises(CircuitSpecError):
        oscillator_neuron(models.load("mtj").subckt)  # type: ignore[arg-type]


def test_every_neuron_of_a_population_is_its_own_device(device: CompiledModel) -> None:
    # vth_d2d: the threshold's device-to-device spread, vth_i = vth + vth_d2d z_i with z_i the
    # model's own per-instance draw; each neuron's rate must follow the closed form at its vth_i
    spread = CompiledDevice(device, params={"vth_d2d": 0.1}, seed=5)
    pop = population(spread, PopulationParams(size=3))
    thresholds = [
        1.0 + 0.1 * float(draw["rdist0"])
        for draw in device.variates([f"Xn{i}.Xdev" for i in range(3)], seed=5)
    ]
    assert len(set(thresholds)) == 3 and all(0.9 < v < 1.4 for v in thresholds)
    v_in = 2.2  # V: above every drawn threshold's firing condition
    elements: list[VoltageSource | SubcktInstance] = [
        VoltageSource(f"V{i}", f"vdd{i}", "0", waveform=_step(v_in)) for i in range(3)
    ]
    ports = ("vdd0", "vdd1", "vdd2", "out0", "out1", "out2", "0")
    elements.append(SubcktInstance("Xp", ports, pop.name))
    circuit = Circuit(title="population with spread", elements=tuple(elements), subckts=(pop,))
    periods = [oscillator_period(v_in, R_LOAD, C, vth=v)[2] for v in thresholds]
    step = min(periods) / 1000
    waves = simulate(circuit, Tran(step=step, stop=12 * max(periods), max_step=step)).waveforms
    assert waves.axis is not None
    for i, period in enumerate(periods):
        spikes = crossings(waves.axis, waves.v(f"out{i}"), 0.5, "rise")
        # 5 %: the closed form's ideal switch against the model's 1 ns switching (as above)
        assert _frequency(spikes) == pytest.approx(1 / period, rel=0.05)
    # same seed, same population; another seed, other devices
    assert population(CompiledDevice(device, params={"vth_d2d": 0.1}, seed=5)) == population(spread)
    other = population(CompiledDevice(device, params={"vth_d2d": 0.1}, seed=6))
    assert other != population(spread)


def test_a_lone_neuron_carries_its_device_draws_as_parameters(device: CompiledModel) -> None:
    neuron = oscillator_neuron(CompiledDevice(device, seed=9))
    (draw,) = device.variates(["Xdev"], seed=9)
    assert dict(neuron.params) == draw  # the subckt's defaults: instance Xdev's draws
    instance = next(e for e in neuron.elements if e.name == "Xdev")
    assert dict(instance.params)["rdist0"] == "{rdist0}"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        # names used to fail in the netlist layer with a NetlistError, not a CircuitSpecError
        (lambda: OscillatorNeuronParams(name="two words"), "OscillatorNeuronParams.name"),
        (lambda: LifParams(name="9lif"), "LifParams.name"),
        (lambda: PopulationParams(name="pop\n.control"), "PopulationParams.name"),
        (lambda: OscillatorNeuronParams(r_load=0.0), "OscillatorNeuronParams.r_load"),
        (lambda: LifParams(readout=float("nan")), "LifParams.readout"),
        (lambda: PopulationParams(inhibition=-1e-3), "PopulationParams.inhibition"),
        (lambda: PopulationParams(neuron=LifParams()), "PopulationParams.neuron"),  # type: ignore[arg-type]
    ],
)
def test_bad_params_name_the_field(build: object, field: str) -> None:
    with pytest.raises(CircuitSpecError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


def test_bad_devices_name_the_field(device: CompiledModel) -> None:
    with pytest.raises(CircuitSpecError) as info:
        oscillator_neuron(device, LifParams())  # type: ignore[arg-type]
    assert info.value.field == "params"
    with pytest.raises(CircuitSpecError, match="outside its range") as info:
        lif_neuron(CompiledDevice(device, params={"vth": -1.0}))
    assert info.value.field == "CompiledDevice.params"
