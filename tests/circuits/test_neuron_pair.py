"""MTJ neuron pair (physics.md 5): the forward difference in ngspice against the single device.

The reference is the single device's V(I) curve simulated on a fine grid (one operating point
per current); its numerical derivatives give f' and f''. The mismatch slope is checked against
the linearised static equation of the mtj model, V = I rp (1 + tmr0/(1 + (V/vh)^2)), solved
independently with scipy.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from spicegen import models, simulate
from spicegen.circuits import CircuitSpecError, CompiledDevice, NeuronPairParams, neuron_pair
from spicegen.netlist import Circuit, CurrentSource, Element, Op, SubcktInstance
from spicegen.va import CompiledModel

RP, TMR0, VH = 3979.0, 1.5, 0.5  # mtj defaults: ohm, -, V
D_I = 2e-6  # A
GRID = np.linspace(10e-6, 90e-6, 321)  # A, 0.25 uA spacing


@pytest.fixture(scope="module")
def mtj() -> CompiledModel:
    return models.load("mtj")


@pytest.fixture(scope="module")
def curve(mtj: CompiledModel) -> np.ndarray:
    """V(I) of one AP-state device, n terminal at the biased node (as in the pair)."""
    elements: list[Element] = []
    for k, current in enumerate(GRID):
        elements.append(CurrentSource(f"I{k}", "0", f"a{k}", dc=float(current)))
        elements.append(mtj.instance(f"X{k}", ("0", f"a{k}"), stochastic=0, state0=1))
    circuit = Circuit(title="mtj V(I)", elements=tuple(elements), subckts=(mtj.subckt,))
    waves = simulate(circuit, Op()).waveforms
    return np.array([waves.v(f"a{k}")[0] for k in range(GRID.size)])


def _pair(
    mtj: CompiledModel, bias: float, mismatch: float = 0.0, **kw: object
) -> tuple[float, float]:
    pair = neuron_pair(mtj, NeuronPairParams(bias, D_I, mismatch, gain=10.0, **kw))  # type: ignore[arg-type]
    circuit = Circuit(
        title="neuron pair",
        elements=(SubcktInstance("Xp", ("v1", "dout", "0"), pair.name),),
        subckts=(pair,),
    )
    waves = simulate(circuit, Op()).waveforms
    return float(waves.v("v1")[0]), float(waves.v("dout")[0]) / 10.0


def _static_voltage(current: float, rp: float) -> float:
    return float(brentq(lambda v: current * rp * (1 + TMR0 / (1 + (v / VH) ** 2)) - v, 0, 5))


@pytest.mark.parametrize("bias", [20e-6, 50e-6, 80e-6])
def test_difference_matches_the_derivative_within_the_forward_bound(
    mtj: CompiledModel, curve: np.ndarray, bias: float
) -> None:
    v1, difference = _pair(mtj, bias)
    k = int(np.argmin(np.abs(GRID - bias)))
    assert GRID[k] == pytest.approx(bias)
    assert v1 == pytest.approx(curve[k], rel=1e-9)  # the activation is the device's V(I)
    first = np.gradient(curve, GRID)
    second = np.gradient(first, GRID)
    estimate = difference / D_I
    error = estimate - first[k]
    bound = D_I * abs(second[k]) / 2
    assert bound > 1e-3 * abs(first[k])  # a curved branch: the bound is not trivial
    assert abs(error) <= 1.1 * bound
    # and the error is the forward-difference error itself (f'' < 0 here: below f')
    assert error == pytest.approx(D_I * second[k] / 2, rel=0.1)


def test_mismatch_error_is_linear_in_epsilon(mtj: CompiledModel) -> None:
    bias = 50e-6
    v1, exact = _pair(mtj, bias)
    epsilons = (0.001, 0.002, 0.005)
    slopes = np.array([(_pair(mtj, bias, e)[1] - exact) / D_I / e for e in epsilons])
    assert np.ptp(slopes) / slopes.mean() < 0.02  # linear
    # first order: d V(I + dI)/d ln(rp) of the static equation, over dI
    v2 = _static_voltage(bias + D_I, RP)
    dtmr = -TMR0 * 2 * v2 / VH**2 / (1 + (v2 / VH) ** 2) ** 2
    sensitivity = v2 / (1 - (bias + D_I) * RP * dtmr)  # rp dV/drp
    assert slopes[0] == pytest.approx(sensitivity / D_I, rel=0.01)
    # physics.md 5.3's epsilon V1/dI is its upper scale (bias-dependent TMR shrinks it)
    assert 0.5 * v1 / D_I < slopes.mean() < v1 / D_I


def test_mismatch_error_in_the_linear_p_state_is_epsilon_v_over_di(mtj: CompiledModel) -> None:
    bias = 20e-6  # below the P -> AP critical current
    v1, exact = _pair(mtj, bias, state0=0)
    assert v1 == pytest.approx(bias * RP, rel=1e-6)
    assert exact / D_I == pytest.approx(RP, rel=1e-6)  # linear branch: f' = rp
    for epsilon in (0.001, 0.005):
        error = (_pair(mtj, bias, epsilon, state0=0)[1] - exact) / D_I
        assert error == pytest.approx(epsilon * (bias + D_I) * RP / D_I, rel=1e-4)
        assert error == pytest.approx(epsilon * v1 / D_I, rel=D_I / bias + 1e-4)


def test_netlist_and_errors(mtj: CompiledModel) -> None:
    pair = neuron_pair(mtj, NeuronPairParams(50e-6, 1e-6, 0.01, rp=4000.0))
    assert pair.ports == ("v1", "dout", "gnd")
    names = [e.name for e in pair.elements]
    assert names == ["Ibias1", "Ibias2", "Xmtj1", "Xmtj2", "Ediff"]
    params = [dict(e.params) for e in pair.elements if e.name.startswith("X")]  # type: ignore[union-attr]
    assert float(params[1]["rp"]) == pytest.approx(4040.0)
    assert float(params[0]["stochastic"]) == 0
    # a CompiledDevice's fixed parameters go on both devices; rp comes from them by default
    device = CompiledDevice(mtj, params={"tmr0": 1.2, "rp": 5000.0})
    pair = neuron_pair(device, NeuronPairParams(50e-6, 1e-6, 0.01))
    params = [dict(e.params) for e in pair.elements if e.name.startswith("X")]  # type: ignore[union-attr]
    assert [p["tmr0"] for p in params] == [1.2, 1.2]
    assert [p["rp"] for p in params] == pytest.approx([5000.0, 5050.0])


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: NeuronPairParams(50e-6, 0.0), "NeuronPairParams.delta_current"),
        (lambda: NeuronPairParams(50e-6, 1e-6, mismatch=-1.0), "NeuronPairParams.mismatch"),
        (lambda: NeuronPairParams(float("nan"), 1e-6), "NeuronPairParams.bias_current"),
        (lambda: NeuronPairParams(50e-6, 1e-6, gain="1"), "NeuronPairParams.gain"),  # type: ignore[arg-type]
        (lambda: NeuronPairParams(50e-6, 1e-6, state0=2), "NeuronPairParams.state0"),
        (lambda: NeuronPairParams(50e-6, 1e-6, state0=True), "NeuronPairParams.state0"),  # type: ignore[arg-type]
        (lambda: NeuronPairParams(50e-6, 1e-6, rp=0.0), "NeuronPairParams.rp"),
        (lambda: NeuronPairParams(50e-6, 1e-6, orientation="x"), "NeuronPairParams.orientation"),  # type: ignore[arg-type]
        # a netlist-level name error used to escape as NetlistError (not a ValueError)
        (lambda: NeuronPairParams(50e-6, 1e-6, name="my pair"), "NeuronPairParams.name"),
        (lambda: NeuronPairParams(50e-6, 1e-6, name="1pair"), "NeuronPairParams.name"),
    ],
)
def test_bad_params_name_the_field(build: object, field: str) -> None:
    with pytest.raises(CircuitSpecError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_bad_devices_name_the_field(mtj: CompiledModel) -> None:
    params = NeuronPairParams(50e-6, 1e-6)
    with pytest.raises(CircuitSpecError) as info:
        neuron_pair(mtj.subckt, params)  # type: ignore[arg-type]
    assert info.value.field == "device"
    with pytest.raises(CircuitSpecError) as info:
        neuron_pair(mtj, (50e-6, 1e-6))  # type: ignore[arg-type]
    assert info.value.field == "params"
    with pytest.raises(CircuitSpecError, match="has no parameter rp") as info:
        neuron_pair(models.load("threshold_switch"), params)
    assert info.value.field == "device"
    with pytest.raises(CircuitSpecError, match="outside its range") as info:
        neuron_pair(CompiledDevice(mtj, params={"tmr0": -1.0}), params)
    assert info.value.field == "CompiledDevice.params"
