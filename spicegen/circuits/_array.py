"""The crossbar array itself: a weight matrix as a ``Subckt`` of crosspoint devices on lines.

Geometry (``r`` rows, ``c`` physical columns; a differential array has two physical columns,
``p`` and ``n``, per weight column):

- ports ``row0 .. row{r-1}`` (left end of each row line), ``col{t}`` for each physical column
  tag ``t`` (``0, 1, ..`` or ``0p, 0n, 1p, ..``; bottom end of each column line), then the word
  lines ``wl0 .. wl{r-1}`` for cells with an access transistor;
- a row line has ``c`` segments of ``Wires.row_segment`` ohm: port to the first crosspoint,
  then one between neighbouring crosspoints; a column line has ``r`` segments: one between
  neighbouring crosspoints, then last crosspoint to the port. A zero resistance merges the line
  into one node. Line capacitance is one capacitor per crosspoint node to ground (lumped on the
  line node when the line has no resistance);
- the device's port 1 is on the row line, port 2 on the column line (or the access switch).

The access transistor of ``1T1R``/``2T2R`` cells is a voltage-controlled switch (``S``, model
``sw``): ``on_resistance`` while the word line is above ``threshold`` volts, ``off_resistance``
below it. The netlist model has no MOSFET element; for reading and selecting rows a MOSFET in
deep triode is a resistor of this size, which is what matters for the array's currents. Its
gate capacitance, body effect and the saturation of the on-resistance at large drain voltage
are not modelled.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from spicegen.circuits._checks import FloatArray, check_name, check_positive
from spicegen.circuits._weights import (
    LinearConductance,
    WeightMapping,
    check_device_mapping,
    mapped_values,
    maps_to_conductance,
)
from spicegen.circuits.devices import (
    CompiledDevice,
    Device,
    ResistorDevice,
    cell_block,
    checked_rows,
    instance_values,
)
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import ElementBlock, Model, Names, Subckt

CellKind = Literal["1R", "1T1R", "2R", "2T2R"]
CELL_KINDS: tuple[CellKind, ...] = ("1R", "1T1R", "2R", "2T2R")
WeightMatrix = tuple[tuple[float, ...], ...]
ACCESS_MODEL = "access_sw"


@dataclass(frozen=True, slots=True)
class Wires:
    """Line parasitics: ohm per segment on row and column lines, F per crosspoint node."""

    row_segment: float = 0.0
    column_segment: float = 0.0
    row_capacitance: float = 0.0
    column_capacitance: float = 0.0

    def __post_init__(self) -> None:
        for name in ("row_segment", "column_segment", "row_capacitance", "column_capacitance"):
            value = check_positive(getattr(self, name), f"Wires.{name}", allow_zero=True)
            object.__setattr__(self, name, value)


@dataclass(frozen=True, slots=True)
class AccessTransistor:
    """Access switch of 1T1R/2T2R cells: resistances in ohm, word-line voltages in V."""

    on_resistance: float = 1e3
    off_resistance: float = 1e10
    threshold: float = 0.5
    gate_on: float = 1.0

    def __post_init__(self) -> None:
        for name in ("on_resistance", "off_resistance", "threshold", "gate_on"):
            object.__setattr__(
                self, name, check_positive(getattr(self, name), f"AccessTransistor.{name}")
            )
        if self.off_resistance <= self.on_resistance:
            raise CircuitSpecError(
                "expected off_resistance > on_resistance", field="AccessTransistor.off_resistance"
            )
        if self.gate_on <= self.threshold:
            raise CircuitSpecError(
                "expected gate_on above threshold, or the word line never turns a cell on",
                field="AccessTransistor.gate_on",
            )


@dataclass(frozen=True, slots=True)
class CrossbarParams:
    """A crossbar: weights (rows x columns, dimensionless), cell kind, device and mapping.

    ``weights`` takes a nested sequence or a 2-D numpy array (stored as a tuple of tuples, so
    equal params are equal and hashable). Unipolar cells (``1R``, ``1T1R``) take weights in
    ``[0, mapping.weight_max]``; differential cells (``2R``, ``2T2R``) take
    ``[-weight_max, weight_max]`` and put ``|w|`` on the ``p`` device (``w > 0``) or the ``n``
    device (``w < 0``), the other at the mapping's zero, so ``G+ - G-`` is linear in ``w``.
    ``name`` is the subcircuit's name.
    """

    weights: WeightMatrix
    cell: CellKind = "1R"
    device: Device = field(default_factory=ResistorDevice)
    mapping: WeightMapping = field(default_factory=LinearConductance)
    wires: Wires = field(default_factory=Wires)
    access: AccessTransistor = field(default_factory=AccessTransistor)
    name: str = "crossbar"
    _array: FloatArray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.cell not in CELL_KINDS:
            raise CircuitSpecError(
                f"expected one of {', '.join(CELL_KINDS)}, got {self.cell!r}",
                field="CrossbarParams.cell",
            )
        check_device_mapping(self.device, self.mapping, "CrossbarParams")
        if not isinstance(self.wires, Wires):
            raise CircuitSpecError(
                f"expected Wires, got {self.wires!r}", field="CrossbarParams.wires"
            )
        if not isinstance(self.access, AccessTransistor):
            raise CircuitSpecError(
                f"expected AccessTransistor, got {self.access!r}", field="CrossbarParams.access"
            )
        check_name(self.name, "CrossbarParams.name")
        array = _weight_array(self.weights, self.mapping.weight_max, self.cell in ("2R", "2T2R"))
        object.__setattr__(self, "_array", array)
        if type(self.weights) is not tuple or (self.weights and type(self.weights[0]) is not tuple):
            object.__setattr__(self, "weights", tuple(map(tuple, array.tolist())))

    @property
    def rows(self) -> int:
        """Number of rows (word lines / input lines)."""
        return int(self._array.shape[0])

    @property
    def columns(self) -> int:
        """Number of weight columns (outputs)."""
        return int(self._array.shape[1])

    @property
    def differential(self) -> bool:
        """True for ``2R``/``2T2R``: two devices and two physical columns per weight."""
        return self.cell in ("2R", "2T2R")

    @property
    def has_access(self) -> bool:
        """True for ``1T1R``/``2T2R``: each device in series with an access switch."""
        return self.cell in ("1T1R", "2T2R")

    @property
    def weight_array(self) -> FloatArray:
        """The weights as a read-only float array, shape (rows, columns)."""
        return self._array


def _weight_array(weights: object, weight_max: float, signed: bool) -> FloatArray:
    field_name = "CrossbarParams.weights"
    try:
        array = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise CircuitSpecError(
            f"expected a rectangular matrix of numbers ({err})", field=field_name
        ) from None
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 1:
        raise CircuitSpecError(
            f"expected a 2-D matrix with at least one row and column, got shape {array.shape}",
            field=field_name,
        )
    bad = ~np.isfinite(array)
    if bad.any():
        row, column = (int(k) for k in np.argwhere(bad)[0])
        raise CircuitSpecError(
            f"weight [{row}, {column}] is {float(array[row, column])!r}; weights must be finite",
            field=field_name,
        )
    low = -weight_max if signed else 0.0
    outside = (array < low) | (array > weight_max)
    if outside.any():
        row, column = (int(k) for k in np.argwhere(outside)[0])
        raise CircuitSpecError(
            f"weight [{row}, {column}] = {float(array[row, column])!r} is outside "
            f"[{low!r}, {weight_max!r}] (mapping.weight_max"
            f"{'; differential cells take signed weights' if signed else ''})",
            field=field_name,
        )
    array.flags.writeable = False
    return array


# -- what goes on each crosspoint --------------------------------------------------------------
def column_tags(params: CrossbarParams) -> tuple[str, ...]:
    """Physical column tags in port order: ``0, 1, ..`` or ``0p, 0n, 1p, 1n, ..``."""
    if params.differential:
        return tuple(f"{j}{side}" for j in range(params.columns) for side in "pn")
    return tuple(str(j) for j in range(params.columns))


def mapped_matrix(params: CrossbarParams) -> FloatArray:
    """Conductance (S) or state of every device, shape (rows, physical columns).

    Differential arrays interleave the ``p`` and ``n`` device of each weight column.
    """
    weights = params.weight_array
    if not params.differential:
        return mapped_values(weights, params.mapping)
    result = np.empty((params.rows, 2 * params.columns))
    result[:, 0::2] = mapped_values(np.maximum(weights, 0.0), params.mapping)
    result[:, 1::2] = mapped_values(np.maximum(-weights, 0.0), params.mapping)
    return result


def device_conductances(params: CrossbarParams) -> FloatArray:
    """Conductance in S of every device, shape (rows, physical columns).

    Needs a conductance mapping; for a compiled device it assumes the model is ohmic with the
    conductance its parameter names (checked against the model by the tests, not here).
    """
    if not maps_to_conductance(params.mapping):
        raise CircuitSpecError(
            "the mapping sets device states; their conductance is the device model's business",
            field="CrossbarParams.mapping",
        )
    return mapped_matrix(params)


def cell_conductances(params: CrossbarParams) -> FloatArray:
    """Conductance in S of every cell (device in series with the access switch's on resistance,
    if any), shape (rows, physical columns)."""
    conductance = device_conductances(params)
    if params.has_access:
        conductance = 1.0 / (1.0 / conductance + params.access.on_resistance)
    return conductance


def ideal_column_currents(params: CrossbarParams, row_voltages: Sequence[float]) -> FloatArray:
    """The ideal vector-matrix product in A: ``I_j = sum_i V_i G_ij``, shape (columns,).

    Ideal lines, drivers and virtual-ground columns; ``G`` is the cell conductance (with the
    access switch's on resistance in series) and ``G+ - G-`` for differential cells; every word
    line on. ``row_voltages`` in V, one per row.
    """
    voltages = _row_voltage_array(row_voltages, params.rows)
    currents = voltages @ cell_conductances(params)
    if params.differential:
        return np.asarray(currents[0::2] - currents[1::2])
    return np.asarray(currents)


def _row_voltage_array(row_voltages: Sequence[float], rows: int) -> FloatArray:
    try:
        array = np.asarray(row_voltages, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise CircuitSpecError(f"expected {rows} numbers ({err})", field="row_voltages") from None
    if array.shape != (rows,) or not np.isfinite(array).all():
        raise CircuitSpecError(
            f"expected {rows} finite voltages (one per row), got shape {array.shape}",
            field="row_voltages",
        )
    return array


# -- the array ---------------------------------------------------------------------------------
@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector around bulk construction.

    Elements hold only strings, floats and tuples (no reference cycles), so the collector finds
    nothing to free while a million of them are made, yet each of its passes walks the growing
    heap: pausing it cuts generation time by about a third. It is switched back on after, also
    on error, unless the caller had it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Runs:
    """The middles every row shares, made once: physical column indices and tags."""

    tags: tuple[str, ...]  # "3", or "3p"/"3n"
    tag_suffixes: tuple[str, ...]  # "_3": device names X{row}_3, nodes m{row}_3
    index_suffixes: tuple[str, ...]  # "_k": row-line nodes r{row}_k and segments Rr{row}_k
    empty: tuple[str, ...]  # one "" per physical column: a node every cell of a row shares

    @classmethod
    def of(cls, tags: tuple[str, ...]) -> _Runs:
        return cls(
            tags,
            tuple(f"_{tag}" for tag in tags),
            tuple(f"_{k}" for k in range(len(tags))),
            ("",) * len(tags),
        )


def _column_nodes(params: CrossbarParams, runs: _Runs, row: int) -> Names:
    """Column-line node of every crosspoint in ``row`` (the port when the line is ideal)."""
    if params.wires.column_segment == 0 or row == params.rows:
        return Names("col", runs.tags)
    return Names("c", runs.tags, f"_{row}")


def _row_blocks(
    params: CrossbarParams, runs: _Runs, row: int, values: list[float]
) -> list[ElementBlock]:
    """Everything belonging to row ``row``, in this order: its line (segments, capacitors),
    its cells (devices, access switches), the column segments below it (and capacitors)."""
    wires = params.wires
    count = len(runs.tags)
    ground = (Names("0", runs.empty),)
    blocks: list[ElementBlock] = []
    port = f"row{row}"
    if wires.row_segment > 0:
        tops = Names(f"r{row}", runs.index_suffixes)
        # the first segment starts at the port, each next one at the previous crosspoint
        lefts: tuple[Names, ...] = (Names(port, ("",)),)
        if count > 1:
            lefts += (Names(f"r{row}", runs.index_suffixes[:-1]),)
        blocks.append(
            ElementBlock("R", (Names(f"Rr{row}", runs.index_suffixes),), (lefts, (tops,)),
                         wires.row_segment)
        )  # fmt: skip
        if wires.row_capacitance > 0:
            names = (Names(f"Cr{row}", runs.index_suffixes),)
            blocks.append(ElementBlock("C", names, ((tops,), ground), wires.row_capacitance))
    else:
        tops = Names(port, runs.empty)
        if wires.row_capacitance > 0:
            total = wires.row_capacitance * count
            node = (Names(port, ("",)),)
            blocks.append(
                ElementBlock("C", (Names(f"Cr{row}", ("",)),), (node, (Names("0", ("",)),)), total)
            )
    bottoms = _column_nodes(params, runs, row)
    ends = Names(f"m{row}", runs.tag_suffixes) if params.has_access else bottoms
    prefix = "X" if isinstance(params.device, CompiledDevice) else "R"
    cell_names = Names(f"{prefix}{row}", runs.tag_suffixes)
    blocks.append(cell_block(params.device, cell_names, ((tops,), (ends,)), values))
    if params.has_access:
        gates = (Names(f"wl{row}", runs.empty),)
        blocks.append(
            ElementBlock("S", (Names(f"S{row}", runs.tag_suffixes),),
                         ((ends,), (bottoms,), gates, ground), target=ACCESS_MODEL)
        )  # fmt: skip
    if wires.column_segment > 0:
        below = _column_nodes(params, runs, row + 1)
        names = (Names("Rc", runs.tags, f"_{row}"),)
        blocks.append(ElementBlock("R", names, ((bottoms,), (below,)), wires.column_segment))
        if wires.column_capacitance > 0:
            names = (Names("Cc", runs.tags, f"_{row}"),)
            blocks.append(ElementBlock("C", names, ((bottoms,), ground), wires.column_capacitance))
    return blocks


def _column_capacitors(params: CrossbarParams, runs: _Runs) -> list[ElementBlock]:
    """Lumped column capacitance when the column lines have no resistance."""
    wires = params.wires
    if wires.column_capacitance == 0 or wires.column_segment > 0:
        return []
    total = wires.column_capacitance * params.rows
    nodes = ((Names("col", runs.tags),), (Names("0", runs.empty),))
    return [ElementBlock("C", (Names("Cc", runs.tags),), nodes, total)]


def _access_model(access: AccessTransistor) -> Model:
    settings = (
        ("vt", access.threshold),
        ("vh", 0.0),
        ("ron", access.on_resistance),
        ("roff", access.off_resistance),
    )
    return Model(ACCESS_MODEL, "sw", settings)


def array_blocks(params: CrossbarParams) -> list[ElementBlock]:
    """The array's elements as blocks, row by row (see ``crossbar``); devices range-checked."""
    runs = _Runs.of(column_tags(params))
    values = instance_values(params.device, mapped_matrix(params))
    rows = checked_rows(params.device, values, "CrossbarParams.mapping")
    blocks: list[ElementBlock] = []
    for row, row_values in enumerate(rows):
        blocks += _row_blocks(params, runs, row, row_values)
    return blocks + _column_capacitors(params, runs)


def crossbar(params: CrossbarParams, *, bulk: bool = False) -> Subckt:
    """The array as a subcircuit: ports ``row*``, ``col*`` and (access cells) ``wl*``.

    See the module docstring for the geometry and node names; elements come row by row (row
    line, cells, column segments below the row). A compiled device's subcircuit and the access
    switch's ``.model`` are defined inside this one; every compiled cell is its own instance
    (``CompiledDevice``: its own draws, its weight range-checked). ``bulk=True`` keeps the
    elements as ``ElementBlock``s (checked per row, not per element: the fast path for large
    arrays); the written netlist is the same text either way.
    """
    if not isinstance(params, CrossbarParams):
        raise CircuitSpecError(f"expected CrossbarParams, got {params!r}", field="params")
    if type(bulk) is not bool:
        raise CircuitSpecError(f"expected True or False, got {bulk!r}", field="bulk")
    with _collector_paused():
        blocks = array_blocks(params)
        elements = () if bulk else tuple(e for block in blocks for e in block.elements())
    tags = column_tags(params)
    rows = params.rows
    word_lines = tuple(f"wl{i}" for i in range(rows)) if params.has_access else ()
    ports = (*(f"row{i}" for i in range(rows)), *(f"col{tag}" for tag in tags), *word_lines)
    device = params.device
    return Subckt(
        params.name,
        ports,
        elements=elements,
        models=(_access_model(params.access),) if params.has_access else (),
        subckts=(device.model.subckt,) if isinstance(device, CompiledDevice) else (),
        blocks=tuple(blocks) if bulk else (),
    )


def _physical_column(params: CrossbarParams, tag: object) -> int | None:
    """Index of a physical column tag (``"3"``, or ``"3p"``/``"3n"`` when differential)."""
    if type(tag) is not str:
        return None
    side = 0
    digits = tag
    if params.differential:
        if tag[-1:] not in ("p", "n"):
            return None
        side, digits = (0 if tag[-1] == "p" else 1), tag[:-1]
    if not digits.isdigit() or (digits != "0" and digits.startswith("0")):
        return None
    column = int(digits)
    if column >= params.columns:
        return None
    return 2 * column + side if params.differential else column


def crossing_nodes(params: CrossbarParams, row: int, tag: str) -> tuple[str, str]:
    """Inside the array: the (top, bottom) node names of the device at ``row``, column ``tag``.

    Top is on the row line; bottom is on the column line, or the node between device and
    access switch for access cells. Port names (``row*``, ``col*``) when a line has no
    resistance.
    """
    k = _physical_column(params, tag)
    if k is None or type(row) is not int or not 0 <= row < params.rows:
        raise CircuitSpecError(f"no crosspoint ({row!r}, {tag!r})", field="crossing_nodes")
    top = f"r{row}_{k}" if params.wires.row_segment > 0 else f"row{row}"
    if params.has_access:
        return top, f"m{row}_{tag}"
    bottom = f"c{tag}_{row}" if params.wires.column_segment > 0 else f"col{tag}"
    return top, bottom
