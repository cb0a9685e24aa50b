"""Crossbar specs: validation names the field; weight mappings against their closed forms."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from spicegen import compile_model
from spicegen.circuits import CircuitSpecError
from spicegen.circuits.crossbar import (
    AccessTransistor,
    CompiledDevice,
    CrossbarParams,
    LinearConductance,
    LinearState,
    Quantised,
    ResistorDevice,
    SenseResistor,
    TransimpedanceAmplifier,
    Wires,
    cell_conductances,
    crossbar,
    device_conductances,
    ideal_column_currents,
    mapped_matrix,
    read_circuit,
    write_circuit,
)

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def ohmic() -> CompiledDevice:
    return CompiledDevice(compile_model(HERE / "ohmic_conductance.va"), "g")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([[0.1, 0.2], [0.3]], "rectangular"),
        ([0.1, 0.2], "2-D"),
        (np.zeros((0, 3)), "2-D"),
        ([[0.1, math.nan]], r"weight \[0, 1\] is nan"),
        ([[0.1, math.inf]], "finite"),
        ([[0.1, -0.2]], r"outside \[0.0, 1.0\]"),
        ([[1.5]], "outside"),
        ([["a"]], "rectangular matrix of numbers"),
    ],
)
def test_bad_weights_name_the_field(weights: object, message: str) -> None:
    with pytest.raises(CircuitSpecError, match=message) as caught:
        CrossbarParams(weights)  # type: ignore[arg-type]
    assert caught.value.field == "CrossbarParams.weights"
    assert isinstance(caught.value, ValueError)


def test_differential_cells_take_signed_weights() -> None:
    params = CrossbarParams([[-1.0, 0.5]], cell="2R")
    assert params.columns == 2 and params.differential
    with pytest.raises(CircuitSpecError, match="outside"):
        CrossbarParams([[-1.5]], cell="2T2R")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Wires(row_segment=-1.0), "Wires.row_segment"),
        (lambda: Wires(column_segment=math.nan), "Wires.column_segment"),
        (lambda: Wires(row_capacitance=-1e-15), "Wires.row_capacitance"),
        (lambda: LinearConductance(g_min=0.0), "LinearConductance.g_min"),
        (lambda: LinearConductance(g_min=1e-4, g_max=1e-5), "LinearConductance.g_max"),
        (lambda: LinearConductance(weight_max=-1.0), "LinearConductance.weight_max"),
        (lambda: LinearState(0.5, 0.5), "LinearState.state_max"),
        (lambda: Quantised(LinearConductance(), 1), "Quantised.levels"),
        (lambda: Quantised(LinearConductance(), 2.5), "Quantised.levels"),  # type: ignore[arg-type]
        (lambda: AccessTransistor(on_resistance=-5.0), "AccessTransistor.on_resistance"),
        (lambda: AccessTransistor(1e3, 1e2), "AccessTransistor.off_resistance"),
        (lambda: AccessTransistor(gate_on=0.2, threshold=0.5), "AccessTransistor.gate_on"),
        (lambda: SenseResistor(0.0), "SenseResistor.resistance"),
        (lambda: TransimpedanceAmplifier(feedback=True), "TransimpedanceAmplifier.feedback"),  # type: ignore[arg-type]
        (lambda: CrossbarParams([[0.5]], cell="3T3R"), "CrossbarParams.cell"),  # type: ignore[arg-type]
        (lambda: CrossbarParams([[0.5]], name="my array"), "CrossbarParams.name"),
        (lambda: CrossbarParams([[0.5]], mapping=LinearState()), "CrossbarParams.mapping"),
        (lambda: CrossbarParams([[0.5]], device="R"), "CrossbarParams.device"),  # type: ignore[arg-type]
    ],
)
def test_bad_fields_are_named(build: object, field: str) -> None:
    with pytest.raises(CircuitSpecError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field
    assert str(caught.value).startswith(field)


def test_compiled_device_checks(ohmic: CompiledDevice) -> None:
    model = ohmic.model
    with pytest.raises(CircuitSpecError, match="not a parameter") as caught:
        CompiledDevice(model, "gmax")
    assert caught.value.field == "CompiledDevice.parameter"
    with pytest.raises(CircuitSpecError, match="set by the weight mapping"):
        CompiledDevice(model, "g", params=(("g", 1.0),))
    with pytest.raises(CircuitSpecError, match=r"CompiledDevice\.params"):
        CompiledDevice(model, "g", params=(("g x", 1.0),))
    with pytest.raises(CircuitSpecError, match="no parameter 'tau'") as caught:
        CompiledDevice(model, "g", params=(("tau", 1.0),))
    assert caught.value.field == "CompiledDevice.params"
    with pytest.raises(CircuitSpecError, match="takes a device state"):
        CrossbarParams([[0.5]], device=CompiledDevice(model, "g", "state"))
    with pytest.raises(CircuitSpecError, match="expected a CompiledModel") as caught:
        CompiledDevice(model.subckt, "g")  # type: ignore[arg-type]
    assert caught.value.field == "CompiledDevice.model"
    with pytest.raises(CircuitSpecError, match="name the instance parameter") as caught:
        CrossbarParams([[0.5]], device=CompiledDevice(model))
    assert caught.value.field == "CrossbarParams.device"
    with pytest.raises(CircuitSpecError) as caught:
        CompiledDevice(model, "g", seed=-1)
    assert caught.value.field == "CompiledDevice.seed"


def test_read_and_write_arguments_are_checked() -> None:
    params = CrossbarParams([[0.5, 0.2], [0.1, 0.9]])
    with pytest.raises(CircuitSpecError, match="expected 2 drives") as caught:
        read_circuit(params, [0.1])
    assert caught.value.field == "row_voltages"
    with pytest.raises(CircuitSpecError) as caught:
        read_circuit(params, [0.1, math.nan])
    assert caught.value.field == "row_voltages[1]"
    with pytest.raises(CircuitSpecError) as caught:
        read_circuit(params, [0.1, 0.2], driver_resistance=-1.0)
    assert caught.value.field == "driver_resistance"
    with pytest.raises(CircuitSpecError, match="word lines"):
        read_circuit(params, [0.1, 0.2], selected_rows=[0])
    with pytest.raises(CircuitSpecError, match="no row 5"):
        read_circuit(CrossbarParams([[0.5]], cell="1T1R"), [0.1], selected_rows=[5])
    with pytest.raises(CircuitSpecError) as caught:
        write_circuit(params, (2, 0), 1.0)
    assert caught.value.field == "selected"
    with pytest.raises(CircuitSpecError) as caught:
        write_circuit(params, (0, 0), 1.0, "V/4")  # type: ignore[arg-type]
    assert caught.value.field == "scheme"
    with pytest.raises(CircuitSpecError, match="passive 1R"):
        write_circuit(CrossbarParams([[0.5]], cell="1T1R"), (0, 0), 1.0)


def test_linear_conductance_mapping() -> None:
    weights = np.array([[0.0, 0.25], [0.5, 1.0]])
    mapping = LinearConductance(g_min=2e-6, g_max=102e-6)
    conductance = device_conductances(CrossbarParams(weights, mapping=mapping))
    np.testing.assert_allclose(conductance, 2e-6 + weights * 100e-6, rtol=1e-15)


def test_quantised_mapping_rounds_to_k_levels() -> None:
    weights = np.array([[0.0, 0.1, 0.2, 0.49, 0.51, 0.9, 1.0]])
    mapping = Quantised(LinearConductance(g_min=1e-6, g_max=4e-6), levels=4)
    conductance = mapped_matrix(CrossbarParams(weights, mapping=mapping))[0]
    # levels at w = 0, 1/3, 2/3, 1 -> G = 1, 2, 3, 4 uS; each weight goes to the nearest level
    np.testing.assert_allclose(conductance, [1e-6, 1e-6, 2e-6, 2e-6, 3e-6, 4e-6, 4e-6], rtol=1e-12)
    state = Quantised(LinearState(-1.0, 1.0, weight_max=2.0), levels=3)
    device = CompiledDevice(compile_model(HERE / "drift_memristor.va"), "x0", "state")
    values = mapped_matrix(CrossbarParams([[0.0, 0.4, 0.6, 2.0]], device=device, mapping=state))
    np.testing.assert_allclose(values[0], [-1.0, -1.0, 0.0, 1.0])


def test_differential_pair_weight_is_g_plus_minus_g_minus() -> None:
    weights = np.array([[0.75, -0.25], [0.0, -1.0]])
    mapping = LinearConductance(g_min=1e-6, g_max=11e-6)
    params = CrossbarParams(weights, cell="2R", mapping=mapping)
    conductance = device_conductances(params)
    assert conductance.shape == (2, 4)
    difference = conductance[:, 0::2] - conductance[:, 1::2]
    np.testing.assert_allclose(difference, weights * 10e-6, rtol=1e-12, atol=1e-20)
    assert conductance.min() == pytest.approx(1e-6)  # the unused side sits at g_min


def test_access_cell_conductance_adds_the_switch_in_series() -> None:
    access = AccessTransistor(on_resistance=2e3)
    params = CrossbarParams([[1.0]], cell="1T1R", access=access,
                            mapping=LinearConductance(1e-6, 1e-4))  # fmt: skip
    assert cell_conductances(params)[0, 0] == pytest.approx(1 / (1e4 + 2e3), rel=1e-14)
    # ideal VMM of a single 1T1R cell at 0.3 V: 0.3 V / 12 kohm
    assert ideal_column_currents(params, [0.3])[0] == pytest.approx(0.3 / 12e3, rel=1e-14)


def test_params_are_values() -> None:
    first = CrossbarParams(np.array([[0.5, 0.25]]))
    second = CrossbarParams([[0.5, 0.25]])
    assert first == second and hash(first) == hash(second)
    assert first.weights == ((0.5, 0.25),)
    assert pickle.loads(pickle.dumps(first)) == first
    assert crossbar(first) == crossbar(second)
    assert isinstance(first.device, ResistorDevice)


def test_error_pickles() -> None:
    with pytest.raises(CircuitSpecError) as caught:
        Wires(row_segment=-1.0)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.field == "Wires.row_segment" and str(copy) == str(caught.value)
