"""A network layer (crossbar + MTJ neuron pairs) in ngspice against independent references.

The column currents are the ideal product ``V @ G`` computed here with numpy (ideal lines);
the activation and derivative references are single ``mtj`` devices simulated separately at
those currents (one operating point per device, no crossbar, no mirrors): ``f(I)``,
``f(I + dI)`` and a five-point stencil around ``I`` for ``f'`` and ``f''``.
"""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import models, simulate
from spicegen.circuits import (
    CircuitSpecError,
    CompiledDevice,
    CrossbarParams,
    LinearConductance,
    NetworkLayerParams,
    NeuronPairParams,
    layer_outputs,
    network_layer,
    pair_resistances,
)
from spicegen.netlist import Circuit, CurrentSource, Element, Op, SubcktInstance
from spicegen.va import CompiledModel

G_MIN, G_MAX = 1e-6, 1e-4  # S
WEIGHTS = np.array(
    [[0.1, 0.9, 0.5], [0.4, 0.2, 1.0], [0.8, 0.3, 0.0], [0.6, 0.7, 0.25]]
)  # 4 rows x 3 columns
ROWS_V = [0.1, 0.05, 0.08, 0.03]  # V
BIAS, D_I, GAIN = 20e-6, 2e-6, 10.0  # A, A, V/V
H = 0.5e-6  # A, stencil step of the reference derivatives


@pytest.fixture(scope="module")
def mtj() -> CompiledModel:
    return models.load("mtj")


def _single_device_voltages(
    mtj: CompiledModel, currents: np.ndarray, rps: np.ndarray | None = None
) -> np.ndarray:
    """V of one AP-state device per current (n on the biased node), each alone."""
    elements: list[Element] = []
    for k, current in enumerate(currents.ravel()):
        rp = 3979.0 if rps is None else float(rps.ravel()[k])  # the model's default rp
        elements.append(CurrentSource(f"I{k}", "0", f"a{k}", dc=float(current)))
        elements.append(mtj.instance(f"X{k}", ("0", f"a{k}"), stochastic=0, state0=1, rp=rp))
    circuit = Circuit(title="mtj V(I)", elements=tuple(elements), subckts=(mtj.subckt,))
    waves = simulate(circuit, Op()).waveforms
    return np.array([waves.v(f"a{k}")[0] for k in range(currents.size)]).reshape(currents.shape)


def _params(cell: str = "1R", weights: np.ndarray = WEIGHTS) -> CrossbarParams:
    return CrossbarParams(weights, cell=cell, mapping=LinearConductance(G_MIN, G_MAX))  # type: ignore[arg-type]


def _layer(
    array: CrossbarParams, mismatch: float = 0.0, rp_spread: float = 0.0
) -> NetworkLayerParams:
    neuron = NeuronPairParams(BIAS, D_I, mismatch, gain=GAIN)
    return NetworkLayerParams(array, neuron, rp_spread=rp_spread)


@pytest.mark.parametrize("cell", ["1R", "2R"])
def test_activation_and_derivative_match_the_single_device(mtj: CompiledModel, cell: str) -> None:
    weights = WEIGHTS if cell == "1R" else WEIGHTS - 0.3  # signed weights on 2R
    params = _params(cell, weights)
    circuit = network_layer(_layer(params), mtj, ROWS_V)
    v1, dout = (out[0] for out in layer_outputs(simulate(circuit).waveforms, 3))
    # independent column currents: G = g_min + w (g_max - g_min), differential G+ - G-
    g = G_MIN + np.abs(weights) * (G_MAX - G_MIN)
    if cell == "2R":
        g = np.where(weights > 0, g, G_MIN) - np.where(weights < 0, g, G_MIN)
    currents = BIAS + np.array(ROWS_V) @ g
    assert currents.min() > 10e-6 and currents.max() < 60e-6  # AP state holds, curved branch
    stencil = currents[:, None] + H * np.arange(-2, 3)[None, :]
    forward = _single_device_voltages(mtj, np.stack([currents, currents + D_I], axis=1))
    curve = _single_device_voltages(mtj, stencil)
    assert v1 == pytest.approx(forward[:, 0], rel=1e-7)
    estimate = dout / GAIN / D_I
    assert estimate == pytest.approx((forward[:, 1] - forward[:, 0]) / D_I, rel=1e-6)
    first = (curve[:, 1] * -8 + curve[:, 3] * 8 + curve[:, 0] - curve[:, 4]) / (12 * H)
    second = (curve[:, 1] + curve[:, 3] - 2 * curve[:, 2]) / H**2
    bound = D_I * np.abs(second) / 2
    assert np.all(bound > 1e-3 * np.abs(first))  # a curved branch: the bound is not trivial
    assert np.all(np.abs(estimate - first) <= 1.1 * bound)


