"""The co-simulation names (spicegen.circuits.names) against a real Session: alter, then op.

Each alteration through a name must change the simulated result to exactly what a circuit
generated afresh with the new value gives (the reference: ``ideal_column_currents`` for a
crossbar with ideal lines, and ngspice on a freshly built layer for a network layer).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from spicegen import models, simulate
from spicegen.circuits import (
    CircuitSpecError,
    CompiledDevice,
    CrossbarParams,
    LinearConductance,
    LinearState,
    NetworkLayerParams,
    NeuronPairParams,
    layer_outputs,
    network_layer,
    read_circuit,
)
from spicegen.circuits.crossbar import ideal_column_currents
from spicegen.circuits.names import (
    cell_target,
    cell_targets,
    column_source,
    column_vector,
    column_vectors,
    neuron_bias_sources,
    neuron_devices,
    neuron_vectors,
    output_vector,
    row_source,
    row_sources,
    weight_alterations,
)
from spicegen.sim import Session
from spicegen.waves import Waveforms

MAPPING = LinearConductance(1e-6, 1e-4)  # S
RNG = np.random.default_rng(8)


def _column_currents(waves: Waveforms, params: CrossbarParams) -> np.ndarray:
    currents = np.array([waves.vector(name).data[0] for name in column_vectors(params)])
    return currents[0::2] - currents[1::2] if params.differential else currents


@pytest.mark.parametrize("bulk", [False, True], ids=["elements", "bulk"])
@pytest.mark.parametrize("cell", ["1R", "2R"])
def test_crossbar_weights_and_inputs_altered_in_place(cell: str, bulk: bool) -> None:
    signed = cell == "2R"
    weights = RNG.uniform(-1 if signed else 0, 1, (3, 4))
    params = CrossbarParams(weights, cell=cell, mapping=MAPPING)  # type: ignore[arg-type]
    voltages = [0.1, 0.2, 0.15]
    # a Session finds the cells of the bulk path's blocks as it finds ordinary elements
    with Session(read_circuit(params, voltages, bulk=bulk)) as session:
        before = _column_currents(session.op(vectors=column_vectors(params)), params)
        # 1e-9: ideal lines and sources, a linear network: ngspice's solve is exact to ~1e-15
        np.testing.assert_allclose(before, ideal_column_currents(params, voltages), rtol=1e-9)
        new_weights = RNG.uniform(-1 if signed else 0, 1, (3, 4))
        for element, ohms in weight_alterations(params, new_weights).items():
            session.alter(element, ohms)
        voltages[1] = 0.05
        session.alter(row_source(1), voltages[1])
        after = _column_currents(session.op(vectors=column_vectors(params)), params)
    expected = ideal_column_currents(replace(params, weights=new_weights), voltages)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, expected, rtol=1e-9)


def test_names_are_the_generated_elements() -> None:
    params = CrossbarParams([[0.5, -0.5], [0.25, 1.0]], cell="2R", mapping=MAPPING)
    circuit = read_circuit(params, [0.1, 0.2])
    top = {e.name for e in circuit.elements}
    assert set(row_sources(params)) | {column_source(t) for t in ("0p", "0n", "1p", "1n")} <= top
    (array,) = circuit.subckts
    inner = {e.name.lower() for e in array.elements}
    targets = cell_targets(params)
    assert len(targets) == 2 and len(targets[0]) == 4
    for row in targets:
        for target in row:
            instance, element = target.element.split(".")
            assert instance == "xarray" and element in inner
            assert target.parameter is None and target.quantity == "resistance"
    assert cell_target(params, 1, "0n").element == "xarray.r1_0n"
    assert column_vector(3) == "i(vcol3)" and output_vector("2p") == "v(out2p)"
    assert cell_target(params, 0, "1p", instance="X7").element == "x7.r0_1p"


def test_compiled_cells_are_named_but_not_alterable() -> None:
    device = CompiledDevice(models.load("rram_hfo2"), "x0", "state", seed=1)
    params = CrossbarParams([[0.5, 1.0]], device=device, mapping=LinearState(0, 1))
    target = cell_target(params, 0, 1)
    assert (target.element, target.parameter, target.quantity) == ("xarray.x0_1", "x0", "state")
    assert not target.alterable
    with pytest.raises(CircuitSpecError, match="build the circuit again") as info:
        weight_alterations(params, [[0.1, 0.2]])
    assert info.value.field == "CrossbarParams.device"


def test_bad_names_and_weights_are_refused() -> None:
    params = CrossbarParams([[0.5, 0.5]], mapping=MAPPING)
    for row, tag in ((1, 0), (0, 2), (-1, 0), (0, "0p"), ("0", 0)):
        with pytest.raises(CircuitSpecError, match="no crosspoint"):
            cell_target(params, row, tag)  # type: ignore[arg-type]
    with pytest.raises(CircuitSpecError) as info:
        weight_alterations(params, [[0.5, 2.0]])
    assert info.value.field == "CrossbarParams.weights"  # the params' own range check
    with pytest.raises(CircuitSpecError, match="expected a 1x2 matrix"):
        weight_alterations(params, [[0.5, 0.5, 0.5]])
    for bad in (-1, "1.0", "x y"):
        with pytest.raises(CircuitSpecError):
            column_source(bad)  # type: ignore[arg-type]
    with pytest.raises(CircuitSpecError):
        row_source(-2)
    with pytest.raises(CircuitSpecError):
        neuron_vectors(True)  # type: ignore[arg-type]


def test_network_layer_weights_and_bias_altered_in_place() -> None:
    mtj = models.load("mtj")
    array = CrossbarParams(RNG.uniform(0, 1, (3, 2)), mapping=MAPPING)
    layer = NetworkLayerParams(array, NeuronPairParams(20e-6, 2e-6, gain=10.0))
    voltages = [0.1, 0.05, 0.08]
    circuit = network_layer(layer, mtj, voltages)
    names = {e.name for e in circuit.elements}
    for k in range(2):
        assert set(neuron_bias_sources(k)) | set(neuron_devices(k)) <= names
    vectors = [name for k in range(2) for name in neuron_vectors(k)]
    new_weights = RNG.uniform(0, 1, (3, 2))
    new_bias = 25e-6  # A
    with Session(circuit) as session:
        first = session.op(vectors=vectors)
        for element, ohms in weight_alterations(array, new_weights).items():
            session.alter(element, ohms)
        for k in range(2):
            first_source, second_source = neuron_bias_sources(k)
            session.alter(first_source, new_bias)
            session.alter(second_source, new_bias + 2e-6)
        altered = session.op(vectors=vectors)
    # the reference: the same layer generated afresh with the new weights and bias
    fresh = NetworkLayerParams(
        replace(array, weights=new_weights), replace(layer.neuron, bias_current=new_bias)
    )
    activation, derivative = (out[0] for out in layer_outputs(simulate(network_layer(
        fresh, mtj, voltages)).waveforms, 2))  # fmt: skip
    for k in range(2):
        v1, dout = neuron_vectors(k)
        assert altered.vector(v1).data[0] != pytest.approx(first.vector(v1).data[0], rel=1e-3)
        # 1e-7: both are converged operating points of the same nonlinear circuit (reltol 1e-3
        # on the Newton update, but the final iterate is far tighter: measured ~1e-12)
        assert altered.vector(v1).data[0] == pytest.approx(activation[k], rel=1e-7)
        assert altered.vector(dout).data[0] == pytest.approx(derivative[k], rel=1e-6)
