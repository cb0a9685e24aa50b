"""Crossbar arrays: weight matrices as arrays of memristive or spintronic crosspoint devices.

``crossbar(params)`` returns the array as a ``Subckt`` (geometry and node names in
``spicegen.circuits._array``); ``read_circuit`` wraps it with row drivers and a column readout
to compute a vector-matrix product, ``write_circuit`` with V/2 or V/3 write biasing. The
``*_currents``/``*_voltages`` functions read the results back from simulated ``Waveforms``.

Top-level node names of the generated circuits: ``row{i}`` and ``col{t}`` (the array's ports),
``wl{i}`` (word lines), ``in{i}`` (row source before its driver resistance), ``s{t}`` (a TIA's
inverting input or a sense resistor's top), ``out{t}`` (TIA output). Sources: ``Vrow{i}``,
``Vcol{t}`` (the column's 0 V ammeter in a read circuit, its driver in a write circuit),
``Vwl{i}``. The array instance is ``Xarray``, so its inner nodes are ``xarray.<node>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from spicegen.circuits._array import (
    ACCESS_MODEL,
    CELL_KINDS,
    AccessTransistor,
    CellKind,
    CrossbarParams,
    WeightMatrix,
    Wires,
    cell_conductances,
    column_tags,
    crossbar,
    crossing_nodes,
    device_conductances,
    ideal_column_currents,
    mapped_matrix,
)
from spicegen.circuits._checks import FloatArray, check_finite, check_positive
from spicegen.circuits._drives import (
    RowDrive,
    Waves,
    analyses,
    drive_source,
    row_drives,
    solver_options,
)
from spicegen.circuits._weights import LinearConductance, LinearState, Quantised, WeightMapping
from spicegen.circuits.devices import CompiledDevice, Device, ResistorDevice
from spicegen.circuits.errors import CircuitSpecError
from spicegen.circuits.names import (
    ARRAY_INSTANCE,
    column_source,
    output_vector,
    row_source,
)
from spicegen.netlist import (
    Analysis,
    Circuit,
    Element,
    Resistor,
    SubcktInstance,
    Vcvs,
    VoltageSource,
)

WriteScheme = Literal["V/2", "V/3"]


# -- readouts ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VirtualGround:
    """Each column held at exactly 0 V by its ammeter source: an ideal TIA's input, no output."""


@dataclass(frozen=True, slots=True)
class TransimpedanceAmplifier:
    """Inverting TIA per column: op-amp as a VCVS of ``gain`` (V/V) with ``feedback`` ohm.

    Output ``V(out) = -feedback * I * gain / (1 + gain)``; the input sits at
    ``feedback * I / (1 + gain)`` instead of 0 V (finite-gain virtual ground). The op-amp has no
    bandwidth limit, offset or output swing limit.
    """

    feedback: float = 10e3
    gain: float = 1e6

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "feedback", check_positive(self.feedback, "TransimpedanceAmplifier.feedback")
        )
        object.__setattr__(self, "gain", check_positive(self.gain, "TransimpedanceAmplifier.gain"))


@dataclass(frozen=True, slots=True)
class SenseResistor:
    """A resistor of ``resistance`` ohm from each column to ground; the column floats above 0 V."""

    resistance: float = 100.0

    def __post_init__(self) -> None:
        value = check_positive(self.resistance, "SenseResistor.resistance")
        object.__setattr__(self, "resistance", value)


Readout = VirtualGround | TransimpedanceAmplifier | SenseResistor


def _driven(
    name: str, source_node: str, port: str, drive: RowDrive, driver_resistance: float
) -> list[Element]:
    """A source driving ``port`` through ``driver_resistance`` ohm (directly when 0)."""
    if driver_resistance == 0:
        return [drive_source(f"V{name}", port, drive)]
    return [
        drive_source(f"V{name}", source_node, drive),
        Resistor(f"Rdrv_{name}", source_node, port, driver_resistance),
    ]