def test_device_variability_across_pairs(mtj: CompiledModel) -> None:
    layer = _layer(_params(), mismatch=0.01, rp_spread=0.05)
    device = CompiledDevice(mtj, seed=3)
    circuit = network_layer(layer, device, ROWS_V)
    v1, dout = (out[0] for out in layer_outputs(simulate(circuit).waveforms, 3))
    written = {
        e.name: float(dict(e.params)["rp"])
        for e in circuit.elements
        if isinstance(e, SubcktInstance) and e.name.startswith("Xmtj")
    }
    rps = np.array([[written[f"Xmtj1_{k}"], written[f"Xmtj2_{k}"]] for k in range(3)])
    assert rps == pytest.approx(pair_resistances(layer, device))
    assert rps[:, 1] == pytest.approx(rps[:, 0] * 1.01)  # the pair mismatch
    assert len(set(rps[:, 0])) == 3  # pairs differ
    assert np.all(np.abs(rps[:, 0] / 3979.0 - 1) < 0.25)
    # the relative spread is drawn as a standard normal per pair: over 400 pairs its sample sd
    # is 0.05 within 4 standard errors (SE of an sd from n normals: sd / sqrt(2 n) = 0.0018)
    wide = NetworkLayerParams(_params(weights=np.full((1, 400), 0.5)), layer.neuron, rp_spread=0.05)
    deviations = pair_resistances(wide, device)[:, 0] / 3979.0 - 1
    assert abs(deviations.std(ddof=1) - 0.05) < 4 * 0.05 / np.sqrt(800)
    # same seed, same draws; another seed, other draws
    assert network_layer(layer, CompiledDevice(mtj, seed=3), ROWS_V) == circuit
    other = pair_resistances(layer, CompiledDevice(mtj, seed=4))
    assert not np.allclose(other[:, 0], rps[:, 0])
    # each device behaves as a single device with its own rp at the ideal column current
    currents = BIAS + np.array(ROWS_V) @ (G_MIN + WEIGHTS * (G_MAX - G_MIN))
    alone = _single_device_voltages(mtj, np.stack([currents, currents + D_I], axis=1), rps)
    assert v1 == pytest.approx(alone[:, 0], rel=1e-7)
    assert dout / GAIN == pytest.approx(alone[:, 1] - alone[:, 0], rel=1e-5)


def test_netlist_and_errors(mtj: CompiledModel) -> None:
    circuit = network_layer(_layer(_params()), mtj, ROWS_V)
    names = {e.name for e in circuit.elements}
    expected = {"Xarray", "Vcol0", "Fa0", "Fb2", "Xmtj1_1", "Xmtj2_1", "Ediff_2", "Ibias1_0"}
    assert expected | {"Ibias2_2"} <= names
    assert [o.name for o in circuit.options] == ["klu"]
    # the neuron pairs are neuron_pair's own elements, suffixed
    pair = next(e for e in circuit.elements if e.name == "Xmtj2_1")
    assert dict(pair.params) == {"stochastic": 0, "state0": 1, "rp": 3979.0}  # type: ignore[union-attr]
    with pytest.raises(CircuitSpecError) as info:
        network_layer(_layer(_params()), mtj, ROWS_V[:2])
    assert info.value.field == "row_voltages"
    with pytest.raises(CircuitSpecError) as info:
        _layer(_params("1T1R"))
    assert info.value.field == "NetworkLayerParams.crossbar.cell"
    with pytest.raises(CircuitSpecError) as info:
        _layer(_params(), rp_spread=-0.1)
    assert info.value.field == "NetworkLayerParams.rp_spread"
    with pytest.raises(CircuitSpecError) as info:
        NetworkLayerParams(_params(), NeuronPairParams(BIAS, D_I), mirror=float("inf"))
    assert info.value.field == "NetworkLayerParams.mirror"
    with pytest.raises(CircuitSpecError) as info:
        NetworkLayerParams(_params(), (BIAS, D_I))  # type: ignore[arg-type]
    assert info.value.field == "NetworkLayerParams.neuron"
    with pytest.raises(CircuitSpecError) as info:
        network_layer(_params(), mtj, ROWS_V)  # type: ignore[arg-type]
    assert info.value.field == "params"
    with pytest.raises(CircuitSpecError) as info:
        network_layer(_layer(_params()), "mtj", ROWS_V)
    assert info.value.field == "device"
