"""A two-layer MTJ network in one netlist against an independent calculation.

The reference computes the column currents here (the ideal product of row voltages and
``G+ - G-`` from the mapping's definition), the buffers' row voltages from their formula, and
each neuron's voltages from single ``mtj`` devices simulated alone at those currents
(``_single_device_voltages`` of the network-layer tests). Tolerances: ngspice solves each
netlist to its own reltol, and a device alone and inside the network converge to the same
Newton fixed point to ~1e-7; 1e-6 relative leaves room without hiding a wrong current.
"""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import models, simulate
from spicegen.circuits import CircuitSpecError, CrossbarParams, LinearConductance
from spicegen.circuits.network import (
    MtjNetworkParams,
    activation_node,
    bias_source,
    buffer_source,
    derivative_node,
    input_source,
    mtj_network,
    pair_node,
)
from spicegen.netlist import SubcktInstance
from spicegen.va import CompiledModel
from tests.circuits.test_network_layer import _single_device_voltages

G_MIN, G_MAX = 1e-6, 1e-4  # S
BIAS, D_I, MIRROR, GAIN = 60e-6, 1.5e-6, 2.0, 10.0  # A, A, A/A, V/V
BUFFER_GAIN, BUFFER_OFFSET, BIAS_ROW = 0.4, 0.35, 0.2  # V/V, V, V
INPUTS = (0.12, -0.05, 0.18)  # V


@pytest.fixture(scope="module")
def mtj() -> CompiledModel:
    return models.load("mtj")


def _layer(weights: np.ndarray) -> CrossbarParams:
    return CrossbarParams(weights, cell="2R", mapping=LinearConductance(G_MIN, G_MAX))


def _params(**changes: object) -> MtjNetworkParams:
    rng = np.random.default_rng(7)
    first = rng.uniform(-0.8, 0.8, (4, 3))  # 3 inputs + bias row -> 3 neurons
    second = rng.uniform(-0.8, 0.8, (4, 2))  # 3 neurons + bias row -> 2 neurons
    rps = (
        tuple((3979.0 * (1 + 0.05 * k), 3979.0 * (1 + 0.05 * k) * 1.01) for k in range(3)),
        ((3800.0, 3790.0), (4100.0, 4120.0)),
    )
    settings: dict[str, object] = {
        "layers": (_layer(first), _layer(second)),
        "bias_current": BIAS,
        "delta_current": D_I,
        "mirror": MIRROR,
        "gain": GAIN,
        "bias_voltage": BIAS_ROW,
        "buffer_gain": BUFFER_GAIN,
        "buffer_offset": BUFFER_OFFSET,
        "resistances": rps,
        "inputs": INPUTS,
    }
    settings.update(changes)
    return MtjNetworkParams(**settings)  # type: ignore[arg-type]


def test_two_layers_match_an_independent_calculation(mtj: CompiledModel) -> None:
    params = _params()
    waves = simulate(mtj_network(mtj, params)).waveforms
    rows = np.array([*INPUTS, BIAS_ROW])
    for layer, crossbar_params in enumerate(params.layers):
        weights = crossbar_params.weight_array
        plus = G_MIN + np.maximum(weights, 0) * (G_MAX - G_MIN)
        minus = G_MIN + np.maximum(-weights, 0) * (G_MAX - G_MIN)
        currents = BIAS + MIRROR * rows @ (plus - minus)
        assert currents.min() > 5e-6  # every device on its positive, state-keeping branch
        rps = np.array(params.resistances[layer])  # type: ignore[index]
        alone = _single_device_voltages(mtj, np.stack([currents, currents + D_I], axis=1), rps)
        count = weights.shape[1]
        v1 = np.array([waves.v(activation_node(layer, k))[0] for k in range(count)])
        dout = np.array([waves.v(derivative_node(layer, k))[0] for k in range(count)])
        v2 = np.array([waves.v(pair_node(layer, k))[0] for k in range(count)])
        assert v1 == pytest.approx(alone[:, 0], rel=1e-6)
        assert v2 == pytest.approx(alone[:, 1], rel=1e-6)
        assert dout == pytest.approx(GAIN * (alone[:, 1] - alone[:, 0]), rel=1e-5)
        # the buffers drive the next rows with gain * (V1 - offset); the bias row stays
        rows = np.array([*(BUFFER_GAIN * (v1 - BUFFER_OFFSET)), BIAS_ROW])
        if layer + 1 < len(params.layers):
            driven = [waves.v(f"r{layer + 1}_{i}")[0] for i in range(count)]
            assert driven == pytest.approx(rows[:-1], rel=1e-9, abs=1e-12)


def test_names_point_at_elements_of_the_netlist(mtj: CompiledModel) -> None:
    circuit = mtj_network(mtj, _params())
    top = {element.name for element in circuit.elements}
    assert {input_source(i) for i in range(3)} <= top
    assert {bias_source(0), bias_source(1), buffer_source(1, 2), "Xarray0", "Xn1"} <= top
    crossbars = {s.name: s for s in circuit.subckts}
    cells = {e.name for e in crossbars["xbar0"].elements}
    assert {"R0_0p", "R0_0n", "R3_2p", "R3_2n"} <= cells
    devices = {
        e.name: dict(e.params)["rp"]
        for e in crossbars["neurons1"].elements
        if isinstance(e, SubcktInstance)
    }
    assert devices == {"Xmtj1_0": 3800.0, "Xmtj2_0": 3790.0, "Xmtj1_1": 4100.0, "Xmtj2_1": 4120.0}


def test_bad_networks_name_the_field(mtj: CompiledModel) -> None:
    good = _params()
    with pytest.raises(CircuitSpecError, match="rows") as info:
        _params(layers=(good.layers[0], _layer(np.zeros((3, 2)))))
    assert info.value.field == "layers"
    with pytest.raises(CircuitSpecError, match="2R"):
        _params(layers=(CrossbarParams(np.zeros((4, 3))), good.layers[1]))
    with pytest.raises(CircuitSpecError) as info:
        _params(resistances=(good.resistances[0],))  # type: ignore[index]
    assert info.value.field == "resistances"
    with pytest.raises(CircuitSpecError) as info:
        _params(inputs=(0.1, 0.2))
    assert info.value.field == "inputs"
    with pytest.raises(CircuitSpecError) as info:
        _params(delta_current=0.0)
    assert info.value.field == "delta_current"
