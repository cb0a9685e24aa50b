"""The names a co-simulation touches in a generated circuit, spelled in one place.

A training loop loads a ``read_circuit`` or ``network_layer`` into a ``Session`` once and then
changes it in place: each row's input source (``Session.alter(row_source(i), volts)``), each
cell's weight (``weight_alterations``: the resistor elements and their new ohm values), each
neuron's bias sources; and reads each column's current and each neuron's outputs back by
vector name (``Session.op(vectors=...)``, ``Waveforms.vector``). These functions give those
names, so learning code never rebuilds f-strings.

Elements inside the array are named hierarchically, as ``Session.alter`` takes them: the
array instance, a dot, the element (``xarray.r3_4``), in ngspice's lower case. ngspice cannot
change a subcircuit instance's parameters once it has expanded the circuit, so the cells of a
compiled device are named (``Target.alterable`` is False) but not alterable in place: change
them by building the circuit again. Resistor cells, sources and controlled sources are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from spicegen.circuits._array import CrossbarParams, WeightMatrix, column_tags, mapped_matrix
from spicegen.circuits.devices import CompiledDevice, instance_values
from spicegen.circuits.errors import CircuitSpecError

ARRAY_INSTANCE = "Xarray"
Quantity = Literal["resistance", "conductance", "state"]

__all__ = [
    "ARRAY_INSTANCE",
    "Target",
    "cell_target",
    "cell_targets",
    "column_source",
    "column_vector",
    "column_vectors",
    "neuron_bias_sources",
    "neuron_devices",
    "neuron_vectors",
    "output_vector",
    "row_source",
    "row_sources",
    "weight_alterations",
]


@dataclass(frozen=True, slots=True)
class Target:
    """What holds one cell's weight: ``Session.alter(element, value, parameter)``.

    ``element``: hierarchical name (``xarray.r3_4``); ``parameter``: the instance parameter
    (``None``: the element's own value); ``quantity``: what the value is (``"resistance"`` in
    ohm, ``"conductance"`` in S, ``"state"`` in the device's unit); ``alterable``: whether
    ngspice can change it in a loaded circuit (resistor cells only).
    """

    element: str
    parameter: str | None
    quantity: Quantity
    alterable: bool


def _tag(params: CrossbarParams, row: object, tag: object) -> str:
    """``tag`` as a physical column tag of the array (``3``, ``"3"``, ``"3p"``), checked."""
    text = str(tag) if type(tag) is int else tag
    if type(row) is not int or not 0 <= row < params.rows or text not in column_tags(params):
        raise CircuitSpecError(f"no crosspoint ({row!r}, {tag!r})", field="cell")
    return str(text)


def cell_target(
    params: CrossbarParams, row: int, tag: int | str, *, instance: str = ARRAY_INSTANCE
) -> Target:
    """The element holding the weight of cell (``row``, physical column ``tag``)."""
    name = _tag(params, row, tag)
    prefix = instance.lower()
    device = params.device
    if isinstance(device, CompiledDevice):
        assert device.parameter is not None
        parameter = device.model.renamed.get(device.parameter, device.parameter)  # as written
        return Target(f"{prefix}.x{row}_{name}", parameter, device.parameter_kind, False)
    return Target(f"{prefix}.r{row}_{name}", None, "resistance", True)


def cell_targets(
    params: CrossbarParams, *, instance: str = ARRAY_INSTANCE
) -> tuple[tuple[Target, ...], ...]:
    """``cell_target`` of every cell, shape (rows, physical columns)."""
    tags = column_tags(params)
    return tuple(
        tuple(cell_target(params, row, tag, instance=instance) for tag in tags)
        for row in range(params.rows)
    )


def weight_alterations(
    params: CrossbarParams, weights: WeightMatrix | object, *, instance: str = ARRAY_INSTANCE
) -> dict[str, float]:
    """``{element: ohm}`` that puts ``weights`` (shape and range as ``params.weights``, through
    the same mapping) on a loaded array of resistor cells: ``Session.alter`` each."""
    if isinstance(params.device, CompiledDevice):
        raise CircuitSpecError(
            "ngspice cannot change a compiled device's parameters in a loaded circuit; "
            "build the circuit again with the new weights, or use ResistorDevice cells",
            field="CrossbarParams.device",
        )
    # the params' own checks: shape, range, finite
    updated = replace(params, weights=weights)  # type: ignore[arg-type]
    if updated.rows != params.rows or updated.columns != params.columns:
        raise CircuitSpecError(
            f"expected a {params.rows}x{params.columns} matrix, got "
            f"{updated.rows}x{updated.columns}",
            field="weights",
        )
    ohms = instance_values(updated.device, mapped_matrix(updated)).tolist()
    targets = cell_targets(params, instance=instance)
    return {
        target.element: value
        for target_row, value_row in zip(targets, ohms, strict=True)
        for target, value in zip(target_row, value_row, strict=True)
    }


def row_source(row: int) -> str:
    """The source driving row ``row`` (``Vrow{row}``): alter it to set the row's input, V."""
    if type(row) is not int or row < 0:
        raise CircuitSpecError(f"expected a row index >= 0, got {row!r}", field="row")
    return f"Vrow{row}"


def row_sources(params: CrossbarParams) -> tuple[str, ...]:
    """``row_source`` of every row."""
    return tuple(row_source(row) for row in range(params.rows))


def column_source(tag: int | str) -> str:
    """The 0 V ammeter (or driver) of physical column ``tag`` (``Vcol{tag}``)."""
    text = str(tag) if type(tag) is int and tag >= 0 else tag
    if type(text) is not str or not text.isalnum():
        raise CircuitSpecError(f"expected a column tag such as 3 or '3p', got {tag!r}", field="tag")
    return f"Vcol{text}"


def column_vector(tag: int | str) -> str:
    """The vector of physical column ``tag``'s current into its readout (``i(vcol{tag})``, A)."""
    return f"i({column_source(tag).lower()})"


def column_vectors(params: CrossbarParams) -> tuple[str, ...]:
    """``column_vector`` of every physical column, in port order."""
    return tuple(column_vector(tag) for tag in column_tags(params))


def output_vector(tag: int | str) -> str:
    """A transimpedance readout's output voltage vector (``v(out{tag})``, V)."""
    column_source(tag)  # checks the tag
    return f"v(out{tag})"


def _neuron(k: object) -> int:
    if type(k) is not int or k < 0:
        raise CircuitSpecError(f"expected a neuron index >= 0, got {k!r}", field="neuron")
    return k


def neuron_vectors(k: int) -> tuple[str, str]:
    """Neuron ``k``'s outputs in a layer: activation ``v(v1_{k})`` and derivative
    ``v(dout_{k})`` (``gain * (f(I + dI) - f(I))``), V."""
    _neuron(k)
    return f"v(v1_{k})", f"v(dout_{k})"


def neuron_bias_sources(k: int) -> tuple[str, str]:
    """Neuron ``k``'s bias sources in a layer: ``Ibias1_{k}`` (``I``) and ``Ibias2_{k}``
    (``I + dI``), A; alter both to move its bias."""
    _neuron(k)
    return f"Ibias1_{k}", f"Ibias2_{k}"


def neuron_devices(k: int) -> tuple[str, str]:
    """Neuron ``k``'s two devices in a layer: ``Xmtj1_{k}`` (at ``I``), ``Xmtj2_{k}``."""
    _neuron(k)
    return f"Xmtj1_{k}", f"Xmtj2_{k}"