def _readout(tag: str, readout: Readout) -> list[Element]:
    port = f"col{tag}"
    if isinstance(readout, VirtualGround):
        return [VoltageSource(f"Vcol{tag}", port, "0")]
    sense = f"s{tag}"
    elements: list[Element] = [VoltageSource(f"Vcol{tag}", port, sense)]
    if isinstance(readout, SenseResistor):
        return [*elements, Resistor(f"Rsense{tag}", sense, "0", readout.resistance)]
    output = f"out{tag}"
    return [
        *elements,
        Resistor(f"Rf{tag}", sense, output, readout.feedback),
        Vcvs(f"Eamp{tag}", output, "0", "0", sense, readout.gain),
    ]


def _array_instance(params: CrossbarParams) -> SubcktInstance:
    tags = column_tags(params)
    nodes = [f"row{i}" for i in range(params.rows)] + [f"col{tag}" for tag in tags]
    if params.has_access:
        nodes += [f"wl{i}" for i in range(params.rows)]
    return SubcktInstance(ARRAY_INSTANCE, tuple(nodes), params.name)


def _word_lines(params: CrossbarParams, selected_rows: Sequence[int] | None) -> list[Element]:
    if not params.has_access:
        if selected_rows is not None:
            raise CircuitSpecError(
                "only 1T1R and 2T2R cells have word lines", field="selected_rows"
            )
        return []
    if selected_rows is not None and (
        isinstance(selected_rows, str) or not hasattr(selected_rows, "__iter__")
    ):
        raise CircuitSpecError(
            f"expected a sequence of row indices, got {selected_rows!r}", field="selected_rows"
        )
    rows = range(params.rows) if selected_rows is None else selected_rows
    chosen = set()
    for row in rows:
        if type(row) is not int or not 0 <= row < params.rows:
            raise CircuitSpecError(f"no row {row!r}", field="selected_rows")
        chosen.add(row)
    gate_on = params.access.gate_on
    return [
        VoltageSource(f"Vwl{i}", f"wl{i}", "0", dc=gate_on if i in chosen else 0.0)
        for i in range(params.rows)
    ]


def read_circuit(
    params: CrossbarParams,
    row_voltages: Sequence[RowDrive],
    *,
    readout: Readout | None = None,
    driver_resistance: float = 0.0,
    selected_rows: Sequence[int] | None = None,
    analysis: Analysis | None = None,
    sparse_solver: bool = True,
    bulk: bool = False,
) -> Circuit:
    """A vector-matrix multiply: rows driven, every column read out.

    ``row_voltages``: one per row, V (DC) or a ``Waveform`` for transients. ``readout``:
    ``VirtualGround()`` (default), ``TransimpedanceAmplifier`` or ``SenseResistor``.
    ``driver_resistance``: ohm between each row source and its row line. ``selected_rows``:
    word lines turned on (access cells; default all). ``analysis``: default ``Op()``.
    ``sparse_solver`` adds ``.options klu``. ``bulk``: the array's fast path (``crossbar``).
    Column currents: ``column_currents``.
    """
    if not isinstance(params, CrossbarParams):
        raise CircuitSpecError(f"expected CrossbarParams, got {params!r}", field="params")
    readout = VirtualGround() if readout is None else readout
    if not isinstance(readout, VirtualGround | TransimpedanceAmplifier | SenseResistor):
        raise CircuitSpecError(
            f"expected VirtualGround, TransimpedanceAmplifier or SenseResistor, got {readout!r}",
            field="readout",
        )
    driver = check_positive(driver_resistance, "driver_resistance", allow_zero=True)
    drives = row_drives(row_voltages, params.rows)
    elements: list[Element] = [_array_instance(params)]
    for i, drive in enumerate(drives):
        elements += _driven(f"row{i}", f"in{i}", f"row{i}", drive, driver)
    for tag in column_tags(params):
        elements += _readout(tag, readout)
    elements += _word_lines(params, selected_rows)
    return Circuit(
        title=f"{params.name} {params.rows}x{params.columns} {params.cell} read",
        elements=tuple(elements),
        subckts=(crossbar(params, bulk=bulk),),
        options=solver_options(sparse_solver),
        analyses=analyses(analysis),
    )


