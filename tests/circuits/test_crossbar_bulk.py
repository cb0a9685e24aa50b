"""The crossbar's bulk path (``bulk=True``) writes exactly the element path's netlist text.

The element path builds and checks every element on its own (and the ``Subckt`` checks their
names are unique); the bulk path keeps them as ``ElementBlock``s checked per row and written
by the writer's fast path. Equal text on every cell kind, line model, device and shape here,
and on random ones (hypothesis), is what lets the bulk path stand in for the element path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spicegen import compile_model, models, simulate, to_ngspice
from spicegen.circuits import (
    CompiledDevice,
    CrossbarParams,
    LinearState,
    NetworkLayerParams,
    NeuronPairParams,
    Wires,
    crossbar,
    network_layer,
    read_circuit,
    write_circuit,
)
from spicegen.circuits.crossbar import CellKind, column_currents

HERE = Path(__file__).parent
WIRES = {
    "ideal": Wires(),
    "resistive": Wires(2.0, 3.0),
    "rows only, capacitive": Wires(2.0, 0.0, 1e-15, 2e-15),
    "columns only, capacitive": Wires(0.0, 3.0, 1e-15, 2e-15),
    "lumped capacitance": Wires(0.0, 0.0, 1e-15, 2e-15),
    "everything": Wires(1.0, 1.5, 1e-15, 3e-15),
}
CELLS: tuple[CellKind, ...] = ("1R", "1T1R", "2R", "2T2R")


def _weights(cell: str, shape: tuple[int, int], seed: int) -> np.ndarray:
    low = -1.0 if cell.startswith("2") else 0.0
    return np.random.default_rng(seed).uniform(low, 1.0, shape)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("wires", WIRES.values(), ids=WIRES.keys())
@pytest.mark.parametrize("shape", [(3, 4), (1, 1), (1, 3), (4, 1)])
def test_bulk_text_equals_element_text(
    cell: CellKind, wires: Wires, shape: tuple[int, int]
) -> None:
    params = CrossbarParams(_weights(cell, shape, 1), cell=cell, wires=wires)
    drives = [0.1] * shape[0]
    assert to_ngspice(read_circuit(params, drives, bulk=True)) == to_ngspice(
        read_circuit(params, drives)
    )
    bulk, elements = crossbar(params, bulk=True), crossbar(params)
    assert bulk.elements == () and elements.blocks == ()
    assert tuple(e for block in bulk.blocks for e in block.elements()) == elements.elements


@pytest.mark.parametrize(
    "device",
    [
        CompiledDevice(compile_model(HERE / "ohmic_conductance.va"), "g"),
        CompiledDevice(models.load("rram_hfo2"), "x0", "state", seed=3),  # with its draws
        CompiledDevice(models.load("mtj"), "rp", "resistance", params={"stochastic": 0}),
        CompiledDevice(  # parameters the osdi target renames (pi -> pi_va)
            compile_model(HERE / "reserved_names.va", target="osdi"), "pi", params={"e": 2.0}
        ),
    ],
    ids=["ohmic", "rram_hfo2", "mtj", "renamed"],
)
def test_bulk_text_equals_element_text_for_compiled_devices(device: CompiledDevice) -> None:
    mapping = LinearState(0.0, 1.0) if device.parameter_kind == "state" else None
    extra = {"mapping": mapping} if mapping else {}
    for cell in CELLS:
        params = CrossbarParams(
            _weights(cell, (3, 2), 2), cell=cell, device=device, wires=WIRES["resistive"], **extra
        )  # type: ignore[arg-type]
        assert to_ngspice(read_circuit(params, [0.1] * 3, bulk=True)) == to_ngspice(
            read_circuit(params, [0.1] * 3)
        )
    for original, renamed in device.model.renamed.items():
        text = to_ngspice(read_circuit(params, [0.1] * 3, bulk=True))
        assert f" {renamed}=" in text and f" {original}=" not in text


def test_write_circuit_and_layer_take_the_bulk_path() -> None:
    params = CrossbarParams(_weights("1R", (3, 3), 4), wires=WIRES["resistive"])
    assert to_ngspice(write_circuit(params, (1, 2), 1.2, "V/3", bulk=True)) == to_ngspice(
        write_circuit(params, (1, 2), 1.2, "V/3")
    )
    layer = NetworkLayerParams(params, NeuronPairParams(20e-6, 2e-6))
    mtj = models.load("mtj")
    drives = [0.1, 0.05, 0.08]
    assert to_ngspice(network_layer(layer, mtj, drives, bulk=True)) == to_ngspice(
        network_layer(layer, mtj, drives)
    )


def test_ngspice_runs_the_bulk_path() -> None:
    params = CrossbarParams(_weights("2R", (4, 3), 5), cell="2R", wires=WIRES["resistive"])
    drives = [0.1, 0.2, 0.05, 0.15]
    bulk = column_currents(simulate(read_circuit(params, drives, bulk=True)).waveforms, params)
    elements = column_currents(simulate(read_circuit(params, drives)).waveforms, params)
    np.testing.assert_array_equal(bulk, elements)  # the same text: the same numbers


@settings(max_examples=40, deadline=None)
@given(
    cell=st.sampled_from(CELLS),
    rows=st.integers(1, 6),
    columns=st.integers(1, 6),
    segments=st.tuples(*[st.sampled_from([0.0, 0.5, 7.25])] * 2),
    capacitances=st.tuples(*[st.sampled_from([0.0, 1e-15])] * 2),
    seed=st.integers(0, 2**16),
)
def test_bulk_text_equals_element_text_on_random_arrays(
    cell: CellKind,
    rows: int,
    columns: int,
    segments: tuple[float, float],
    capacitances: tuple[float, float],
    seed: int,
) -> None:
    wires = Wires(*segments, *capacitances)
    params = CrossbarParams(_weights(cell, (rows, columns), seed), cell=cell, wires=wires)
    drives = [0.2] * rows
    bulk = to_ngspice(read_circuit(params, drives, bulk=True))
    assert bulk == to_ngspice(read_circuit(params, drives))