# -- write biasing -----------------------------------------------------------------------------
def write_line_voltages(
    rows: int, columns: int, selected: tuple[int, int], v_write: float, scheme: WriteScheme
) -> tuple[FloatArray, FloatArray]:
    """Row and column line voltages (V) of a write to cell ``selected = (row, column)``.

    V/2: selected row ``v_write``, selected column 0, every other line ``v_write/2``.
    V/3: selected row ``v_write``, selected column 0, other rows ``v_write/3``, other columns
    ``2 v_write/3``.
    """
    if type(rows) is not int or type(columns) is not int or rows < 1 or columns < 1:
        raise CircuitSpecError(f"expected a positive shape, got {rows}x{columns}", field="shape")
    row, column = _check_selected(selected, rows, columns)
    v = check_finite(v_write, "v_write")
    if scheme == "V/2":
        unselected_row, unselected_column = v / 2, v / 2
    elif scheme == "V/3":
        unselected_row, unselected_column = v / 3, 2 * v / 3
    else:
        raise CircuitSpecError(f"expected 'V/2' or 'V/3', got {scheme!r}", field="scheme")
    row_lines = np.full(rows, unselected_row)
    column_lines = np.full(columns, unselected_column)
    row_lines[row] = v
    column_lines[column] = 0.0
    return row_lines, column_lines


def _check_selected(selected: object, rows: int, columns: int) -> tuple[int, int]:
    if (
        not isinstance(selected, tuple)
        or len(selected) != 2
        or not all(type(k) is int for k in selected)
        or not (0 <= selected[0] < rows and 0 <= selected[1] < columns)
    ):
        raise CircuitSpecError(
            f"expected (row, column) inside {rows}x{columns}, got {selected!r}", field="selected"
        )
    return selected[0], selected[1]


def disturb_voltages(
    rows: int, columns: int, selected: tuple[int, int], v_write: float, scheme: WriteScheme
) -> FloatArray:
    """Voltage across every cell (row line minus column line, V) during a write, ideal lines.

    Shape (rows, columns). The selected cell sees ``v_write``; under V/2 the half-selected cells
    (selected row or column) see ``v_write/2`` and the rest 0; under V/3 every other cell sees
    ``v_write/3`` in magnitude (``-v_write/3`` on the unselected ones).
    """
    row_lines, column_lines = write_line_voltages(rows, columns, selected, v_write, scheme)
    return np.asarray(row_lines[:, None] - column_lines[None, :])


def write_circuit(
    params: CrossbarParams,
    selected: tuple[int, int],
    v_write: float,
    scheme: WriteScheme = "V/2",
    *,
    driver_resistance: float = 0.0,
    analysis: Analysis | None = None,
    sparse_solver: bool = True,
    bulk: bool = False,
) -> Circuit:
    """A write of cell ``selected = (row, column)`` of a ``1R`` array under V/2 or V/3 biasing.

    Every row and column line is driven at its port (``Vrow{i}``, ``Vcol{j}``) through
    ``driver_resistance`` ohm with the voltages of ``write_line_voltages``; ``v_write`` in V.
    Compare ``cell_voltages`` of the result with ``disturb_voltages``. ``analysis``: default
    ``Op()`` (the bias point); a ``Tran`` shows the state change of stateful devices.
    ``bulk``: the array's fast path (``crossbar``).
    """
    if not isinstance(params, CrossbarParams):
        raise CircuitSpecError(f"expected CrossbarParams, got {params!r}", field="params")
    if params.cell != "1R":
        raise CircuitSpecError(
            "V/2 and V/3 write biasing is for passive 1R arrays (access cells are selected by "
            "their word line instead)",
            field="CrossbarParams.cell",
        )
    driver = check_positive(driver_resistance, "driver_resistance", allow_zero=True)
    row_lines, column_lines = write_line_voltages(
        params.rows, params.columns, selected, v_write, scheme
    )
    elements: list[Element] = [_array_instance(params)]
    for i, voltage in enumerate(row_lines.tolist()):
        elements += _driven(f"row{i}", f"in{i}", f"row{i}", voltage, driver)
    for j, voltage in enumerate(column_lines.tolist()):
        elements += _driven(f"col{j}", f"inc{j}", f"col{j}", voltage, driver)
    return Circuit(
        title=f"{params.name} {params.rows}x{params.columns} write {scheme} at {selected}",
        elements=tuple(elements),
        subckts=(crossbar(params, bulk=bulk),),
        options=solver_options(sparse_solver),
        analyses=analyses(analysis),
    )


# -- reading results ---------------------------------------------------------------------------
def column_currents(waveforms: Waves, params: CrossbarParams) -> FloatArray:
    """Current out of each column into its readout, A, shape (points, columns).

    Read from the column ammeters of a ``read_circuit``; differential arrays give ``I+ - I-``.
    An ``Op`` has one point.
    """
    tags = column_tags(params)
    # ngspice's i(V) is the current entering the source's + node: out of the array's column
    currents = np.stack([np.asarray(waveforms.i(column_source(tag))) for tag in tags], axis=-1)
    if params.differential:
        return np.asarray(currents[:, 0::2] - currents[:, 1::2])
    return currents


def row_currents(waveforms: Waves, params: CrossbarParams) -> FloatArray:
    """Current each row source delivers into the circuit, A, shape (points, rows)."""
    sources = [row_source(i) for i in range(params.rows)]
    return -np.stack([np.asarray(waveforms.i(source)) for source in sources], axis=-1)


def output_voltages(waveforms: Waves, params: CrossbarParams) -> FloatArray:
    """TIA outputs ``V(out{t})`` in V, shape (points, columns); ``V+ - V-`` when differential."""
    tags = column_tags(params)
    voltages = np.stack([np.asarray(waveforms.v(output_vector(tag))) for tag in tags], axis=-1)
    if params.differential:
        return np.asarray(voltages[:, 0::2] - voltages[:, 1::2])
    return voltages


def cell_voltages(waveforms: Waves, params: CrossbarParams) -> FloatArray:
    """Voltage across every device (top minus bottom node, V), shape (points, rows, phys. cols).

    Inner array nodes are read as ``xarray.<node>``; for access cells the bottom node is the one
    between device and switch.
    """
    inner = ARRAY_INSTANCE.lower()
    tags = column_tags(params)

    def node_voltage(node: str) -> FloatArray:
        is_port = node.startswith(("row", "col"))
        return np.asarray(waveforms.v(node if is_port else f"{inner}.{node}"))

    cache: dict[str, FloatArray] = {}
    result = []
    for i in range(params.rows):
        row = []
        for tag in tags:
            top, bottom = crossing_nodes(params, i, tag)
            for node in (top, bottom):
                if node not in cache:
                    cache[node] = node_voltage(node)
            row.append(cache[top] - cache[bottom])
        result.append(np.stack(row, axis=-1))
    return np.stack(result, axis=-2)


def device_node_voltage(
    waveforms: Waves, params: CrossbarParams, row: int, tag: str, node: str
) -> FloatArray:
    """An inner node of a compiled device (e.g. its state node ``s``), V, per point."""
    crossing_nodes(params, row, tag)  # raises for a crosspoint the array does not have
    return np.asarray(waveforms.v(f"{ARRAY_INSTANCE.lower()}.x{row}_{tag}.{node}"))


__all__ = [
    "ACCESS_MODEL",
    "ARRAY_INSTANCE",
    "CELL_KINDS",
    "AccessTransistor",
    "CellKind",
    "CircuitSpecError",
    "CompiledDevice",
    "CrossbarParams",
    "Device",
    "LinearConductance",
    "LinearState",
    "Quantised",
    "Readout",
    "ResistorDevice",
    "SenseResistor",
    "TransimpedanceAmplifier",
    "VirtualGround",
    "WeightMapping",
    "WeightMatrix",
    "Wires",
    "WriteScheme",
    "cell_conductances",
    "cell_voltages",
    "column_currents",
    "column_tags",
    "crossbar",
    "crossing_nodes",
    "device_conductances",
    "device_node_voltage",
    "disturb_voltages",
    "ideal_column_currents",
    "mapped_matrix",
    "output_voltages",
    "read_circuit",
    "row_currents",
    "write_circuit",
    "write_line_voltages",
]
